"""Fit what the checker stores: the ensemble's weights (ensemble.json) and each backend's
decision threshold (calibration.json).

    python -m eval.consistency.calibrate [--members ngram entities lm align] [--output DIR]

Both files go to --output, by default $SUMM_CACHE_DIR/calibration, which the checker reads
before the files shipped in the package (eval/consistency/calibration.py); a maintainer updates
the shipped ones with `--output eval/consistency`. A member that is unknown or not installed
here stops the run with one line naming it.

The three splits of the labelled data play train / validation / test
(eval/consistency/datasets.py):
- weights are fitted on `train` (every labelled source);
- the member subset is chosen, and thresholds are fitted, on `dev_fit` (the target mix);
- `dev_eval` stays untouched for benchmarks/bench_consistency.py.

The fit is a logistic regression on *pairs* (a consistent and an inconsistent summary of the
same source), each source weighted equally: it ranks within a dataset, which is what per-source
ROC-AUC measures. A model fitted on pooled rows (the earlier version) also learns which dataset
a row comes from, since base rates differ (10% consistent in XSumFaith, 62% in SummEval), and
it lost to its own best member on held-out data.

Member scores are cached under $SUMM_CACHE_DIR/consistency (resumable after a kill).
"""

from __future__ import annotations

import argparse
import itertools
import json
from datetime import date
from pathlib import Path

import numpy as np

from eval.base.io import atomic_write_json
from eval.consistency import ConsistencyChecker, calibration, registry
from eval.consistency import datasets as ds
from eval.consistency.ensemble import combine
from eval.consistency.meta import balanced_accuracy, cache_dir, roc_auc, score_rows

# Left out by default: align (as a third member, dev_fit AUC 0.756 vs 0.758 without it) and lm
# (0.3-1 pairs/s; a member must score all 2,679 `train` rows).
DEFAULT_MEMBERS = ("ngram", "entities")
# The trained cross-encoder learnt on `train`: its scores there are fitted, not honest features.
FITTED_ON_TRAIN = {"trained"}


def macro_threshold(labels, scores, sources) -> float:
    """The threshold maximising the mean over sources of balanced accuracy (so the large,
    skewed sources do not decide alone)."""
    labels, scores, sources = np.asarray(labels), np.asarray(scores, float), np.asarray(sources)
    candidates = np.unique(np.quantile(scores, np.linspace(0, 1, 401)))

    def macro(t):
        return np.nanmean(
            [
                balanced_accuracy(labels[sources == s], scores[sources == s] >= t)
                for s in np.unique(sources)
            ]
        )

    return float(max(candidates, key=macro))


def fit_pairwise(
    features: np.ndarray, labels: np.ndarray, sources: np.ndarray, c: float = 0.1
) -> dict:
    """L2 logistic regression on standardised feature differences of every (consistent,
    inconsistent) pair within a source, both orders, each source's pairs weighing the same in
    total. C=0.1 won on dev_fit against 0.01 and 1. No intercept: only the ranking is learnt,
    the thresholds are fitted afterwards. Deterministic (all pairs, no sampling)."""
    from sklearn.linear_model import LogisticRegression

    labels, sources = np.asarray(labels), np.asarray(sources)
    mean, std = features.mean(0), features.std(0) + 1e-9
    z = (features - mean) / std
    diffs, weights = [], []
    for source in np.unique(sources):
        pos = np.flatnonzero((sources == source) & (labels == 1))
        neg = np.flatnonzero((sources == source) & (labels == 0))
        if len(pos) and len(neg):
            d = (z[pos][:, None, :] - z[neg][None, :, :]).reshape(-1, z.shape[1])
            diffs.append(d)
            weights.append(np.full(len(d), 1.0 / len(d)))
    if not diffs:
        raise ValueError("no source has both consistent and inconsistent rows")
    d, w = np.vstack(diffs), np.concatenate(weights)
    w *= len(w) / w.sum()
    model = LogisticRegression(C=c, fit_intercept=False, max_iter=5000)
    model.fit(
        np.vstack([d, -d]), np.r_[np.ones(len(d)), np.zeros(len(d))], sample_weight=np.r_[w, w]
    )
    return {
        "weights": model.coef_[0].tolist(),
        "bias": 0.0,
        "mean": mean.tolist(),
        "std": std.tolist(),
    }


def mean_auc(labels, scores, sources) -> float:
    return float(
        np.nanmean(
            [roc_auc(labels[sources == s], scores[sources == s]) for s in np.unique(sources)]
        )
    )


def member_features(name: str, rows: list[dict]) -> dict[str, np.ndarray]:
    """A member's score and its extra signals, one array each; a row it cannot score (e.g. an
    empty summary) counts as inconsistent evidence (0)."""
    results = score_rows(ConsistencyChecker(name, threshold=0.5), rows, cache_dir())
    names = sorted({k for r in results for k in (r["backend_scores"] or {})} | {name})
    return {
        f: np.array([(r["backend_scores"] or {}).get(f, r["score"] or 0.0) for r in results])
        for f in names
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", nargs="+", default=list(DEFAULT_MEMBERS))
    parser.add_argument(
        "--output",
        type=Path,
        help="folder for calibration.json and ensemble.json "
        "(default: $SUMM_CACHE_DIR/calibration, read by the checker before the shipped files)",
    )
    args = parser.parse_args(argv)
    if FITTED_ON_TRAIN & set(args.members):
        parser.error(
            f"{', '.join(sorted(FITTED_ON_TRAIN & set(args.members)))}: trained on the train split, "
            "so its scores there cannot be used to fit weights"
        )
    problem = unusable(args.members)
    if problem:
        parser.error(problem)
    members, output = args.members, args.output or calibration.user_dir()
    data = {"train": ds.load_all("train"), "dev_fit": ds.load_all("dev_fit", ds.TARGET_SOURCES)}
    labels = {k: np.array([r["label"] for r in rows]) for k, rows in data.items()}
    sources = {k: np.array([r["source"] for r in rows]) for k, rows in data.items()}
    features = {k: {m: member_features(m, rows) for m in members} for k, rows in data.items()}
    for m in members:
        auc = mean_auc(labels["dev_fit"], features["dev_fit"][m][m], sources["dev_fit"])
        print(
            f"{m:10s} dev_fit mean AUC over sources {auc:.3f}; features {list(features['dev_fit'][m])}"
        )

    def matrix(split, chosen):
        return np.column_stack([v for m in chosen for v in features[split][m].values()])

    # Every subset of members is fitted on train and scored on dev_fit; the best mean per-source
    # AUC wins, and a larger subset must beat a smaller one by 0.005 (noise at ~1,100 rows), so
    # ties go to fewer members, i.e. a faster checker.
    best = None
    for size in range(1, len(members) + 1):
        for subset in itertools.combinations(members, size):
            w = fit_pairwise(matrix("train", subset), labels["train"], sources["train"])
            z = ((matrix("dev_fit", subset) - w["mean"]) / w["std"]) @ np.array(w["weights"])
            value = mean_auc(labels["dev_fit"], z, sources["dev_fit"])
            print(f"dev_fit AUC {'+'.join(subset):30s} {value:.4f}")
            if best is None or value > best[0] + 0.005:
                best = (value, list(subset), w)
    value, chosen, w = best
    weights = {
        "features": [f for m in chosen for f in features["train"][m]],
        **w,
        "fitted_on": "train:pairwise-within-source",
        "rows": len(data["train"]),
        "chosen_on": f"dev_fit:{'+'.join(ds.TARGET_SOURCES)}",
        "dev_fit_auc": round(value, 4),
        "date": str(date.today()),
    }
    atomic_write_json(output / calibration.WEIGHTS_FILE, weights)
    table = {f: v for m in chosen for f, v in features["dev_fit"][m].items()}
    scores = {m: features["dev_fit"][m][m] for m in members}
    scores["ensemble"] = np.array(
        [combine(weights, {f: v[i] for f, v in table.items()}) for i in range(len(data["dev_fit"]))]
    )
    thresholds = {
        name: round(macro_threshold(labels["dev_fit"], s, sources["dev_fit"]), 6)
        for name, s in scores.items()
    }
    # keeps the other keys (the headline thresholds of benchmarks/calibrate_headline_consistency.py)
    path = calibration.update(
        output,
        "thresholds",
        thresholds,
        fitted_on=weights["chosen_on"],
        rows=len(data["dev_fit"]),
        objective="mean balanced accuracy over sources",
    )
    print(json.dumps({"members": chosen, "thresholds": thresholds}))
    print(f"wrote {output / calibration.WEIGHTS_FILE} and {path}")
    return 0


def unusable(members: list[str]) -> str | None:
    """Why a member cannot be scored here (unknown, or its extra not installed), or None: a fit
    must never quietly leave out a backend it was asked for."""
    for name in members:
        try:
            registry.backend_class(name)
        except ImportError as err:
            return (
                f"backend {name!r} is not installed here ({err}); install its extra "
                "(pip install 'headline-eval[consistency]') or leave it out of --members"
            )
        except ValueError as err:
            return str(err)
    return None


if __name__ == "__main__":
    raise SystemExit(main())
