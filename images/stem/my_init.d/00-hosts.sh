#!/usr/bin/env bash
# The container's own hostname must resolve (sudo and many tools complain otherwise). With host networking
# Docker's /etc/hosts does not list it; add it once.
# hatch-step: required
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

name=$(hostname)
if getent hosts "$name" >/dev/null; then
  log "hostname $name resolves"
else
  if { printf '127.0.1.1\t%s\n' "$name" >>/etc/hosts; } 2>/dev/null; then
    log "added $name to /etc/hosts"
  else
    warn "could not add $name to /etc/hosts (disk full?); sudo may complain about the hostname"
  fi
fi
