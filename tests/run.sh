#!/usr/bin/env bash
# Install everything the tests need (CPU torch, the app's requirements, test tools, Debian's
# Chromium for the browser tests), then run ruff and the whole test suite, listing its slowest tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq chromium >/dev/null
fi
python -m pip install -q torch==2.13.0
python -m pip install -q -r requirements-dev.txt

export HF_HUB_OFFLINE=1 GRADIO_ANALYTICS_ENABLED=False
ruff check .
ruff format --check .
status=0
python -m pytest --durations=25 "$@" || status=$?
if [ "$status" = 5 ]; then
    echo "error: pytest collected no tests" >&2
    exit 1
fi
exit "$status"
