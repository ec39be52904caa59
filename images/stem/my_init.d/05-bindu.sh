#!/usr/bin/env bash
# Dotfiles (bindu): clone BINDU_REPO at BINDU_REF into ~/.config when ~/.config is missing or empty.
# BINDU_FORCE=1 replaces a non-empty ~/.config (kept as ~/.config.bak-<time>), but only when the repository
# has a commit that was not installed yet, so leaving it on does not re-clone on every boot.
# An unreachable repository logs a warning and never blocks the boot.
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

repo=${BINDU_REPO:-} ref=${BINDU_REF:-main} force=${BINDU_FORCE:-0}
cfg=$HATCH_HOME/.config
record=$HATCH_HOME/.cache/hatch/bindu-commit
[ -n "$repo" ] || { log "skipped (BINDU_REPO empty)"; exit 0; }

# ~/.config holding nothing but the Apogee secrets (copied by a boot whose clone failed) counts as empty.
only_secrets() {
  [ "$(ls -A "$cfg" 2>/dev/null)" = apogee ] && [ -d "$cfg/apogee" ] && [ ! -L "$cfg/apogee" ] || return 1
  local f
  for f in "$cfg"/apogee/* "$cfg"/apogee/.[!.]*; do
    [ -e "$f" ] || continue
    case ${f##*/} in secrets.env | secrets.env.new) ;; *) return 1 ;; esac
  done
}
if [ -d "$cfg" ] && [ -n "$(ls -A "$cfg" 2>/dev/null)" ] && [ "$force" != 1 ] && ! only_secrets; then
  log "~/.config is not empty; left as is (set BINDU_FORCE=1 to replace it)"
  exit 0
fi

tmp=$(as_user mktemp -d "$HATCH_HOME/.bindu-clone.XXXXXX")
err=$(mktemp) # root's, outside the user's home
trap 'rm -rf "$tmp" "$err"' EXIT
# SSH URLs use the forwarded host agent (step 03) and accept the server's key on first contact.
agent=()
if [ -S /run/hatch/ssh-agent.sock ]; then agent=(SSH_AUTH_SOCK=/run/hatch/ssh-agent.sock); fi
if ! as_user env "${agent[@]}" GIT_SSH_COMMAND='ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new' \
  GIT_TERMINAL_PROMPT=0 timeout 120 git clone -q --depth 1 --branch "$ref" -- "$repo" "$tmp" 2>"$err"; then
  warn "could not clone $repo at $ref: $(tail -n 1 "$err"); continuing without dotfiles"
  exit 0
fi
commit=$(as_user git -C "$tmp" rev-parse HEAD)
if [ "$force" = 1 ] && [ -d "$cfg" ] && [ "$(cat "$record" 2>/dev/null)" = "$commit" ]; then
  log "~/.config already holds $repo at ${commit:0:12}; nothing to do"
  exit 0
fi
if only_secrets; then
  as_user mkdir -p "$tmp/apogee"
  as_user mv -n "$cfg"/apogee/* "$tmp/apogee/"
  log "kept the Apogee secrets already in ~/.config/apogee"
fi
if [ -d "$cfg" ] && [ -n "$(ls -A "$cfg")" ]; then
  backup=$cfg.bak-$(stamp)
  mv "$cfg" "$backup"
  log "moved the old ~/.config to ${backup/#$HATCH_HOME/\~} (BINDU_FORCE=1)"
fi
rm -rf "$cfg"
mv "$tmp" "$cfg"
as_user mkdir -p "$(dirname "$record")"
printf '%s\n' "$commit" | as_user tee "$record" >/dev/null || warn "could not record the installed commit in ${record/#$HATCH_HOME/\~}"
log "cloned $repo at $ref (${commit:0:12}) into ~/.config"
