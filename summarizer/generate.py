"""`Summarizer`: headlines or summaries from any Hugging Face seq2seq or causal LM.

    from summarizer import Summarizer
    summarizer = Summarizer.from_pretrained()            # bundled Gemma-3-270M (+ headline adapter), offline
    summarizer.generate("Shares of ... fell 12 percent ...").text

Speed on CPU comes from the CTranslate2 engine for causal LMs (same greedy output as
transformers, about twice as fast; `engine="auto"` picks it when installed), from batching
(articles sorted by length, so little padding; transformers pads causal models on the left) and
from stopping each row at its first newline (headlines); docs/generation.md has the figures.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from eval.signature import Signature
from summarizer import ct2, models, postprocess
from summarizer.prompts import DEFAULT_PROMPTS, PromptTemplate

logger = logging.getLogger(__name__)
TASKS = ("headline", "summary")
ENGINES = ("auto", "transformers", "ctranslate2")
DEFAULT_MAX_NEW_TOKENS = {"headline": 24, "summary": 128}
# Prompt budget (tokens). Headlines come from the lead, so a short budget costs little
# quality and keeps CPU generation fast; every cut is reported per row.
DEFAULT_MAX_INPUT_TOKENS = {"headline": 320, "summary": 1024}
# The default headline model is the bundled base plus the LoRA adapter trained here, because it
# beat few-shot prompting of the base on the dev split (its MODEL_CARD.md). Ask for
# "gemma-3-270m" to get the base model with the few-shot prompt.
HEADLINE_ADAPTER = Path(__file__).parent / "adapters" / "gemma3-270m-headline"


@dataclass
class GenerationResult:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    truncated: bool = False
    hit_length_cap: bool = False
    seconds: float = 0.0  # this row's share of its batch's wall time
    error: str | None = None


@dataclass
class _Job:
    """One model call: a prompt and what to report about it."""
    prompt: str
    input_tokens: int
    truncated: bool
    outputs: list = field(default_factory=list)


class Summarizer:
    def __init__(self, loaded: models.LoadedModel, task: str = "headline", prompt: PromptTemplate | None = None,
                 max_input_tokens: int | None = None, casing: str = "as-is", chunked: bool = False,
                 quantize: str | None = None, engine: str = "auto", **generation_options):
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}")
        if casing not in postprocess.CASINGS:
            raise ValueError(f"casing must be one of {postprocess.CASINGS}, got {casing!r}")
        self.loaded = loaded
        self.model, self.tokenizer = loaded.model, loaded.tokenizer
        self.task, self.casing, self.chunked = task, casing, chunked
        self.prompt = None if loaded.is_seq2seq else (prompt or PromptTemplate.load(DEFAULT_PROMPTS[task]))
        self.generation_options = {"max_new_tokens": DEFAULT_MAX_NEW_TOKENS[task], **generation_options}
        self._chat = bool(getattr(self.tokenizer, "chat_template", None)) and not loaded.is_seq2seq
        # A causal model's prompt and answer share its positions; a seq2seq encoder has its own.
        limit = self._model_limit() - (0 if loaded.is_seq2seq else self.generation_options["max_new_tokens"])
        if max_input_tokens is None and self.prompt and self.prompt.max_article_tokens:
            # a trained adapter gets the same article lead it saw in training
            max_input_tokens = self._overhead() + self.prompt.max_article_tokens
        self.max_input_tokens = min(max_input_tokens or DEFAULT_MAX_INPUT_TOKENS[task], limit)
        if self.max_input_tokens - self._overhead() < 16:
            raise ValueError(
                f"the prompt {self.prompt.name if self.prompt else ''} takes {self._overhead()} tokens, leaving "
                f"no room for the article within max_input_tokens={self.max_input_tokens}; "
                "use a shorter prompt (e.g. a zero-shot one) or raise max_input_tokens")
        self._stop_ids = self._find_stop_ids()
        self.quantize = None if quantize == "none" else quantize
        self._engine_asked, self._ct2 = engine, self._pick_engine(engine, self.quantize)
        self.engine = "ctranslate2" if self._ct2 else "transformers"

    @classmethod
    def from_pretrained(cls, name_or_path: str | None = None, task: str = "headline", *,
                        prompt: str | PromptTemplate | None = None, dtype="auto",
                        num_threads: int | None = None, **options) -> Summarizer:
        """A hub id, a local folder, a peft adapter folder, or None for the bundled default
        (headlines: Gemma-3-270M + the trained adapter; summaries: Gemma-3-270M few-shot).
        Other keywords: max_input_tokens, casing, chunked, engine (auto|transformers|ctranslate2),
        quantize (None|int8, ctranslate2 only), and generation options (max_new_tokens,
        num_beams, do_sample, ...)."""
        if name_or_path is None and task == "headline" and (HEADLINE_ADAPTER / "adapter_config.json").exists():
            name_or_path = str(HEADLINE_ADAPTER)
        loaded = models.load(name_or_path, dtype=dtype, num_threads=num_threads)
        if prompt is None and loaded.adapter_dir is not None and (loaded.adapter_dir / "prompt.yaml").exists():
            prompt = _adapter_prompt(loaded.adapter_dir / "prompt.yaml")
        if isinstance(prompt, str):
            prompt = PromptTemplate.load(prompt)
        return cls(loaded, task=task, prompt=prompt, **options)

    @property
    def model_name(self) -> str:
        return self.loaded.name

    @property
    def signature(self) -> Signature:
        opts = self.generation_options
        beams = opts.get("num_beams", 1)
        decode = "sample" if opts.get("do_sample") else ("greedy" if beams == 1 else f"beam{beams}")
        return Signature.make(
            self.task, model=self.model_name, prompt=self.prompt.name if self.prompt else "none",
            decode=decode, max_in=self.max_input_tokens, max_new=opts["max_new_tokens"],
            casing=self.casing, engine=self.engine,
            dtype=self._ct2.compute_type if self._ct2 else str(self.model.dtype).removeprefix("torch."),
        )

    # -- generation ------------------------------------------------------------------------

    def generate(self, articles: str | list[str], batch_size: int = 8, max_new_tokens: int | None = None,
                 num_beams: int | None = None, seed: int = 0, **overrides):
        """One GenerationResult per article (a single one for a single string), in input order."""
        import torch

        single = isinstance(articles, str)
        articles = [articles] if single else list(articles)
        options = {**self.generation_options, **overrides}
        if max_new_tokens is not None:
            options["max_new_tokens"] = max_new_tokens
        if num_beams is not None:
            options["num_beams"] = num_beams
        torch.manual_seed(seed)

        results: list[GenerationResult | None] = [None] * len(articles)
        level: dict[int, list[_Job]] = {}
        for i, article in enumerate(articles):
            if not isinstance(article, str) or not article.strip():
                results[i] = GenerationResult("", error="empty article")
            else:
                level[i] = self._plan(article)
        input_tokens = {i: 0 for i in level}
        seconds = {i: 0.0 for i in level}
        # Map-reduce (chunked summaries): a row split into chunks gets its chunk summaries
        # joined and summarized again, level by level, until one call covers it all.
        while level:
            self._run([job for i in sorted(level) for job in level[i]], batch_size, options)
            next_level = {}
            for i, parts in level.items():
                input_tokens[i] += sum(p.input_tokens for p in parts)
                seconds[i] += sum(p.outputs[1] for p in parts)
                if len(parts) == 1:
                    (text, n_out, capped), job = parts[0].outputs[0], parts[0]
                    results[i] = GenerationResult(text, input_tokens[i], n_out, job.truncated, capped, seconds[i])
                    continue
                joined = " ".join(p.outputs[0][0] for p in parts if p.outputs[0][0])
                shrinking = len(joined) < sum(len(p.prompt) for p in parts)
                next_level[i] = self._plan(joined or " ", allow_chunks=shrinking)
                if any(p.truncated for p in parts):
                    next_level[i][-1].truncated = True
            level = next_level
        return results[0] if single else results

    def _plan(self, article: str, allow_chunks: bool = True) -> list[_Job]:
        """Token-aware truncation (or chunking, for summaries in chunked mode)."""
        article = article.strip()
        budget = self.max_input_tokens - self._overhead()
        ids = self.tokenizer(article, add_special_tokens=False, verbose=False)["input_ids"]
        if len(ids) <= budget:
            return [self._job(article)]
        if self.chunked and self.task == "summary" and allow_chunks:
            return [self._job(self.tokenizer.decode(ids[s:s + budget], skip_special_tokens=True))
                    for s in range(0, len(ids), budget)]
        job = self._job(self.tokenizer.decode(ids[:budget], skip_special_tokens=True))
        job.truncated = True
        return [job]

    def _job(self, article: str) -> _Job:
        text = self._render(article)
        n = len(self.tokenizer(text, add_special_tokens=not self._chat)["input_ids"])
        return _Job(text, n, False)

    def _render(self, article: str) -> str:
        if self.prompt is not None:
            return self.prompt.render(article, self.tokenizer)
        prefix = ((getattr(self.model.config, "task_specific_params", None) or {})
                  .get("summarization", {}).get("prefix", ""))
        return prefix + article

    def _overhead(self) -> int:
        if not hasattr(self, "_overhead_tokens"):
            self._overhead_tokens = len(self.tokenizer(self._render(""), add_special_tokens=not self._chat)["input_ids"])
        return self._overhead_tokens

    def _run(self, jobs: list[_Job], batch_size: int, options: dict) -> None:
        """Generate for jobs in length-sorted batches; fills job.outputs = [(text, n_out, capped), seconds].
        Rows longer than CTranslate2 handles exactly (its sliding window) go to transformers."""
        # engine="auto" takes transformers for a call asking what CTranslate2 lacks or does
        # differently (sampling, beam search)
        usable = self._ct2 and (self._engine_asked == "ctranslate2" or self.quantize
                                or not ct2.unsupported_options(options, exact=True))
        on_ct2 = [bool(usable and self._ct2.fits(j.input_tokens + options["max_new_tokens"])) for j in jobs]
        for engine in {*on_ct2}:
            todo = sorted((j for j, e in zip(jobs, on_ct2) if e == engine), key=lambda j: -j.input_tokens)
            for start in range(0, len(todo), batch_size):
                batch = todo[start:start + batch_size]
                began = time.perf_counter()
                generated = (self._generate_ct2 if engine else self._generate_transformers)(
                    [j.prompt for j in batch], options)
                share = (time.perf_counter() - began) / len(batch)
                for job, row in zip(batch, generated):
                    job.outputs = [self._decode(row, options["max_new_tokens"]), share]

    def _generate_ct2(self, prompts: list[str], options: dict) -> list[list[int]]:
        ids = self.tokenizer(prompts, add_special_tokens=not self._chat)["input_ids"]
        return self._ct2.generate(ids, self._stop_ids, {**self._begin_suppress, **options})

    def _generate_transformers(self, prompts: list[str], options: dict) -> list[list[int]]:
        import torch

        inputs = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=not self._chat)
        with torch.inference_mode():
            out = self.model.generate(
                **inputs, eos_token_id=self._stop_ids, pad_token_id=self.tokenizer.pad_token_id,
                **{"do_sample": False, **self._begin_suppress, **options},
            )
        return (out if self.loaded.is_seq2seq else out[:, inputs["input_ids"].shape[1]:]).tolist()

    def _decode(self, row: list[int], max_new_tokens: int) -> tuple[str, int, bool]:
        if self.loaded.is_seq2seq:  # drop the decoder start token
            start = self.model.config.decoder_start_token_id
            row = row[1:] if row and row[0] == start else row
        stop = next((n for n, t in enumerate(row) if t in self._stop_set), None)
        n_out = len(row) if stop is None else stop + 1
        capped = stop is None and n_out >= max_new_tokens
        raw = self.tokenizer.decode(row[:n_out], skip_special_tokens=True)
        text = (postprocess.clean_headline(raw, self.casing) if self.task == "headline"
                else postprocess.clean_summary(raw))
        return text, n_out, capped

    # -- set-up ----------------------------------------------------------------------------

    def _model_limit(self) -> int:
        limits = [getattr(self.model.config, "max_position_embeddings", None),
                  getattr(self.tokenizer, "model_max_length", None)]
        limits = [n for n in limits if isinstance(n, int) and 0 < n < 1_000_000]
        return min(limits) if limits else 1024

    def _find_stop_ids(self) -> list[int]:
        """EOS, plus for causal LMs the tokens that end the answer: any newline for a headline,
        a blank line for a summary (a base model would otherwise write the next example)."""
        ids = {self.tokenizer.eos_token_id, getattr(self.model.generation_config, "eos_token_id", None)}
        ids = {i for x in ids for i in (x if isinstance(x, list) else [x]) if i is not None}
        self._begin_suppress = {}
        if self.loaded.is_seq2seq:
            self._stop_set = ids
            return sorted(ids)
        for token in ("<end_of_turn>", "<|im_end|>", "<|eot_id|>"):
            tid = self.tokenizer.convert_tokens_to_ids(token)
            if isinstance(tid, int) and tid != self.tokenizer.unk_token_id:
                ids.add(tid)
        # Byte-level BPE vocabularies spell a newline "Ċ"; SentencePiece uses it raw.
        vocab = [(token.replace("Ċ", "\n"), tid) for token, tid in self.tokenizer.get_vocab().items()]
        newline_ids = {tid for token, tid in vocab if "\n" in token or token == "<0x0A>"}
        if self.task == "headline":
            ids |= newline_ids
            # A base model often answers "Headline:" with a newline first; forbid that one
            # token so the row is not stopped empty.
            self._begin_suppress = {"begin_suppress_tokens": sorted(newline_ids)}
        else:
            ids |= {tid for token, tid in vocab if "\n\n" in token}
        self._stop_set = ids
        return sorted(ids)

    def _pick_engine(self, engine: str, quantize: str | None):
        """A CT2Generator, or None for transformers. 'auto' takes CTranslate2 for causal LMs when
        it is installed, converts the architecture exactly and decoding is greedy."""
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
        if quantize not in ct2.COMPUTE_TYPES:
            raise ValueError(f"quantize must be None or 'int8', got {quantize!r}")
        # auto promises transformers' output, so it also avoids what CTranslate2 does differently
        bad = ct2.unsupported_options(self.generation_options, exact=engine != "ctranslate2")
        why_not = ("seq2seq models run on transformers here" if self.loaded.is_seq2seq
                   else "ctranslate2 is not installed (pip install ctranslate2)" if not ct2.available()
                   else f"it does not support {', '.join(bad)} exactly" if bad else None)
        if engine == "transformers" or (engine == "auto" and why_not):
            if quantize:
                raise ValueError("quantize='int8' needs the ctranslate2 engine"
                                 + (f", and {why_not}" if why_not else ""))
            return None
        if why_not:
            raise ValueError(f"engine='ctranslate2' cannot be used: {why_not}")
        try:
            return ct2.CT2Generator(self.model, self.tokenizer, self.loaded.name, quantize)
        except ValueError as err:  # the converter does not know this architecture
            if engine == "ctranslate2" or quantize:
                raise ValueError(f"engine='ctranslate2' cannot convert {self.loaded.name!r}: {err}") from None
            logger.warning("ctranslate2 cannot convert %s (%s); using transformers", self.loaded.name, err)
            return None


def _adapter_prompt(path) -> PromptTemplate:
    """An adapter's prompt.yaml is either a full template or names one (`prompt: NAME`)."""
    import yaml

    data = yaml.safe_load(open(path, encoding="utf-8")) or {}
    if "template" in data:
        return PromptTemplate.load(path)
    return PromptTemplate.load(data.get("prompt") or data.get("name"))
