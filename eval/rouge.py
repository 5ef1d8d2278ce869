"""ROUGE-N/L/Lsum with rouge-score's exact numbers, a fast backend, multi-reference
aggregation, bootstrap intervals and signatures.

Scoring itself is delegated: `rouge-score-rs` (a Rust port whose per-pair numbers equal
rouge-score's; tests/test_rouge.py checks that on every option combination) when installed,
else Google's `rouge-score`. What we add: multi-reference best-of and jackknife, a Unicode
tokenizer, warnings where rouge-score silently scores 0, seeded vectorized intervals and a
signature naming every setting and the backend that produced the numbers.
"""

from __future__ import annotations

import functools
import importlib.metadata
import itertools
import logging
import re
from collections.abc import Callable, Sequence

import numpy as np

from eval.base.metric import CorpusScore, Metric
from eval.base.signature import Signature, Signatures
from eval.stats import bootstrap_ci
from eval.tokenize import CallableTokenizer, CharTokenizer, UnicodeTokenizer
from eval.types import Score

log = logging.getLogger(__name__)

DEFAULT_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
BACKENDS = ("rouge-score-rs", "rouge-score")
# rouge-score-rs releases whose numbers tests/test_rouge.py found equal to rouge-score's on
# every option combination. Another release still works, with a warning until it is checked
# (run the tests, then add it here).
VERIFIED_RUST_RELEASES = ("0.2.1",)
MULTIREF = ("max", "jackknife")
_TYPE_RE = re.compile(r"rouge[1-9]|rougeL|rougeLsum")
_HAS_DEFAULT_TOKEN_RE = re.compile(r"[a-z0-9]")  # rouge-score keeps only these characters
_SHOWN_ROWS = 5  # rows named in a summary warning


class RougeScorer(Metric):
    """One scorer for ROUGE-N (N = 1..9), ROUGE-L and ROUGE-Lsum.

    A drop-in for rouge-score's `rouge_scorer.RougeScorer`: the same constructor
    (rouge_types, use_stemmer, split_summaries, tokenizer), `score(target, prediction)` and
    `score_multi(targets, prediction)`, with the same numbers (tests/test_rouge.py runs
    rouge-score's published cases against this class). Our additions take predictions and
    references by name: `score_batch(predictions=, references=)` and the Metric protocol
    (eval.base.metric): `corpus_score(predictions=, references=, bootstrap=, seed=)` gives per
    type a CorpusScore whose `mid` is the observed mean of P, R and F (not, as in rouge-score's
    BootstrapAggregator, the median of the bootstrap means), `sentence_scores` the fields
    `rouge1`, `rouge1_p`, `rouge1_r`, ... (F, precision, recall) and row warnings, `signature`
    every setting.

    tokenizer: "default" (rouge-score's: lower-case, [a-z0-9] only), "unicode" (letters and
    digits of any script, case-folded; stemming only for Latin-script tokens), "char" (as
    unicode, but one token per character in scripts written without spaces: Chinese, Japanese,
    Thai, Lao, Khmer, Myanmar) or a callable
    `text -> list[str]` / an object with `.tokenize(text)`.
    multiref: "max" picks, per ROUGE type, the reference with the best F (rouge-score's
    `score_multi`); "jackknife" averages P, R and F of the best-of over the leave-one-out
    subsets of the references, as ROUGE-1.5.5 does. With one reference both are the plain score.
    backend: "auto" uses rouge-score-rs when installed, else rouge-score.
    """

    name = "rouge"
    needs = ("references",)

    def __init__(
        self,
        rouge_types: Sequence[str] = DEFAULT_TYPES,
        use_stemmer: bool = False,
        split_summaries: bool = False,
        tokenizer: str | Callable | None = "default",
        multiref: str = "max",
        backend: str = "auto",
    ):
        self.rouge_types = tuple(rouge_types)
        bad = [t for t in self.rouge_types if not _TYPE_RE.fullmatch(t)]
        if bad or not self.rouge_types:
            raise ValueError(f"unknown ROUGE type(s) {bad}; use rouge1..rouge9, rougeL, rougeLsum")
        if multiref not in MULTIREF:
            raise ValueError(f"multiref must be one of {MULTIREF}, got {multiref!r}")
        self.use_stemmer = bool(use_stemmer)
        self.split_summaries = bool(split_summaries)
        self.multiref = multiref
        self._tokenizer, self.tokenizer_name = _make_tokenizer(tokenizer, self.use_stemmer)
        self.backend, self.backend_version = _pick_backend(backend)
        self._scorer = self._make_backend_scorer()

    # --- scoring -------------------------------------------------------------------------

    def score_batch(self, predictions: list[str], references) -> list[dict[str, Score]]:
        """One {rouge_type: Score} per prediction. `references` is a list of strings (one
        reference each) or a list of lists of strings (one or more references each). Unlike
        `score`, this addition takes predictions first: call it by keyword
        (`score_batch(predictions=..., references=...)`) to keep the order plain."""
        return self._score_batch(predictions, references)[0]

    def sentence_scores(
        self, predictions, references=None, articles=None, *, tasks=None, hit_length_caps=None
    ) -> list[dict]:
        """Metric protocol: per prediction, `rouge1` (F), `rouge1_p`, `rouge1_r`, ... for each
        type, and the row's warnings (a text that yields no tokens scores 0)."""
        scores, warnings = self._score_batch(predictions, references)
        return [
            {"scores": score_fields(s, self.rouge_types), **({"warnings": w} if w else {})}
            for s, w in zip(scores, warnings)
        ]

    def _score_batch(
        self, predictions, references
    ) -> tuple[list[dict[str, Score]], list[list[str]]]:
        """The scores and, per row, what the log warned about that row."""
        predictions = _checked_strings(predictions, "prediction")
        references = list(references)
        if len(references) != len(predictions):
            raise ValueError(f"{len(predictions)} predictions but {len(references)} references")
        n_refs = 1
        if all(type(r) is str for r in references):  # the common case, kept cheap
            refs = None
        else:
            refs = _as_reference_lists(references)
            n_refs = max(len(r) for r in refs) if refs else 1
        warn_empty_texts(predictions, references)
        row_warnings = [[] for _ in predictions]

        # Score every (prediction, reference) pair in one backend call, then combine per row.
        if refs is None:
            flat_preds, flat_refs, rows = predictions, references, None
        elif n_refs == 1:
            flat_preds, flat_refs, rows = predictions, [rs[0] for rs in refs], None
        else:
            flat_preds = [p for p, rs in zip(predictions, refs) for _ in rs]
            flat_refs = [r for rs in refs for r in rs]
            rows = [row for row, rs in enumerate(refs, 1) for _ in rs]
        flat = self._backend_score_batch(flat_refs, flat_preds)
        self._warn_zero_token_texts(flat, flat_preds, flat_refs, rows, row_warnings)
        if rows is None:
            return flat, row_warnings
        results, start = [], 0
        for rs in refs:
            results.append(self._combine(flat[start : start + len(rs)]))
            start += len(rs)
        return results, row_warnings

    def score(
        self,
        target: str | Sequence[str] | None = None,
        prediction: str | None = None,
        *,
        references: str | Sequence[str] | None = None,
    ) -> dict[str, Score]:
        """rouge-score's `score(target, prediction)`: the reference first, then the prediction.
        `target` may also be a list of references (combined by `multiref`); `references=` is a
        keyword name for it."""
        if references is not None:
            if target is not None:
                raise TypeError("give the reference once: as `target` or as `references=`")
            target = references
        if target is None or prediction is None:
            raise TypeError("score(target, prediction) needs a reference (target) and a prediction")
        return self.score_batch([prediction], [target])[0]

    def score_multi(self, targets: Sequence[str], prediction: str) -> dict[str, Score]:
        """rouge-score's `score_multi(targets, prediction)`: per ROUGE type, the score against
        the target with the best F (the first on ties); with multiref="jackknife", the
        leave-one-out average instead."""
        if isinstance(targets, str):
            raise TypeError(
                "score_multi takes a list of targets; use score(target, prediction) for one"
            )
        return self.score_batch([prediction], [list(targets)])[0]

    def corpus_score(
        self,
        predictions,
        references=None,
        articles=None,
        *,
        tasks=None,
        hit_length_caps=None,
        bootstrap: int = 1000,
        seed: int = 12345,
        confidence: float = 0.95,
        results: list[dict] | None = None,
    ) -> dict[str, CorpusScore]:
        """Per type, the mean P, R and F with their interval (see `corpus_intervals`)."""
        references = list(references)
        if results is None:
            per_example = self.score_batch(predictions, references)
        else:
            per_example = [field_scores(r["scores"], self.rouge_types) for r in results]
        return self.aggregate(per_example, bootstrap, seed, confidence, references=references)

    def aggregate(
        self,
        per_example: list[dict[str, Score]],
        bootstrap: int = 1000,
        seed: int = 12345,
        confidence: float = 0.95,
        references=None,
    ) -> dict[str, CorpusScore]:
        """corpus_score of per-example scores from `score_batch` (not scored again);
        `references`, those they were scored against, give the signature's `refs`."""
        signature = self.signature(references=references, bootstrap=bootstrap, seed=seed)
        return {
            rouge_type: CorpusScore(mid, low, high, Signatures.one(signature[rouge_type]))
            for rouge_type, (mid, low, high) in corpus_intervals(
                per_example, bootstrap, seed, confidence
            ).items()
        }

    def signature(
        self,
        *,
        predictions=None,
        references=None,
        articles=None,
        tasks=None,
        hit_length_caps=None,
        bootstrap=None,
        seed=None,
    ) -> Signatures:
        """Per type, every setting; `refs` is the most references of an example in `references`
        (1 without them)."""
        refs = most_references(references)
        seed = seed if bootstrap else None
        return Signatures({t: self._signature(t, refs, bootstrap, seed) for t in self.rouge_types})

    def _signature(
        self, rouge_type: str, refs: int, bootstrap: int | None = None, seed: int | None = None
    ) -> Signature:
        settings = {
            "tok": self.tokenizer_name,
            "stem": "porter" if self.use_stemmer else "no",
        }
        if rouge_type == "rougeLsum":
            settings["lsum"] = "nltk" if self.split_summaries else "newline"
        settings["refs"] = refs
        settings["multiref"] = self.multiref
        if bootstrap is not None:
            settings["boot"] = bootstrap
        if seed is not None:
            settings["seed"] = seed
        settings["impl"] = f"{self.backend}-{self.backend_version}"
        return Signature.make(rouge_type, **settings)

    # --- internals -----------------------------------------------------------------------

    def _make_backend_scorer(self):
        if self.backend == "rouge-score-rs":
            from rouge_score_rs import RougeScorer as Backend
            from rouge_score_rs.tokenizers import DefaultTokenizer
        else:
            from rouge_score.rouge_scorer import RougeScorer as Backend
            from rouge_score.tokenizers import DefaultTokenizer
        tokenizer = self._tokenizer or DefaultTokenizer(self.use_stemmer)
        self._native = self._native_rust_scorer() if self.backend == "rouge-score-rs" else None
        return Backend(list(self.rouge_types), self.use_stemmer, self.split_summaries, tokenizer)

    def _native_rust_scorer(self):
        """The Rust scorer that rouge_score_rs.RougeScorer itself builds for its native path,
        built with our Score class so that results need no conversion (a third of the time of
        a short-pair batch). Semi-private API: any mismatch falls back to the public one."""
        if self._tokenizer is not None or self.split_summaries:
            return None
        try:
            from rouge_score_rs import _native, _rougers
            from rouge_score_rs.tokenizers import DefaultTokenizer

            scorer = _rougers.Scorer(
                list(self.rouge_types), self.use_stemmer, DefaultTokenizer.profile, Score
            )
            probe = _native.call(scorer.score_batch, ["a b"], ["a c"])[0][self.rouge_types[0]]
            if type(probe) is not Score:
                return None
            return lambda targets, predictions: _native.call(
                scorer.score_batch, targets, predictions
            )
        except (ImportError, AttributeError, TypeError):
            return None

    def _backend_score_batch(self, targets: list[str], predictions: list[str]) -> list[dict]:
        if self._native is not None:
            if len(targets) < 4000:
                return self._native(targets, predictions)
            # The Rust scorer releases the GIL: score the two halves of a large batch on two
            # cores at once (order kept: first half, then second).
            from concurrent.futures import ThreadPoolExecutor

            half = len(targets) // 2
            with ThreadPoolExecutor(1) as pool:
                first = pool.submit(self._native, targets[:half], predictions[:half])
                second = self._native(targets[half:], predictions[half:])
                return first.result() + second
        from tqdm import tqdm

        # Python-speed paths (rouge-score, or a tokenizer written in Python): show progress
        # on long inputs, scoring in slices so the Rust backend still batches.
        step = 1000
        slices = tqdm(
            range(0, len(targets), step),
            desc=f"ROUGE ({self.backend})",
            unit_scale=step,
            unit="pairs",
            disable=len(targets) < 5 * step,
        )
        try:
            raw = []
            for start in slices:
                t, p = targets[start : start + step], predictions[start : start + step]
                if self.backend == "rouge-score-rs":
                    raw += self._scorer.score_batch(t, p)
                else:
                    raw += [self._scorer.score(*pair) for pair in zip(t, p)]
        except LookupError as err:  # nltk without its punkt sentence model
            raise RuntimeError(
                "split_summaries needs NLTK's punkt_tab sentence model, which is not installed "
                "(install it once with `python -m nltk.downloader punkt_tab`), or pass sentences "
                "separated by newlines instead"
            ) from err
        return [{t: Score(*s[t]) for t in self.rouge_types} for s in raw]

    def _combine(self, scores: list[dict[str, Score]]) -> dict[str, Score]:
        if len(scores) == 1:
            return scores[0]
        if self.multiref == "max":
            return _best_of(scores, self.rouge_types)
        # Jackknife: best-of over each leave-one-out subset, then average P, R and F.
        subsets = [
            _best_of(scores[:i] + scores[i + 1 :], self.rouge_types) for i in range(len(scores))
        ]
        return {
            t: Score(*(float(np.mean([s[t][k] for s in subsets])) for k in range(3)))
            for t in self.rouge_types
        }

    def _warn_zero_token_texts(self, flat, predictions, references, rows, row_warnings) -> None:
        """rouge-score silently scores text with no [a-z0-9] (e.g. Chinese, Russian) as 0: log
        it and add it to the row's warnings. Only pairs scoring 0 can hold such a text, so only
        those are tokenized again."""
        first = self.rouge_types[0]
        warned = set()
        for i, scores in enumerate(flat):
            if scores[first].fmeasure > 0:
                continue
            row = i + 1 if rows is None else rows[i]
            for what, text in (("prediction", predictions[i]), ("reference", references[i])):
                if (row, text) in warned or not text.strip() or self._has_tokens(text):
                    continue
                warned.add((row, text))
                note = (
                    f"a {what} is not empty but yields zero tokens under tok:{self.tokenizer_name}, so it scores 0"
                    + (" (non-Latin text? try tokenizer='unicode', or 'char' for Chinese, Japanese or Thai)" if self.tokenizer_name == "default" else "")
                )  # fmt: skip
                row_warnings[row - 1].append(note)
                log.warning("row %d: %s: %r", row, note, text[:60])

    def _has_tokens(self, text: str) -> bool:
        if self._tokenizer is None:  # default tokenizer: stemming never empties a token
            return bool(_HAS_DEFAULT_TOKEN_RE.search(text.lower()))
        return bool(self._tokenizer.tokenize(text))


def corpus_intervals(
    per_example: list[dict[str, Score]],
    bootstrap: int = 1000,
    seed: int = 12345,
    confidence: float = 0.95,
) -> dict[str, tuple[Score, Score, Score]]:
    """{type: (mid, low, high)}: the mean of P, R and F and their bootstrap interval, from one
    seeded bootstrap over all types and fields at once (the same resamples for every type, so
    intervals of different types are comparable). bootstrap=0: no interval (low = high = mid).
    Works for any {type: Score} rows, e.g. ROUGE-1.5.5 mode's."""
    if not per_example:
        raise ValueError("no scores to aggregate")
    types = list(per_example[0])
    matrix = np.fromiter(
        itertools.chain.from_iterable(
            itertools.chain.from_iterable(row[t] for t in types) for row in per_example
        ),
        dtype=np.float64,
        count=3 * len(types) * len(per_example),
    ).reshape(len(per_example), 3 * len(types))
    if bootstrap:
        mean, low, high = bootstrap_ci(
            matrix, n_resamples=bootstrap, seed=seed, confidence=confidence
        )
    else:
        mean = low = high = matrix.mean(axis=0)

    def score(values, i):
        return Score(*(float(v) for v in values[3 * i : 3 * i + 3]))

    return {t: (score(mean, i), score(low, i), score(high, i)) for i, t in enumerate(types)}


def score_fields(scores: dict[str, Score], rouge_types) -> dict[str, float]:
    """A row's {type: Score} as Metric score fields: `rouge1` (F), `rouge1_p`, `rouge1_r`, ..."""
    fields = {}
    for t in rouge_types:
        s = scores[t]
        fields.update({t: s.fmeasure, f"{t}_p": s.precision, f"{t}_r": s.recall})
    return fields


def field_scores(fields: dict[str, float], rouge_types) -> dict[str, Score]:
    """The inverse of `score_fields`."""
    return {t: Score(fields[f"{t}_p"], fields[f"{t}_r"], fields[t]) for t in rouge_types}


def most_references(references) -> int:
    """The `refs` of a signature: the most references of one example (1 without references)."""
    if references is None or all(type(r) is str for r in references):
        return 1
    return max((1 if isinstance(r, str) else len(r) for r in references), default=1)


def warn_empty_texts(predictions: list[str], references: list) -> None:
    """One warning per kind, with the count and the first rows: empty text scores 0.
    `references[i]` is a string or a list of strings."""
    empty_refs = [
        i
        for i, rs in enumerate(references, 1)
        if (not rs.strip() if isinstance(rs, str) else any(not r.strip() for r in rs))
    ]
    for kind, rows in (
        ("predictions", [i for i, p in enumerate(predictions, 1) if not p.strip()]),
        ("examples have an empty reference", empty_refs),
    ):
        if rows:
            log.warning(
                "%d of %d %s%s (rows %s%s; rows are 1-based)",
                len(rows), len(predictions), kind,
                " are empty and score 0" if kind == "predictions" else ", which scores 0",
                ", ".join(map(str, rows[:_SHOWN_ROWS])), ", ..." if len(rows) > _SHOWN_ROWS else "",
            )  # fmt: skip


def _best_of(scores: list[dict[str, Score]], rouge_types) -> dict[str, Score]:
    """Per type, the score with the highest F; the first one on ties (as rouge-score)."""
    return {t: max(scores, key=lambda s: s[t].fmeasure)[t] for t in rouge_types}


def _checked_strings(texts, what: str) -> list[str]:
    texts = list(texts)
    if not all(type(t) is str for t in texts):
        row = next(i for i, t in enumerate(texts, 1) if not isinstance(t, str))
        raise ValueError(f"row {row}: {what} must be a string, got {type(texts[row - 1]).__name__}")
    return texts


def _as_reference_lists(references) -> list[list[str]]:
    refs = [[r] if isinstance(r, str) else list(r) for r in references]
    for row, rs in enumerate(refs, 1):
        if not rs:
            raise ValueError(f"row {row}: no reference")
        if not all(isinstance(r, str) for r in rs):
            raise ValueError(f"row {row}: references must be strings")
    return refs


def _make_tokenizer(tokenizer, use_stemmer: bool):
    """(tokenizer object or None for the backend's native default, name for the signature)."""
    if tokenizer is None or tokenizer == "default":  # None: rouge-score's way of asking for it
        return None, "default"
    if tokenizer == "unicode":
        return UnicodeTokenizer(use_stemmer), "unicode"
    if tokenizer == "char":
        return CharTokenizer(use_stemmer), "char"
    if hasattr(tokenizer, "tokenize"):
        return tokenizer, "custom-" + type(tokenizer).__name__
    if callable(tokenizer):
        wrapped = CallableTokenizer(tokenizer)
        return wrapped, wrapped.name
    raise ValueError(
        f"tokenizer must be 'default', 'unicode', 'char' or a callable, got {tokenizer!r}"
    )


def _pick_backend(backend: str) -> tuple[str, str]:
    if backend not in ("auto",) + BACKENDS:
        raise ValueError(f"backend must be 'auto' or one of {BACKENDS}, got {backend!r}")
    candidates = BACKENDS if backend == "auto" else (backend,)
    for name in candidates:
        try:
            version = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        if name == "rouge-score-rs" and version not in VERIFIED_RUST_RELEASES:
            _warn_unverified(version)
        return name, version
    raise ValueError(f"ROUGE backend {backend!r} is not installed (pip install {candidates[0]})")


@functools.cache
def _warn_unverified(version: str) -> None:
    log.warning(
        "rouge-score-rs %s is not among the releases verified equal to rouge-score (%s): "
        "run `python -m pytest tests/test_rouge.py` before trusting its numbers, or pass "
        "backend='rouge-score'",
        version, ", ".join(VERIFIED_RUST_RELEASES),
    )  # fmt: skip
