#!/usr/bin/env bash
# Catches a hand edit of .env that docker-compose.yml cannot follow (the GPU request, the list of mounts,
# external volumes): compose passes both what the file was written for (HATCH_WRITTEN_FOR, literal) and
# what .env says now (HATCH_ENV_NOW, interpolated at `docker compose up`), one KEY=VALUE per line. Each key
# that differs is a warning naming it and the fix. Reads only the environment: nothing of the home.
# hatch-step: optional, deadline 5
set -euo pipefail
# shellcheck source=../lib.sh
. /usr/local/lib/hatch/lib.sh

if [ -z "${HATCH_WRITTEN_FOR+set}" ]; then
  log "docker-compose.yml keeps no record of what it was written for (written by an older hatch-wizard); nothing to compare"
  exit 0
fi
declare -A now=()
while IFS= read -r entry; do
  [ -z "$entry" ] || now[${entry%%=*}]=${entry#*=}
done <<<"${HATCH_ENV_NOW:-}"
show() { if [ -z "$1" ]; then printf 'empty'; else printf '"%s"' "$1"; fi; }
drift=0
while IFS= read -r entry; do
  [ -n "$entry" ] || continue
  key=${entry%%=*} written=${entry#*=}
  value=${now[$key]-}
  [ "$value" != "$written" ] || continue
  drift=$((drift + 1))
  warn "$key is $(show "$value") in .env, but docker-compose.yml was written for $(show "$written"), so it is not applied: run hatch-wizard again (it rewrites the file, with a diff), then docker compose up -d"
done <<<"$HATCH_WRITTEN_FOR"
[ "$drift" -gt 0 ] || log "docker-compose.yml matches .env"
