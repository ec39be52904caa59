#!/usr/bin/env bash
# Dotfiles (bindu): clone BINDU_REPO at BINDU_REF into ~/.config, as the user (user/bindu.sh). SSH URLs use
# the host agent relayed by 03-ssh-agent. An unreachable repository is a warning, never a blocked boot.
# hatch-step: optional, deadline 180
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

[ -n "${BINDU_REPO:-}" ] || { log "skipped (BINDU_REPO empty)"; exit 0; }
agent=()
if [ -S "$HATCH_RUN/ssh-agent.sock" ]; then agent=(SSH_AUTH_SOCK="$HATCH_RUN/ssh-agent.sock"); fi
user_run 170 bindu "${agent[@]}" BINDU_REPO="$BINDU_REPO" BINDU_REF="${BINDU_REF:-main}" BINDU_FORCE="${BINDU_FORCE:-0}"
