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

if [ -d "$cfg" ] && [ -n "$(ls -A "$cfg" 2>/dev/null)" ] && [ "$force" != 1 ]; then
  log "~/.config is not empty; left as is (set BINDU_FORCE=1 to replace it)"
  exit 0
fi

tmp=$(as_user mktemp -d "$HATCH_HOME/.bindu-clone.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if ! as_user timeout 120 env GIT_TERMINAL_PROMPT=0 git clone -q --depth 1 --branch "$ref" -- "$repo" "$tmp" 2>"$tmp.err"; then
  warn "could not clone $repo at $ref: $(tail -n 1 "$tmp.err" 2>/dev/null); continuing without dotfiles"
  rm -f "$tmp.err"
  exit 0
fi
rm -f "$tmp.err"
commit=$(as_user git -C "$tmp" rev-parse HEAD)
if [ "$force" = 1 ] && [ -d "$cfg" ] && [ "$(cat "$record" 2>/dev/null)" = "$commit" ]; then
  log "~/.config already holds $repo at ${commit:0:12}; nothing to do"
  exit 0
fi
if [ -d "$cfg" ] && [ -n "$(ls -A "$cfg")" ]; then
  backup=$cfg.bak-$(stamp)
  mv "$cfg" "$backup"
  log "moved the old ~/.config to ${backup/#$HATCH_HOME/\~} (BINDU_FORCE=1)"
fi
rm -rf "$cfg"
mv "$tmp" "$cfg"
as_user mkdir -p "$(dirname "$record")"
printf '%s\n' "$commit" | as_user tee "$record" >/dev/null
log "cloned $repo at $ref (${commit:0:12}) into ~/.config"
