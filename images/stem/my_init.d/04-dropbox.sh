#!/usr/bin/env bash
# Dropbox: when DROPBOX_PATH_ON_HOST is set, compose mounts it at /mnt/hatch/dropbox, and the user gets a
# ~/Dropbox link to it (made by the user: see user/dropbox.sh).
# hatch-step: optional, deadline 20
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

mounted=0
[ -d /mnt/hatch/dropbox ] && mounted=1
user_run 15 dropbox MOUNTED="$mounted"
