"""The metric registry: name -> adapter class, imported lazily so a metric whose module (or
extra) is missing is skipped with a warning instead of breaking a run.

An adapter has `name`, `needs` (row fields it requires besides `prediction`), `signature`
(str()-able, it keys the cache) and `score(rows) -> [{"scores": {...}, "details": {...},
"error": str?, "warnings": [str]?}]`, one dict per row, same order. Rows are the validated rows of eval.pipeline.
"""

from __future__ import annotations

import importlib

REGISTRY = {
    "rouge": "eval.metrics:Rouge",
    "bertscore": "eval.bertscore:BertScore",
    "headline": "eval.headline_checks:HeadlineChecks",
    "consistency": "eval.metrics:Consistency",
}


class MetricUnavailable(RuntimeError):
    """The metric's module or one of its dependencies is not installed/built yet."""


def metric_class(name: str):
    if name not in REGISTRY:
        raise ValueError(f"unknown metric {name!r}; known: {', '.join(REGISTRY)}")
    module_name, cls_name = REGISTRY[name].split(":")
    return getattr(importlib.import_module(module_name), cls_name)


def load_metric(name: str, **options):
    try:
        return metric_class(name)(**options)
    except ImportError as err:
        raise MetricUnavailable(f"metric {name!r} unavailable: {err}") from None


class Rouge:
    """eval.rouge.RougeScorer, F1 plus precision and recall per type (max over references)."""

    name = "rouge"
    needs = ("references",)

    def __init__(self, rouge_types=("rouge1", "rouge2", "rougeL"), **options):
        from eval.rouge import RougeScorer

        self.types = tuple(rouge_types)
        self.scorer = RougeScorer(rouge_types=self.types, **options)

    @property
    def signature(self) -> str:
        """Keys the cache (the references themselves are part of each row's cache key)."""
        return " ".join(str(self.scorer.signature(t)) for t in self.types)

    def signature_for(self, rows) -> str:
        """The signature of the scores of `rows` (what summary.json reports): `refs` is the most
        references any scored row had, whether it was scored now, in another batch or cached."""
        refs = max((len(r["references"]) for r in rows
                    if "error" not in r and r.get("references") and any(x.strip() for x in r["references"])),
                   default=1)
        return " ".join(str(self.scorer.signature(t, refs=refs)) for t in self.types)

    def score(self, rows):
        refs = [row["references"] for row in rows]
        results = self.scorer.score_batch([row["prediction"] for row in rows], refs)
        out = []
        for result, warnings in zip(results, self.scorer.row_warnings):
            scores = {}
            for t in self.types:
                s = result[t]
                scores.update({t: s.fmeasure, f"{t}_p": s.precision, f"{t}_r": s.recall})
            out.append({"scores": scores, **({"warnings": warnings} if warnings else {})})
        return out


HEADLINE_MAX_WORDS = 20


def kind_of(row) -> str:
    """headline or summary: the row's `task` field when present, otherwise by shape: one
    sentence of at most HEADLINE_MAX_WORDS words is a headline."""
    if row.get("task") in ("headline", "summary"):
        return row["task"]
    from eval.consistency.text import sentences

    text = row.get("prediction") or ""
    return "headline" if len(text.split()) <= HEADLINE_MAX_WORDS and len(sentences(text)) <= 1 else "summary"


class Consistency:
    """eval.consistency.ConsistencyChecker. `backend` may be a list: the first one that is
    available is used, and the signature records which. `kind` (summary|headline) picks the
    default backend and the threshold; the default, `auto`, picks it per row (`kind_of`), so a
    headline run is judged as headlines without a flag and mixed runs are fine. The signature
    after scoring names the kinds used (`used_signature`)."""

    name = "consistency"
    needs = ("article",)

    def __init__(self, backend=None, kind: str = "auto", **options):
        kinds = ("summary", "headline") if kind == "auto" else (kind,)
        self.kind = kind
        self.fallback_reasons = []
        self.checkers = {k: self._checker(backend, k, options) for k in kinds}
        self.used: set[str] = set()

    def _checker(self, backend, kind, options):
        from eval.consistency import DEFAULT_BACKENDS, ConsistencyChecker, available_backends

        # the kind's default, then for headlines the entity check, then the dependency-free
        # n-gram check (support and entities need spaCy, support also torch)
        fallbacks = ["entities", "ngram"] if kind == "headline" else ["ngram"]
        backend = backend or list(dict.fromkeys([DEFAULT_BACKENDS.get(kind, "ngram"), *fallbacks]))
        wanted = [backend] if isinstance(backend, str) else list(backend)
        reasons = []
        for name in wanted:
            if name not in available_backends():
                reasons.append(f"{name}: not installed (its module does not import)")
                continue
            try:  # a backend may also lack its fitted weights or calibration file
                checker = ConsistencyChecker(name, kind=kind, **options)
                break
            except (ImportError, OSError) as err:
                reasons.append(f"{name}: {err}")
        else:
            raise ImportError("no usable consistency backend (" + "; ".join(reasons) + ")")
        self.fallback_reasons += reasons
        return checker

    @property
    def signature(self) -> str:
        """Every checker this metric may use (it keys the cache)."""
        return " ; ".join(str(c.signature) for c in self.checkers.values())

    @property
    def used_signature(self) -> str:
        """The checkers the scored rows actually used (what summary.json reports)."""
        used = [k for k in self.checkers if k in self.used] or list(self.checkers)
        return " ; ".join(str(self.checkers[k].signature) for k in used)

    def score(self, rows):
        kinds = [kind_of(r) if self.kind == "auto" else self.kind for r in rows]
        results = [None] * len(rows)
        for kind in set(kinds):
            idx = [i for i, k in enumerate(kinds) if k == kind]
            self.used.add(kind)
            scored = self.checkers[kind].score([rows[i]["article"] for i in idx],
                                               [rows[i]["prediction"] for i in idx])
            for i, res in zip(idx, scored):
                results[i] = res
        out = []
        for kind, res in zip(kinds, results):
            d = res.as_dict()
            item = {"scores": {"consistency": res.score, "consistent": res.consistent},
                    "details": {"kind": kind, "unsupported_spans": d["unsupported_spans"],
                                "backend_scores": d["backend_scores"],
                                **({"verdict": res.verdict, "evidence": res.evidence}
                                   if res.verdict else {})}}
            if res.error:
                item["error"] = res.error
            if res.warnings:  # e.g. article cut, text not English
                item["warnings"] = list(res.warnings)
            out.append(item)
        return out
