#!/usr/bin/env bash
# Set-up command 2: install with test tools, check lint and formatting (ruff), then run the whole
# test suite (real-model tests included; `pytest -m "not slow"` skips them for a quick loop).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh "all,test,ray"
# Headless Chromium for tests/test_report_html.py (opens the offline HTML reports).
{ command -v chromium && command -v chromedriver; } >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; }
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_DATASETS_OFFLINE=1
python3 -m ruff check .
python3 -m ruff format --check .
python3 -m pytest "$@"
