#!/usr/bin/env bash
# The end-to-end suite (npm run test:e2e): a real dockerd with host networking only, the real compose v2,
# sshd and ssh. Installs and starts what it needs when run as root (CI); elsewhere it expects a running engine.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ "$(id -u)" = 0 ]; then bash .ci/setup-docker.sh; fi
docker info >/dev/null 2>&1 || { echo "e2e: no Docker engine answers (run .ci/setup-docker.sh as root)" >&2; exit 1; }
bash test/e2e/make-base.sh

cleanup() {
  docker ps -aq --filter name=hatch-e2e | xargs -r docker rm -f >/dev/null 2>&1 || true
  docker volume ls -q --filter name=hatch-e2e | xargs -r docker volume rm -f >/dev/null 2>&1 || true
  docker images -q --filter reference='hatch-e2e/*' | sort -u | xargs -r docker rmi -f >/dev/null 2>&1 || true
}
cleanup
trap cleanup EXIT
start=$(date +%s)
npx vitest run --config test/e2e/vitest.config.ts "$@"
echo "e2e: done in $(($(date +%s) - start)) s"
