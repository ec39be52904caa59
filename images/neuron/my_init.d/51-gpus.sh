#!/usr/bin/env bash
# neuron: lists the GPUs the container sees (nvidia-smi -L), or says why there are none.
# hatch-step: optional, deadline 20
set -euo pipefail
# shellcheck source=../../stem/lib.sh
. /usr/local/lib/hatch/lib.sh

if command -v nvidia-smi >/dev/null 2>&1 && gpus=$(timeout 10 nvidia-smi -L 2>/dev/null) && [ -n "$gpus" ]; then
  while IFS= read -r line; do log "$line"; done <<<"$gpus"
else
  log "no GPU visible (NEURON_GPUS=none, or the NVIDIA container runtime is missing on the host)"
fi
