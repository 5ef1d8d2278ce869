"""`ensemble` backend: a linear model over member backends' scores (and the extra signals
some members report, e.g. "ngram.local"), fitted to rank within a dataset on the train split,
its members chosen and its threshold fitted on dev_fit (`python -m eval.consistency.calibrate`),
stored as JSON (ensemble.json: features, weights, standardisation, what it was fitted on; never
pickle): the user's fit in $SUMM_CACHE_DIR/calibration when there is one, else the one shipped
beside this file (eval/consistency/calibration.py).
Spans are the union of the members' spans; the support evidence comes from the first member
that gives any (align, then ngram)."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

from eval.consistency import calibration
from eval.consistency.backend import Backend, BackendResult
from eval.consistency.registry import backend_class


def load_weights(path=None) -> dict:
    path = Path(path) if path else calibration.weights_file()
    if not path.exists():
        raise FileNotFoundError(
            f"{path} missing: fit it with `python -m eval.consistency.calibrate`"
        )
    data = json.loads(path.read_text())
    if len(data["features"]) != len(data["weights"]):
        raise ValueError(
            f"{path}: {len(data['features'])} features but {len(data['weights'])} weights"
        )
    return data


def member_of(feature: str) -> str:
    return feature.split(".", 1)[0]


def features_of(results: dict[str, BackendResult]) -> dict[str, float]:
    """Every member's score under its name, plus the extra signals it reports."""
    out = {}
    for name, res in results.items():
        out[name] = float(res.score)
        out.update({k: float(v) for k, v in res.backend_scores.items()})
    return out


def combine(weights: dict, features: dict[str, float]) -> float:
    z = weights["bias"] + sum(
        w * (features[f] - mu) / sd
        for f, w, mu, sd in zip(
            weights["features"], weights["weights"], weights["mean"], weights["std"]
        )
    )
    return 1.0 / (1.0 + math.exp(-z))


class EnsembleBackend(Backend):
    name = "ensemble"

    def __init__(self, weights_file=None, members: list[str] | None = None, member_options=None):
        """`members` overrides the stored list (used while fitting, when no weights exist yet)."""
        self.weights = load_weights(weights_file) if members is None else None
        names = (
            members
            if members is not None
            else list(dict.fromkeys(map(member_of, self.weights["features"])))
        )
        options = member_options or {}
        self.members = {n: backend_class(n)(**options.get(n, {})) for n in names}

    def settings(self) -> dict[str, str]:
        parts = "+".join(
            f"{n}({','.join(f'{k}={v}' for k, v in b.settings().items())})"
            for n, b in self.members.items()
        )
        if self.weights is None:
            return {"members": parts, "fit": "unfitted"}
        digest = hashlib.sha1(json.dumps(self.weights, sort_keys=True).encode()).hexdigest()[:10]
        return {"members": parts, "fit": self.weights.get("fitted_on", "?"), "weights": digest}

    def member_results(self, articles, summaries) -> dict[str, list[BackendResult]]:
        return {n: b.score_pairs(articles, summaries) for n, b in self.members.items()}

    def score_pairs(self, articles, summaries):
        if self.weights is None:
            raise ValueError("unfitted ensemble: load weights or use member_results")
        per_member = self.member_results(articles, summaries)
        out = []
        for i in range(len(articles)):
            results = {n: r[i] for n, r in per_member.items()}
            errors = [f"{n}: {r.error}" for n, r in results.items() if r.error]
            if errors:
                out.append(BackendResult(0.0, error="; ".join(errors)))
                continue
            scores = features_of(results)
            spans = _dedupe(
                sorted(
                    {s for r in results.values() for s in r.spans}, key=lambda s: (s.start, s.end)
                )
            )
            support = next(
                (
                    r.support
                    for n in ("align", "trained", "ngram")
                    if n in results
                    for r in [results[n]]
                    if r.support
                ),
                [],
            )
            out.append(
                BackendResult(combine(self.weights, scores), spans, support, backend_scores=scores)
            )
        return out


def _dedupe(spans):
    """Drop a bare "word not in article" span lying inside another member's span: the other
    one ("number differs: ...") says more about the same characters."""
    return [
        s
        for s in spans
        if not (
            s.reason == "word not in article"
            and any(
                o is not s and o.reason != s.reason and o.start <= s.start and s.end <= o.end
                for o in spans
            )
        )
    ]
