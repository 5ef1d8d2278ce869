"""Where things live on disk: one scheme, two environment variables, no default that moves with
the working directory.

- `$SUMM_DATA_DIR`: the third-party research data, read by path and never copied into the
  project. Unset: `shared/data` beside this checkout (`<checkout>/../shared/data`).
- `$SUMM_CACHE_DIR`: everything the project derives and may rebuild: converted models, joined
  encoders, CTranslate2 copies, cached consistency scores, calibrations a user fits. Unset:
  `$XDG_CACHE_HOME/headline-eval` (default `~/.cache/headline-eval`).
Outputs of a command go where its `--output`/`--output-dir` says (`runs/...` under the
working directory when not given), never into the installed package.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "SUMM_DATA_DIR"
CACHE_ENV = "SUMM_CACHE_DIR"


def checkout_root() -> Path | None:
    """The source checkout this package runs from (editable install), or None when installed."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() else None


def data_dir() -> Path:
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    root = checkout_root()
    if root is None:
        raise FileNotFoundError(f"Set {DATA_ENV} to the folder holding the shared research data.")
    return root.parent / "shared" / "data"


def data_path(*parts: str, required: bool = True) -> Path:
    path = data_dir().joinpath(*parts)
    if required and not path.exists():
        raise FileNotFoundError(
            f"{path} not found. Set {DATA_ENV} to the folder holding the shared research data "
            f"(currently {data_dir()})."
        )
    return path


def cache_dir(*parts: str) -> Path:
    if os.environ.get(CACHE_ENV):
        base = Path(os.environ[CACHE_ENV]).expanduser()
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "headline-eval"
    return base.joinpath(*parts)
