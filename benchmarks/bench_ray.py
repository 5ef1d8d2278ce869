"""Rows/s of `eval score` and `summarizer generate`: local path vs --ray local --workers 1 vs 2.

    python benchmarks/bench_ray.py [--rows 20000] [--metrics rouge,headline,consistency]
                                   [--articles 256] [--skip-generate] [--out runs/bench/ray]

Every command runs as the user runs it (a subprocess of the CLI, wall time), in this order:
local, Ray with 1 worker, Ray with 2 workers. Ray's fixed start-up (cluster start, actors,
model loads) is measured by the same command on a 2-row input; rows/s "once started" divides
by the wall time minus that. Outputs are compared with the local path's byte for byte
(generate: every field but the wall-time `seconds`, by id). Finally a projection for 10
million rows on 10 and 100 nodes from the measured per-row costs.

Rows: Reuters-21578 items with title and body ($SUMM_DATA_DIR/headlines), the first 10 words
of the body as the prediction (a lead baseline), the title as reference, cycled with new ids to
--rows. Nothing is tuned here; the data only gives the metrics realistic text lengths.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA = Path(os.environ.get("SUMM_DATA_DIR", ROOT.parent / "shared" / "data"))


def reuters(limit: int) -> list[dict]:
    items = []
    with gzip.open(DATA / "headlines" / "reuters21578.jsonl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row.get("title") and row.get("body"):
                items.append(row)
    return [
        {**items[i % len(items)], "newid": f"{items[i % len(items)]['newid']}-{i // len(items)}"}
        for i in range(limit)
    ]


def write_score_input(path: Path, rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for r in rows:
            body = " ".join(r["body"].split())
            handle.write(
                json.dumps(
                    {
                        "id": r["newid"],
                        "prediction": " ".join(body.split()[:10]),
                        "reference": r["title"].title(),
                        "article": body[:4000],
                        "task": "headline",
                    }
                )
                + "\n"
            )


def timed(command: list[str], env: dict) -> float:
    start = time.perf_counter()
    proc = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode:
        sys.exit(f"failed: {' '.join(command)}\n{proc.stderr[-3000:]}")
    return time.perf_counter() - start


def modes(workers=(1, 2)):
    yield "local", []
    for n in workers:
        yield f"ray w{n}", ["--ray", "local", "--workers", str(n)]


def bench(name, n_rows, tiny_rows, build, compare, env) -> dict:
    """build(mode_flags, input, out) -> command; runs every mode on the full and tiny input."""
    results = {}
    for mode, flags in modes():
        wall = timed(build(flags, "full", mode), env)
        start = timed(build(flags, "tiny", mode), env) if flags else 0.0
        base = timed(build([], "tiny", "local-tiny"), env) if not flags else None
        results[mode] = {"wall": wall, "start": start if flags else base, "same": compare(mode)}
        started = wall - results[mode]["start"]
        print(
            f"{name:9s} {mode:7s} {n_rows:6d} rows  wall {wall:7.1f} s  {n_rows / wall:7.1f} rows/s  "
            f"start-up {results[mode]['start']:5.1f} s (tiny input, {tiny_rows} rows)  "
            f"once started {n_rows / max(started, 1e-9):7.1f} rows/s  identical to local: {results[mode]['same']}",
            flush=True,
        )
    w1, w2 = results["ray w1"], results["ray w2"]
    rate = {m: n_rows / max(r["wall"] - r["start"], 1e-9) for m, r in results.items()}
    print(
        f"{name}: workers 2 / workers 1 = {rate['ray w2'] / rate['ray w1']:.2f}x once started "
        f"({w1['wall'] / w2['wall']:.2f}x wall; target 1.6x); "
        f"ray w1 / local = {rate['ray w1'] / rate['local']:.2f} once started (target >= 0.85)"
    )
    per_row_overhead = 1 / rate["ray w1"] - 1 / rate["local"]
    print(
        f"{name}: per-row cost local {1e3 / rate['local']:.3f} ms, ray w1 {1e3 / rate['ray w1']:.3f} ms "
        f"(overhead {1e3 * per_row_overhead:+.3f} ms/row); Ray start-up {w1['start']:.1f} s (w1), "
        f"{w2['start']:.1f} s (w2)"
    )
    return {"results": results, "rows_per_second_once_started": rate, "rows": n_rows}


def project(name, per_row_ms, start_s, aggregate_s_per_million):
    """10 M rows on 10 and 100 nodes of this machine's speed (2 workers per node)."""
    rows = 10_000_000
    for nodes in (10, 100):
        compute = rows * per_row_ms / 1e3 / (2 * nodes)
        total = start_s + compute + aggregate_s_per_million * rows / 1e6
        print(
            f"  {name}: 10M rows on {nodes:3d} nodes: ~{total / 3600:.2f} h "
            f"(workers {compute / 3600:.2f} h, driver aggregation {aggregate_s_per_million * 10:.0f} s, "
            f"start-up {start_s:.0f} s)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--metrics", default="rouge,headline,consistency")
    parser.add_argument("--articles", type=int, default=256)
    parser.add_argument("--model", help="generation model (default: the bundled Gemma-3-270M)")
    parser.add_argument("--max-new-tokens", type=int, default=16)
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--skip-score", action="store_true")
    parser.add_argument("--out", default="runs/bench/ray")
    args = parser.parse_args()
    out = ROOT / args.out
    out.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
    }
    rows = reuters(max(args.rows, args.articles))
    summary = {}

    if not args.skip_score:
        write_score_input(out / "score_full.jsonl", rows[: args.rows])
        write_score_input(out / "score_tiny.jsonl", rows[:2])

        def score_command(flags, size, mode):
            shutil.rmtree(
                out / f"score_{size}_{mode}", ignore_errors=True
            )  # no resume from an earlier run
            return [
                sys.executable,
                "-m",
                "eval",
                "score",
                "--input",
                str(out / f"score_{size}.jsonl"),
                "--output-dir",
                str(out / f"score_{size}_{mode}"),
                "--metrics",
                args.metrics,
                "--no-cache",
                "--no-report",
                *flags,
            ]

        def same_scores(mode):
            files = [out / f"score_full_{m}" / "scores.jsonl" for m in ("local", mode)]
            return files[0].read_bytes() == files[1].read_bytes()

        summary["score"] = bench("score", args.rows, 2, score_command, same_scores, env)
        # Driver aggregation: summarize() on the real rows, then the bootstrap alone on 200,000
        # rows of as many columns (linear in rows), both methods, scaled to 10 million rows.
        from eval.aggregate import numeric_fields, summarize
        from eval.rows import Problems
        from eval.stats import bootstrap_ci

        scored = [
            json.loads(line)
            for line in open(out / "score_full_local" / "scores.jsonl", encoding="utf-8")
        ]
        start = time.perf_counter()
        summarize(scored, {}, Problems())
        print(
            f"score: driver summarize (1,000 resamples) {time.perf_counter() - start:.2f} s for {len(scored)} rows"
        )
        columns = np.random.default_rng(0).random((200_000, len(numeric_fields(scored))))
        per_million = {}
        for method in ("multinomial", "poisson"):
            start = time.perf_counter()
            bootstrap_ci(columns, method=method)
            per_million[method] = (time.perf_counter() - start) * 5
            print(
                f"score: bootstrap {method}, 1,000 resamples x {columns.shape[1]} columns: "
                f"{per_million[method]:.1f} s per million rows (measured on 200,000)"
            )
        rate = summary["score"]["rows_per_second_once_started"]["ray w1"]
        for method, seconds in per_million.items():
            project(
                f"score ({method} bootstrap)",
                1e3 / rate,
                summary["score"]["results"]["ray w2"]["start"],
                seconds,
            )

    if not args.skip_generate:
        with open(out / "gen_full.jsonl", "w", encoding="utf-8") as handle:
            for r in rows[: args.articles]:
                handle.write(
                    json.dumps({"id": r["newid"], "article": " ".join(r["body"].split())}) + "\n"
                )
        with open(out / "gen_tiny.jsonl", "w", encoding="utf-8") as handle:
            for r in rows[:2]:
                handle.write(
                    json.dumps({"id": r["newid"], "article": " ".join(r["body"].split())}) + "\n"
                )

        def gen_command(flags, size, mode):
            target = out / f"gen_{size}_{mode}.jsonl"
            target.unlink(missing_ok=True)
            model = ["--model", args.model] if args.model else []
            return [
                sys.executable,
                "-m",
                "summarizer",
                "generate",
                "--input",
                str(out / f"gen_{size}.jsonl"),
                "--output",
                str(target),
                "--max-new-tokens",
                str(args.max_new_tokens),
                "--threads",
                "1",
                *model,
                *flags,
            ]

        def same_generations(mode):
            def by_id(m):
                lines = (out / f"gen_full_{m}.jsonl").read_text(encoding="utf-8").splitlines()
                return {
                    r["id"]: {k: v for k, v in r.items() if k != "seconds"}
                    for r in map(json.loads, lines)
                }

            return by_id("local") == by_id(mode)

        summary["generate"] = bench(
            "generate", args.articles, 2, gen_command, same_generations, env
        )
        rate = summary["generate"]["rows_per_second_once_started"]["ray w1"]
        project("generate", 1e3 / rate, summary["generate"]["results"]["ray w2"]["start"], 0.0)
    (out / "bench_ray.json").write_text(json.dumps(summary, indent=1, default=str))


if __name__ == "__main__":
    main()
