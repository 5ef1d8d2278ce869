#!/usr/bin/env bash
# Set-up command 1: install, then generate headlines for the bundled example articles with the
# offline default model and evaluate them (ROUGE with intervals, headline checks, consistency,
# HTML report) into runs/demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh all
python3 -m eval run --config configs/demo.yaml
