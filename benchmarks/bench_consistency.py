"""Consistency checkers against human labels, next to the baselines, on held-out dev data.

For each source of the target mix (FRANK valid, XSumFaith, SummaC polytope/summeval/xsumfaith)
the threshold is fitted on the source's dev_fit part and balanced accuracy, ROC-AUC and F1 of
the inconsistent class are reported on its dev_eval part (split by document hash, see
eval/consistency/datasets.py), with 95% bootstrap intervals. "stored thr" is the balanced
accuracy at the single threshold the checker ships with (fitted on dev_fit of all sources).
Baselines measured in the same run: 3-gram precision of the summary against the article, and
NER overlap (share of the summary's spaCy entities found verbatim in the article).
Then speed: pairs/s of the default backend (or of --speed-backends) on CNN/DM-length articles
(FRANK's CNN/DM rows), next to the 3-gram baseline timed on the same pairs.

    python benchmarks/bench_consistency.py [--backends ngram entities lm ensemble align@all-mpnet-base-v2] [--all-sources]
        [--speed-backends ngram lm]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eval.consistency import ConsistencyChecker
from eval.consistency import datasets as ds
from eval.consistency.meta import best_threshold, cache_dir, evaluate, paired_macro_test, score_rows
from eval.consistency.ngram import ngram_precision


class Baseline3gram:
    """Adapter so the 3-gram baseline goes through the same scoring loop."""

    backend_name, threshold = "3gram-precision", 0.5
    signature = "3gram-precision|n:3|tok:text.tokens"

    def score(self, articles, summaries):
        from eval.consistency import ConsistencyResult

        return [ConsistencyResult(ngram_precision(a, s), None) for a, s in zip(articles, summaries)]


def make_checker(name: str) -> ConsistencyChecker:
    """ "backend" or "backend@model" (e.g. align@all-mpnet-base-v2)."""
    backend, _, model = name.partition("@")
    return ConsistencyChecker(backend, **({"model": model} if model else {}))


def systems(names):
    out = {
        "3-gram precision (baseline)": Baseline3gram(),
        "NER overlap (baseline)": ConsistencyChecker("entities", normalise_values=False),
    }
    for name in names:
        try:
            out[name] = make_checker(name)
        except (ImportError, FileNotFoundError, ValueError) as err:
            print(f"skipping backend {name}: {err}")
    return out


def cell(m, key):
    value, low, high = m[key]
    return f"{100 * value:4.1f} [{100 * low:4.1f}-{100 * high:4.1f}]"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--backends", nargs="+", default=["ngram", "entities", "align", "trained", "lm", "ensemble"]
    )
    parser.add_argument(
        "--all-sources", action="store_true", help="also SummEval and AggreFact rows"
    )
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--speed-pairs", type=int, default=64)
    parser.add_argument(
        "--speed-backends", nargs="*", help="backends to time (default: the default backend)"
    )
    parser.add_argument("--output", default="runs/bench_consistency.json")
    args = parser.parse_args(argv)

    sources = None if args.all_sources else ds.TARGET_SOURCES
    fit, held = ds.load_all("dev_fit", sources), ds.load_all("dev_eval", sources)
    report = {"sources": {}, "systems": {}, "speed": {}}
    source_names = sorted(
        {r["source"] for r in held}, key=lambda s: (s not in ds.TARGET_SOURCES, s)
    )
    for s in source_names:
        report["sources"][s] = {
            "dev_fit": sum(r["source"] == s for r in fit),
            "dev_eval": sum(r["source"] == s for r in held),
            "dev_eval_consistent": sum(r["source"] == s and r["label"] for r in held),
        }
    print(
        "rows per source (dev_fit / dev_eval / consistent in dev_eval):",
        {s: tuple(v.values()) for s, v in report["sources"].items()},
    )
    paired = {}  # label -> (eval scores, per-source thresholds), for the paired tests below
    for label, checker in systems(args.backends).items():
        scored = {}
        for part, rows in (("fit", fit), ("eval", held)):
            results = score_rows(checker, rows, cache_dir())
            scored[part] = [
                (r["source"], r["label"], 0.0 if x["score"] is None else x["score"])
                for r, x in zip(rows, results)
            ]
        per_source = {}
        for s in source_names:
            f = [(y, v) for src, y, v in scored["fit"] if src == s]
            e = [(y, v) for src, y, v in scored["eval"] if src == s]
            thr = best_threshold([y for y, _ in f], [v for _, v in f])
            m = evaluate([y for y, _ in e], [v for _, v in e], thr, args.bootstrap, args.seed)
            stored = evaluate([y for y, _ in e], [v for _, v in e], checker.threshold, 0, args.seed)
            m["ba_stored_thr"] = stored["ba"][0]
            per_source[s] = m
        paired[label] = (
            [v for _, _, v in scored["eval"]],
            {s: per_source[s]["threshold"] for s in source_names},
        )
        target = [s for s in source_names if s in ds.TARGET_SOURCES]
        macro = {
            k: float(np.mean([per_source[s][k][0] for s in target])) for k in ("ba", "auc", "f1")
        }
        macro["ba_stored_thr"] = float(np.mean([per_source[s]["ba_stored_thr"] for s in target]))
        report["systems"][label] = {
            "signature": str(checker.signature),
            "macro": macro,
            "per_source": per_source,
        }
        print(f"\n## {label}   {checker.signature}")
        print(
            f"{'source':22s} {'bal. acc. [95% CI]':20s} {'ROC-AUC [95% CI]':20s} {'F1 incons. [95% CI]':20s} stored thr"
        )
        for s, m in per_source.items():
            print(
                f"{s:22s} {cell(m, 'ba'):20s} {cell(m, 'auc'):20s} {cell(m, 'f1'):20s} {100 * m['ba_stored_thr']:5.1f}"
            )
        print(
            f"{'mean of target sources':22s} {100 * macro['ba']:4.1f}{'':16s} {100 * macro['auc']:4.1f}{'':16s} "
            f"{100 * macro['f1']:4.1f}{'':16s} {100 * macro['ba_stored_thr']:5.1f}",
            flush=True,
        )

    print(
        "\n| system | "
        + " | ".join(source_names)
        + " | mean BA | mean AUC | mean BA (stored thr) |"
    )
    print("|---" * (len(source_names) + 4) + "|")
    for label, res in report["systems"].items():
        cells = [
            f"{100 * res['per_source'][s]['ba'][0]:.1f} / {100 * res['per_source'][s]['auc'][0]:.1f}"
            for s in source_names
        ]
        m = res["macro"]
        print(
            f"| {label} | "
            + " | ".join(cells)
            + f" | {100 * m['ba']:.1f} | {100 * m['auc']:.1f} | {100 * m['ba_stored_thr']:.1f} |"
        )

    # Paired tests against the default backend: same rows resampled for both checkers.
    default = ConsistencyChecker().backend_name
    if default in paired:
        labels, srcs = [r["label"] for r in held], [r["source"] for r in held]
        in_target = np.isin(srcs, ds.TARGET_SOURCES)
        print(
            f"\nminus `{default}` on the mean over target sources (paired bootstrap, {args.bootstrap} "
            f"within-source row resamples, seed {args.seed}):"
        )
        for label, (values, thresholds) in paired.items():
            if label == default:
                continue
            test = paired_macro_test(
                np.array(labels)[in_target],
                np.array(srcs)[in_target],
                np.array(paired[default][0])[in_target],
                np.array(values)[in_target],
                paired[default][1],
                thresholds,
                args.bootstrap,
                args.seed,
            )
            report["systems"][label]["minus_default"] = {k: t._asdict() for k, t in test.items()}
            print(
                f"  {label:28s} BA {100 * test['ba'].diff:+5.1f} [{100 * test['ba'].low:+5.1f}, {100 * test['ba'].high:+5.1f}] "
                f"p={test['ba'].p_value:.3f}   AUC {100 * test['auc'].diff:+5.1f} [{100 * test['auc'].low:+5.1f}, "
                f"{100 * test['auc'].high:+5.1f}] p={test['auc'].p_value:.3f}"
            )

    # Speed on CNN/DM-length articles.
    cnndm = [r for r in ds.load("frank") if r["origin"] == "cnndm"][: args.speed_pairs]
    articles, summaries = [r["article"] for r in cnndm], [r["summary"] for r in cnndm]
    t0 = time.perf_counter()
    for a, s in zip(articles, summaries):
        ngram_precision(a, s)
    baseline = len(cnndm) / (time.perf_counter() - t0)
    speed = {}
    for name in args.speed_backends or [ConsistencyChecker().backend_name]:
        checker = make_checker(name)
        checker.score(articles[:2], summaries[:2])  # warm-up: model loading is not per-pair cost
        t0 = time.perf_counter()
        checker.score(articles, summaries)
        speed[name] = len(cnndm) / (time.perf_counter() - t0)
    report["speed"] = {
        "pairs": len(cnndm),
        "mean_article_chars": int(np.mean([len(a) for a in articles])),
        "default_backend": ConsistencyChecker().backend_name,
        "pairs_per_s": speed,
        "baseline_3gram_pairs_per_s": baseline,
        "torch_threads": 2,
        "load_average_1min": os.getloadavg()[0],
    }
    sp = report["speed"]
    print(
        f"\nspeed on {sp['pairs']} FRANK CNN/DM pairs (mean article {sp['mean_article_chars']} chars): "
        + "; ".join(f"{n} {v:.1f} pairs/s" for n, v in speed.items())
        + f"; 3-gram baseline {baseline:.0f} pairs/s; default backend {sp['default_backend']}; "
        f"machine load average {sp['load_average_1min']:.1f} on {os.cpu_count()} cores (shared)"
    )
    os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
    with open(args.output, "w") as handle:
        json.dump(report, handle, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
