"""Meta-evaluation against human labels: scoring labelled rows with a backend (cached and
resumable, since the model backends take minutes), threshold fitting on dev data, and balanced
accuracy / ROC-AUC / F1 (scikit-learn's) with bootstrap intervals per source.

BA, AUC and F1 are not means of per-row values, so their intervals resample rows
(eval.stats.resample_indices) and recompute the statistic, instead of eval.stats.bootstrap_ci's
resampled means; `paired_macro_test` resamples within each source, a stratified bootstrap."""

from __future__ import annotations

import copy
import math
import warnings
from pathlib import Path

import numpy as np

from eval.base import paths
from eval.base.cache import ScoreCache, example_key
from eval.stats import PairedTest, percentile_interval, resample_indices


def cache_dir() -> Path:
    # Scores cached here are per-backend-signature, so safe to reuse across runs.
    return paths.cache_dir("consistency")


def scores_key(signature) -> str:
    """The signature without the decision threshold: scores do not depend on it, so a cache
    filled while calibrating stays valid after the threshold is refitted."""
    return "|".join(
        p for p in str(signature).split("|") if not p.startswith(("threshold:", "thr_from:"))
    )


def score_rows(
    checker, rows: list[dict], cache: Path | None = None, chunk: int = 32, progress: bool = True
) -> list[dict]:
    """Backend results for `rows` as dicts {score, backend_scores, error}; with `cache` (a
    folder), results are kept in its scores.sqlite (the shared eval.base.cache.ScoreCache, keyed
    by the checker's signature without the threshold, the article and the summary): rows scored
    before are read back, and new ones are committed a chunk at a time, so a killed run resumes
    where it stopped."""
    from tqdm import tqdm

    backend = getattr(checker, "backend", None)
    if cache is not None and getattr(backend, "weights", None) and hasattr(backend, "members"):
        return _ensemble_rows(checker, rows, cache, chunk, progress)

    signature = scores_key(checker.signature)
    keys = [example_key(signature, row, fields=("article", "summary")) for row in rows]
    store = ScoreCache(Path(cache) / "scores.sqlite") if cache is not None else None
    known = store.get_many(keys) if store else {}
    todo = list({k: row for k, row in zip(keys, rows) if k not in known}.items())
    bar = tqdm(
        total=len(todo), desc=f"scoring {checker.backend_name}", disable=not progress or not todo
    )
    try:
        for i in range(0, len(todo), chunk):
            batch = todo[i : i + chunk]
            results = checker.score(
                [r["article"] for _, r in batch], [r["summary"] for _, r in batch]
            )
            done = {
                key: {"score": res.score, "backend_scores": res.backend_scores, "error": res.error}
                for (key, _), res in zip(batch, results)
            }
            known.update(done)
            if store:
                store.put_many(done)
            bar.update(len(batch))
    finally:
        bar.close()
        if store:
            store.close()
    return [known[key] for key in keys]


def _ensemble_rows(checker, rows, cache, chunk, progress) -> list[dict]:
    """A fitted ensemble scored from its members' caches (the ones `calibrate` fills), so
    benchmarking it costs no model pass the members have not already made."""
    from eval.consistency.ensemble import combine

    per_member = {}
    for name, backend in checker.backend.members.items():
        member = copy.copy(checker)  # same article cap and kind; only the backend differs
        member.backend_name, member.backend = name, backend
        per_member[name] = score_rows(member, rows, cache, chunk, progress)
    out = []
    for results in zip(*per_member.values()):
        errors = [f"{n}: {r['error']}" for n, r in zip(per_member, results) if r["error"]]
        if errors:
            out.append({"score": None, "backend_scores": None, "error": "; ".join(errors)})
            continue
        features = {}
        for name, r in zip(per_member, results):
            features.update({name: r["score"], **(r["backend_scores"] or {})})
        out.append(
            {
                "score": combine(checker.backend.weights, features),
                "backend_scores": features,
                "error": None,
            }
        )
    return out


def balanced_accuracy(labels, predictions) -> float:
    """Mean recall of the classes present in `labels` (scikit-learn's balanced accuracy)."""
    from sklearn.metrics import balanced_accuracy_score

    with warnings.catch_warnings():  # one class present: the mean is that class's recall
        warnings.simplefilter("ignore", UserWarning)
        return float(balanced_accuracy_score(np.asarray(labels, int), np.asarray(predictions, int)))


def best_threshold(labels, scores, max_candidates: int | None = None) -> float:
    """The threshold maximising balanced accuracy: a midpoint between neighbouring scores (the
    lowest on a tie); with more midpoints than `max_candidates`, that many quantile steps of the
    scores instead."""
    scores = np.asarray(scores, float)
    s = np.unique(scores)
    candidates = (
        np.concatenate([[s[0] - 1e-9], (s[1:] + s[:-1]) / 2, [s[-1] + 1e-9]]) if len(s) > 1 else s
    )
    if max_candidates and len(candidates) > max_candidates:
        candidates = np.quantile(scores, np.linspace(0, 1, max_candidates + 1))
    values = [balanced_accuracy(labels, scores >= t) for t in candidates]
    return float(candidates[int(np.argmax(values))])


def roc_auc(labels, scores) -> float:
    """ROC-AUC, ties counted half (scikit-learn's); NaN when only one class is present."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels, int)
    if len(np.unique(y)) < 2:
        return math.nan
    return float(roc_auc_score(y, np.asarray(scores, float)))


def f1(labels, predictions) -> float:
    """F1 of the *inconsistent* class (the errors a checker is there to catch); NaN when neither
    the labels nor the predictions have one."""
    from sklearn.metrics import f1_score

    return float(
        f1_score(
            np.asarray(labels, int), np.asarray(predictions, int), pos_label=0, zero_division=np.nan
        )
    )


def evaluate(labels, scores, threshold: float, n_resamples: int = 1000, seed: int = 12345) -> dict:
    """Point values and 95% bootstrap intervals (resampling rows) of BA, AUC and F1."""
    labels, scores = np.asarray(labels, int), np.asarray(scores, float)
    preds = scores >= threshold
    point = {
        "ba": balanced_accuracy(labels, preds),
        "auc": roc_auc(labels, scores),
        "f1": f1(labels, preds),
    }
    draws = {k: [] for k in point}
    for idx in resample_indices(len(labels), n_resamples, seed):
        draws["ba"].append(balanced_accuracy(labels[idx], preds[idx]))
        draws["auc"].append(roc_auc(labels[idx], scores[idx]))
        draws["f1"].append(f1(labels[idx], preds[idx]))
    out = {"n": len(labels), "positives": int(labels.sum()), "threshold": threshold}
    for k, v in point.items():
        out[k] = (v, *_interval(draws[k]))
    return out


def paired_macro_test(
    labels,
    sources,
    scores_a,
    scores_b,
    thresholds_a: dict,
    thresholds_b: dict,
    n_resamples: int = 1000,
    seed: int = 12345,
) -> dict:
    """Is checker b better than checker a on the mean over sources? For BA (at per-source
    thresholds) and ROC-AUC: the difference b - a, its 95% interval and a two-sided p-value,
    from resampling rows within each source, the same rows for both checkers (a paired
    bootstrap, with eval.stats.paired_bootstrap's p-value convention)."""
    labels, sources = np.asarray(labels, int), np.asarray(sources)
    a, b = np.asarray(scores_a, float), np.asarray(scores_b, float)
    groups = [np.flatnonzero(sources == s) for s in np.unique(sources)]

    def macro(idx_groups):
        out = []
        for idx in idx_groups:
            s = sources[idx[0]]
            y = labels[idx]
            out.append(
                [
                    balanced_accuracy(y, b[idx] >= thresholds_b[s])
                    - balanced_accuracy(y, a[idx] >= thresholds_a[s]),
                    roc_auc(y, b[idx]) - roc_auc(y, a[idx]),
                ]
            )
        return np.nanmean(np.array(out, float), axis=0)

    observed = macro(groups)
    rng = np.random.default_rng(seed)
    draws = np.array(
        [macro([rng.choice(idx, len(idx)) for idx in groups]) for _ in range(n_resamples)]
    )
    extreme = np.abs(draws - np.nanmean(draws, axis=0)) >= np.abs(observed)
    p = (extreme.sum(axis=0) + 1) / (n_resamples + 1)
    return {
        k: PairedTest(float(observed[i]), *_interval(draws[:, i]), float(p[i]))
        for i, k in enumerate(("ba", "auc"))
    }


def _interval(draws) -> tuple[float, float]:
    """95% percentile interval of the bootstrap values that are defined (a resample can lack a
    class, and so an AUC); NaN when none is."""
    values = np.asarray(draws, float)
    values = values[~np.isnan(values)]
    if not len(values):
        return math.nan, math.nan
    low, high = percentile_interval(values, 0.95)
    return float(low), float(high)
