"""Meta-evaluation against human labels: scoring labelled rows with a backend (cached and
resumable, since the model backends take minutes), threshold fitting on dev data, and balanced
accuracy / ROC-AUC / F1 with bootstrap intervals per source."""

from __future__ import annotations

import copy
import hashlib
import math
from pathlib import Path

import numpy as np

from eval.base import paths
from eval.base.io import ResumableJsonl


def cache_dir() -> Path:
    # Scores cached here are per-backend-signature, so safe to reuse across runs.
    return paths.cache_dir("consistency")


def scores_key(signature) -> str:
    """The signature without the decision threshold: scores do not depend on it, so a cache
    filled while calibrating stays valid after the threshold is refitted."""
    return "|".join(p for p in str(signature).split("|") if not p.startswith(("threshold:", "thr_from:")))


def score_rows(checker, rows: list[dict], cache: Path | None = None, chunk: int = 32,
               progress: bool = True) -> list[dict]:
    """Backend results for `rows` as dicts {score, backend_scores, error}; with `cache`, rows
    already scored (same backend signature, same article and summary) are read back and new ones
    appended as they finish, so a killed run resumes where it stopped."""
    from tqdm import tqdm

    backend = getattr(checker, "backend", None)
    if cache is not None and getattr(backend, "weights", None) and hasattr(backend, "members"):
        return _ensemble_rows(checker, rows, cache, chunk, progress)

    def key(row):
        return hashlib.sha1((row["article"] + "\x00" + row["summary"]).encode()).hexdigest()

    store = None
    if cache is not None:
        name = hashlib.sha1(scores_key(checker.signature).encode()).hexdigest()[:12]
        store = ResumableJsonl(Path(cache) / f"{checker.backend_name}-{name}.jsonl", key="key")
    known = {r["key"]: r for r in store.rows} if store else {}
    todo = [r for r in rows if key(r) not in known]
    bar = tqdm(total=len(todo), desc=f"scoring {checker.backend_name}", disable=not progress or not todo)
    try:
        for i in range(0, len(todo), chunk):
            batch = todo[i: i + chunk]
            results = checker.score([r["article"] for r in batch], [r["summary"] for r in batch])
            for row, res in zip(batch, results):
                item = {"key": key(row), "score": res.score, "backend_scores": res.backend_scores,
                        "error": res.error}
                known[item["key"]] = item
                if store:
                    store.write(item)
            bar.update(len(batch))
    finally:
        bar.close()
        if store:
            store.close()
    return [known[key(r)] for r in rows]


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
        out.append({"score": combine(checker.backend.weights, features), "backend_scores": features, "error": None})
    return out


def balanced_accuracy(labels, predictions) -> float:
    y, p = np.asarray(labels, bool), np.asarray(predictions, bool)
    tpr = (p & y).sum() / y.sum() if y.any() else math.nan
    tnr = (~p & ~y).sum() / (~y).sum() if (~y).any() else math.nan
    return float(np.nanmean([tpr, tnr]))


def best_threshold(labels, scores) -> float:
    """The threshold maximising balanced accuracy (midpoint between neighbouring scores)."""
    s = np.unique(np.asarray(scores, float))
    candidates = np.concatenate([[s[0] - 1e-9], (s[1:] + s[:-1]) / 2, [s[-1] + 1e-9]]) if len(s) > 1 else s
    values = [balanced_accuracy(labels, np.asarray(scores) >= t) for t in candidates]
    return float(candidates[int(np.argmax(values))])


def roc_auc(labels, scores) -> float:
    """Mann-Whitney AUC with ties counted half (NaN when only one class is present)."""
    from scipy.stats import rankdata

    y = np.asarray(labels, bool)
    n_pos, n_neg = y.sum(), (~y).sum()
    if not n_pos or not n_neg:
        return math.nan
    ranks = rankdata(scores)
    return float((ranks[y].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def f1(labels, predictions) -> float:
    """F1 of the *inconsistent* class (the errors a checker is there to catch)."""
    y, p = ~np.asarray(labels, bool), ~np.asarray(predictions, bool)
    tp = (p & y).sum()
    return float(2 * tp / (p.sum() + y.sum())) if (p.sum() + y.sum()) else math.nan


def evaluate(labels, scores, threshold: float, n_resamples: int = 1000, seed: int = 12345) -> dict:
    """Point values and 95% bootstrap intervals (resampling rows) of BA, AUC and F1."""
    labels, scores = np.asarray(labels, int), np.asarray(scores, float)
    preds = scores >= threshold
    point = {"ba": balanced_accuracy(labels, preds), "auc": roc_auc(labels, scores), "f1": f1(labels, preds)}
    rng = np.random.default_rng(seed)
    draws = {k: [] for k in point}
    for _ in range(n_resamples):
        idx = rng.integers(0, len(labels), len(labels))
        draws["ba"].append(balanced_accuracy(labels[idx], preds[idx]))
        draws["auc"].append(roc_auc(labels[idx], scores[idx]))
        draws["f1"].append(f1(labels[idx], preds[idx]))
    out = {"n": len(labels), "positives": int(labels.sum()), "threshold": threshold}
    for k, v in point.items():
        arr = np.asarray(draws[k], float)
        out[k] = (v, float(np.nanpercentile(arr, 2.5)), float(np.nanpercentile(arr, 97.5)))
    return out


def paired_macro_test(labels, sources, scores_a, scores_b, thresholds_a: dict, thresholds_b: dict,
                      n_resamples: int = 1000, seed: int = 12345) -> dict:
    """Is checker b better than checker a on the mean over sources? For BA (at per-source
    thresholds) and ROC-AUC: the difference b - a, its 95% interval and a two-sided p-value,
    from resampling rows within each source, the same rows for both checkers (a paired
    bootstrap, with eval.stats.paired_bootstrap's p-value convention)."""
    from eval.stats import PairedTest

    labels, sources = np.asarray(labels, int), np.asarray(sources)
    a, b = np.asarray(scores_a, float), np.asarray(scores_b, float)
    groups = [np.flatnonzero(sources == s) for s in np.unique(sources)]

    def macro(idx_groups):
        out = []
        for idx in idx_groups:
            s = sources[idx[0]]
            y = labels[idx]
            out.append([balanced_accuracy(y, b[idx] >= thresholds_b[s]) - balanced_accuracy(y, a[idx] >= thresholds_a[s]),
                        roc_auc(y, b[idx]) - roc_auc(y, a[idx])])
        return np.nanmean(np.array(out, float), axis=0)

    observed = macro(groups)
    rng = np.random.default_rng(seed)
    draws = np.array([macro([rng.choice(idx, len(idx)) for idx in groups]) for _ in range(n_resamples)])
    low, high = np.nanpercentile(draws, [2.5, 97.5], axis=0)
    extreme = np.abs(draws - np.nanmean(draws, axis=0)) >= np.abs(observed)
    p = (extreme.sum(axis=0) + 1) / (n_resamples + 1)
    return {k: PairedTest(float(observed[i]), float(low[i]), float(high[i]), float(p[i]))
            for i, k in enumerate(("ba", "auc"))}
