#!/usr/bin/env bash
# Install, then open the app; on first start it builds the embedded demo analysis (progress shown).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh requirements.txt
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
exec streamlit run app.py --server.headless "${STREAMLIT_HEADLESS:-false}" "$@"
