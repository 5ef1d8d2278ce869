"""How well a metric agrees with human judgments: Kendall/Spearman correlations at the summary,
system and pooled levels, and pairwise-preference accuracy, each with a percentile interval from
resampling documents (eval.stats). Used by `python -m eval meta-human`."""

from __future__ import annotations

import numpy as np

from eval.stats import bootstrap_ci, percentile_interval, resample_indices


def matrix(rows, value, docs, systems) -> np.ndarray:
    """docs x systems array of value(row); NaN where a pair is missing or None."""
    m = np.full((len(docs), len(systems)), np.nan)
    d_index, s_index = {d: i for i, d in enumerate(docs)}, {s: i for i, s in enumerate(systems)}
    for row in rows:
        v = value(row)
        if v is not None:
            m[d_index[row["doc"]], s_index[row["system"]]] = float(v)
    return m


def _corr(x, y, kind: str) -> float:
    from scipy.stats import kendalltau, spearmanr

    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
        return np.nan
    return float((kendalltau if kind == "kendall" else spearmanr)(x[ok], y[ok])[0])


LEVELS = ("summary", "system")


def correlations(
    metric: np.ndarray,
    human: np.ndarray,
    n_resamples=1000,
    seed=12345,
    confidence=0.95,
    levels=LEVELS,
) -> dict:
    """Kendall/Spearman at each level with percentile intervals from resampling documents:
    summary (within each document, averaged), system (of per-system means) and pooled (all
    cells together; for ratings where documents have one prediction each)."""
    out = {}
    draws = resample_indices(metric.shape[0], n_resamples, seed)

    def with_interval(value, boots):
        boots = np.array(boots)[~np.isnan(boots)]
        low, high = percentile_interval(boots, confidence) if len(boots) else (np.nan, np.nan)
        return [value, float(low), float(high)]

    for kind in ("kendall", "spearman"):
        if "summary" in levels:
            per_doc = np.array([_corr(metric[i], human[i], kind) for i in range(metric.shape[0])])
            per_doc = per_doc[~np.isnan(per_doc)]
            if len(per_doc) >= 2:
                ci = bootstrap_ci(
                    per_doc, n_resamples=n_resamples, seed=seed, confidence=confidence
                )
                out[f"summary_{kind}"] = [float(ci.mean), float(ci.low), float(ci.high)]
        if "system" in levels:
            system = _corr(np.nanmean(metric, axis=0), np.nanmean(human, axis=0), kind)
            boots = [
                _corr(np.nanmean(metric[d], axis=0), np.nanmean(human[d], axis=0), kind)
                for d in draws
            ]
            out[f"system_{kind}"] = with_interval(system, boots)
        if "pooled" in levels:
            pooled = _corr(metric.ravel(), human.ravel(), kind)
            boots = [_corr(metric[d].ravel(), human[d].ravel(), kind) for d in draws]
            out[f"pooled_{kind}"] = with_interval(pooled, boots)
    return out


def correlation_table(
    rows, fields, docs, systems, dims, suffix, n_resamples, seed, levels=LEVELS
) -> dict:
    """{metric field (with suffix for reference-based ones): {dimension: correlations}} for the
    `fields` that some row has."""
    table = {}
    for field in [f for f in fields if any(r["scores"].get(f) is not None for r in rows)]:
        name = f"{field}{suffix}" if field.startswith(("rouge", "bertscore")) else field
        m = matrix(rows, lambda r, f=field: r["scores"].get(f), docs, systems)
        table[name] = {
            dim: correlations(
                m,
                matrix(rows, lambda r, d=dim: r["human"][d], docs, systems),
                n_resamples,
                seed,
                levels=levels,
            )
            for dim in dims
        }
    return table


def pairwise_agreement(
    a: np.ndarray,
    b: np.ndarray,
    preferred: list[str],
    groups: list[str],
    n_resamples=1000,
    seed=12345,
    confidence=0.95,
) -> dict:
    """Share of pairs where the metric prefers what the raters preferred (higher score = better;
    equal scores are a metric tie, which agrees only with a rater tie), with a percentile
    interval from resampling documents (`groups`). Pairs the metric could not score are counted
    in `unscored`, outside the accuracy."""
    ok = ~(np.isnan(a) | np.isnan(b))
    verdict = np.where(np.isclose(a, b, rtol=0, atol=1e-12), "tie", np.where(a > b, "a", "b"))
    agree = (verdict == np.array(preferred)).astype(float)
    names, index = np.unique(np.array(groups)[ok], return_inverse=True)
    out = {
        "n": int(ok.sum()),
        "unscored": int((~ok).sum()),
        "metric_ties": int((verdict[ok] == "tie").sum()),
    }
    if not ok.any():
        return {**out, "accuracy": [np.nan, np.nan, np.nan]}
    sums = np.bincount(index, weights=agree[ok], minlength=len(names))
    counts = np.bincount(index, minlength=len(names)).astype(float)
    draws = resample_indices(len(names), n_resamples, seed)
    boots = sums[draws].sum(axis=1) / counts[draws].sum(axis=1)
    low, high = percentile_interval(boots, confidence)
    return {**out, "accuracy": [float(agree[ok].mean()), float(low), float(high)]}
