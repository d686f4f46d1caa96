#!/usr/bin/env bash
# The GPU path end to end in at most 5 minutes: a locally built causal LM and SAE through
# the pretrained-SAE path, the streaming extraction, a whole build, and UMAP + HDBSCAN on
# the backend ANALYSIS_GEOMETRY_BACKEND selects (cuML where it can run). Prints figures.
#   bash bench/gpu_check.sh [--rows N] [--umap-points N] ...
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$( [ -x .venv/bin/python ] && echo .venv/bin/python || echo python3 )}"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "nvidia-smi: not found"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false PYTHONUNBUFFERED=1
exec timeout 300 "$PYTHON" bench/gpu_check.py "$@"
