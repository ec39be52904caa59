#!/usr/bin/env bash
# The container's environment in SSH sessions. sshd gives each session an environment of its own, so the
# image's variables (ENV in a Dockerfile: PATH additions; on a CUDA base CUDA_*, NVIDIA_*, LD_LIBRARY_PATH)
# and those in STEM_ENV (KEY=VALUE pairs separated by commas, which win over the image's) would be lost.
# This script writes them, from the container's own environment only, into:
#   - one SetEnv line for sshd: `ssh host command`, VS Code, sftp and mosh-server get them;
#   - /etc/profile.d: login shells, because Debian's /etc/profile resets PATH.
# Values are literal (no $VAR expansion). A value with a double quote, a backslash or a control character
# (a newline) could break the line it is written into: it is refused with a warning, never written.
# hatch's own settings and what sshd or the shell sets per session are left out; SSH_AUTH_SOCK above all, so
# an agent forwarded with ssh -A wins over the host agent relay (03-ssh-agent).
# Run by hatch-init as root after the required steps, before sshd starts (sshd reads its configuration then).
set -euo pipefail
# shellcheck source=lib.sh
. /usr/local/lib/hatch/lib.sh

conf=/etc/ssh/sshd_config.d/10-hatch-env.conf
profile=/etc/profile.d/hatch-env.sh

# hatch's settings, and what sshd, PAM or the shell set for each session.
own_name() {
  case $1 in
    STEM_* | BINDU_* | NEURON_* | APOGEE_* | HATCH_* | DROPBOX_* | SSH_*) return 0 ;;
    HOME | HOSTNAME | TERM | PWD | OLDPWD | SHLVL | _ | USER | LOGNAME | SHELL | MAIL) return 0 ;;
  esac
  return 1
}
# A value that is safe inside "..." on one sshd_config line and inside '...' in sh.
safe_value() { [[ $1 != *[[:cntrl:]\"\\]* ]]; }

declare -A value=()
names=()
put() {
  [ -n "${value[$1]+set}" ] || names+=("$1")
  value[$1]=$2
}

# The image's variables (and the engine's: the NVIDIA runtime's, compose's), as the container got them.
while IFS= read -r name; do
  own_name "$name" && continue
  [[ $name =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
  if safe_value "${!name}"; then
    put "$name" "${!name}"
  else
    warn "$name is not passed to SSH sessions: its value has a double quote, a backslash or a control character"
  fi
done < <(compgen -e)

# STEM_ENV: KEY=VALUE,KEY=VALUE (values without commas).
rest=${STEM_ENV:-}
n=0
while [ -n "$rest" ]; do
  pair=${rest%%,*}
  if [ "$pair" = "$rest" ]; then rest=''; else rest=${rest#*,}; fi
  n=$((n + 1))
  pair=${pair#"${pair%%[![:space:]]*}"}
  [ -n "$pair" ] || continue
  key=${pair%%=*}
  if [ "$key" = "$pair" ] || ! [[ $key =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]]; then
    warn "STEM_ENV entry $n skipped: it is not KEY=VALUE with KEY made of letters, digits and _"
  elif own_name "$key"; then
    warn "STEM_ENV entry $n ($key) skipped: hatch or sshd sets $key"
  elif ! safe_value "${pair#*=}"; then
    warn "STEM_ENV entry $n ($key) skipped: its value has a double quote, a backslash or a control character"
  else
    put "$key" "${pair#*=}"
  fi
done

# sshd sets at most 1000 variables per session and passes its configuration between its processes in one
# message: past either limit every login fails, though `sshd -t` passes. Stay well below both.
max_vars=400 max_bytes=65536
kept=() bytes=0
for name in "${names[@]}"; do
  size=$((${#name} + ${#value[$name]} + 4))
  if [ "${#kept[@]}" -ge "$max_vars" ] || [ $((bytes + size)) -gt "$max_bytes" ]; then
    warn "$name and the variables after it are not passed to SSH sessions: at most $max_vars variables and $max_bytes bytes"
    break
  fi
  kept+=("$name")
  bytes=$((bytes + size))
done
names=("${kept[@]}")

setenv='' exports=''
for name in "${names[@]}"; do
  setenv+=" \"$name=${value[$name]}\""
  q=${value[$name]//\'/\'\\\'\'}
  exports+="export $name='$q'"$'\n'
done
if ! {
  rm -f "$conf.new" "$profile.new"
  {
    echo '# hatch: the container environment for SSH sessions (written at boot by session-env.sh)'
    [ -z "$setenv" ] || echo "SetEnv$setenv"
  } >"$conf.new"
  {
    echo '# hatch: the container environment for login shells (written at boot by session-env.sh)'
    printf '%s' "$exports"
  } >"$profile.new"
  chmod 0644 "$conf.new" "$profile.new"
  mv -f "$conf.new" "$conf"
  mv -f "$profile.new" "$profile"
} 2>/dev/null; then
  rm -f "$conf.new" "$profile.new" 2>/dev/null || true
  warn "could not write the session environment (disk full?); SSH sessions may miss the image's variables"
  exit 0
fi
log "${#names[@]} variable(s) passed to SSH sessions: ${names[*]}"
