"""Content hashes of model files for signatures: a changed model gets a changed signature, so
cached scores and calibrated thresholds of another model are never taken for its own."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_hash(path) -> str:
    """sha256 of a whole file, 12 hex digits (a checkpoint trained here: tens of MB)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def folder_hash(folder) -> str:
    """Short hash of a model folder's weights (*.safetensors, else *.bin), 10 hex digits: the
    first MiB and the size of each file, which tell checkpoints apart without reading GBs."""
    folder = Path(folder)
    weights = sorted(folder.glob("*.safetensors")) or sorted(folder.glob("*.bin"))
    digest = hashlib.sha1()
    for path in weights:
        with open(path, "rb") as handle:
            digest.update(handle.read(1 << 20))
        digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:10]
