#!/usr/bin/env bash
# A "remote Docker host" on this one machine, for the tests of `hatch-wizard --host`: a second user reached over
# a second sshd, whose sessions talk to a second dockerd, both in a network namespace of their own (a host of its
# own as far as ports go). Run as root (CI runs as root). Idempotent.
#
#   remote-rig.sh up     create the user, keys, namespace, engine, sshd and the forwarder to it; load the offline
#                        base image into the engine
#   remote-rig.sh down   remove the engine's containers, stop the forwarder, sshd and the engine and whatever else
#                        runs in the namespace, delete the namespace, remove the runtime state (the engine's data
#                        root stays as a cache of the base image; the user stays)
#   remote-rig.sh purge  down, then remove the whole rig folder
#   remote-rig.sh env    print shell assignments for tests (RIG_SSH_PORT, RIG_KEY, RIG_USER, RIG_UID, RIG_GID,
#                        RIG_DOCKER_HOST, RIG_DOCKER_ROOT, RIG_SSHD_LOG, RIG_KNOWN_HOSTS, RIG_NETNS)
#
# What the rig is:
# - a network namespace $RIG_NETNS (`ip netns`, /run/netns/hatch-rig) with only a loopback, up: the remote host's
#   network. sshd and the second dockerd run in it (entered with nsenter, network only: files, mounts and
#   processes are shared with this machine), so a container of the second engine with host networking, or
#   anything started with `ip netns exec $RIG_NETNS`, listens on the remote's 127.0.0.1, which this machine's
#   127.0.0.1 does not reach; a port taken here is free there and the other way round;
# - a forwarder, socat on this machine's 127.0.0.1:$RIG_SSH_PORT, that for each connection runs a socat in the
#   namespace connected to sshd there (127.0.0.1:22): the only way in over the network (the engine's socket is a
#   file, $RIG_DOCKER_HOST, reachable from both sides);
# - user hatchremote (uid/gid 1777, password locked with '*' so sshd without PAM lets it in by key), with the
#   rig's test key in ~/.ssh/authorized_keys;
# - a second dockerd next to the first (which stays on /var/run/docker.sock, untouched): its own data root,
#   exec root, pidfile, containerd and cgroup parent, socket $RIG_DOCKER_HOST owned by the group hatchremote,
#   no bridge and no iptables (containers use host networking), and a runtime named `nvidia` that is only a
#   wrapper around runc: the engine says it has an NVIDIA runtime, but there is no GPU behind it;
# - an sshd on the namespace's 127.0.0.1:22 with its own config, host key (pinned in $RIG_KNOWN_HOSTS for
#   [127.0.0.1]:$RIG_SSH_PORT), pidfile and log (LogLevel VERBOSE, so a test can count connections: each one
#   through the forwarder is logged "Connection from 127.0.0.1 port N on 127.0.0.1 port 22"), letting only
#   hatchremote in, by key, with MaxStartups 4:100:4 (a tight host: a fifth unauthenticated connection at once is
#   dropped), and SetEnv DOCKER_HOST (the second engine) and PATH;
# - a fake nvidia-smi in ~hatchremote/bin, on that user's PATH only (not root's), listing one GPU "Fake".
#
# Observed on this engine (dockerd 20.10.24, runc 1.1.5) with the fake runtime:
# - `docker run --rm --runtime nvidia IMAGE true` succeeds: the wrapper runs the container with runc;
# - `docker run --rm --gpus all IMAGE true` fails, exit 125:
#     docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]]
#   (no period; the engine registers no GPU driver, as nvidia-container-runtime-hook is not installed), and the
#   same with `--runtime nvidia --gpus all`. So the remote side says "GPU" (nvidia-smi, the runtime) but cannot
#   give one.
# - MaxStartups 4:100:4, through the forwarder: of six fresh ssh connections started at once, two were dropped in
#   each of 70 tries (30 of them with both CPUs busy): the first four accepted hold the four unauthenticated
#   slots, the other two are closed at once, exit 255 with "kex_exchange_identification: Connection closed by
#   remote host" (the forwarder closes the client's connection when sshd closes its own; without it, sshd's
#   close read "...: read: Connection reset by peer"), and sshd logs "drop connection #4 from [127.0.0.1]:PORT on
#   [127.0.0.1]:22 past MaxStartups" (after "beginning MaxStartups throttling"). Six commands over one
#   ControlMaster connection all pass and open no connection; but six started with ControlMaster=auto before a
#   master exists each open their own, so again two are dropped (10 of 10 tries): open the master first.
# - A socat listening in the namespace on a port this machine's 127.0.0.1 also has taken binds, and a rig
#   session reaches it, not this machine's; the same for a `--network host` container of the second engine.
# sshd's log (-E) ends its lines with CR LF.
set -euo pipefail

RIG_DIR=/tmp/hatch-rig
RUN_DIR=/run/hatch-rig
RIG_USER=hatchremote
RIG_UID=1777
RIG_GID=1777
RIG_SSH_PORT=${HATCH_RIG_SSH_PORT:-22960}
RIG_SOCK=$RUN_DIR/docker.sock
RIG_DOCKER_HOST=unix://$RIG_SOCK
RIG_DOCKER_ROOT=$RIG_DIR/docker
RIG_KEY=$RIG_DIR/id_ed25519
RIG_KNOWN_HOSTS=$RIG_DIR/known_hosts
RIG_SSHD_LOG=$RIG_DIR/sshd.log
RIG_NETNS=hatch-rig
BASE=${HATCH_TEST_BASE:-hatch-test-base:bookworm}

EXEC_ROOT=$RUN_DIR/exec
DOCKERD_PID=$RUN_DIR/dockerd.pid
DOCKERD_LOG=$RIG_DIR/dockerd.log
SSHD_DIR=$RIG_DIR/sshd
SSHD_PID=$SSHD_DIR/sshd.pid
RUNTIME=$RIG_DIR/bin/nvidia-runtime
SSHD=/usr/sbin/sshd
NETNS=/run/netns/$RIG_NETNS
FORWARD_PID=$RUN_DIR/forward.pid
FORWARD_LOG=$RIG_DIR/forward.log

log() { printf '[remote-rig] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# Waits until "$@" succeeds, for at most $1 seconds (polling; no fixed wait).
wait_for() {
  local deadline=$((SECONDS + $1)); shift
  until "$@" >/dev/null 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

rig_docker() { DOCKER_HOST=$RIG_DOCKER_HOST docker "$@"; }
# Whether the pid in pidfile $1 runs the program $2 (a stale pidfile may name another process by now).
alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) && [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe")" = "$(readlink -f "$2")" ]
}
gone() { ! kill -0 "$1" 2>/dev/null; }
# Whether process $1 runs in the rig's network namespace.
in_netns() { [ "$(stat -L -c %i "/proc/$1/ns/net" 2>/dev/null)" = "$(stat -L -c %i "$NETNS" 2>/dev/null)" ]; }
# Dies when the program $2 of pidfile $1 runs but outside the namespace (a rig of an older layout, or a namespace
# deleted and made again under it).
check_netns() {
  if alive "$1" "$2" && ! in_netns "$(cat "$1")"; then
    die "$2 (pid $(cat "$1")) runs outside the network namespace $RIG_NETNS: run $0 down first"
  fi
}
as_user() { runuser -u "$RIG_USER" -- "$@"; }

ensure_user() {
  if ! getent group "$RIG_USER" >/dev/null; then groupadd -g "$RIG_GID" "$RIG_USER"; fi
  if ! id "$RIG_USER" >/dev/null 2>&1; then
    useradd -u "$RIG_UID" -g "$RIG_GID" -m -d "/home/$RIG_USER" -s /bin/bash "$RIG_USER"
  fi
  [ "$(id -u "$RIG_USER"):$(id -g "$RIG_USER")" = "$RIG_UID:$RIG_GID" ] ||
    die "user $RIG_USER exists with ids $(id -u "$RIG_USER"):$(id -g "$RIG_USER"), not $RIG_UID:$RIG_GID"
  usermod -p '*' "$RIG_USER"
}

ensure_keys() {
  # /tmp is everyone's: root writes only into a rig folder of its own.
  if [ -e "$RIG_DIR" ] && { [ -L "$RIG_DIR" ] || [ "$(stat -c %u "$RIG_DIR")" != 0 ]; }; then
    die "$RIG_DIR is not a folder of root's; remove it"
  fi
  mkdir -p "$RIG_DIR" "$SSHD_DIR" "$RIG_DIR/bin"
  chmod 755 "$RIG_DIR"
  [ -f "$RIG_KEY" ] || ssh-keygen -q -t ed25519 -N '' -C "rig@hatch-e2e" -f "$RIG_KEY"
  [ -f "$SSHD_DIR/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C "rig-host@hatch-e2e" -f "$SSHD_DIR/host_ed25519"
  printf '[127.0.0.1]:%s %s\n' "$RIG_SSH_PORT" "$(cut -d' ' -f1,2 "$SSHD_DIR/host_ed25519.pub")" >"$RIG_KNOWN_HOSTS"
}

# The user's own files are written as that user (root does not write into a home it does not own).
ensure_home() {
  as_user mkdir -p "/home/$RIG_USER/.ssh" "/home/$RIG_USER/bin"
  as_user chmod 700 "/home/$RIG_USER/.ssh"
  as_user tee "/home/$RIG_USER/.ssh/authorized_keys" <"$RIG_KEY.pub" >/dev/null
  as_user tee "/home/$RIG_USER/bin/nvidia-smi" >/dev/null <<'SMI'
#!/bin/sh
# A fake nvidia-smi: one GPU named Fake, and no GPU behind it.
uuid=GPU-00000000-0000-0000-0000-000000000000
case "$*" in
  *--query-gpu=index,name,memory.total,driver_version,uuid*) echo "0, Fake, 16384 MiB, 000.00, $uuid" ;;
  *) echo "GPU 0: Fake (UUID: $uuid)" ;;
esac
SMI
  as_user chmod 755 "/home/$RIG_USER/bin/nvidia-smi"
}

# The namespace, with its loopback up (and nothing else).
ensure_netns() {
  if ! ip netns exec "$RIG_NETNS" true 2>/dev/null; then
    ip netns delete "$RIG_NETNS" 2>/dev/null || true
    log "creating the network namespace $RIG_NETNS"
    ip netns add "$RIG_NETNS"
  fi
  ip -n "$RIG_NETNS" link set lo up
}

engine_answers() { rig_docker info >/dev/null 2>&1; }

start_engine() {
  mkdir -p "$RUN_DIR" "$RIG_DOCKER_ROOT"
  chmod 755 "$RUN_DIR"
  printf '#!/bin/sh\n# A runtime named nvidia with no GPU behind it: plain runc.\nexec runc "$@"\n' >"$RUNTIME"
  chmod 755 "$RUNTIME"
  printf '{"deprecated-key-path": "%s"}\n' "$RIG_DIR/engine-key.json" >"$RIG_DIR/daemon.json"
  check_netns "$DOCKERD_PID" "$(command -v dockerd)"
  if engine_answers; then return; fi
  log "starting the second dockerd on $RIG_DOCKER_HOST, in $RIG_NETNS"
  setsid nsenter --net="$NETNS" dockerd --config-file "$RIG_DIR/daemon.json" --data-root "$RIG_DOCKER_ROOT" \
    --exec-root "$EXEC_ROOT" --pidfile "$DOCKERD_PID" -H "$RIG_DOCKER_HOST" --group "$RIG_USER" \
    --cgroup-parent /hatch-rig --bridge=none --iptables=false --ip-masq=false --ip-forward=false \
    --add-runtime "nvidia=$RUNTIME" </dev/null >>"$DOCKERD_LOG" 2>&1 9>&- &
  wait_for 60 engine_answers || { tail -n 30 "$DOCKERD_LOG" >&2; die "the second dockerd did not answer"; }
}

load_base() {
  local want
  want=$(docker image inspect -f '{{.Id}}' "$BASE") || die "$BASE is missing on the first engine (make-base.sh)"
  if [ "$(rig_docker image inspect -f '{{.Id}}' "$BASE" 2>/dev/null)" = "$want" ]; then return; fi
  log "loading $BASE into the second engine"
  docker save "$BASE" | rig_docker load >/dev/null
}

ssh_answers() {
  ssh -F /dev/null -i "$RIG_KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile="$RIG_KNOWN_HOSTS" \
    -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o ConnectTimeout=5 \
    -p "$RIG_SSH_PORT" "$RIG_USER@127.0.0.1" true
}

start_sshd() {
  cat >"$SSHD_DIR/sshd_config.new" <<CONF
ListenAddress 127.0.0.1:22
HostKey $SSHD_DIR/host_ed25519
PidFile $SSHD_PID
AllowUsers $RIG_USER
PermitRootLogin no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes yes
MaxStartups 4:100:4
LogLevel VERBOSE
SetEnv DOCKER_HOST=$RIG_DOCKER_HOST PATH=/home/$RIG_USER/bin:/usr/local/bin:/usr/bin:/bin
Subsystem sftp internal-sftp
CONF
  if cmp -s "$SSHD_DIR/sshd_config.new" "$SSHD_DIR/sshd_config"; then
    rm "$SSHD_DIR/sshd_config.new"
  else
    mv "$SSHD_DIR/sshd_config.new" "$SSHD_DIR/sshd_config"
    # A running sshd re-reads a changed config on HUP (it stops listening for a moment, so only then).
    if alive "$SSHD_PID" "$SSHD"; then kill -HUP "$(cat "$SSHD_PID")"; fi
  fi
  check_netns "$SSHD_PID" "$SSHD"
  if ! alive "$SSHD_PID" "$SSHD"; then
    log "starting sshd on 127.0.0.1:22 in $RIG_NETNS"
    mkdir -p /run/sshd # its privilege separation folder
    # nsenter enters the namespace's network only: files and mounts stay this machine's.
    nsenter --net="$NETNS" "$SSHD" -f "$SSHD_DIR/sshd_config" -E "$RIG_SSHD_LOG" 9>&- ||
      die "sshd did not start; see $RIG_SSHD_LOG"
  fi
}

# This machine's 127.0.0.1:$RIG_SSH_PORT, forwarded to sshd in the namespace: one socat here, and for each
# connection one in the namespace (socat's address syntax wants the inner address's colons escaped).
start_forwarder() {
  if ! alive "$FORWARD_PID" "$(command -v socat)"; then
    log "forwarding 127.0.0.1:$RIG_SSH_PORT to 127.0.0.1:22 in $RIG_NETNS"
    setsid socat "TCP-LISTEN:$RIG_SSH_PORT,bind=127.0.0.1,reuseaddr,fork" \
      "EXEC:nsenter --net=$NETNS socat STDIO TCP\:127.0.0.1\:22" </dev/null >>"$FORWARD_LOG" 2>&1 9>&- &
    echo $! >"$FORWARD_PID"
  fi
  wait_for 30 ssh_answers || {
    tail -n 20 "$RIG_SSHD_LOG" "$FORWARD_LOG" >&2
    die "the rig's sshd does not let $RIG_USER in through 127.0.0.1:$RIG_SSH_PORT"
  }
  alive "$FORWARD_PID" "$(command -v socat)" || die "the forwarder's pidfile $FORWARD_PID names no socat"
}

up() {
  [ "$(id -u)" = 0 ] || die "run as root"
  [ -x "$SSHD" ] || die "sshd is missing (apt-get install openssh-server)"
  command -v socat >/dev/null || die "socat is missing (apt-get install socat)"
  command -v ip >/dev/null || die "ip is missing (apt-get install iproute2)"
  ensure_user
  ensure_keys
  ensure_home
  ensure_netns
  start_engine
  load_base
  start_sshd
  start_forwarder
  log "up: ssh -p $RIG_SSH_PORT $RIG_USER@127.0.0.1 (key $RIG_KEY), engine $RIG_DOCKER_HOST"
}

# Stops the program $2 whose pid is in pidfile $1 with TERM, and waits until it is gone.
stop() {
  alive "$1" "$2" || return 0
  local pid
  pid=$(cat "$1")
  kill "$pid"
  wait_for 30 gone "$pid" || die "process $pid ($1) did not stop"
}

# What dockerd leaves mounted under $1 (its default network namespace), deepest first.
unmount_under() {
  awk -v p="$1/" 'index($2, p) == 1 { print $2 }' /proc/mounts | sort -r | xargs -r -n1 umount
}

# Ends what still runs in the namespace (sessions sshd left, listeners a test started there) with TERM, then
# KILL for what ignores it (a container's init), and deletes the namespace.
stop_netns() {
  [ -e "$NETNS" ] || return 0
  local signal
  for signal in TERM KILL; do
    no_pids_in_netns && break
    # shellcheck disable=SC2046 # one pid a word
    kill -s "$signal" $(ip netns pids "$RIG_NETNS") 2>/dev/null || true
    wait_for 10 no_pids_in_netns || [ "$signal" = TERM ] ||
      die "processes still run in $RIG_NETNS: $(ip netns pids "$RIG_NETNS")"
  done
  ip netns delete "$RIG_NETNS"
}
no_pids_in_netns() { [ -z "$(ip netns pids "$RIG_NETNS" 2>/dev/null)" ]; }

down() {
  [ "$(id -u)" = 0 ] || die "run as root"
  if engine_answers; then rig_docker ps -aq | xargs -r env DOCKER_HOST="$RIG_DOCKER_HOST" docker rm -f >/dev/null; fi
  stop "$FORWARD_PID" "$(command -v socat)"
  stop "$SSHD_PID" "$SSHD"
  stop "$DOCKERD_PID" "$(command -v dockerd)"
  stop_netns
  unmount_under "$RUN_DIR"
  unmount_under "$RIG_DOCKER_ROOT"
  rm -rf "$RUN_DIR" "$SSHD_DIR" "${RIG_DIR:?}/bin" "$RIG_KEY" "$RIG_KEY.pub" "$RIG_KNOWN_HOSTS" "$RIG_SSHD_LOG" \
    "$DOCKERD_LOG" "$FORWARD_LOG" "$RIG_DIR/daemon.json"
  log "down"
}

purge() {
  down
  rm -rf "${RIG_DIR:?}"
}

print_env() {
  local name
  for name in RIG_SSH_PORT RIG_KEY RIG_USER RIG_UID RIG_GID RIG_DOCKER_HOST RIG_DOCKER_ROOT RIG_SSHD_LOG \
    RIG_KNOWN_HOSTS RIG_NETNS; do
    printf '%s=%q\n' "$name" "${!name}"
  done
}

# One up or down at a time (two test files may share the rig).
locked() {
  exec 9>/run/hatch-rig.lock
  flock -w 300 9 || die "another up or down holds /run/hatch-rig.lock"
  "$@"
}

case "${1:-}" in
  up) locked up ;;
  down) locked down ;;
  purge) locked purge ;;
  env) print_env ;;
  *) die "usage: $0 up|down|purge|env" ;;
esac
