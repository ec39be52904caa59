#!/usr/bin/env bash
# neuron: /workspace belongs to the user (not recursively: its subfolders are host mounts), and SSH
# sessions see the GPU variables the NVIDIA runtime gave the container.
# hatch-step: optional, deadline 30
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
{
  echo '# hatch: GPU variables from the container, for SSH sessions'
  env | grep -E '^(NVIDIA_[A-Z_]+|CUDA_[A-Z_]+|NV_[A-Z_]+)=' | sed -e "s/'/'\\\\''/g" -e "s/^\([^=]*\)=\(.*\)$/export \1='\2'/" || true
} >"$profile"
if command -v nvidia-smi >/dev/null 2>&1 && gpus=$(timeout 10 nvidia-smi -L 2>/dev/null) && [ -n "$gpus" ]; then
  while IFS= read -r line; do log "$line"; done <<<"$gpus"
else
  log "no GPU visible (NEURON_GPUS=none, or the NVIDIA container runtime is missing on the host)"
fi
