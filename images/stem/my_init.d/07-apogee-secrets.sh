#!/usr/bin/env bash
# Apogee secrets: the host file (APOGEE_SECRETS_PATH, mounted read-only) becomes ~/.config/apogee/secrets.env
# with mode 0600. Root opens the host file (it may be the host user's 0600 file) and hands it to the user's
# script on stdin; every read and write in the home is the user's (user/secrets.sh).
# hatch-step: optional, deadline 20
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

src=/opt/secrets/apogee-secrets.env
given_file "$src" || { log "skipped (APOGEE_SECRETS_PATH empty)"; exit 0; }
HATCH_STDIN=$src user_run 15 secrets
