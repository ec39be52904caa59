# shellcheck shell=bash
# Shared helpers for hatch's boot steps. Each step logs one line per action to stdout (docker logs).

HATCH_STEP=${HATCH_STEP:-$(basename "${0%.sh}")}
STEM_USER=${STEM_USER:-dev}
STEM_UID=${STEM_UID:-1000}
STEM_GID=${STEM_GID:-1000}
HATCH_HOME=/home/$STEM_USER
# shellcheck disable=SC2034 # used by the steps that source this file
HATCH_STATE=/var/lib/hatch/ssh

log() { printf 'hatch[%s]: %s\n' "$HATCH_STEP" "$*"; }
warn() { printf 'hatch[%s]: WARNING: %s\n' "$HATCH_STEP" "$*"; }
die() {
  printf 'hatch[%s]: ERROR: %s\n' "$HATCH_STEP" "$*"
  exit 1
}

# Runs a command as the login user with a clean, predictable environment.
as_user() {
  runuser -u "$STEM_USER" -- env -i HOME="$HATCH_HOME" USER="$STEM_USER" LOGNAME="$STEM_USER" \
    PATH="$HATCH_HOME/.pixi/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" \
    LANG="${LANG:-C.UTF-8}" "$@"
}

# Sets owner (uid:gid) of one path, not recursively, only when it is wrong. Logs what it changed.
# The home belongs to the user: a path whose parent is (or passes through) a symlink is skipped, so root
# never changes the owner of something the user pointed it at (e.g. ~/.local -> /usr).
own() {
  local path=$1 want=${2:-$STEM_UID:$STEM_GID} have parent
  [ -e "$path" ] || [ -L "$path" ] || return 0
  parent=$(dirname -- "$path")
  if [ "$(realpath -- "$parent")" != "$parent" ]; then
    warn "skipped ${path/#$HATCH_HOME/\~}: a folder above it is a symlink"
    return 0
  fi
  have=$(stat -c '%u:%g' "$path")
  if [ "$have" != "$want" ]; then
    chown -h "$want" "$path"
    log "owner of ${path/#$HATCH_HOME/\~} set to $want (was $have)"
  fi
}

# A path is "given" when it is a real file/dir/socket, not the /dev/null placeholder compose mounts when unset.
given_file() { [ -f "$1" ] && [ -s "$1" ]; }

stamp() { date -u +%Y%m%d-%H%M%S; }
