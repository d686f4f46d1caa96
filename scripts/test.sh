#!/usr/bin/env bash
# Install, then run the whole test suite (the real-browser test needs Debian's chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup_env.sh requirements-dev.txt
# The browser tests drive this path (bench/browser.py). Outside CI a missing chromium only skips
# them; with CI set (as tests/test_browser.py reads it) it fails the run, so CI never passes
# without having opened the app in a browser.
CHROMIUM=/usr/bin/chromium
case "$(printf '%s' "${CI:-}" | tr '[:upper:]' '[:lower:]')" in
  ""|0|false|no) in_ci=0 ;;
  *) in_ci=1 ;;
esac
if [ ! -x "$CHROMIUM" ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  install_log=$(mktemp)
  if ! (apt-get update -qq && apt-get install -y -qq chromium) >"$install_log" 2>&1; then
    echo "chromium could not be installed; apt-get said:" >&2
    tail -n 20 "$install_log" >&2
  fi
  rm -f "$install_log"
fi
if [ ! -x "$CHROMIUM" ]; then
  if [ "$in_ci" = 1 ]; then
    echo "no chromium at $CHROMIUM and CI is set: the browser tests must run in CI, failing" >&2
    exit 1
  fi
  echo "no chromium at $CHROMIUM: the browser tests will be skipped" >&2
fi
. .venv/bin/activate
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 TOKENIZERS_PARALLELISM=false
ruff check .
set +e
# Two workers, a test file each at a time (its module fixtures built once): many tests wait on a
# subprocess, a server or a browser, so two run in about two thirds of the time of one.
python -m pytest -q -n 2 --dist loadfile "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
exit "$status"
