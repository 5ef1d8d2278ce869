"""Where the third-party research data lives. It is never copied into the project: we read it
by path, configurable with $SUMM_DATA_DIR (default ../shared/data, relative to the working
directory)."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    return Path(os.environ.get("SUMM_DATA_DIR", "../shared/data")).expanduser()


def data_path(*parts: str, required: bool = True) -> Path:
    path = data_dir().joinpath(*parts)
    if required and not path.exists():
        raise FileNotFoundError(
            f"{path} not found. Set SUMM_DATA_DIR to the folder holding the shared research data "
            f"(currently {data_dir()})."
        )
    return path
