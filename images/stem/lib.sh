# shellcheck shell=bash
# Shared helpers for hatch's boot steps. Each step logs one line per action to stdout (docker logs).
#
# The rule every step follows: root works on system state only (/etc, /var/lib/hatch, /run/hatch, the host
# keys, the account). The home is a volume the user controls, so everything inside it is done by the user,
# through as_user or user_run. Root itself touches a home path only through own() below.

HATCH_STEP=${HATCH_STEP:-$(basename "${0%.sh}")}
STEM_USER=${STEM_USER:-dev}
STEM_UID=${STEM_UID:-1000}
STEM_GID=${STEM_GID:-1000}
HATCH_HOME=/home/$STEM_USER
# shellcheck disable=SC2034 # used by the steps that source this file
HATCH_STATE=/var/lib/hatch/ssh
HATCH_RUN=/run/hatch
HATCH_WARNINGS=$HATCH_RUN/boot-warnings
HATCH_USER_SCRIPTS=/usr/local/lib/hatch/user
# The only PATH a program started for the user gets: system folders, nothing under the home.
HATCH_SYSTEM_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# One log line, printable ASCII only: a message may carry a name the user chose (a file in /workspace, a
# repository URL), and a newline or an escape sequence in it must not forge or hide lines in the log.
line() {
  local LC_ALL=C text="$*"
  printf '%s\n' "${text//[^[:print:]]/}"
}
log() { line "hatch[$HATCH_STEP]: $*"; }
# A warning is logged and kept in /run/hatch/boot-warnings (one line each) for the wizard and `status`.
warn() {
  line "hatch[$HATCH_STEP]: WARNING: $*"
  # Best effort: a full disk must not turn a warning into a failed boot.
  { line "$HATCH_STEP: $*" >>"$HATCH_WARNINGS"; } 2>/dev/null || true
}
die() {
  line "hatch[$HATCH_STEP]: ERROR: $*"
  exit 1
}

# as_user SECONDS [NAME=VALUE...] COMMAND [ARGS...]: runs COMMAND as the login user, never as root.
# setpriv drops to the user's uid, gid and groups (no new privileges: no setuid program regains root);
# env -i leaves nothing of root's environment but the fixed system PATH and the NAME=VALUE pairs given;
# stdin is /dev/null (or the file named by HATCH_STDIN, opened by root); the working folder is /; and
# timeout ends it (TERM, then KILL 5 s later) after SECONDS. Its output goes wherever the caller sends it:
# send it to a file, never into a pipe or $(…) that root reads, which a program left behind could hold open.
as_user() {
  local secs=$1
  shift
  (
    cd / || exit 1
    exec timeout -k 5 "$secs" setpriv --reuid="$STEM_UID" --regid="$STEM_GID" --init-groups --no-new-privs \
      /usr/bin/env -i HOME="$HATCH_HOME" USER="$STEM_USER" LOGNAME="$STEM_USER" SHELL=/bin/bash \
      PATH="$HATCH_SYSTEM_PATH" LANG="${LANG:-C.UTF-8}" "$@"
  ) <"${HATCH_STDIN:-/dev/null}"
}

# Keeps what a program run for the user printed to tab, newline and printable ASCII: no escape sequences,
# carriage returns or C1 controls (which some terminals obey) reach the boot log or whoever reads it.
printable() { LC_ALL=C tr -cd '\11\12\40-\176'; }

# user_run SECONDS SCRIPT [NAME=VALUE...]: runs /usr/local/lib/hatch/user/SCRIPT.sh as the user (as_user)
# and relays what it prints to the boot log, line by line; a line starting "WARNING: " becomes a warning.
# A timeout or a failure is a warning too: the steps that use this are optional. Returns 0.
user_run() {
  local secs=$1 script=$2 out rc=0 line last=''
  shift 2
  out=$(mktemp "$HATCH_RUN/out.XXXXXX") || {
    warn "$script not run: no room for its output in $HATCH_RUN (disk full?)"
    return 0
  }
  as_user "$secs" "$@" /bin/bash "$HATCH_USER_SCRIPTS/$script.sh" >"$out" 2>&1 || rc=$?
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    case $line in
      'WARNING: '*) warn "${line#WARNING: }" ;;
      *) log "$line" ;;
    esac
    last=$line
  done < <(head -c 65536 "$out" | head -n 200 | printable)
  rm -f "$out"
  case $rc in
    0) ;;
    124 | 137) warn "$script did not finish within ${secs} s and was stopped; continuing without it" ;;
    *) warn "$script failed (exit $rc)${last:+: $last}; continuing without it" ;;
  esac
  return 0
}

# own PATH [UID:GID]: sets the owner of one path, not recursively, only when it is wrong, and logs it.
# PATH's folder may be the user's: root enters it with cd -P and checks that it landed where PATH says, so a
# symlink anywhere above cannot redirect it, and a folder swapped afterwards cannot either (root stays in
# the one it checked). The last component is never followed (chown -h); a missing path is skipped, and so
# is a file with other hard links (it may be a system file's other name).
own() {
  local path=$1 want=${2:-$STEM_UID:$STEM_GID}
  (
    dir=${path%/*} name=${path##*/}
    cd -P -- "${dir:-/}" 2>/dev/null || exit 0
    if [ "$(readlink /proc/self/cwd)" != "${dir:-/}" ]; then
      log "left the owner of ${path/#$HATCH_HOME/\~} alone: a folder above it is a symlink"
      exit 0
    fi
    read -r have links type < <(stat -c '%u:%g %h %F' -- "$name" 2>/dev/null) || exit 0
    [ "$have" != "$want" ] || exit 0
    if [ "$type" != directory ] && [ "$links" -gt 1 ]; then
      log "left the owner of ${path/#$HATCH_HOME/\~} alone: it has $links hard links"
      exit 0
    fi
    chown -h -- "$want" "$name"
    log "owner of ${path/#$HATCH_HOME/\~} set to $want (was $have)"
  ) || warn "could not set the owner of ${path/#$HATCH_HOME/\~}"
}

# A path is "given" when it is a real, non-empty file, not the /dev/null placeholder compose mounts when unset.
given_file() { [ -f "$1" ] && [ -s "$1" ]; }
