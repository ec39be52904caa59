#!/usr/bin/env bash
# Pixi: install when STEM_PIXI_ENABLE=1 and missing; stow the host's pixi-global.toml from the dotfiles
# (host = STEM_PIXI_HOST, else STEM_HOSTNAME, else hostname -s) per STEM_PIXI_STOW=auto|0|1; run
# `pixi global sync` when STEM_PIXI_GLOBAL_SYNC=1. No network: a warning, never a blocked boot.
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

[ "${STEM_PIXI_ENABLE:-1}" = 1 ] || { log "skipped (STEM_PIXI_ENABLE=0)"; exit 0; }
pixi=$HATCH_HOME/.pixi/bin/pixi
url=${STEM_PIXI_INSTALL_URL:-https://pixi.sh/install.sh}

if [ -x "$pixi" ]; then
  log "pixi present ($(as_user "$pixi" --version 2>/dev/null || echo 'version unknown'))"
else
  script=$(mktemp)
  chmod 0644 "$script" # the installer runs as the user
  if curl -fsSL --connect-timeout 5 --max-time 60 "$url" -o "$script" &&
    as_user env PIXI_NO_PATH_UPDATE=1 timeout 120 bash "$script" >/dev/null 2>&1 </dev/null; then
    log "installed pixi ($(as_user "$pixi" --version 2>/dev/null))"
  else
    warn "could not install pixi from $url (no network?); it will be tried again next boot"
  fi
  rm -f "$script"
fi

host=${STEM_PIXI_HOST:-${STEM_HOSTNAME:-$(hostname -s)}}
src=$HATCH_HOME/.config/pixi/hosts/$host/.pixi/manifests/pixi-global.toml
dst=$HATCH_HOME/.pixi/manifests/pixi-global.toml
case ${STEM_PIXI_STOW:-auto} in
  0) log "stow skipped (STEM_PIXI_STOW=0)" ;;
  auto | 1)
    if [ ! -f "$src" ]; then
      if [ "${STEM_PIXI_STOW:-auto}" = 1 ]; then
        warn "no pixi manifest for host '$host' at ${src/#$HATCH_HOME/\~}"
      else
        log "no pixi manifest for host '$host'; nothing to stow"
      fi
    elif [ -L "$dst" ] && [ "$(readlink "$dst")" = "$src" ]; then
      log "pixi-global.toml for '$host' already stowed"
    else
      as_user mkdir -p "$(dirname "$dst")"
      if [ -e "$dst" ] || [ -L "$dst" ]; then
        mv "$dst" "$dst.bak-$(stamp)"
        log "kept the old pixi-global.toml as pixi-global.toml.bak-*"
      fi
      as_user ln -s "$src" "$dst"
      log "stowed pixi-global.toml for host '$host'"
    fi
    ;;
  *) warn "STEM_PIXI_STOW must be auto, 0 or 1 (got '${STEM_PIXI_STOW}'); stow skipped" ;;
esac

if [ "${STEM_PIXI_GLOBAL_SYNC:-0}" = 1 ]; then
  if [ ! -x "$pixi" ]; then
    warn "pixi global sync skipped: pixi is not installed"
  elif as_user timeout 600 "$pixi" global sync >/dev/null 2>&1 </dev/null; then
    log "pixi global sync done"
  else
    warn "pixi global sync failed (no network?); continuing"
  fi
fi
