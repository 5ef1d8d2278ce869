"""Backend `trained`: a MiniLM cross-encoder fine-tuned here as a consistency classifier
(training code: eval/consistency/training). It reads (article chunk, summary sentence)
pairs and gives P(consistent); a summary scores like SummaC-ZS: the min over its sentences of
the max over article chunks.

The default checkpoint ships in the package: models/trained-minilm (fp16 safetensors, 45 MB),
made by `python -m summarizer train-consistency --config configs/consistency/trained.yaml`
(docs/consistency_trained.md). Any Hugging Face sequence-classification folder with label
1 = consistent works too (`model_path=`).
"""

from __future__ import annotations

from pathlib import Path

from eval.base.hashing import file_hash
from eval.consistency.backend import Backend, BackendResult, Span
from eval.consistency.cross_encoder import class_probabilities, load_classifier
from eval.consistency.text import best_sentence, content_words, sentences

DEFAULT_MODEL = Path(__file__).with_name("models") / "trained-minilm"


def chunk_article(article: str, chunk_words: int = 80) -> list[str]:
    """Consecutive article sentences grouped into chunks of at most ~`chunk_words` words (a
    longer sentence is a chunk of its own and is cut by the tokenizer). Training builds its
    premises with this same function, so train and test inputs look alike."""
    chunks, current, size = [], [], 0
    for _, _, sentence in sentences(article):
        n = len(sentence.split())
        if current and size + n > chunk_words:
            chunks.append(" ".join(current))
            current, size = [], 0
        current.append(sentence)
        size += n
    if current:
        chunks.append(" ".join(current))
    return chunks


def top_chunks(chunks: list[str], claim: str, k: int) -> list[int]:
    """Indices of the k chunks sharing most content words with the claim (all if k <= 0).
    A cheap pre-filter: the best-supporting chunk almost always shares words with the claim,
    and it cuts the encoder's work ~3x on CNN/DM-length articles."""
    if k <= 0 or len(chunks) <= k:
        return list(range(len(chunks)))
    words = content_words(claim)
    overlap = [len(words & content_words(c)) for c in chunks]
    return sorted(sorted(range(len(chunks)), key=lambda i: (-overlap[i], i))[:k])


class TrainedBackend(Backend):
    name = "trained"

    def __init__(
        self,
        model_path: str | Path | None = None,
        batch_size: int = 16,
        max_length: int = 160,
        chunk_words: int = 80,
        top_k_chunks: int = 3,
        threads: int | None = 2,
        span_threshold: float = 0.5,
    ):
        self.model_path = Path(model_path) if model_path else DEFAULT_MODEL
        self.tokenizer, self.model = load_classifier(
            self.model_path,
            "python -m summarizer train-consistency --config configs/consistency/trained.yaml",
            threads,
        )
        self.batch_size, self.max_length = batch_size, max_length
        self.chunk_words, self.top_k_chunks = chunk_words, top_k_chunks
        self.span_threshold = span_threshold
        self.model_hash = file_hash(self.model_path / "model.safetensors")

    def settings(self) -> dict[str, str]:
        return {
            "model": self.model_path.name,
            "hash": self.model_hash,
            "agg": "min-max",
            "chunk": self.chunk_words,
            "topk": self.top_k_chunks,
            "maxlen": self.max_length,
        }

    def pair_scores(self, premises: list[str], claims: list[str]) -> list[float]:
        """P(consistent) for each (premise, claim)."""
        probs = class_probabilities(
            self.model,
            self.tokenizer,
            premises,
            claims,
            self.batch_size,
            self.max_length,
            "only_first",
        )
        return [p[1] for p in probs]

    def score_pairs(self, articles: list[str], summaries: list[str]) -> list[BackendResult]:
        # Plan every (chunk, sentence) pair of every summary first, then score them in one
        # batched pass, so short summaries share batches.
        plans, premises, claims = [], [], []
        for article, summary in zip(articles, summaries):
            chunks = chunk_article(article, self.chunk_words) or [article]
            plan = []
            for start, end, sentence in sentences(summary):
                ids = []
                for c in top_chunks(chunks, sentence, self.top_k_chunks):
                    ids.append((len(premises), chunks[c]))
                    premises.append(chunks[c])
                    claims.append(sentence)
                plan.append((start, end, sentence, ids))
            plans.append(plan)
        scores = self.pair_scores(premises, claims)
        results = []
        for plan in plans:
            if not plan:
                results.append(BackendResult(0.0, error="summary has no sentences"))
                continue
            support, spans = [], []
            for start, end, sentence, ids in plan:
                best, chunk = max(((scores[i], c) for i, c in ids), key=lambda x: x[0])
                support.append((sentence, best_sentence(chunk, sentence), best))
                if best < self.span_threshold:
                    spans.append(
                        Span(
                            start,
                            end,
                            sentence,
                            f"not supported by the article (trained classifier p={best:.2f})",
                        )
                    )
            results.append(BackendResult(min(s for _, _, s in support), spans, support))
        return results
