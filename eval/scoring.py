"""The shared scorer: metrics of the registry (eval.metrics, each a Metric of eval.base.metric)
over validated rows (eval.rows), through the per-example cache. `eval score`, `eval run`,
`eval meta-human` and the Ray actors all score with it, so every command records scores,
details, errors and row warnings the same way.
"""

from __future__ import annotations

import itertools
import logging

from eval.base.cache import ScoreCache, example_key
from eval.metrics import MetricUnavailable, load_metric

log = logging.getLogger(__name__)


def load_metrics(names, options: dict | None = None) -> tuple[list, dict]:
    """Metric objects for `names`, plus info per name (signature, or skipped and why)."""
    metrics, info = [], {}
    for name in names:
        try:
            metric = load_metric(name, **(options or {}).get(name, {}))
        except MetricUnavailable as err:
            log.warning("skipping %s", err)
            info[name] = {"status": "skipped", "reason": str(err)}
            continue
        metrics.append(metric)
        info[name] = {"status": "ok", "signature": str(metric.signature())}
        if metric.fallback_reasons:  # e.g. consistency fell back to another backend
            info[name]["fallback_from"] = metric.fallback_reasons
            log.warning("%s: fell back: %s", name, "; ".join(metric.fallback_reasons))
    return metrics, info


def metric_inputs(rows) -> dict[str, list]:
    """The Metric protocol's input columns of validated rows."""
    return {
        "predictions": [r["prediction"] for r in rows],
        "references": [r.get("references") for r in rows],
        "articles": [r.get("article") for r in rows],
        "tasks": [r.get("task") for r in rows],
        "hit_length_caps": [r.get("hit_length_cap") for r in rows],
    }


def scorable(row, metric) -> bool:
    """A row without errors that has every field the metric needs (references: a non-blank one)."""
    return "error" not in row and all(_has(row, need) for need in metric.needs)


def _has(row, need) -> bool:
    value = row.get(need)
    return bool(value) and (need != "references" or any(r.strip() for r in value))


def score_rows(
    rows,
    metrics,
    cache: ScoreCache | None = None,
    batch_size: int = 256,
    progress: bool = True,
    first_index: int = 0,
):
    """Adds `scores`, `details` and `errors` to every scorable row, metric by metric, batch by
    batch; cached examples are not recomputed, new ones are cached as each batch finishes.
    A batch holds the rows of one window of `batch_size` input positions (`first_index` is the
    position of rows[0]), so a shard that starts on a window gets the batches the whole input
    would: model backends that pad a batch give bit-identical numbers either way."""
    from tqdm import tqdm

    for row in rows:
        row.setdefault("scores", {})
        row.setdefault("details", {})
        row.setdefault("errors", {})
        row.setdefault("warnings", [])
        row.setdefault("metric_warnings", {})  # metric -> its warnings (counted in the summary)
    window = {id(r): (first_index + i) // batch_size for i, r in enumerate(rows)}
    for metric in metrics:
        signature = str(metric.signature())
        todo = [r for r in rows if scorable(r, metric)]
        keys = [example_key(signature, r) for r in todo]
        cached = cache.get_many(keys) if cache else {}
        missing = [(r, k) for r, k in zip(todo, keys) if k not in cached]
        bar = tqdm(
            total=len(missing), desc=metric.name, unit="row", disable=not progress or not missing
        )
        for _, group in itertools.groupby(missing, key=lambda pair: window[id(pair[0])]):
            batch = list(group)
            results = metric.sentence_scores(**metric_inputs([r for r, _ in batch]))
            fresh = {k: res for (_, k), res in zip(batch, results)}
            if cache:
                cache.put_many(fresh)
            cached.update(fresh)
            bar.update(len(batch))
        bar.close()
        for row, key in zip(todo, keys):
            result = cached[key]
            row["scores"].update(result.get("scores", {}))
            if result.get("details"):
                row["details"][metric.name] = result["details"]
            if result.get("error"):
                row["errors"][metric.name] = result["error"]
            if result.get("warnings"):  # e.g. ROUGE: a text with zero tokens scores 0
                row["metric_warnings"][metric.name] = list(result["warnings"])
                row["warnings"] += [f"{metric.name}: {w}" for w in result["warnings"]]
    return rows


def used_signatures(metrics, rows, info: dict) -> None:
    """Replaces each metric's signature in `info` (taken when it was loaded) by the signature
    of the rows it scored: ROUGE's number of references, the consistency kinds the rows were."""
    for metric in metrics:
        scored = [r for r in rows if scorable(r, metric)]
        info[metric.name]["signature"] = str(metric.signature(**metric_inputs(scored)))
