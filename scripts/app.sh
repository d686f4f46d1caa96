#!/usr/bin/env bash
# Install, then open the app; on first start it builds the embedded demo analysis (progress shown).
# It listens on 127.0.0.1 only; `APP_ADDRESS=0.0.0.0 bash scripts/app.sh` serves it on the
# network (with a warning: there is no login).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh requirements.txt
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
address="$(bash scripts/serve_address.sh)"
exec streamlit run app.py --server.address "$address" --server.headless "${STREAMLIT_HEADLESS:-false}" "$@"
