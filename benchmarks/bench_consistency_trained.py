"""The `trained` consistency backend against human labels, next to the 3-gram-precision
baseline measured on the same rows in the same run.

Data: the issue's dev mix (FRANK valid, XSumFaith, SummaC subsets) from
eval/consistency/datasets.py. The decision threshold of each method is fitted on dev_fit
(maximising the mean over sources of balanced accuracy) and everything is reported on
dev_eval; the model was trained on the "train" part only. Speed: pairs per second on FRANK's
CNN/DM rows (CNN/DM-length articles).

    python benchmarks/bench_consistency_trained.py [--max-per-source 200] [--model PATH]

Per-row scores are cached in $SUMM_CACHE_DIR/consistency (resumable after a kill).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _fmt(triple) -> str:
    value, low, high = triple
    return (
        "  n/a" if math.isnan(value) else f"{100 * value:5.1f} [{100 * low:4.1f},{100 * high:5.1f}]"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", help="checkpoint folder (default: the shipped trained-minilm)")
    parser.add_argument(
        "--max-per-source",
        type=int,
        default=200,
        help="rows per source and dev part, sampled with --seed (0 = all)",
    )
    parser.add_argument("--speed-rows", type=int, default=40)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()

    from eval.consistency import ConsistencyChecker
    from eval.consistency import datasets as ds
    from eval.consistency.calibrate import macro_threshold
    from eval.consistency.meta import cache_dir, evaluate, score_rows
    from eval.consistency.ngram import ngram_precision

    rng = random.Random(args.seed)
    rows = []
    for split in ("dev_fit", "dev_eval"):
        for source in ds.TARGET_SOURCES:
            part = [r for r in ds.load_all(split, (source,))]
            if args.max_per_source and len(part) > args.max_per_source:
                part = rng.sample(part, args.max_per_source)
            rows += part
    options = {"model_path": args.model} if args.model else {}
    checker = ConsistencyChecker("trained", threshold=0.5, **options)
    results = score_rows(checker, rows, cache_dir())
    scores = {
        "trained": [r["score"] for r in results],
        "3-gram precision": [ngram_precision(r["article"], r["summary"], 3) for r in rows],
    }
    failed = sum(s is None for s in scores["trained"])
    print(
        f"rows: {len(rows)} (dev_fit + dev_eval, <= {args.max_per_source or 'all'} per source and part, "
        f"seed {args.seed}); not scored: {failed}"
    )
    print(
        f"{'method':18s} {'source':18s} {'n':>4s} {'pos':>4s} {'thr':>6s}  "
        f"{'bal.acc [95% CI]':18s} {'ROC-AUC [95% CI]':18s}"
    )
    for method, values in scores.items():
        fit = [(r, s) for r, s in zip(rows, values) if r["split"] == "dev_fit" and s is not None]
        threshold = macro_threshold(
            [r["label"] for r, _ in fit], [s for _, s in fit], [r["source"] for r, _ in fit]
        )
        held = [(r, s) for r, s in zip(rows, values) if r["split"] == "dev_eval" and s is not None]
        groups = {}
        for r, s in held:
            groups.setdefault(r["source"], []).append((r["label"], s))
        groups["all"] = [(r["label"], s) for r, s in held]
        for source, pairs in groups.items():
            m = evaluate(
                [y for y, _ in pairs], [s for _, s in pairs], threshold, args.bootstrap, args.seed
            )
            print(
                f"{method:18s} {source:18s} {m['n']:4d} {m['positives']:4d} {threshold:6.3f}  "
                f"{_fmt(m['ba'])} {_fmt(m['auc'])}"
            )

    # Speed on CNN/DM-length articles (labels unused).
    cnndm = [r for r in ds.load("frank") if len(r["article"]) > 2000][
        : args.speed_rows
    ]  # the CNN/DM half
    articles, summaries = [r["article"] for r in cnndm], [r["summary"] for r in cnndm]
    started = time.perf_counter()
    checker.score(articles, summaries)
    trained_rate = len(cnndm) / (time.perf_counter() - started)
    started = time.perf_counter()
    for a, s in zip(articles, summaries):
        ngram_precision(a, s, 3)
    ngram_rate = len(cnndm) / (time.perf_counter() - started)
    mean_chars = sum(map(len, articles)) / len(articles)
    print(
        f"speed on {len(cnndm)} FRANK CNN/DM pairs (mean article {mean_chars:.0f} chars), "
        f"torch threads {checker.backend.torch.get_num_threads()}: trained {trained_rate:.1f} pairs/s, "
        f"3-gram precision {ngram_rate:.0f} pairs/s"
    )
    print(checker.signature)


if __name__ == "__main__":
    main()
