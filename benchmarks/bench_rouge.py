"""End-to-end ROUGE speed and exactness: eval.rouge vs rouge-score + BootstrapAggregator.

Scores, with the Porter stemmer and rouge1/rouge2/rougeL/rougeLsum:
  - 10,000 short pairs: headlines vs the article's lead sentence (Reuters train, BBC train+dev,
    Gigaword train+dev from $SUMM_DATA_DIR/headlines; the held-out test splits are not used);
  - 1,000 multi-sentence pairs: BBC extractive summaries vs the article's lead-3, sentences on
    separate lines (so rougeLsum works on sentences);
then a 1,000-resample bootstrap interval per type, once with eval.rouge (RougeScorer.score_batch
+ seeded vectorized bootstrap) and once with rouge-score (RougeScorer.score per pair +
BootstrapAggregator), in the same run. Prints both times and the ratio, and fails if any
per-pair number differs.

    python benchmarks/bench_rouge.py [--threads N] [--short 10000] [--long 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TYPES = ["rouge1", "rouge2", "rougeL", "rougeLsum"]
# A sentence ends at . ! ? after a lower-case letter, digit or closing mark, before a capital.
# BBC's extractive summaries glue sentences together ("$10.9bn.For the..."), hence `\s*`.
_SENTENCE_END = re.compile(r"(?<=[a-z0-9%)\"'][.!?])\s*(?=[A-Z\"'])")


def sentences(text: str) -> list[str]:
    out = []
    for paragraph in text.split("\n"):
        out += [s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip()]
    return out


def short_pairs(n: int) -> tuple[list[str], list[str]]:
    from eval.headline_data import load_headlines

    rows = load_headlines("gigaword", "train") + load_headlines("gigaword", "dev")
    rows += load_headlines("bbc", "train") + load_headlines("bbc", "dev")
    rows += load_headlines("reuters", "train")
    rows = [r for r in rows if r["headline"].strip() and r["article"].strip()][:n]
    if len(rows) < n:
        raise SystemExit(f"only {len(rows)} short pairs available, {n} asked")
    return [r["headline"] for r in rows], [sentences(r["article"])[0] for r in rows]


def long_pairs(n: int) -> tuple[list[str], list[str]]:
    from eval.base.paths import data_path

    path = data_path("headlines", "bbc_news_summary.jsonl")
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in rows if r.get("extractive_summary") and r.get("article")][:n]
    summaries = ["\n".join(sentences(r["extractive_summary"])) for r in rows]
    leads = ["\n".join(sentences(r["article"])[:3]) for r in rows]
    return summaries, leads


def ours(predictions, references, seed):
    from eval.rouge import RougeScorer

    scorer = RougeScorer(TYPES, use_stemmer=True)
    per_pair = scorer.score_batch(predictions, references)
    corpus = scorer.aggregate(per_pair, bootstrap=1000, seed=seed)
    return per_pair, corpus, str(corpus["rouge1"].signature)


def baseline(predictions, references, seed):
    import numpy as np
    from rouge_score import rouge_scorer, scoring

    np.random.seed(seed)  # BootstrapAggregator draws from the global numpy RNG
    scorer = rouge_scorer.RougeScorer(TYPES, use_stemmer=True)
    aggregator = scoring.BootstrapAggregator(n_samples=1000)
    per_pair = []
    for prediction, reference in zip(predictions, references):
        scores = scorer.score(reference, prediction)
        aggregator.add_scores(scores)
        per_pair.append(scores)
    return per_pair, aggregator.aggregate()


def compare(name, predictions, references, seed):
    # Wall time is what a user waits; CPU time (all threads of the process) is steadier on a
    # shared machine and charges the Rust backend for both of its threads.
    start, cpu = time.perf_counter(), time.process_time()
    fast_pairs, fast_corpus, signature = ours(predictions, references, seed)
    fast, fast_cpu = time.perf_counter() - start, time.process_time() - cpu
    start, cpu = time.perf_counter(), time.process_time()
    slow_pairs, slow_corpus = baseline(predictions, references, seed)
    slow, slow_cpu = time.perf_counter() - start, time.process_time() - cpu

    mismatches = sum(
        tuple(f[t]) != tuple(s[t])
        for f, s in zip(fast_pairs, slow_pairs, strict=True)
        for t in TYPES
    )
    print(f"\n{name}: {len(predictions)} pairs, stemming, bootstrap 1000")
    print(f"  {'':<28}{'wall s':>9} {'pairs/s':>9} {'CPU s':>9}")
    print(f"  {'eval.rouge':<28}{fast:9.3f} {len(predictions) / fast:9.0f} {fast_cpu:9.3f}")
    print(
        f"  {'rouge-score + Bootstrap':<28}{slow:9.3f} {len(predictions) / slow:9.0f} {slow_cpu:9.3f}"
    )
    print(f"  {'speed-up':<28}{slow / fast:8.1f}x {'':>9} {slow_cpu / fast_cpu:8.1f}x")
    print(
        f"  per-pair scores differing   {mismatches} of {len(predictions) * len(TYPES)} (pair, type) P/R/F triples"
    )
    for t in TYPES:
        mid, low, high = (
            fast_corpus[t].mid.fmeasure,
            fast_corpus[t].low.fmeasure,
            fast_corpus[t].high.fmeasure,
        )
        agg = slow_corpus[t]
        print(
            f"  {t:<10} F ours {100 * mid:.2f} [{100 * low:.2f}, {100 * high:.2f}]"
            f"   rouge-score {100 * agg.mid.fmeasure:.2f} [{100 * agg.low.fmeasure:.2f}, {100 * agg.high.fmeasure:.2f}]"
        )
    print(f"  signature: {signature}")
    return fast, slow, mismatches, fast_cpu, slow_cpu


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="Rust backend threads (RAYON_NUM_THREADS)"
    )
    parser.add_argument("--short", type=int, default=10_000)
    parser.add_argument("--long", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=12345)
    args = parser.parse_args()
    os.environ["RAYON_NUM_THREADS"] = str(args.threads)  # read when the Rust pool starts

    import importlib.metadata

    # Import both libraries before any timing, so neither pays the other's import costs (nltk).
    import rouge_score.rouge_scorer  # noqa: F401
    import rouge_score_rs  # noqa: F401

    import eval.rouge  # noqa: F401

    print(
        f"rouge-score {importlib.metadata.version('rouge-score')}, "
        f"rouge-score-rs {importlib.metadata.version('rouge-score-rs')}, threads {args.threads}, "
        f"{os.cpu_count()} CPUs"
    )
    results = [
        compare("short pairs (headline vs lead sentence)", *short_pairs(args.short), args.seed),
        compare(
            "multi-sentence pairs (BBC extractive summary vs lead-3)",
            *long_pairs(args.long),
            args.seed,
        ),
    ]
    fast = sum(r[0] for r in results)
    slow = sum(r[1] for r in results)
    mismatches = sum(r[2] for r in results)
    fast_cpu = sum(r[3] for r in results)
    slow_cpu = sum(r[4] for r in results)
    print(
        f"\nTOTAL end to end: eval.rouge {fast:.3f} s wall / {fast_cpu:.3f} s CPU, "
        f"rouge-score {slow:.3f} s wall / {slow_cpu:.3f} s CPU; "
        f"speed-up {slow / fast:.1f}x wall, {slow_cpu / fast_cpu:.1f}x CPU"
    )
    print(
        f"per-pair numbers identical: {'yes' if mismatches == 0 else f'NO ({mismatches} differ)'}"
    )
    return 0 if mismatches == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
