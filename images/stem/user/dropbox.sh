# shellcheck shell=bash
# Runs as the user (user_run): ~/Dropbox -> /mnt/hatch/dropbox while the host's Dropbox is mounted; the link
# is removed when it is not. Anything else at ~/Dropbox is the user's and is left alone.
# home-paths: Dropbox
set -euo pipefail
mnt=/mnt/hatch/dropbox link=$HOME/Dropbox
ours() { [ -L "$link" ] && [ "$(readlink -- "$link")" = "$mnt" ]; }
if [ "$MOUNTED" = 1 ]; then
  if ours; then
    echo "~/Dropbox -> host Dropbox (unchanged)"
  elif [ -e "$link" ] || [ -L "$link" ]; then
    echo "WARNING: ~/Dropbox already exists and is not hatch's link; left alone (the host Dropbox is at $mnt)"
  else
    ln -s -T -- "$mnt" "$link"
    echo "~/Dropbox -> host Dropbox"
  fi
elif ours; then
  rm -f -- "$link"
  echo "removed the ~/Dropbox link (DROPBOX_PATH_ON_HOST is no longer set)"
else
  echo "no Dropbox mounted (DROPBOX_PATH_ON_HOST empty)"
fi
