#!/usr/bin/env bash
# Pixi, as the user (user/pixi.sh): install it when STEM_PIXI_ENABLE=1 and it is missing; stow the host's
# pixi-global.toml from the dotfiles (host = STEM_PIXI_HOST, else STEM_HOSTNAME, else hostname -s) per
# STEM_PIXI_STOW=auto|0|1; run `pixi global sync` when STEM_PIXI_GLOBAL_SYNC=1. No network: a warning.
# hatch-step: optional, deadline 900
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

[ "${STEM_PIXI_ENABLE:-1}" = 1 ] || { log "skipped (STEM_PIXI_ENABLE=0)"; exit 0; }
user_run 890 pixi PIXI_INSTALL_URL="${STEM_PIXI_INSTALL_URL:-https://pixi.sh/install.sh}" \
  PIXI_HOST="${STEM_PIXI_HOST:-${STEM_HOSTNAME:-$(hostname -s)}}" PIXI_STOW="${STEM_PIXI_STOW:-auto}" \
  PIXI_GLOBAL_SYNC="${STEM_PIXI_GLOBAL_SYNC:-0}"
