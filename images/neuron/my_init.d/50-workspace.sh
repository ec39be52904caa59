#!/usr/bin/env bash
# neuron: /workspace belongs to the user (not recursively: its subfolders are host mounts). (SSH sessions
# see the container's GPU variables through stem's 01-session-env.) Required, so it runs before sshd:
# /workspace is the user's and on the same file system as /etc, so root repairs owners there only while no
# program of the user's runs.
# hatch-step: required
set -euo pipefail
# shellcheck source=../../stem/lib.sh
. /usr/local/lib/hatch/lib.sh

install -d -m 0755 /workspace
own /workspace
# Only real folders someone else owns can need a repair (find lists no links); a bounded number, so a
# /workspace full of entries cannot hold the boot back.
n=0
while IFS= read -r -d '' d; do
  n=$((n + 1))
  if [ "$n" -gt 100 ]; then
    warn "more than 100 folders in /workspace are not owned by $STEM_USER; repaired the first 100"
    break
  fi
  if mountpoint -q -- "$d"; then log "$d mounted from the host"; else own "$d"; fi
done < <(find /workspace -mindepth 1 -maxdepth 1 -type d ! -user "$STEM_UID" -print0 2>/dev/null)
