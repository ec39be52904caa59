#!/usr/bin/env bash
# Builds the offline test base image (Debian bookworm, minbase) with debootstrap and `docker import`,
# because tests cannot pull from a registry. The mirror is read from this machine's apt sources.
# It includes the packages the images list (images/*/packages.txt), so building them needs no network.
# Usage: make-base.sh [TAG]   (default hatch-test-base:bookworm). Skips the work when the image exists and
# was built from the same package lists (a label keeps their hash); rebuilds it when they changed.
set -euo pipefail
tag=${1:-hatch-test-base:bookworm}
here=$(cd "$(dirname "$0")/../.." && pwd)
include=$(sed -e 's/#.*//' "$here"/images/*/packages.txt | tr -s '[:space:]' '\n' | sed '/^$/d' | sort -u |
  paste -sd, -)
sum=$(printf '%s' "$include" | sha256sum | cut -c1-16)
have=$(docker image inspect -f '{{index .Config.Labels "org.hatch.test-base.packages"}}' "$tag" 2>/dev/null || true)
if [ "$have" = "$sum" ]; then echo "[make-base] $tag already present"; exit 0; fi
[ -z "$have" ] || echo "[make-base] $tag was built from other package lists; rebuilding"

mirror=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
if [ -z "$mirror" ]; then
  mirror=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
fi
[ -n "$mirror" ] || { echo "[make-base] no Debian mirror found in /etc/apt sources" >&2; exit 1; }

root=$(mktemp -d /tmp/hatch-base.XXXXXX)
trap 'rm -rf "$root" "$root.log"' EXIT
echo "[make-base] debootstrap bookworm (minbase + ${include//,/ })"
debootstrap --variant=minbase --include="$include" bookworm "$root" "$mirror" >"$root.log" 2>&1 ||
  { tail -n 30 "$root.log"; exit 1; }
# Let images built on this base use the same mirror.
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" >"$root/etc/apt/sources.list"
rm -rf "$root/var/cache/apt/archives/"*.deb "$root/var/lib/apt/lists/"* "$root/etc/ssh/ssh_host_"*
tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' \
  --change "LABEL org.hatch.test-base=1 org.hatch.test-base.packages=$sum" - "$tag" >/dev/null
echo "[make-base] built $tag"
