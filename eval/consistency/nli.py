"""`nli` backend: any Hugging Face sequence-classification NLI or consistency model (by hub id
in the local cache, or a folder), e.g. roberta-large-mnli or a MiniCheck checkpoint, with the
two SummaC aggregations:

- zero-shot ("zs"): each summary sentence takes max over article sentences of
  P(entailment) - P(contradiction); the pair score is the mean over summary sentences, mapped
  from [-1, 1] to [0, 1].
- convolution ("conv"): each summary sentence's scores against all article sentences become a
  histogram (`bins` bins over [-1, 1]); a learned linear layer over the histogram (SummaC's 1-D
  convolution with a kernel as wide as the histogram) gives the sentence score; weights are fitted
  with `fit_conv` on dev data and stored as JSON.

Label names come from the model's `id2label` ("entailment"/"contradiction"; a two-label
consistency model's positive label is read as entailment). `NliScorer` also plugs into the
`align` backend as its pair scorer.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from eval.base.hashing import folder_hash
from eval.base.io import atomic_write_json
from eval.consistency.backend import Backend, BackendResult, Span
from eval.consistency.text import sentences


class NliScorer:
    def __init__(
        self,
        model: str,
        batch_size: int = 16,
        max_length: int = 256,
        threads: int = 2,
        entail_label: str | None = None,
        contradiction_label: str | None = None,
    ):
        import torch
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        from eval.base.hub import resolve

        torch.set_num_threads(threads)
        source = resolve(model)  # a folder, or a hub id (or its cached copy); fails in one line
        self.tokenizer = AutoTokenizer.from_pretrained(source)
        self.model = AutoModelForSequenceClassification.from_pretrained(source).eval()
        self.name = model
        self.hash = folder_hash(model) if Path(model).exists() else "hub"
        self.batch_size, self.max_length = batch_size, max_length
        labels = {i: str(n).lower() for i, n in self.model.config.id2label.items()}
        self.entail = self._label(
            labels,
            entail_label,
            ("entail", "support", "consistent", "label_1"),
            1 if len(labels) == 2 else None,
        )
        self.contra = self._label(
            labels, contradiction_label, ("contradict",), None, required=False
        )

    @staticmethod
    def _label(labels, given, keys, fallback, required=True):
        if given is not None:
            matches = [i for i, n in labels.items() if n == given.lower()]
        else:
            matches = [
                i
                for i, n in labels.items()
                if any(k in n for k in keys) and not n.startswith("not")
            ]
        if matches:
            return matches[0]
        if fallback is not None or not required:
            return fallback
        raise ValueError(
            f"cannot tell the entailment label among {sorted(labels.values())}; pass entail_label="
        )

    def pair_scores(self, premises: list[str], hypotheses: list[str]) -> np.ndarray:
        """P(entail) - P(contradiction) per (premise, hypothesis), in [-1, 1]."""
        import torch

        out = []
        with torch.inference_mode():
            for i in range(0, len(premises), self.batch_size):
                enc = self.tokenizer(
                    premises[i : i + self.batch_size],
                    hypotheses[i : i + self.batch_size],
                    padding=True,
                    truncation="only_first",
                    max_length=self.max_length,
                    return_tensors="pt",
                )
                probs = self.model(**enc).logits.softmax(-1).numpy()
                score = probs[:, self.entail] - (
                    probs[:, self.contra] if self.contra is not None else 0.0
                )
                out.append(score)
        return np.concatenate(out) if out else np.zeros(0)

    def score_matrix(self, units: list[list[str]], claims: list[list[str]]) -> list[np.ndarray]:
        """Same contract as EmbeddingScorer.score_matrix, scores mapped to [0, 1]."""
        return [(m + 1.0) / 2.0 for m in self.raw_matrix(units, claims)]

    def raw_matrix(self, units, claims) -> list[np.ndarray]:
        premises, hypotheses, shapes = [], [], []
        for unit_group, claim_group in zip(units, claims):
            for c in claim_group:
                premises += unit_group
                hypotheses += [c] * len(unit_group)
            shapes.append((len(claim_group), len(unit_group)))
        flat = self.pair_scores(premises, hypotheses)
        mats, pos = [], 0
        for rows, cols in shapes:
            mats.append(flat[pos : pos + rows * cols].reshape(rows, cols))
            pos += rows * cols
        return mats


def histogram(scores: np.ndarray, bins: int) -> np.ndarray:
    """Normalised histogram of one summary sentence's scores over article units."""
    counts, _ = np.histogram(np.clip(scores, -1, 1), bins=bins, range=(-1.0, 1.0))
    return counts / max(len(scores), 1)


class NliBackend(Backend):
    name = "nli"

    def __init__(
        self,
        model: str | None = None,
        mode: str = "zs",
        conv_weights: str | None = None,
        bins: int = 50,
        max_units: int = 60,
        scorer: NliScorer | None = None,
        **scorer_options,
    ):
        if mode not in ("zs", "conv"):
            raise ValueError(f"mode must be 'zs' or 'conv', got {mode!r}")
        if scorer is None and model is None:
            raise ValueError(
                "the nli backend needs model= (a hub id in the local cache or a folder)"
            )
        self.scorer = scorer or NliScorer(model, **scorer_options)
        self.mode, self.bins, self.max_units = mode, bins, max_units
        self.conv = None
        if mode == "conv":
            if conv_weights is None:
                raise ValueError(
                    "mode='conv' needs conv_weights= (a JSON file written by fit_conv)"
                )
            data = json.loads(Path(conv_weights).read_text())
            self.conv = (np.array(data["weights"]), float(data["bias"]))
            self.bins = len(self.conv[0])

    def settings(self) -> dict[str, str]:
        return {"model": self.scorer.name, "hash": self.scorer.hash, "agg": self.mode}

    def _matrices(self, articles, summaries):
        units = [([s for _, _, s in sentences(a)] or [a])[: self.max_units] for a in articles]
        claims = [sentences(s) or [(0, len(s), s)] for s in summaries]
        return (
            units,
            claims,
            self.scorer.raw_matrix(units, [[c for _, _, c in cl] for cl in claims]),
        )

    def score_pairs(self, articles, summaries):
        units, claims, mats = self._matrices(articles, summaries)
        results = []
        for unit_texts, claim_spans, mat in zip(units, claims, mats):
            if self.conv is None:
                per_sentence = mat.max(axis=1)
            else:
                weights, bias = self.conv
                logits = np.array([histogram(row, self.bins) @ weights + bias for row in mat])
                per_sentence = 2.0 / (1.0 + np.exp(-logits)) - 1.0  # sigmoid mapped to [-1, 1]
            best = mat.argmax(axis=1)
            support = [
                (c, unit_texts[b], float(v))
                for (_, _, c), b, v in zip(claim_spans, best, per_sentence)
            ]
            spans = [
                Span(s, e, c, f"not entailed by any article sentence (score {v:.2f})")
                for (s, e, c), v in zip(claim_spans, per_sentence)
                if v < 0
            ]
            results.append(BackendResult((float(per_sentence.mean()) + 1.0) / 2.0, spans, support))
        return results


def fit_conv(backend: NliBackend, rows: list[dict], path, bins: int = 50, seed: int = 0) -> None:
    """Fit the convolution layer on labelled rows (dev data only) and write its JSON weights.
    Each summary sentence inherits its summary's label (as SummaC does)."""
    from sklearn.linear_model import LogisticRegression

    _, _, mats = backend._matrices([r["article"] for r in rows], [r["summary"] for r in rows])
    features = [histogram(row, bins) for mat in mats for row in mat]
    labels = [r["label"] for r, mat in zip(rows, mats) for _ in mat]
    model = LogisticRegression(random_state=seed, max_iter=1000).fit(np.array(features), labels)
    atomic_write_json(
        path,
        {
            "weights": model.coef_[0].tolist(),
            "bias": float(model.intercept_[0]),
            "bins": bins,
            "model": backend.scorer.name,
            "rows": len(rows),
        },
    )
