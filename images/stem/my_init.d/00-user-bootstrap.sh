#!/usr/bin/env bash
# Ensures group STEM_GID, user STEM_UID with that primary group, and a home on the volume. When the UID or
# GID belongs to another account (Ubuntu 24.04 ships ubuntu 1000:1000), that account is renamed or moved
# aside; the configured ids always win. Ownership is repaired only on a curated list of paths, each only
# when wrong, so boot time does not grow with the number of files in home.
# hatch-step: required
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

user=$STEM_USER uid=$STEM_UID gid=$STEM_GID home=$HATCH_HOME

[[ $user =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "STEM_USER '$user' is not a valid user name (lower case, at most 32 characters); fix it in .env"
# Canonical decimal only (no leading zeros, no signs): "08" is not octal here, and "01000" is not 1000.
canonical_id() { [[ $1 =~ ^[1-9][0-9]{0,9}$ ]] && ((10#$1 <= 2147483646)); }
canonical_id "$uid" || die "STEM_UID '$uid' must be a whole number from 1 to 2147483646, without leading zeros; fix it in .env"
canonical_id "$gid" || die "STEM_GID '$gid' must be a whole number from 1 to 2147483646, without leading zeros; fix it in .env"
case $user in root | daemon | bin | sys | nobody | sshd | _apt) die "STEM_USER '$user' is a system account; pick another name in .env" ;; esac

field() { getent "$1" "$2" | cut -d: -f"$3" || true; }

# A free id in [from, to] for both passwd and group, used to move a colliding account out of the way.
free_id() {
  local id
  for ((id = $1; id <= $2; id++)); do
    if ! getent passwd "$id" >/dev/null && ! getent group "$id" >/dev/null; then
      echo "$id"
      return 0
    fi
  done
  return 1
}

# usermod -u/-g rewrite ownership of everything under the account's home; point the account at an empty
# directory while changing ids so that never happens (the curated repair below does the safe part).
with_empty_home() {
  local account=$1 old_home
  shift
  old_home=$(field passwd "$account" 6)
  mkdir -p /var/empty/hatch
  usermod -d /var/empty/hatch "$account"
  "$@"
  usermod -d "$old_home" "$account"
}

# --- group with STEM_GID
holder=$(field group "$gid" 1)
if [ -n "$holder" ]; then
  if [ "$holder" != "$user" ] && [ "$gid" -ge 1000 ] && [ "$gid" -lt 60000 ] && ! getent group "$user" >/dev/null; then
    groupmod -n "$user" "$holder"
    log "renamed group $holder ($gid) to $user"
  else
    [ "$holder" = "$user" ] || log "using existing group $holder ($gid) as primary group"
  fi
elif getent group "$user" >/dev/null; then
  old=$(field group "$user" 3)
  groupmod -g "$gid" "$user"
  log "changed gid of group $user from $old to $gid"
else
  groupadd -g "$gid" "$user"
  log "created group $user ($gid)"
fi
group=$(field group "$gid" 1)

# --- user with STEM_UID
holder=$(field passwd "$uid" 1)
if [ -n "$holder" ] && [ "$holder" != "$user" ]; then
  if ! getent passwd "$user" >/dev/null && [ "$uid" -ge 1000 ] && [ "$uid" -lt 60000 ]; then
    usermod -l "$user" -d "$home" "$holder"
    log "renamed user $holder ($uid) to $user"
  else
    if [ "$uid" -ge 1000 ]; then range="60000 65000"; else range="100 999"; fi
    # shellcheck disable=SC2086 # two numbers
    new=$(free_id $range) || die "no free id in $range to move account $holder out of uid $uid"
    with_empty_home "$holder" usermod -u "$new" "$holder"
    log "moved account $holder from uid $uid to $new to free it for $user"
  fi
fi
if getent passwd "$user" >/dev/null; then
  have=$(field passwd "$user" 3)
  if [ "$have" != "$uid" ]; then
    with_empty_home "$user" usermod -u "$uid" "$user"
    log "changed uid of $user from $have to $uid"
  fi
else
  useradd -u "$uid" -g "$gid" -M -d "$home" -s /bin/bash "$user"
  log "created user $user ($uid:$gid)"
fi

# --- primary group, home path, shell, and a password that is "none" but not "locked" (keys only via sshd)
if [ "$(field passwd "$user" 4)" != "$gid" ]; then
  with_empty_home "$user" usermod -g "$gid" "$user"
  log "set primary group of $user to $group ($gid)"
fi
[ "$(field passwd "$user" 6)" = "$home" ] || { usermod -d "$home" "$user"; log "set home of $user to $home"; }
[ "$(field passwd "$user" 7)" = /bin/bash ] || { usermod -s /bin/bash "$user"; log "set shell of $user to /bin/bash"; }
if [ "$(getent shadow "$user" | cut -d: -f2)" != '*' ]; then usermod -p '*' "$user"; fi

# --- sudo. STEM_SUDO=0 also takes the user out of the groups that sudo (or su) would trust.
sudoers=/etc/sudoers.d/hatch-user
admin_groups='sudo admin wheel root'
if [ "${STEM_SUDO:-1}" = 1 ]; then
  line="$user ALL=(ALL:ALL) NOPASSWD: ALL"
  if [ "$(cat "$sudoers" 2>/dev/null)" != "$line" ]; then
    printf '%s\n' "$line" >"$sudoers"
    chmod 0440 "$sudoers"
    log "gave $user passwordless sudo"
  fi
else
  if [ -e "$sudoers" ]; then
    rm -f "$sudoers"
    log "removed sudo for $user (STEM_SUDO=0)"
  fi
  member=" $(id -nG "$user") "
  for g in $admin_groups; do
    [ "$group" != "$g" ] || die "STEM_GID $gid is the '$g' group, which grants admin rights; with STEM_SUDO=0 pick another GID in .env"
    if [[ $member == *" $g "* ]]; then
      gpasswd -d "$user" "$g" >/dev/null
      log "removed $user from group $g (STEM_SUDO=0)"
    fi
  done
fi

# With STEM_SUDO=0, hatch-init starts sshd with no-new-privileges. A compose file that sets it for the whole
# container (older hatch, or the user's own) makes sudo impossible: say so when that meets STEM_SUDO=1.
nnp=''
while read -r k v; do [ "$k" != NoNewPrivs: ] || nnp=$v; done </proc/self/status
if [ "${STEM_SUDO:-1}" = 1 ] && [ "$nnp" = 1 ]; then
  warn "the container runs with no-new-privileges, so sudo cannot work; remove security_opt no-new-privileges from docker-compose.yml (re-running hatch-wizard does)"
fi

# --- home on the volume. /home belongs to root, so the home folder itself cannot be swapped by the user.
if [ -L "$home" ] || { [ -e "$home" ] && [ ! -d "$home" ]; }; then
  aside=$home.not-a-folder-$(date -u +%Y%m%d-%H%M%S)
  mv -- "$home" "$aside"
  warn "$home was not a folder; moved it to $aside and made a new home"
fi
if [ ! -d "$home" ]; then
  install -d -o root -g root -m 0750 "$home"
  cp -a /etc/skel/. "$home/"
  chmod 0750 "$home" # cp -a gave it the mode of /etc/skel
  chown -R "$uid:$gid" "$home" # only the skeleton files just copied, in a folder only root could reach so far
  log "created $home from /etc/skel"
fi

# Curated, non-recursive ownership repair: only these paths, only when wrong, never through a symlink.
owned=(.ssh .ssh/authorized_keys .ssh/config .config .config/apogee .cache .local .local/bin .local/share
  .local/state .pixi .pixi/bin .pixi/manifests .cache/hatch .cache/hatch/bindu-commit .config/apogee/secrets.env
  .config/apogee/secrets.env.new .bashrc .profile .bash_logout .bash_history .gitconfig)
# One stat for all of them finds the few that may need a repair (usually none); it only reads. own() then
# repairs each of those without following any link.
present=("$home")
for p in "${owned[@]}"; do
  if [ -e "$home/$p" ] || [ -L "$home/$p" ]; then present+=("$home/$p"); fi
done
mapfile -d '' owners < <(stat --printf '%u:%g\0' -- "${present[@]}" 2>/dev/null)
for i in "${!present[@]}"; do
  [ "${owners[i]:-}" = "$uid:$gid" ] || own "${present[i]}"
done
# sshd ignores ~/.ssh/authorized_keys unless ~/.ssh is private; the user makes it so (a symlink there is theirs).
if [ "$(stat -c %F -- "$home/.ssh" 2>/dev/null)" = directory ] && [ "$(stat -c %a -- "$home/.ssh")" != 700 ]; then
  if as_user 10 chmod 0700 -- "$home/.ssh" >/dev/null 2>&1; then
    log "set mode of ~/.ssh to 0700"
  else
    warn "could not make ~/.ssh private; sshd will ignore ~/.ssh/authorized_keys (the keys from STEM_AUTH_KEYS_PATH still work)"
  fi
fi
log "user $user is $(id -u "$user"):$(id -g "$user"), home $home"
