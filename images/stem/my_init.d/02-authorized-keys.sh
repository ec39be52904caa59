#!/usr/bin/env bash
# Authorized keys: the host file (STEM_AUTH_KEYS_PATH, mounted read-only) is the source of truth while it
# is there; its content is persisted on the sshstate volume, so logins keep working after a rebuild and
# after the host file goes away (an emptied host file revokes them). The folder belongs to root, the file to
# the user with mode 0600: sshd's StrictModes accepts that, and the user cannot point it elsewhere.
# hatch-step: required
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

src=/etc/hatch/authorized_keys.host
# A folder there holds the file as authorized_keys: how a Kubernetes ConfigMap volume gives it (export k8s).
[ ! -d "$src" ] || src=$src/authorized_keys
dir=$HATCH_STATE/$STEM_USER
dst=$dir/authorized_keys
install -d -o root -g root -m 0755 "$HATCH_STATE"
install -d -o root -g root -m 0755 "$dir"
[ ! -L "$dst" ] || rm -f "$dst"

if [ -f "$src" ]; then
  if grep -q -- '-----BEGIN .*PRIVATE KEY-----' "$src"; then
    die "STEM_AUTH_KEYS_PATH is a PRIVATE key; point it at the .pub file next to it"
  fi
  if ! cmp -s "$src" "$dst"; then
    rm -f "$dir"/.keys.*
    if tmp=$(mktemp "$dir/.keys.XXXXXX") && cat "$src" >"$tmp" && mv -f "$tmp" "$dst"; then
      log "persisted $(grep -cEv '^[[:space:]]*(#|$)' "$dst") key(s) from STEM_AUTH_KEYS_PATH"
    elif [ -s "$dst" ]; then
      rm -f "$dir"/.keys.*
      warn "could not persist the keys from STEM_AUTH_KEYS_PATH (disk full?); the ones persisted before still work"
    else
      die "could not persist the keys from STEM_AUTH_KEYS_PATH (disk full?): free some space and restart"
    fi
  else
    log "authorized keys unchanged ($(grep -cEv '^[[:space:]]*(#|$)' "$dst") key(s))"
  fi
elif [ -s "$dst" ]; then
  log "no host key file mounted; using $(grep -cEv '^[[:space:]]*(#|$)' "$dst") persisted key(s)"
else
  warn "no authorized keys: set STEM_AUTH_KEYS_PATH in .env to your public key file, or add keys to .ssh/authorized_keys in your home"
fi
[ -e "$dst" ] || exit 0
chown "$STEM_UID:$STEM_GID" "$dst"
chmod 0600 "$dst"
