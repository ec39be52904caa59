# shellcheck shell=bash
# Runs as the user (user_run), the host's secrets file on stdin. Writes ~/.config/apogee/secrets.env (0600)
# when it is missing; an existing, different copy is never overwritten: the host's goes next to it as
# secrets.env.new. Only regular files are read or replaced.
# home-paths: .config .config/apogee .config/apogee/secrets.env .config/apogee/secrets.env.new
set -euo pipefail
umask 077
dir=$HOME/.config/apogee dst=$HOME/.config/apogee/secrets.env
mkdir -p -- "$dir"
if [ ! -d "$dir" ] || [ -L "$dir" ]; then
  echo "WARNING: secrets not copied: ~/.config/apogee is not a folder"
  exit 0
fi
chmod 0700 -- "$dir"
tmp=$(mktemp -- "$dir/.secrets.XXXXXX")
trap 'rm -f -- "$tmp"' EXIT
cat >"$tmp"
if [ ! -e "$dst" ] && [ ! -L "$dst" ]; then
  mv -f -T -- "$tmp" "$dst"
  echo "copied secrets to ~/.config/apogee/secrets.env (0600)"
elif [ -L "$dst" ] || [ ! -f "$dst" ]; then
  echo "WARNING: secrets not copied: ~/.config/apogee/secrets.env is not a regular file; move it away and restart"
elif cmp -s -- "$tmp" "$dst"; then
  echo "~/.config/apogee/secrets.env is up to date"
else
  if [ -d "$dst.new" ] && [ ! -L "$dst.new" ]; then
    echo "WARNING: secrets differ from the host file, and ~/.config/apogee/secrets.env.new is a folder; kept yours"
    exit 0
  fi
  mv -f -T -- "$tmp" "$dst.new"
  echo "WARNING: ~/.config/apogee/secrets.env differs from the host file: kept yours; the host's is in secrets.env.new"
fi
