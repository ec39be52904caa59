# shellcheck shell=bash
# Runs as the user (user_run). Installs pixi into ~/.pixi when missing, stows the host's pixi-global.toml
# from ~/.config, and runs `pixi global sync` when asked. Each network or pixi call has its own deadline.
# home-paths: .pixi .pixi/bin .pixi/bin/pixi .pixi/manifests .pixi/manifests/pixi-global.toml .config .config/pixi/hosts .curlrc
set -euo pipefail
pixi=$HOME/.pixi/bin/pixi
stamp() { date -u +%Y%m%d-%H%M%S; }
scratch=$(mktemp -d)
trap 'rm -rf -- "$scratch"' EXIT
# pixi --version, read from a file (a program left running cannot hold it open), within 10 s.
version() {
  if timeout -k 2 10 "$pixi" --version >"$scratch/version" 2>/dev/null </dev/null; then
    head -c 200 "$scratch/version" | head -n 1
  else
    echo "WARNING: ~/.pixi/bin/pixi --version failed or did not answer within 10 s" >&2
    echo "version unknown"
  fi
}

if [ -f "$pixi" ] && [ -x "$pixi" ]; then
  echo "pixi present ($(version 2>"$scratch/warn"))"
  cat "$scratch/warn"
else
  script=$scratch/install.sh
  # -q: no ~/.curlrc (a FIFO there would stall curl before any deadline of its own).
  if curl -q -fsSL --connect-timeout 5 --max-time 60 -o "$script" -- "$PIXI_INSTALL_URL" &&
    PIXI_NO_PATH_UPDATE=1 timeout -k 5 120 bash "$script" >/dev/null 2>&1 </dev/null; then
    echo "installed pixi ($(version 2>"$scratch/warn"))"
    cat "$scratch/warn"
  else
    echo "WARNING: pixi not installed from $PIXI_INSTALL_URL (no network?); it is tried again next boot"
  fi
fi

src=$HOME/.config/pixi/hosts/$PIXI_HOST/.pixi/manifests/pixi-global.toml
dst=$HOME/.pixi/manifests/pixi-global.toml
case $PIXI_STOW in
  0) echo "stow skipped (STEM_PIXI_STOW=0)" ;;
  auto | 1)
    if [ ! -f "$src" ]; then
      if [ "$PIXI_STOW" = 1 ]; then
        echo "WARNING: no pixi manifest for host '$PIXI_HOST' at ~/${src#"$HOME"/}"
      else
        echo "no pixi manifest for host '$PIXI_HOST'; nothing to stow"
      fi
    elif [ -L "$dst" ] && [ "$(readlink -- "$dst")" = "$src" ]; then
      echo "pixi-global.toml for '$PIXI_HOST' already stowed"
    else
      mkdir -p -- "${dst%/*}"
      if [ -e "$dst" ] || [ -L "$dst" ]; then
        mv -T -- "$dst" "$dst.bak-$(stamp)"
        echo "kept the old pixi-global.toml as pixi-global.toml.bak-*"
      fi
      ln -s -T -- "$src" "$dst"
      echo "stowed pixi-global.toml for host '$PIXI_HOST'"
    fi
    ;;
  *) echo "WARNING: STEM_PIXI_STOW must be auto, 0 or 1 (got '$PIXI_STOW'); stow skipped" ;;
esac

if [ "$PIXI_GLOBAL_SYNC" = 1 ]; then
  if [ ! -x "$pixi" ]; then
    echo "WARNING: pixi global sync skipped: pixi is not installed"
  elif timeout -k 5 600 "$pixi" global sync >/dev/null 2>&1 </dev/null; then
    echo "pixi global sync done"
  else
    echo "WARNING: pixi global sync failed or took over 600 s (no network?); continuing"
  fi
fi
