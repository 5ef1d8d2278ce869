"""CTranslate2 engine for causal LMs: the same greedy decoding as `model.generate`, in C++.

On 2 CPU cores it wrote the same headlines as transformers, about twice as fast, in float32,
and faster again with int8 weights (which change some headlines); docs/generation.md has the
figures. The model is converted once (seconds for Gemma-3-270M) into the user cache
($SUMM_CACHE_DIR), under a fingerprint of its weights, and loaded from there afterwards.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from eval.base.assets import cache_dir

COMPUTE_TYPES = {None: "float32", "none": "float32", "int8": "int8_float32"}
# decode options the engine maps; anything else needs transformers
SUPPORTED_OPTIONS = {
    "max_new_tokens",
    "num_beams",
    "num_return_sequences",
    "do_sample",
    "begin_suppress_tokens",
    "no_repeat_ngram_size",
    "repetition_penalty",
}


def available() -> bool:
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return False
    return True


def unsupported_options(options: dict, exact: bool = False) -> list[str]:
    """Decode options this engine cannot do; with exact=True also those it does differently
    from transformers: beam search (its length normalisation gave another answer for 1 of 4
    tiny-model rows) and repetition_penalty. Sampling is never done here: CTranslate2 seeds its
    random generator once per worker thread, so a seed could not repeat a call."""
    bad = [k for k, v in options.items() if k not in SUPPORTED_OPTIONS or (k == "do_sample" and v)]
    if exact:
        if options.get("repetition_penalty") not in (None, 1, 1.0):
            bad.append("repetition_penalty")
        if (options.get("num_beams") or 1) > 1:
            bad.append("num_beams")
    return sorted(bad)


def weights_fingerprint(model) -> str:
    """A cheap content hash: every tensor's name, shape and a strided sample of its values, so
    a retrained or differently merged model gets its own converted copy."""
    digest = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        flat = tensor.detach().reshape(-1)
        digest.update(f"{name}{tuple(tensor.shape)}{tensor.dtype}".encode())
        digest.update(flat[:: max(1, flat.numel() // 4096)].float().numpy().tobytes())
    return digest.hexdigest()[:16]


def converted_path(model, tokenizer, name: str) -> Path:
    """The CTranslate2 copy of a loaded transformers model (float32 weights; int8 is applied at
    load time), built once in a private folder, checked against transformers, renamed into place.
    ValueError when the converter does not know the architecture or its logits disagree."""
    import ctranslate2
    from ctranslate2.converters import TransformersConverter

    slug = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[-60:]
    target = (
        cache_dir()
        / "ctranslate2"
        / f"{slug}-{weights_fingerprint(model)}-ct2v{ctranslate2.__version__}"
    )
    if (target / "model.bin").exists():
        return target
    if (target / "REJECTED").exists():  # checked once already: do not convert again
        raise ValueError((target / "REJECTED").read_text())
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        model.save_pretrained(work / "hf", safe_serialization=True)
        tokenizer.save_pretrained(work / "hf")
        TransformersConverter(str(work / "hf")).convert(str(work / "ct2"), quantization="float32")
        mismatch = _logit_mismatch(work / "ct2", model, tokenizer)
        if mismatch:
            target.mkdir(exist_ok=True)
            (target / "REJECTED").write_text(mismatch)
            raise ValueError(mismatch)
        try:
            os.replace(work / "ct2", target)
        except OSError:
            if not (target / "model.bin").exists():  # not a concurrent run winning the race
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return target


PROBE = "The city council voted on Monday to build a new bridge over the river, officials said."


def _logit_mismatch(path: Path, model, tokenizer) -> str | None:
    """The converter reads configs its own way (it ignores Gemma 3's query_pre_attn_scalar,
    harmless only where it equals head_dim), so a conversion is used only if its logits match
    transformers' on a probe sentence."""
    import ctranslate2
    import numpy as np
    import torch

    ids = tokenizer(" ".join([PROBE] * 4))["input_ids"][: min(64, sliding_window(model) or 64)]
    with torch.inference_mode():
        expected = model(torch.tensor([ids])).logits[0].float().numpy()
    got = np.array(
        ctranslate2.Generator(str(path), device="cpu").forward_batch(
            [tokenizer.convert_ids_to_tokens(ids)]
        )
    )[0]
    diff = float(np.abs(got - expected).max()) if got.shape == expected.shape else float("inf")
    if not diff <= 1e-3 * max(1.0, float(np.abs(expected).max())):
        return (
            f"its CTranslate2 conversion disagrees with transformers on a {len(ids)}-token probe "
            f"(max logit difference {diff:.3g})"
        )
    return None


def sliding_window(model) -> int | None:
    """Tokens a sliding-window layer attends to. CTranslate2 disagrees with transformers once a
    sequence is longer than that (measured on a tiny Gemma 3), so longer rows use transformers."""
    window = getattr(model.config, "sliding_window", None)
    return window if isinstance(window, int) and window > 0 else None


class CT2Generator:
    """Greedy or beam decoding of token-id prompts; returns (new token ids, stopped by `done`)
    per hypothesis (num_return_sequences per prompt, in prompt order), the ids ending with the
    stop token when one was produced (as transformers' rows do)."""

    def __init__(
        self, model, tokenizer, name: str, quantize: str | None = None, threads: int | None = None
    ):
        import ctranslate2
        import torch

        self.compute_type = COMPUTE_TYPES[quantize]  # the Summarizer has checked `quantize`
        self.tokenizer = tokenizer
        self.window = sliding_window(model)
        self.generator = ctranslate2.Generator(
            str(converted_path(model, tokenizer, name)),
            device="cpu",
            compute_type=self.compute_type,
            intra_threads=threads or torch.get_num_threads(),
        )

    def fits(self, tokens: int) -> bool:
        """Whether a row of this many tokens (prompt + answer) stays within the sliding window."""
        return self.window is None or tokens <= self.window

    def generate(
        self,
        prompts: list[list[int]],
        stop_ids: list[int],
        options: dict,
        done: Callable[[list[int]], bool] | None = None,
    ) -> list[tuple[list[int], bool]]:
        """`done(ids)` ends a row early (greedy only: the step callback needs beam 1)."""
        bad = unsupported_options(options)
        if bad:
            raise ValueError(
                f"the ctranslate2 engine does greedy and beam search only; "
                f"use engine='transformers' for {', '.join(bad)}"
            )
        beams = options.get("num_beams") or 1
        hypotheses = options.get("num_return_sequences") or 1
        tokens = [[] for _ in prompts]
        stopped = [False] * len(prompts)

        def step(result) -> bool:
            ids = tokens[result.batch_id]
            ids.append(result.token_id)
            if result.is_last or result.token_id in stop_ids or not done(ids):
                return False
            stopped[result.batch_id] = True
            return True

        results = self.generator.generate_batch(
            [self.tokenizer.convert_ids_to_tokens(ids) for ids in prompts],
            max_length=options["max_new_tokens"],
            beam_size=beams,
            num_hypotheses=hypotheses,
            end_token=stop_ids,
            return_end_token=True,
            include_prompt_in_result=False,
            # transformers' begin_suppress_tokens (headlines) forbid a newline as first token;
            # here every stop token is forbidden there
            min_length=1 if options.get("begin_suppress_tokens") else 0,
            no_repeat_ngram_size=options.get("no_repeat_ngram_size") or 0,
            repetition_penalty=options.get("repetition_penalty") or 1.0,
            callback=step if done is not None and beams == 1 else None,
        )
        return [
            (ids, stop) for r, stop in zip(results, stopped) for ids in r.sequences_ids[:hypotheses]
        ]
