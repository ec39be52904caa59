#!/usr/bin/env bash
# SSH host keys live on the sshkeys volume: generated once, so clients never see "host key changed" after a
# rebuild. Their fingerprints are printed on every boot.
# hatch-step: required
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

dir=/etc/ssh/hatch-hostkeys
mkdir -p "$dir"
chmod 0755 "$dir"
for spec in ed25519: ecdsa:256 rsa:3072; do
  type=${spec%%:*} bits=${spec#*:}
  key=$dir/ssh_host_${type}_key
  if [ ! -s "$key" ]; then
    rm -f "$key" "$key.pub"
    ssh-keygen -q -t "$type" ${bits:+-b "$bits"} -N '' -C "hatch@${STEM_HOSTNAME:-$(hostname -s)}" -f "$key"
    log "generated $type host key"
  fi
  if [ ! -s "$key.pub" ]; then
    ssh-keygen -y -f "$key" >"$key.pub"
    log "restored the missing $type public key"
  fi
  chown root:root "$key" "$key.pub"
  chmod 0600 "$key"
  chmod 0644 "$key.pub"
  log "host key $(ssh-keygen -l -f "$key.pub" | awk '{print $2, $4}')"
done
