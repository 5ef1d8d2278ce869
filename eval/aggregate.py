"""Aggregating scored rows (`{"scores": {field: value}, "category": ...}`) into summary.json:
means, bootstrap intervals, per-category means and counts of errors and warnings; and the
corpus score of the metrics whose corpus score is the mean of each field (`MeanMetric`)."""

from __future__ import annotations

from collections import Counter

import numpy as np

from eval.base.metric import CorpusScore, Metric
from eval.stats import POISSON_BLOCK_ROWS, bootstrap_ci


def numeric_fields(rows) -> list[str]:
    names = {}
    for row in rows:
        for k, v in row.get("scores", {}).items():
            if isinstance(v, (int, float)) and not isinstance(v, str):
                names[k] = None
    return list(names)


def field_values(rows, name) -> list[float]:
    out = []
    for row in rows:
        v = row.get("scores", {}).get(name)
        if v is not None and v == v:  # v != v only for NaN
            out.append(float(v))
    return out


def _columns(rows, names) -> dict[str, np.ndarray]:
    """field -> float array over rows (NaN where missing/None); bools count as 0/1."""
    cols = {n: np.full(len(rows), np.nan) for n in names}
    for i, row in enumerate(rows):
        for k, v in row.get("scores", {}).items():
            if v is not None and k in cols:
                cols[k][i] = float(v)
    return cols


def summarize(
    rows,
    metric_info: dict,
    problems,
    n_resamples=1000,
    seed=12345,
    confidence=0.95,
    method="multinomial",
) -> dict:
    """summary.json's body: per-field means with bootstrap intervals, per-category means, and
    the counts of errors and warnings (`problems`: the input's, eval.rows.Problems).
    method "poisson" is the seeded Poisson bootstrap (eval.stats) for very large runs."""
    names = numeric_fields(rows)
    cols = _columns(rows, names)
    scores = _field_means(cols)
    _add_intervals(scores, cols, n_resamples, seed, confidence, method)
    categories = np.array([r["category"] for r in rows])
    by_category = {}
    for cat in sorted(set(categories.tolist())):
        member = categories == cat
        by_category[cat] = {
            "n": int(member.sum()),
            **{
                n: (
                    float(np.nanmean(v))
                    if (v := cols[n][member]).size and not np.isnan(v).all()
                    else None
                )
                for n in names
            },
        }
    row_errors = Counter(m for r in rows for m in r.get("errors", {}))
    # warnings of the metrics (row["metric_warnings"]) count with the input's
    row_warnings, metric_warning_lines = Counter(), []
    for r in rows:
        for m, ws in r.get("metric_warnings", {}).items():
            row_warnings[m] += len(ws)
            where = " ".join(
                filter(None, [r.get("file"), f"line {r.get('line')} (id {r.get('id')!r})"])
            )
            metric_warning_lines += [f"{where}: {m}: {w}" for w in ws]
    found = problems.as_dict()
    return {
        "n_rows": len(rows),
        "n_scored": sum("error" not in r for r in rows),
        "metrics": metric_info,
        "scores": scores,
        "by_category": by_category,
        "bootstrap": {
            "n_resamples": n_resamples,
            "seed": seed,
            "confidence": confidence,
            "method": _bootstrap_method(method),
        },
        "problems": {
            **found,
            "warnings": found["warnings"] + len(metric_warning_lines),
            "first_warnings": (found["first_warnings"] + metric_warning_lines)[:20],
            "metric_errors": dict(row_errors),
            "metric_warnings": dict(row_warnings),
        },
    }


def _field_means(cols: dict[str, np.ndarray]) -> dict[str, dict]:
    scores = {}
    for name, col in cols.items():
        values = col[~np.isnan(col)]
        scores[name] = {
            "n": int(values.size),
            "mean": float(values.mean()) if values.size else None,
        }
    return scores


def _add_intervals(
    scores: dict[str, dict], cols: dict[str, np.ndarray], n_resamples, seed, confidence, method
) -> None:
    """`low` and `high` of every field with two values or more."""
    # Fields present on the same rows share one bootstrap call: the same seed draws the same
    # resamples, so this equals one call per field, in a fraction of the time.
    groups: dict[bytes, list[str]] = {}
    for name, col in cols.items():
        groups.setdefault(np.isnan(col).tobytes(), []).append(name)
    for group in groups.values():
        mask = ~np.isnan(cols[group[0]])
        if mask.sum() < 2:
            continue
        ci = bootstrap_ci(
            np.stack([cols[n][mask] for n in group], axis=1),
            n_resamples=n_resamples,
            seed=seed,
            confidence=confidence,
            method=method,
        )
        for j, n in enumerate(group):
            scores[n].update(low=float(ci.low[j]), high=float(ci.high[j]))


class MeanMetric(Metric):
    """A Metric whose corpus score is, per numeric score field, its mean over the examples that
    have it, with the bootstrap interval summary.json gives it (low = high = mid without one)."""

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
        inputs = {
            k: None if v is None else list(v)
            for k, v in dict(
                predictions=predictions,
                references=references,
                articles=articles,
                tasks=tasks,
                hit_length_caps=hit_length_caps,
            ).items()
        }
        if results is None:
            results = self.sentence_scores(**inputs)
        signature = self.signature(**inputs, bootstrap=bootstrap, seed=seed)
        cols = _columns(results, numeric_fields(results))
        fields = _field_means(cols)
        if bootstrap:
            _add_intervals(fields, cols, bootstrap, seed, confidence, "multinomial")
        return {
            name: CorpusScore(
                f["mean"], f.get("low", f["mean"]), f.get("high", f["mean"]), signature
            )
            for name, f in fields.items()
        }


def _bootstrap_method(method: str) -> str:
    if method == "poisson":
        return f"percentile, poisson(1) counts seeded per block of {POISSON_BLOCK_ROWS} rows"
    return "percentile"
