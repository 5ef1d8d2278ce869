"""Where the checker's fitted numbers live: the decision thresholds (calibration.json) and the
ensemble's weights (ensemble.json).

The package ships both, beside this file. A fit of your own (`python -m eval.consistency.calibrate`,
benchmarks/calibrate_headline_consistency.py --write, benchmarks/bench_headline_support.py
--write) goes to `$SUMM_CACHE_DIR/calibration` (or the folder its `--output` names), never into
the installed package. The checker reads that user folder first: its thresholds replace the
shipped ones backend by backend, and its ensemble.json, when there is one, replaces the shipped
weights.
"""

from __future__ import annotations

import json
from pathlib import Path

from eval.base import paths
from eval.base.errors import InputError
from eval.base.io import atomic_write_json

SHIPPED_DIR = Path(__file__).parent
THRESHOLDS_FILE = "calibration.json"
WEIGHTS_FILE = "ensemble.json"


def user_dir() -> Path:
    return paths.cache_dir("calibration")


def read(folder) -> dict:
    """The calibration.json of `folder` ({} when there is none)."""
    path = Path(folder) / THRESHOLDS_FILE
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise InputError(
            f"invalid JSON: {err.msg} at line {err.lineno}; refit or remove the file", path=path
        ) from None


def thresholds(key: str) -> dict[str, float]:
    """The `key` table ("thresholds" or "headline_thresholds"): the shipped one, with the user's
    thresholds over it."""
    merged = {**read(SHIPPED_DIR).get(key, {}), **read(user_dir()).get(key, {})}
    return {backend: float(value) for backend, value in merged.items()}


def weights_file() -> Path:
    """The ensemble weights the checker uses: the user's fit when there is one, else the shipped."""
    user = user_dir() / WEIGHTS_FILE
    return user if user.exists() else SHIPPED_DIR / WEIGHTS_FILE


def update(folder, key: str, fitted: dict[str, float], **notes) -> Path:
    """Merge `fitted` thresholds into the `key` table of folder/calibration.json, with notes on
    what they were fitted on; other backends' thresholds and other keys stay. Written atomically."""
    path = Path(folder) / THRESHOLDS_FILE
    data = read(folder)
    atomic_write_json(path, {**data, key: {**data.get(key, {}), **fitted}, **notes})
    return path
