#!/usr/bin/env bash
# Dropbox: when DROPBOX_PATH_ON_HOST is set, compose mounts it at /mnt/hatch/dropbox; ~/Dropbox points there.
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

mnt=/mnt/hatch/dropbox
link=$HATCH_HOME/Dropbox
if [ -d "$mnt" ]; then
  if [ -L "$link" ] && [ "$(readlink "$link")" = "$mnt" ]; then
    log "~/Dropbox -> host Dropbox (unchanged)"
  elif [ -e "$link" ] || [ -L "$link" ]; then
    warn "~/Dropbox already exists and is not hatch's link; left alone (host Dropbox is at $mnt)"
  else
    ln -s "$mnt" "$link"
    chown -h "$STEM_UID:$STEM_GID" "$link"
    log "~/Dropbox -> host Dropbox"
  fi
else
  if [ -L "$link" ] && [ "$(readlink "$link")" = "$mnt" ]; then
    rm -f "$link"
    log "removed ~/Dropbox link (DROPBOX_PATH_ON_HOST is no longer set)"
  else
    log "no Dropbox mounted (DROPBOX_PATH_ON_HOST empty)"
  fi
fi
