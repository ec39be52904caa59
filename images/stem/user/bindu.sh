# shellcheck shell=bash
# Runs as the user (user_run). Clones BINDU_REPO at BINDU_REF into ~/.config when ~/.config is missing or
# empty. BINDU_FORCE=1 replaces a non-empty ~/.config (kept as ~/.config.bak-<time>), but only when the
# repository has a commit that was not installed yet, so leaving it on does not re-clone on every boot.
# home-paths: .config .config/apogee .config/apogee/secrets.env .config/apogee/secrets.env.new .cache .cache/hatch
# home-paths: .bindu-clone.XXXXXX .cache/hatch/bindu-commit .gitconfig .config/git .config/git/config .ssh .ssh/config .ssh/known_hosts
set -euo pipefail
repo=$BINDU_REPO ref=$BINDU_REF force=$BINDU_FORCE
cfg=$HOME/.config record=$HOME/.cache/hatch/bindu-commit
stamp() { date -u +%Y%m%d-%H%M%S; }

# ~/.config holding nothing but the Apogee secrets (copied by a boot whose clone failed) counts as empty.
only_secrets() {
  [ -d "$cfg/apogee" ] && [ ! -L "$cfg/apogee" ] && [ "$(ls -A -- "$cfg")" = apogee ] || return 1
  local f
  for f in "$cfg"/apogee/* "$cfg"/apogee/.[!.]*; do
    [ -e "$f" ] || [ -L "$f" ] || continue
    case ${f##*/} in secrets.env | secrets.env.new) ;; *) return 1 ;; esac
  done
}
empty() {
  if [ ! -e "$cfg" ] && [ ! -L "$cfg" ]; then return 0; fi
  [ -d "$cfg" ] && [ ! -L "$cfg" ] && [ -z "$(ls -A -- "$cfg")" ]
}
if ! empty && [ "$force" != 1 ] && ! only_secrets; then
  echo "~/.config is not empty; left as is (set BINDU_FORCE=1 to replace it)"
  exit 0
fi

# git and ssh read the user's own config: fine, unless it is not a file (a FIFO would stall the clone).
for f in "$HOME/.gitconfig" "$HOME/.config/git/config"; do
  if { [ -e "$f" ] || [ -L "$f" ]; } && [ ! -f "$f" ]; then
    echo "WARNING: ~/${f#"$HOME"/} is not a regular file; cloning without the user's git settings"
    export GIT_CONFIG_GLOBAL=/dev/null
  fi
done
ssh_config=()
if { [ -e "$HOME/.ssh/config" ] || [ -L "$HOME/.ssh/config" ]; } && [ ! -f "$HOME/.ssh/config" ]; then ssh_config=(-F /dev/null); fi

tmp=$(mktemp -d -- "$HOME/.bindu-clone.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
if ! GIT_SSH_COMMAND="ssh ${ssh_config[*]} -o BatchMode=yes -o StrictHostKeyChecking=accept-new" GIT_TERMINAL_PROMPT=0 \
  git clone -q --depth 1 --branch "$ref" -- "$repo" "$tmp/clone" 2>"$tmp/err"; then
  # git's first "fatal:" line says why; its last one is often only "and the repository exists."
  why=$(grep -m 1 -E '^(fatal|error):' "$tmp/err" || tail -n 1 "$tmp/err")
  echo "WARNING: dotfiles not cloned from $repo at $ref: ${why:-git clone failed}; continuing without them"
  exit 0
fi
commit=$(git -C "$tmp/clone" rev-parse HEAD)
installed=''
if [ -f "$record" ] && [ ! -L "$record" ]; then installed=$(head -c 100 -- "$record" | head -n 1); fi
if [ "$force" = 1 ] && ! empty && [ "$installed" = "$commit" ]; then
  echo "~/.config already holds $repo at ${commit:0:12}; nothing to do"
  exit 0
fi
if only_secrets; then
  mkdir -p -- "$tmp/clone/apogee"
  for f in "$cfg"/apogee/secrets.env*; do
    if [ -e "$f" ] || [ -L "$f" ]; then mv -n -- "$f" "$tmp/clone/apogee/"; fi
  done
  rmdir -- "$cfg/apogee"
  echo "kept the Apogee secrets already in ~/.config/apogee"
fi
if [ -e "$cfg" ] || [ -L "$cfg" ]; then
  if empty; then
    rmdir -- "$cfg"
  else
    backup=$cfg.bak-$(stamp)
    mv -T -- "$cfg" "$backup"
    echo "moved the old ~/.config to ~/${backup##*/} (BINDU_FORCE=1)"
  fi
fi
mv -T -- "$tmp/clone" "$cfg"
if ! { mkdir -p -- "${record%/*}" && new=$(mktemp -- "${record%/*}/.bindu-commit.XXXXXX") &&
  printf '%s\n' "$commit" >"$new" && mv -f -T -- "$new" "$record"; } 2>/dev/null; then
  echo "WARNING: could not record the installed commit in ~/.cache/hatch/bindu-commit"
fi
echo "cloned $repo at $ref (${commit:0:12}) into ~/.config"
