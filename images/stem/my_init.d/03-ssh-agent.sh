#!/usr/bin/env bash
# SSH agent forwarding from the Docker host: when STEM_SSH_AUTH_SOCK_HOST is set, compose mounts the
# host's agent socket at /ssh-agent. The socket may be owned by root or another uid, so a small relay
# (socat, running as root) offers it to the user at /run/hatch/ssh-agent.sock. Shells get SSH_AUTH_SOCK
# pointing there unless the client forwarded its own agent (ssh -A): login shells through profile.d, and
# `ssh host command` through the first lines of /etc/bash.bashrc (written in the image), which bash reads
# for commands run by sshd before it returns for non-interactive shells.
# hatch-step: optional, deadline 15
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

sock=/ssh-agent
relay=/run/hatch/ssh-agent.sock
profile=/etc/profile.d/hatch-ssh-agent.sh
if [ ! -S "$sock" ]; then
  rm -f "$profile"
  log "no host agent socket mounted (STEM_SSH_AUTH_SOCK_HOST empty or not a socket)"
  exit 0
fi
install -d -m 0755 /run/hatch
rm -f "$relay"
setsid socat "UNIX-LISTEN:$relay,fork,unlink-early,user=$STEM_UID,group=$STEM_GID,mode=0600" "UNIX-CONNECT:$sock" \
  </dev/null >/dev/null 2>&1 &
for _ in $(seq 1 50); do [ -S "$relay" ] && break; sleep 0.02; done
if [ ! -S "$relay" ]; then
  warn "the agent relay did not start (socat); continuing without agent forwarding"
  exit 0
fi
cat >"$profile" <<PROFILE
# hatch: the Docker host's ssh-agent, unless this session forwarded its own.
if [ -z "\${SSH_AUTH_SOCK:-}" ] || [ ! -S "\$SSH_AUTH_SOCK" ]; then export SSH_AUTH_SOCK=$relay; fi
PROFILE
keys=$(SSH_AUTH_SOCK=$sock timeout 5 ssh-add -l 2>/dev/null | grep -c 'SHA256:' || true)
log "host agent forwarded to $STEM_USER at $relay ($keys key(s) loaded)"
