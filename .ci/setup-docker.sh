#!/usr/bin/env bash
# Installs and starts what the Docker-backed tests need on a Debian bookworm machine:
# docker.io (engine), compose v2 (from trixie, pinned so nothing else is taken from it),
# debootstrap (to build the offline test base), shellcheck, tmux, openssh-client, docker-registry
# (the publish test pushes to one on 127.0.0.1), the clients the e2e suite connects with (mosh, socat, rsync;
# sftp and scp come with openssh-client), openssh-server and iproute2 (test/e2e/remote-rig.sh runs an sshd of
# its own, with its own config, in a network namespace of its own, as the remote host of the --host tests),
# podman and catatonit (the Kubernetes export's test plays the exported objects with `podman kube play`).
# Idempotent: safe to run again; it only starts dockerd when it is not answering.
set -euo pipefail

log() { printf '[setup-docker] %s\n' "$*"; }

need_apt=0
for bin in dockerd docker-compose debootstrap shellcheck tmux ssh ssh-keygen git docker-registry mosh socat rsync \
  /usr/sbin/sshd /usr/sbin/ip podman catatonit; do
  command -v "$bin" >/dev/null 2>&1 || need_apt=1
done
if ! docker compose version >/dev/null 2>&1; then need_apt=1; fi

if [ "$need_apt" = 1 ]; then
  export DEBIAN_FRONTEND=noninteractive
  src=/etc/apt/sources.list.d/debian.sources
  if [ -f "$src" ] && [ ! -f /etc/apt/sources.list.d/hatch-trixie.sources ]; then
    # Same mirror as the machine's own sources, suite changed to trixie; no host name is written here.
    awk '/^Suites:/ { print "Suites: trixie"; next } { print }' "$src" \
      | awk 'BEGIN{RS=""; ORS="\n\n"} !/debian-security/' \
      > /etc/apt/sources.list.d/hatch-trixie.sources
    cat > /etc/apt/preferences.d/hatch-trixie <<'PIN'
Package: *
Pin: release n=trixie
Pin-Priority: 100

Package: docker-compose
Pin: release n=trixie
Pin-Priority: 990
PIN
  fi
  log "apt-get update"
  apt-get update -qq
  log "installing docker.io debootstrap shellcheck tmux openssh-client openssh-server iproute2 git docker-registry" \
    "mosh socat rsync podman catatonit"
  apt-get install -y -qq --no-install-recommends docker.io debootstrap shellcheck tmux openssh-client openssh-server \
    iproute2 git ca-certificates docker-registry rsync mosh socat podman catatonit >/dev/null
  log "installing docker-compose (v2) from trixie"
  apt-get install -y -qq --no-install-recommends -t trixie docker-compose >/dev/null || \
    apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
fi

# Make `docker compose` work with the docker CLI on PATH (which may not be Debian's).
plugin_dir=/usr/local/lib/docker/cli-plugins
if ! docker compose version >/dev/null 2>&1; then
  for cand in /usr/libexec/docker/cli-plugins/docker-compose /usr/lib/docker/cli-plugins/docker-compose; do
    if [ -x "$cand" ]; then mkdir -p "$plugin_dir"; ln -sf "$cand" "$plugin_dir/docker-compose"; break; fi
  done
fi

if ! docker info >/dev/null 2>&1; then
  log "starting dockerd (no bridge, no iptables; containers use host networking)"
  mkdir -p /var/log
  nohup dockerd --bridge=none --iptables=false --ip-masq=false >/var/log/hatch-dockerd.log 2>&1 &
  for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && break; sleep 0.2; done
fi
docker info >/dev/null 2>&1 || { log "dockerd did not start; see /var/log/hatch-dockerd.log"; tail -n 30 /var/log/hatch-dockerd.log; exit 1; }
log "docker $(docker version --format '{{.Server.Version}}') compose $(docker compose version --short)"
