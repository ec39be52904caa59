#!/usr/bin/env bash
# neuron: /workspace belongs to the user (not recursively: its subfolders are host mounts), and SSH
# sessions see the GPU variables the NVIDIA runtime gave the container. Required, so it runs before sshd:
# /workspace is the user's and on the same file system as /etc, so root repairs owners there only while no
# program of the user's runs.
# hatch-step: required
set -euo pipefail
# shellcheck source=../../stem/lib.sh
. /usr/local/lib/hatch/lib.sh

install -d -m 0755 /workspace
own /workspace
for d in /workspace/*/; do
  [ -d "$d" ] || continue
  if mountpoint -q "${d%/}"; then log "${d%/} mounted from the host"; else own "${d%/}"; fi
done
profile=/etc/profile.d/hatch-gpu.sh
if ! {
  echo '# hatch: GPU variables from the container, for SSH sessions'
  env | grep -E '^(NVIDIA_[A-Z_]+|CUDA_[A-Z_]+|NV_[A-Z_]+)=' | sed -e "s/'/'\\\\''/g" -e "s/^\([^=]*\)=\(.*\)$/export \1='\2'/" || true
} >"$profile" 2>/dev/null; then
  warn "could not write $profile (disk full?); SSH sessions may miss the GPU variables"
fi
