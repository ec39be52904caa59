#!/usr/bin/env bash
# Apogee secrets: the host file (APOGEE_SECRETS_PATH, mounted read-only) is copied to
# ~/.config/apogee/secrets.env with mode 0600. An existing, different copy is never overwritten:
# the new one is put next to it as secrets.env.new and the boot says so.
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

src=/opt/secrets/apogee-secrets.env
dir=$HATCH_HOME/.config/apogee
dst=$dir/secrets.env
given_file "$src" || { log "skipped (APOGEE_SECRETS_PATH empty)"; exit 0; }

as_user mkdir -p "$dir"
chmod 0700 "$dir"
if [ ! -e "$dst" ]; then
  (umask 077 && as_user cp "$src" "$dst")
  chmod 0600 "$dst"
  log "copied secrets to ~/.config/apogee/secrets.env (0600)"
elif cmp -s "$src" "$dst"; then
  log "~/.config/apogee/secrets.env is up to date"
else
  (umask 077 && as_user cp "$src" "$dst.new")
  chmod 0600 "$dst.new"
  warn "~/.config/apogee/secrets.env differs from the host file: kept yours; the host's is in secrets.env.new"
fi
