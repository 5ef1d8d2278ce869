"""The metric registry: name -> a class of the Metric protocol (eval.base.metric), imported
lazily so a metric whose module (or extra) is missing is skipped with a warning instead of
breaking a run; and the consistency metric.
"""

from __future__ import annotations

import importlib

from eval.aggregate import MeanMetric
from eval.base.errors import InputError
from eval.base.signature import Signatures

# ROUGE-1.5.5 (eval.rouge155.Rouge155) is a Metric too, used by `eval rouge --rouge155`; it is
# not listed here because it fills the same fields as `rouge` (rouge1, rouge1_p, ...).
REGISTRY = {
    "rouge": "eval.rouge:RougeScorer",
    "bertscore": "eval.bertscore:BertScore",
    "headline": "eval.headline_checks:HeadlineChecks",
    "consistency": "eval.metrics:Consistency",
}
# Options a registry metric gets unless given: a scored row holds one text, whose sentences
# rougeLsum would need on separate lines, so `rouge` scores rouge1, rouge2 and rougeL.
DEFAULT_OPTIONS = {"rouge": {"rouge_types": ("rouge1", "rouge2", "rougeL")}}


class MetricUnavailable(RuntimeError):
    """The metric's module or one of its dependencies is not installed/built yet."""


def metric_class(name: str):
    if name not in REGISTRY:
        raise InputError(f"unknown metric {name!r}; known: {', '.join(REGISTRY)}", field="metrics")
    module_name, cls_name = REGISTRY[name].split(":")
    return getattr(importlib.import_module(module_name), cls_name)


def load_metric(name: str, **options):
    try:
        return metric_class(name)(**{**DEFAULT_OPTIONS.get(name, {}), **options})
    except ImportError as err:
        raise MetricUnavailable(f"metric {name!r} unavailable: {err}") from None


HEADLINE_MAX_WORDS = 20


def kind_of(row) -> str:
    """headline or summary: the row's `task` field when present, otherwise by shape: one
    sentence of at most HEADLINE_MAX_WORDS words is a headline."""
    if row.get("task") in ("headline", "summary"):
        return row["task"]
    from eval.consistency.text import sentences

    text = row.get("prediction") or ""
    return (
        "headline"
        if len(text.split()) <= HEADLINE_MAX_WORDS and len(sentences(text)) <= 1
        else "summary"
    )


class Consistency(MeanMetric):
    """eval.consistency.ConsistencyChecker as a Metric: fields `consistency` (0-1) and
    `consistent`. `backend` may be a list: the first one that is available is used, and the
    signature records which. `kind` (summary|headline) picks the default backend and the
    threshold; the default, `auto`, picks it per row (`kind_of`), so a headline run is judged as
    headlines without a flag and mixed runs are fine. The signature has one part per kind; given
    the inputs, the kinds they were judged as."""

    name = "consistency"
    needs = ("article",)

    def __init__(self, backend=None, kind: str = "auto", **options):
        kinds = ("summary", "headline") if kind == "auto" else (kind,)
        self.kind = kind
        self.fallback_reasons = []
        self.checkers = {k: self._checker(backend, k, options) for k in kinds}

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

    def _kinds(self, predictions, tasks) -> list[str]:
        if self.kind != "auto":
            return [self.kind] * len(predictions)
        tasks = [None] * len(predictions) if tasks is None else tasks
        return [
            kind_of({"prediction": p, "task": t}) for p, t in zip(predictions, tasks, strict=True)
        ]

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
        """Per kind, its checker's signature: every kind this metric may use (it keys the
        cache), or the kinds of `predictions` (all of them when there are none)."""
        used = set(self._kinds(predictions, tasks)) if predictions is not None else set()
        kinds = [k for k in self.checkers if k in used] or list(self.checkers)
        return Signatures({k: self.checkers[k].signature for k in kinds}, sep=" ; ").with_bootstrap(
            bootstrap, seed
        )

    def sentence_scores(
        self, predictions, references=None, articles=None, *, tasks=None, hit_length_caps=None
    ) -> list[dict]:
        predictions, articles = list(predictions), list(articles)
        kinds = self._kinds(predictions, tasks)
        results = [None] * len(predictions)
        for kind in set(kinds):
            idx = [i for i, k in enumerate(kinds) if k == kind]
            scored = self.checkers[kind].score(
                [articles[i] for i in idx], [predictions[i] for i in idx]
            )
            for i, res in zip(idx, scored):
                results[i] = res
        out = []
        for kind, res in zip(kinds, results):
            d = res.as_dict()
            item = {
                "scores": {"consistency": res.score, "consistent": res.consistent},
                "details": {
                    "kind": kind,
                    "unsupported_spans": d["unsupported_spans"],
                    "backend_scores": d["backend_scores"],
                    **({"verdict": res.verdict, "evidence": res.evidence} if res.verdict else {}),
                },
            }
            if res.error:
                item["error"] = res.error
            if res.warnings:  # e.g. article cut, text not English
                item["warnings"] = list(res.warnings)
            out.append(item)
        return out
