"""The Metric protocol, in the spirit of sacrebleu's `Metric`: every scorer of the registry
(ROUGE, ROUGE-1.5.5, BERTScore, headline checks, consistency) scores sentences, scores a corpus
with bootstrap intervals and names its settings in one signature shape, so the registry, the
CLIs and the scoring pipeline use them all alike.

Inputs are columns, one item per example: `predictions` (strings), `references` (a string or a
list of strings each), `articles` (a string or None each) and, for the metrics that read them,
`tasks` ("headline", "summary" or None each: the consistency metric judges by it) and
`hit_length_caps` (True, False or None each: the headline checks report it). A metric reads the
columns it uses and ignores the others.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, NamedTuple

from eval.base.signature import Signatures


class CorpusScore(NamedTuple):
    """A corpus mean (`mid`) with its bootstrap interval (`low`, `high`) and the signature of
    those numbers. ROUGE gives one per type, each a (precision, recall, fmeasure) Score; other
    metrics one per score field, each a number."""

    mid: Any
    low: Any
    high: Any
    signature: Signatures


class Metric(ABC):
    """`name`: the registry's name (scores.jsonl keeps the metric's details, errors and warnings
    under it). `needs`: the row fields it cannot score an example without, besides the
    prediction ("references", "article"); the pipeline leaves such rows' fields null.
    `fallback_reasons`: why the metric runs with other settings than the first ones asked for
    (e.g. a consistency backend that is not installed), empty when it does not."""

    name: str
    needs: tuple[str, ...] = ()
    fallback_reasons: Sequence[str] = ()

    @abstractmethod
    def sentence_scores(
        self, predictions, references=None, articles=None, *, tasks=None, hit_length_caps=None
    ) -> list[dict]:
        """One result per prediction, in order: {"scores": {field: number, bool or None}} plus,
        when there is something to say, "details" (JSON), "warnings" ([str]: the row was scored
        but something about it is worth a look) and "error" (str: it could not be scored)."""

    @abstractmethod
    def signature(
        self,
        *,
        predictions=None,
        references=None,
        articles=None,
        tasks=None,
        hit_length_caps=None,
        bootstrap: int | None = None,
        seed: int | None = None,
    ) -> Signatures:
        """The settings behind the scores. Without inputs: every setting the metric may use (it
        keys the per-example cache). With the inputs it scored: the settings their scores used
        (ROUGE: the most references an example had; consistency: the kinds of text judged).
        `bootstrap` and `seed`: the interval of corpus numbers, named in their signature."""

    @abstractmethod
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
        """Corpus means with seeded bootstrap intervals (bootstrap=0: none, low = high = mid),
        each with its signature, which names the bootstrap. `results`: this metric's
        sentence_scores of the same inputs, when they are at hand (they are not scored again)."""
