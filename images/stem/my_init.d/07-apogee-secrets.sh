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

# Root reads the host file (it may be 0600 and not the user's); the user writes the copy, so nothing here
# follows a symlink the user made as root.
# shellcheck disable=SC2016 # $1 is the inner shell's argument
copy_as_user() { as_user sh -c 'umask 077; cat >"$1"; chmod 0600 "$1"' sh "$1" <"$src"; }
as_user mkdir -p "$dir"
as_user chmod 0700 "$dir"
if [ ! -e "$dst" ]; then
  copy_as_user "$dst"
  log "copied secrets to ~/.config/apogee/secrets.env (0600)"
elif cmp -s "$src" "$dst"; then
  log "~/.config/apogee/secrets.env is up to date"
else
  copy_as_user "$dst.new"
  warn "~/.config/apogee/secrets.env differs from the host file: kept yours; the host's is in secrets.env.new"
fi
