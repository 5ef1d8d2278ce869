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
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from eval.base.io import load_yaml
from eval.base.signature import Signature
from summarizer import ct2, extractive, models, postprocess
from summarizer.postprocess import SummaryGuard
from summarizer.prompts import DEFAULT_PROMPTS, PromptTemplate
from summarizer.result import GenerationResult

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
# Summary guards (docs/generation.md, benchmarks/bench_summary.py): block repeated 3-grams in
# the summary (as BART and PEGASUS news summarizers do), stop after three sentences (CNN/DM
# highlights have 3-4), and cut a sentence that repeats an earlier one. Before them, 57% of
# the base model's summaries repeated a sentence and 90% ran to the token cap.
DEFAULT_SUMMARY_GUARDS = {"max_sentences": 3, "max_words": None, "trim_repeats": True}
DEFAULT_NO_REPEAT_NGRAM = {"headline": 0, "summary": 3}
# Prompt budget of the guarded summaries: the article's lead, so that prompt + summary fit
# Gemma-3-270M's 512-token sliding window and run on CTranslate2 (longer rows use transformers).
SUMMARY_GUARDED_INPUT_TOKENS = 384
_UNSET = object()
# What task="summary" gets with no model named: the extractive selector, which beat lead-3 on
# ROUGE-1 on the select part of the dev split with no summary flagged, while the guarded
# abstractive Gemma-3-270M was below lead-3 with 40-67% flagged (README, bench_summary.py).
# Ask for "gemma-3-270m" to get the abstractive model with the guards.
DEFAULT_SUMMARY_MODEL: str | None = "extractive"


def default_model_name(task: str) -> str:
    """The name rows and signatures carry when no model is named."""
    if task == "summary" and DEFAULT_SUMMARY_MODEL:
        return DEFAULT_SUMMARY_MODEL
    return models.DEFAULT_MODEL


@dataclass
class _Job:
    """One model call: a prompt and what to report about it."""

    prompt: str
    input_tokens: int
    truncated: bool
    outputs: list = field(default_factory=list)
    hypotheses: list = field(default_factory=list)


class Summarizer:
    def __init__(
        self,
        loaded: models.LoadedModel,
        task: str = "headline",
        prompt: PromptTemplate | None = None,
        max_input_tokens: int | None = None,
        casing: str = "as-is",
        chunked: bool = False,
        quantize: str | None = None,
        engine: str = "auto",
        max_sentences=_UNSET,
        max_words=_UNSET,
        trim_repeats=_UNSET,
        candidates: int = 1,
        candidate_checker=None,
        **generation_options,
    ):
        if task not in TASKS:
            raise ValueError(f"task must be one of {TASKS}, got {task!r}")
        if casing not in postprocess.CASINGS:
            raise ValueError(f"casing must be one of {postprocess.CASINGS}, got {casing!r}")
        self.loaded = loaded
        self.model, self.tokenizer = loaded.model, loaded.tokenizer
        self.task, self.casing, self.chunked = task, casing, chunked
        # With no prompt given, a seq2seq model reads the bare article (plus its config's task
        # prefix) and a causal LM the task's few-shot prompt; a prompt given (e.g. the prompt.yaml
        # of a model trained here, either family) is used as given.
        if prompt is None and not loaded.is_seq2seq:
            prompt = PromptTemplate.load(DEFAULT_PROMPTS[task])
        self.prompt = prompt
        self.guard = self._make_guard(max_sentences, max_words, trim_repeats)
        generation_options.setdefault("no_repeat_ngram_size", DEFAULT_NO_REPEAT_NGRAM[task])
        self.generation_options = {
            "max_new_tokens": DEFAULT_MAX_NEW_TOKENS[task],
            **generation_options,
        }
        if not isinstance(candidates, int) or isinstance(candidates, bool) or candidates < 1:
            raise ValueError(f"candidates must be a positive integer, got {candidates!r}")
        self.candidates, self._checker = candidates, candidate_checker
        if (
            max_input_tokens is None
            and task == "summary"
            and self.guard.active
            and not loaded.is_seq2seq
            and not (self.prompt and self.prompt.max_article_tokens)
        ):
            max_input_tokens = SUMMARY_GUARDED_INPUT_TOKENS
        self._chat = bool(getattr(self.tokenizer, "chat_template", None)) and not loaded.is_seq2seq
        # A causal model's prompt and answer share its positions; a seq2seq encoder has its own.
        limit = self._model_limit() - (
            0 if loaded.is_seq2seq else self.generation_options["max_new_tokens"]
        )
        if max_input_tokens is None and self.prompt and self.prompt.max_article_tokens:
            # a trained adapter gets the same article lead it saw in training
            max_input_tokens = self._overhead() + self.prompt.max_article_tokens
        self.max_input_tokens = min(max_input_tokens or DEFAULT_MAX_INPUT_TOKENS[task], limit)
        if self.max_input_tokens - self._overhead() < 16:
            raise ValueError(
                f"the prompt {self.prompt.name if self.prompt else ''} takes {self._overhead()} tokens, leaving "
                f"no room for the article within max_input_tokens={self.max_input_tokens}; "
                "use a shorter prompt (e.g. a zero-shot one) or raise max_input_tokens"
            )
        self._stop_ids = self._find_stop_ids()
        self.quantize = None if quantize == "none" else quantize
        self._engine_asked, self._ct2 = engine, self._pick_engine(engine, self.quantize)
        self.engine = "ctranslate2" if self._ct2 else "transformers"

    @classmethod
    def from_pretrained(
        cls,
        name_or_path: str | None = None,
        task: str = "headline",
        *,
        prompt: str | PromptTemplate | None = None,
        dtype="auto",
        num_threads: int | None = None,
        **options,
    ) -> Summarizer:
        """A hub id, a local folder, a peft adapter folder, or None for the bundled default
        (headlines: Gemma-3-270M + the trained adapter; summaries: the extractive selector), or an
        extractive model: "lead-3" / "lead-K" / "extractive" / "extractive-K" (summarizer.extractive).
        Other keywords: max_input_tokens, casing, chunked, engine (auto|transformers|ctranslate2),
        quantize (None|int8, ctranslate2 only), summary guards (max_sentences, max_words,
        trim_repeats; None turns one off), candidates (K answers, the consistency checker keeps
        one; candidate_checker = a backend name or ConsistencyChecker) and generation options
        (max_new_tokens, num_beams, no_repeat_ngram_size, do_sample, ...)."""
        if name_or_path is None and task == "summary":
            name_or_path = DEFAULT_SUMMARY_MODEL
        if extractive.is_extractive(name_or_path):
            return extractive.ExtractiveSummarizer.from_name(
                name_or_path, task=task, num_threads=num_threads, **options
            )
        if (
            name_or_path is None
            and task == "headline"
            and (HEADLINE_ADAPTER / "adapter_config.json").exists()
        ):
            name_or_path = str(HEADLINE_ADAPTER)
        loaded = models.load(name_or_path, dtype=dtype, num_threads=num_threads)
        # the prompt a model or adapter was trained with (summarizer.train) is saved beside it
        folder = loaded.adapter_dir or (
            Path(name_or_path) if name_or_path and Path(name_or_path).is_dir() else None
        )
        if prompt is None and folder is not None and (folder / "prompt.yaml").exists():
            prompt = _trained_prompt(folder / "prompt.yaml")
        if isinstance(prompt, str):
            prompt = PromptTemplate.load(prompt)
        return cls(loaded, task=task, prompt=prompt, **options)

    @property
    def model_name(self) -> str:
        return self.loaded.name

    def _make_guard(self, max_sentences, max_words, trim_repeats) -> SummaryGuard:
        """Summaries get the default guards unless told otherwise; headlines end at their line."""
        if self.task != "summary":
            if any(v is not _UNSET and v for v in (max_sentences, max_words, trim_repeats)):
                raise ValueError(
                    "max_sentences, max_words and trim_repeats apply to task='summary' only"
                )
            return SummaryGuard(trim_repeats=False)
        given = {
            "max_sentences": max_sentences,
            "max_words": max_words,
            "trim_repeats": trim_repeats,
        }
        if max_words is not _UNSET and max_words and max_sentences is _UNSET:
            given["max_sentences"] = None  # a word target alone replaces the default sentence count
        return SummaryGuard(
            **{k: DEFAULT_SUMMARY_GUARDS[k] if v is _UNSET else v for k, v in given.items()}
        )

    @property
    def signature(self) -> Signature:
        opts = self.generation_options
        beams = opts.get("num_beams", 1)
        decode = "sample" if opts.get("do_sample") else ("greedy" if beams == 1 else f"beam{beams}")
        guards = {}
        if self.task == "summary":
            guards = {
                "no_repeat": opts.get("no_repeat_ngram_size") or 0,
                "length": self.guard.describe(),
                "trim_repeats": "on" if self.guard.trim_repeats else "off",
            }
        if self.candidates > 1:
            guards["candidates"] = f"{self.candidates}:{self._checker_signature()}"
        return Signature.make(
            self.task,
            model=self.model_name,
            prompt=self.prompt.name if self.prompt else "none",
            decode=decode,
            max_in=self.max_input_tokens,
            max_new=opts["max_new_tokens"],
            **guards,
            casing=self.casing,
            engine=self.engine,
            dtype=self._ct2.compute_type
            if self._ct2
            else str(self.model.dtype).removeprefix("torch."),
        )

    # -- generation ------------------------------------------------------------------------

    def generate(
        self,
        articles: str | list[str],
        batch_size: int = 8,
        max_new_tokens: int | None = None,
        num_beams: int | None = None,
        seed: int = 0,
        **overrides,
    ):
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
        final_jobs: dict[int, _Job] = {}
        # Map-reduce (chunked summaries): a row split into chunks gets its chunk summaries
        # joined and summarized again, level by level, until one call covers it all.
        while level:
            self._run([job for i in sorted(level) for job in level[i]], batch_size, options)
            next_level = {}
            for i, parts in level.items():
                input_tokens[i] += sum(p.input_tokens for p in parts)
                seconds[i] += sum(p.outputs[1] for p in parts)
                if len(parts) == 1:
                    (text, n_out, capped, repeated), job = parts[0].outputs[0], parts[0]
                    results[i] = GenerationResult(
                        text,
                        input_tokens[i],
                        n_out,
                        job.truncated,
                        capped,
                        seconds[i],
                        repeated=repeated,
                    )
                    final_jobs[i] = job
                    continue
                joined = " ".join(p.outputs[0][0] for p in parts if p.outputs[0][0])
                shrinking = len(joined) < sum(len(p.prompt) for p in parts)
                next_level[i] = self._plan(joined or " ", allow_chunks=shrinking)
                if any(p.truncated for p in parts):
                    next_level[i][-1].truncated = True
            level = next_level
        if self.candidates > 1 and final_jobs:
            self._select(articles, results, final_jobs, batch_size, options)
        return results[0] if single else results

    # -- candidate selection ---------------------------------------------------------------

    def _consistency_checker(self):
        if self._checker is None or isinstance(self._checker, str):
            from eval.consistency import ConsistencyChecker

            self._checker = ConsistencyChecker(self._checker, kind=self.task)
        return self._checker

    def _checker_signature(self) -> str:
        from eval.consistency import DEFAULT_BACKENDS

        checker = self._checker if not isinstance(self._checker, str) and self._checker else None
        return checker.backend_name if checker else (self._checker or DEFAULT_BACKENDS[self.task])

    def _select(self, articles, results, final_jobs, batch_size, options) -> None:
        """Beam search for candidates - 1 more answers per row, then keep the one the consistency
        checker rates best of those and the greedy answer (candidate 0; ties: the length prior)."""
        from summarizer.select import beam_options, pick

        rows = sorted(final_jobs)
        extra = [
            _Job(final_jobs[i].prompt, final_jobs[i].input_tokens, final_jobs[i].truncated)
            for i in rows
        ]
        self._run(extra, batch_size, {**options, **beam_options(self.candidates)}, exact=False)
        began = time.perf_counter()
        pool = {}
        for i, job in zip(rows, extra):
            r = results[i]
            pool[i] = [(r.text, r.output_tokens, r.hit_length_cap, r.repeated), *job.hypotheses]
            r.seconds += job.outputs[1]
        flat = [(i, c) for i in rows for c in pool[i]]
        verdicts = self._consistency_checker().score(
            [articles[i] for i, _ in flat], [c[0] or " " for _, c in flat]
        )
        share = (time.perf_counter() - began) / len(rows)
        pos = 0
        for i in rows:
            mine = verdicts[pos : pos + len(pool[i])]
            pos += len(pool[i])
            best = pick([c[0] for c in pool[i]], [v.score for v in mine], self.guard, self.task)
            r = results[i]
            r.text, r.output_tokens, r.hit_length_cap, r.repeated = pool[i][best]
            r.candidates, r.consistency, r.consistent = (
                len(pool[i]),
                mine[best].score,
                mine[best].consistent,
            )
            r.seconds += share

    def _plan(self, article: str, allow_chunks: bool = True) -> list[_Job]:
        """Token-aware truncation (or chunking, for summaries in chunked mode)."""
        article = article.strip()
        budget = self.max_input_tokens - self._overhead()
        ids = self.tokenizer(article, add_special_tokens=False, verbose=False)["input_ids"]
        if len(ids) <= budget:
            return [self._job(article)]
        if self.chunked and self.task == "summary" and allow_chunks:
            return [
                self._job(self.tokenizer.decode(ids[s : s + budget], skip_special_tokens=True))
                for s in range(0, len(ids), budget)
            ]
        job = self._job(self.tokenizer.decode(ids[:budget], skip_special_tokens=True))
        job.truncated = True
        return [job]

    def _job(self, article: str) -> _Job:
        text = self._render(article)
        n = len(self.tokenizer(text, add_special_tokens=not self._chat)["input_ids"])
        return _Job(text, n, False)

    def _render(self, article: str) -> str:
        if self.prompt is not None:  # a seq2seq tokenizer's chat template is not for its encoder
            return self.prompt.render(article, self.tokenizer if self._chat else None)
        prefix = (
            (getattr(self.model.config, "task_specific_params", None) or {})
            .get("summarization", {})
            .get("prefix", "")
        )
        return prefix + article

    def _overhead(self) -> int:
        if not hasattr(self, "_overhead_tokens"):
            self._overhead_tokens = len(
                self.tokenizer(self._render(""), add_special_tokens=not self._chat)["input_ids"]
            )
        return self._overhead_tokens

    def _run(self, jobs: list[_Job], batch_size: int, options: dict, exact: bool = True) -> None:
        """Generate for jobs in length-sorted batches; fills job.outputs = [(text, n_out, capped, repeated), seconds]
        and, with num_return_sequences > 1, job.hypotheses (one such tuple per returned sequence).
        Rows longer than CTranslate2 handles exactly (its sliding window) go to transformers."""
        # engine="auto" takes transformers for a call asking what CTranslate2 lacks or does
        # differently (sampling, beam search); candidates (exact=False) only need to be good
        usable = self._ct2 and (
            self._engine_asked == "ctranslate2"
            or self.quantize
            or not ct2.unsupported_options(options, exact=exact)
        )
        per_prompt = options.get("num_return_sequences") or 1
        on_ct2 = [
            bool(usable and self._ct2.fits(j.input_tokens + options["max_new_tokens"]))
            for j in jobs
        ]
        for engine in {*on_ct2}:
            todo = sorted(
                (j for j, e in zip(jobs, on_ct2) if e == engine), key=lambda j: -j.input_tokens
            )
            for start in range(0, len(todo), batch_size):
                batch = todo[start : start + batch_size]
                began = time.perf_counter()
                generated = (self._generate_ct2 if engine else self._generate_transformers)(
                    [j.prompt for j in batch], options
                )
                share = (time.perf_counter() - began) / len(batch)
                for n, job in enumerate(batch):
                    mine = [
                        self._decode(row, options["max_new_tokens"], stopped)
                        for row, stopped in generated[n * per_prompt : (n + 1) * per_prompt]
                    ]
                    job.outputs, job.hypotheses = [mine[0], share], mine

    def _guard_done(self):
        """Per-row early stop for summaries: token ids so far -> whether the guard has all it keeps."""
        if self.task != "summary" or not self.guard.active:
            return None
        # Not a closure over self: CTranslate2 keeps the step callback in its worker thread, and if
        # that held the last reference to the Summarizer, the engine would be destroyed by its own
        # thread (std::system_error, abort).
        guard, tokenizer = self.guard, self.tokenizer
        return lambda ids: guard.done(tokenizer.decode(ids, skip_special_tokens=True))

    def _generate_ct2(self, prompts: list[str], options: dict) -> list[tuple[list[int], bool]]:
        ids = self.tokenizer(prompts, add_special_tokens=not self._chat)["input_ids"]
        return self._ct2.generate(
            ids, self._stop_ids, {**self._begin_suppress, **options}, done=self._guard_done()
        )

    def _generate_transformers(
        self, prompts: list[str], options: dict
    ) -> list[tuple[list[int], bool]]:
        import torch
        from transformers import LogitsProcessorList, StoppingCriteriaList

        from summarizer.decoding import GuardStop, NoRepeatNGramAfter

        # Decoder-only models continue the last token, so their batches pad on the left; asked per
        # call, not read from the tokenizer, which a training loop keeps right-padded.
        inputs = self.tokenizer(
            prompts,
            return_tensors="pt",
            padding=True,
            add_special_tokens=not self._chat,
            padding_side="right" if self.loaded.is_seq2seq else "left",
        )
        options = dict(options)
        # Blocked n-grams are counted in the answer only: transformers' own no_repeat_ngram_size
        # also counts the prompt of a causal LM, which would forbid quoting the article.
        n_gram = options.pop("no_repeat_ngram_size", 0) or 0
        answer_start = 0 if self.loaded.is_seq2seq else inputs["input_ids"].shape[1]
        processors = LogitsProcessorList(
            [NoRepeatNGramAfter(n_gram, answer_start)] if n_gram else []
        )
        done, stop = self._guard_done(), None
        if (
            done is not None
            and (options.get("num_beams") or 1) == 1
            and (options.get("num_return_sequences") or 1) == 1
        ):
            stop = GuardStop(done, answer_start, self._stop_set)
        with torch.inference_mode(), _eval_mode(self.model):
            out = self.model.generate(
                **inputs,
                eos_token_id=self._stop_ids,
                pad_token_id=self.tokenizer.pad_token_id,
                logits_processor=processors,
                stopping_criteria=StoppingCriteriaList([stop] if stop else []),
                **{"do_sample": False, **self._begin_suppress, **options},
            )
        rows = (out if self.loaded.is_seq2seq else out[:, answer_start:]).tolist()
        if stop is None:
            return [(row, False) for row in rows]
        return [
            (row[: stop.stopped_at[n]], True) if n in stop.stopped_at else (row, False)
            for n, row in enumerate(rows)
        ]

    def _decode(
        self, row: list[int], max_new_tokens: int, guard_stopped: bool = False
    ) -> tuple[str, int, bool, bool]:
        if self.loaded.is_seq2seq:  # drop the decoder start token
            start = self.model.config.decoder_start_token_id
            row = row[1:] if row and row[0] == start else row
        stop = next((n for n, t in enumerate(row) if t in self._stop_set), None)
        n_out = len(row) if stop is None else stop + 1
        capped = stop is None and not guard_stopped and n_out >= max_new_tokens
        raw = self.tokenizer.decode(row[:n_out], skip_special_tokens=True)
        if self.task == "headline":
            return postprocess.clean_headline(raw, self.casing), n_out, capped, False
        if not self.guard.active:  # guards off: the raw answer, as before they existed
            return postprocess.clean_summary(raw), n_out, capped, False
        # A row that reached its length target before the cap was not cut short by it (beam
        # search cannot stop rows early, so its hypotheses run on and are cut here)
        capped = capped and not self.guard.done(raw)
        text, repeated = self.guard.apply(raw, ended=stop is not None)
        return text, n_out, capped, repeated

    # -- set-up ----------------------------------------------------------------------------

    def _model_limit(self) -> int:
        limits = [
            getattr(self.model.config, "max_position_embeddings", None),
            getattr(self.tokenizer, "model_max_length", None),
        ]
        limits = [n for n in limits if isinstance(n, int) and 0 < n < 1_000_000]
        return min(limits) if limits else 1024

    def _find_stop_ids(self) -> list[int]:
        """EOS, plus for causal LMs the tokens that end the answer: any newline for a headline,
        a blank line for a summary (a base model would otherwise write the next example)."""
        ids = {
            self.tokenizer.eos_token_id,
            getattr(self.model.generation_config, "eos_token_id", None),
        }
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
        vocab = [
            (token.replace("Ċ", "\n"), tid) for token, tid in self.tokenizer.get_vocab().items()
        ]
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
        why_not = (
            "seq2seq models run on transformers here"
            if self.loaded.is_seq2seq
            else "ctranslate2 is not installed (pip install ctranslate2)"
            if not ct2.available()
            else f"it does not support {', '.join(bad)} exactly"
            if bad
            else None
        )
        if engine == "transformers" or (engine == "auto" and why_not):
            if quantize:
                raise ValueError(
                    "quantize='int8' needs the ctranslate2 engine"
                    + (f", and {why_not}" if why_not else "")
                )
            return None
        if why_not:
            raise ValueError(f"engine='ctranslate2' cannot be used: {why_not}")
        try:
            return ct2.CT2Generator(self.model, self.tokenizer, self.loaded.name, quantize)
        except ValueError as err:  # the converter does not know this architecture
            if engine == "ctranslate2" or quantize:
                raise ValueError(
                    f"engine='ctranslate2' cannot convert {self.loaded.name!r}: {err}"
                ) from None
            logger.warning(
                "ctranslate2 cannot convert %s (%s); using transformers", self.loaded.name, err
            )
            return None


@contextmanager
def _eval_mode(model):
    """Generation without dropout; a model handed over by a training loop goes back to train mode."""
    training = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(training)


def _trained_prompt(path) -> PromptTemplate:
    """A trained model's or adapter's prompt.yaml is either a full template or names one (`prompt: NAME`)."""
    data = load_yaml(path)
    if "template" in data:
        return PromptTemplate.load(path)
    return PromptTemplate.load(data.get("prompt") or data.get("name"))


def load_options(options: dict) -> dict:
    """`Summarizer.from_pretrained` arguments from the options of `summarizer generate` (its
    flags or --config), for the local loop and the Ray actors alike."""
    generation = {
        k: options[k]
        for k in (
            "max_new_tokens",
            "num_beams",
            "no_repeat_ngram_size",
            "trim_repeats",
            "candidate_checker",
        )
        if options.get(k) is not None
    }
    # 0 turns a length target off
    generation.update(
        {
            k: options[k] or None
            for k in ("max_sentences", "max_words")
            if options.get(k) is not None
        }
    )
    if options.get("candidates", 1) != 1:
        generation["candidates"] = options["candidates"]
    return dict(
        name_or_path=options["model"],
        task=options["task"],
        prompt=options["prompt"],
        dtype=options["dtype"],
        num_threads=options["threads"],
        max_input_tokens=options["max_input_tokens"],
        casing=options["casing"],
        chunked=bool(options["chunked"]),
        engine=options["engine"],
        quantize=options["quantize"],
        **generation,
    )


def generate_rows(summarizer, items, batch_size: int, seed: int):
    """(id, GenerationResult) for each (id, article) of `items`, a batch at a time, in order."""
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        results = summarizer.generate(
            [article for _, article in batch], batch_size=batch_size, seed=seed
        )
        yield from zip([row_id for row_id, _ in batch], results)
