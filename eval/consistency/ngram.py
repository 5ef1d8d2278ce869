"""`ngram` backend: how much of each summary sentence is copied from the article.

Per summary sentence: the precision of its content words (1-grams without stopwords), 2-grams
and 3-grams against the article's; the sentence score is their mean and the pair score is the
worst sentence (one unsupported sentence makes the summary inconsistent). Words absent from the
article become spans ("word not in article"). `ngram_precision` is the plain whole-summary
n-gram precision used as the benchmark baseline.
"""

from __future__ import annotations

import math

from eval.consistency.backend import Backend, BackendResult, Span
from eval.consistency.text import STOPWORDS, content_words, sentences, tokens
from eval.tokenize import porter_stem as stem  # rouge-score's Porter stemmer, cached


def _ngrams(words: list[str], n: int) -> list[tuple[str, ...]]:
    return [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]


def _precision(grams, pool) -> float | None:
    return sum(g in pool for g in grams) / len(grams) if grams else None


def ngram_precision(article: str, summary: str, n: int = 3) -> float:
    """Fraction of the summary's n-grams found in the article (1.0 for a summary too short)."""
    pool = set(_ngrams([t for _, _, t in tokens(article)], n))
    value = _precision(_ngrams([t for _, _, t in tokens(summary)], n), pool)
    return 1.0 if value is None else value


class ArticleIndex:
    """The article's n-gram sets and sentences, built once per article."""

    def __init__(self, article: str, max_n: int = 3):
        self.words = [t for _, _, t in tokens(article)]
        self.pools = {n: set(_ngrams(self.words, n)) for n in range(1, max_n + 1)}
        self.sentences = [s for _, _, s in sentences(article)]
        self.sentence_words = [content_words(s) for s in self.sentences]
        stems = [{stem(w) for w in words} for words in self.sentence_words] or [set()]
        self.stems = set().union(*stems)
        # windows of two neighbouring sentences: a fact a summary sentence states is usually
        # stated in one place; words scattered over the article suggest a wrong combination
        self.sentence_stems = stems
        self.windows = [a | b for a, b in zip(stems, stems[1:] + [set()])]

    def best_sentence(self, words: set[str]) -> tuple[str, float]:
        """The article sentence sharing most content words with `words` (support evidence)."""
        if not self.sentences or not words:
            return "", 0.0
        overlaps = [len(words & s) / len(words) for s in self.sentence_words]
        best = max(range(len(overlaps)), key=overlaps.__getitem__)
        return self.sentences[best], overlaps[best]


class NgramBackend(Backend):
    name = "ngram"

    def __init__(self, max_n: int = 3, aggregate: str = "min"):
        if aggregate not in ("min", "mean"):
            raise ValueError(f"aggregate must be 'min' or 'mean', got {aggregate!r}")
        self.max_n, self.aggregate = max_n, aggregate

    def settings(self) -> dict[str, str]:
        return {"n": f"1-{self.max_n}", "agg": self.aggregate, "feat": "v3"}

    def score_pairs(self, articles, summaries):
        return [self.score_one(ArticleIndex(a, self.max_n), s) for a, s in zip(articles, summaries)]

    def score_one(self, index: ArticleIndex, summary: str) -> BackendResult:
        sentence_scores, spans, support = [], [], []
        per_n = {n: [] for n in range(1, self.max_n + 1)}
        for start, _, sentence in sentences(summary):
            toks = tokens(sentence)
            words = [t for _, _, t in toks]
            parts = []
            for n in range(1, self.max_n + 1):
                grams = [(w,) for w in words if w not in STOPWORDS] if n == 1 else _ngrams(words, n)
                value = _precision(grams, index.pools[n])
                if value is not None:
                    parts.append(value)
                    per_n[n].append(value)
            score = sum(parts) / len(parts) if parts else 1.0
            sentence_scores.append(score)
            for s, e, word in toks:
                if word not in STOPWORDS and (word,) not in index.pools[1]:
                    spans.append(Span(start + s, start + e, sentence[s:e], "word not in article"))
            best, _ = index.best_sentence(set(words) - STOPWORDS)
            support.append((sentence, best, score))
        if not sentence_scores:
            return BackendResult(1.0)
        agg = (
            min(sentence_scores)
            if self.aggregate == "min"
            else sum(sentence_scores) / len(sentence_scores)
        )
        return BackendResult(
            agg,
            merge_spans(summary, spans),
            support,
            backend_scores={"ngram": agg, **self.features(index, summary, per_n)},
        )

    @staticmethod
    def features(
        index: ArticleIndex, summary: str, per_n: dict[int, list[float]]
    ) -> dict[str, float]:
        """Extra signals the ensemble may weigh (reported under backend_scores): worst and mean
        n-gram precision per n, and the share of the summary's numbers and capitalised words
        (names, mostly) found in the article."""
        out = {}
        for n, values in per_n.items():
            out[f"ngram.p{n}min"] = min(values) if values else 1.0
            out[f"ngram.p{n}mean"] = sum(values) / len(values) if values else 1.0
        toks = tokens(summary)
        nums = [t for _, _, t in toks if any(c.isdigit() for c in t)]
        caps = [
            summary[s:e].lower()
            for s, e, _ in toks
            if summary[s].isupper() and s > 0 and summary[s - 2 : s].strip() not in (".", "!", "?")
        ]
        out["ngram.numbers"] = (
            sum((t,) in index.pools[1] for t in nums) / len(nums) if nums else 1.0
        )
        out["ngram.names"] = sum((t,) in index.pools[1] for t in caps) / len(caps) if caps else 1.0
        out["ngram.length"] = min(len(toks), 100) / 100.0
        out.update(NgramBackend.locality(index, summary))
        out["ngram.article_len"] = math.log1p(len(index.words)) / 10.0
        return out

    @staticmethod
    def locality(index: ArticleIndex, summary: str) -> dict[str, float]:
        """Where the support sits: `ngram.local` is, for the worst summary sentence, the share of
        its content words (stemmed) found inside one window of two neighbouring article sentences;
        `ngram.fusion` is how many article sentences a greedy cover of the summary's supported
        content words needs (/10). Both rank inconsistent summaries lower within a dataset
        (docs/consistency.md)."""
        local, need = [], set()
        for _, _, sentence in sentences(summary):
            content = [stem(t) for _, _, t in tokens(sentence) if t not in STOPWORDS]
            if content:
                local.append(
                    max(sum(w in window for w in content) for window in index.windows)
                    / len(content)
                )
                need |= set(content) & index.stems
        used = 0
        while need and used < 10:
            best = max(index.sentence_stems, key=lambda s: len(need & s))
            need -= best
            used += 1
        return {"ngram.local": min(local) if local else 1.0, "ngram.fusion": used / 10.0}


def merge_spans(summary: str, spans: list[Span]) -> list[Span]:
    """Neighbouring spans with the same reason and only spaces/punctuation between them become
    one span ("New York Times" rather than three words)."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        last = merged[-1] if merged else None
        if (
            last
            and last.reason == span.reason
            and not any(c.isalnum() for c in summary[last.end : span.start])
            and span.start - last.end <= 3
        ):
            merged[-1] = Span(last.start, span.end, summary[last.start : span.end], last.reason)
        else:
            merged.append(span)
    return merged
