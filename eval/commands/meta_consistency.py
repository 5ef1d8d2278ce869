"""Meta-evaluate a consistency checker against human labels, per source, with intervals.

Prints balanced accuracy, ROC-AUC and F1 (of the inconsistent class) per source with 95%
bootstrap intervals (1,000 resamples of rows, seeded).

--format reads the shared labelled files (frank, xsumfaith, summac, aggrefact, summeval; see
eval/consistency/datasets.py for each binarisation) or any JSONL with article, summary, label
(1 = consistent) and an optional source. The decision threshold is the checker's stored one,
fitted on the dev_fit split of the shared data; --split dev_eval keeps only rows that split
held out (use it on the shared files, or the figures are partly in-sample).

examples:
  python -m eval meta-consistency --input $SUMM_DATA_DIR/consistency/frank_valid.jsonl --format frank --split dev_eval
  python -m eval meta-consistency --input labelled.jsonl --format jsonl --backend ngram
"""

from __future__ import annotations

import argparse
import math

from eval.consistency import DEFAULT_BACKEND
from eval.consistency.datasets import FORMATS, guess_format, read_file


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, help="labelled file")
    parser.add_argument(
        "--format", choices=(*FORMATS, "jsonl"), help="default: guessed from the file name"
    )
    parser.add_argument("--backend", default=DEFAULT_BACKEND)
    parser.add_argument(
        "--model",
        help="model of the nli, lm or align backend: folder, hub id (local cache), or all-mpnet-base-v2 for align",
    )
    parser.add_argument("--threshold", type=float, help="override the stored dev-fitted threshold")
    parser.add_argument("--split", choices=("all", "train", "dev_fit", "dev_eval"), default="all")
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--cache", help="folder caching per-row scores (resumable); default: none")


def _fmt(triple) -> str:
    value, low, high = triple
    if math.isnan(value):
        return "   n/a            "
    return f"{100 * value:5.1f} [{100 * low:5.1f},{100 * high:5.1f}]"


def run(args) -> int:
    from eval.consistency import ConsistencyChecker
    from eval.consistency.meta import evaluate, score_rows

    fmt = args.format or guess_format(args.input)
    rows = read_file(args.input, fmt)
    if args.split != "all":
        rows = [r for r in rows if r["split"] == args.split]
    options = {"model": args.model} if args.model else {}
    checker = ConsistencyChecker(args.backend, threshold=args.threshold, **options)
    results = score_rows(checker, rows, args.cache)
    failed = [(r["id"], res["error"]) for r, res in zip(rows, results) if res["score"] is None]
    for row_id, error in failed[:10]:
        print(f"not scored: {row_id}: {error}")
    print(
        f"{'source':22s} {'n':>5s} {'pos':>5s}  {'bal.acc [95% CI]':19s} {'ROC-AUC [95% CI]':19s} {'F1-incons. [95% CI]':19s}"
    )
    groups = {}
    for row, res in zip(rows, results):
        if res["score"] is not None:
            groups.setdefault(row["source"], []).append((row["label"], res["score"]))
    if len(groups) > 1:
        groups["all"] = [x for g in list(groups.values()) for x in g]
    for source, pairs in groups.items():
        m = evaluate(
            [y for y, _ in pairs],
            [s for _, s in pairs],
            checker.threshold,
            args.bootstrap,
            args.seed,
        )
        print(
            f"{source:22s} {m['n']:5d} {m['positives']:5d}  {_fmt(m['ba'])} {_fmt(m['auc'])} {_fmt(m['f1'])}"
        )
    print(
        f"rows: {len(rows)} (split {args.split}), not scored: {len(failed)}; "
        f"bootstrap {args.bootstrap} seed {args.seed}"
    )
    print(checker.signature)
    return 0
