"""Compare two scored runs (DIR_A, DIR_B from `python -m eval score`) on the same examples.

    python -m eval compare DIR_A DIR_B [--output-dir OUT] [--metric rougeL]

Per score field: mean of A and B, difference B - A with its paired-bootstrap interval and
p-value, and the approximate-randomization p-value; the examples whose score changed most;
OUT/compare.json, compare.md and compare.html (default OUT: DIR_B/compare). compare.html also
has every shared example side by side, sortable by the difference in any field.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from eval.base.errors import InputError
from eval.base.io import atomic_write_json, read_jsonl


def add_arguments(parser) -> None:
    parser.add_argument("dir_a")
    parser.add_argument("dir_b")
    parser.add_argument("--output-dir")
    parser.add_argument(
        "--metric", help="field used to rank changed examples (default: rougeL or first)"
    )
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--n-resamples", type=int, default=1000)
    parser.add_argument("--n-trials", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=12345)


def _load(run_dir) -> tuple[dict, dict]:
    run_dir = Path(run_dir)
    for name in ("scores.jsonl", "summary.json"):
        if not (run_dir / name).exists():
            raise InputError(
                f"missing {name}: run `python -m eval score` into it first", path=run_dir
            )
    rows = {r["id"]: r for r in read_jsonl(run_dir / "scores.jsonl") if "id" in r and "scores" in r}
    return rows, json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))


def compare(
    dir_a, dir_b, metric=None, top=10, n_resamples=1000, n_trials=10000, seed=12345
) -> dict:
    from eval.stats import approximate_randomization, paired_bootstrap

    rows_a, sum_a = _load(dir_a)
    rows_b, sum_b = _load(dir_b)
    shared = [i for i in rows_a if i in rows_b]
    if not shared:
        raise InputError(f"{dir_a} and {dir_b} share no scored example ids")
    warnings = []
    only = len(rows_a) + len(rows_b) - 2 * len(shared)
    if only:
        warnings.append(f"{only} example(s) scored in only one run are left out")
    for name, m in sum_a["metrics"].items():
        other = sum_b["metrics"].get(name, {})
        if m.get("signature") != other.get("signature"):
            warnings.append(
                f"{name}: signatures differ ({m.get('signature') or m.get('status')} vs "
                f"{other.get('signature') or other.get('status')}): scores are not comparable"
            )
    fields = [f for f in sum_a["scores"] if f in sum_b["scores"]]
    results = {}
    for f in fields:
        pairs = [(rows_a[i]["scores"].get(f), rows_b[i]["scores"].get(f)) for i in shared]
        pairs = [(float(a), float(b)) for a, b in pairs if a is not None and b is not None]
        if len(pairs) < 2:
            continue
        a, b = zip(*pairs)
        test = paired_bootstrap(a, b, n_resamples=n_resamples, seed=seed)
        results[f] = {
            "n": len(pairs),
            "mean_a": sum(a) / len(a),
            "mean_b": sum(b) / len(b),
            "diff": float(test.diff),
            "low": float(test.low),
            "high": float(test.high),
            "p_bootstrap": float(test.p_value),
            "p_randomization": float(approximate_randomization(a, b, n_trials=n_trials, seed=seed)),
        }
    metric = metric or next(
        (f for f in ("rougeL", "bertscore_f", "consistency") if f in results),
        next(iter(results), None),
    )
    changed = []
    if metric:
        deltas = [
            (rows_b[i]["scores"][metric] - rows_a[i]["scores"][metric], i)
            for i in shared
            if rows_a[i]["scores"].get(metric) is not None
            and rows_b[i]["scores"].get(metric) is not None
        ]
        for delta, i in sorted(deltas, key=lambda d: -abs(d[0]))[:top]:
            changed.append(
                {
                    "id": i,
                    "delta": delta,
                    "a": rows_a[i]["scores"][metric],
                    "b": rows_b[i]["scores"][metric],
                    "prediction_a": rows_a[i].get("prediction"),
                    "prediction_b": rows_b[i].get("prediction"),
                    "reference": (rows_a[i].get("references") or [None])[0],
                }
            )
    return {
        "a": str(dir_a),
        "b": str(dir_b),
        "n_shared": len(shared),
        "fields": results,
        "metric": metric,
        "changed": changed,
        "warnings": warnings,
        "settings": {
            "n_resamples": n_resamples,
            "n_trials": n_trials,
            "seed": seed,
            "bootstrap": "paired percentile, p two-sided add-one",
            "randomization": "approximate randomization, two-sided add-one",
        },
    }


def side_by_side(rows_a: dict, rows_b: dict, result: dict) -> dict:
    """Data of compare.html's per-example table: every shared example, both predictions and
    both systems' scores of every compared field."""
    fields = list(result["fields"])

    def scores(row):
        values = {
            f: row["scores"].get(f) for f in fields
        }  # JSON has no NaN: such scores show as missing
        return {f: float(v) for f, v in values.items() if v is not None and math.isfinite(float(v))}

    rows = [
        {
            "id": str(i),
            "prediction_a": rows_a[i].get("prediction") or "",
            "prediction_b": rows_b[i].get("prediction") or "",
            "reference": (rows_a[i].get("references") or rows_b[i].get("references") or [""])[0],
            "a": scores(rows_a[i]),
            "b": scores(rows_b[i]),
        }
        for i in rows_a
        if i in rows_b
    ]
    return {"fields": fields, "metric": result["metric"], "rows": rows}


def run(args) -> int:
    from eval.report import histogram_svg, write_compare_report

    result = compare(
        args.dir_a, args.dir_b, args.metric, args.top, args.n_resamples, args.n_trials, args.seed
    )
    out = Path(args.output_dir or Path(args.dir_b) / "compare")
    atomic_write_json(out / "compare.json", result)
    plots = []
    rows_a, _ = _load(args.dir_a)
    rows_b, _ = _load(args.dir_b)
    if result["metric"]:
        m = result["metric"]
        va = [r["scores"][m] for r in rows_a.values() if r["scores"].get(m) is not None]
        vb = [r["scores"][m] for r in rows_b.values() if r["scores"].get(m) is not None]
        plots.append(histogram_svg(va, m, other=vb, labels=("A", "B")))
    write_compare_report(out, result, plots, side_by_side(rows_a, rows_b, result))
    for w in result["warnings"]:
        print(f"warning: {w}")
    print(
        f"{'field':22s} {'A':>8s} {'B':>8s} {'B-A':>8s} {'95% CI':>20s} {'p_boot':>7s} {'p_AR':>7s}"
    )
    for f, r in result["fields"].items():
        print(
            f"{f:22s} {r['mean_a']:8.4f} {r['mean_b']:8.4f} {r['diff']:+8.4f} "
            f"[{r['low']:+.4f}, {r['high']:+.4f}] {r['p_bootstrap']:7.4f} {r['p_randomization']:7.4f}"
        )
    print(f"n={result['n_shared']} shared examples; report: {out}/compare.html")
    return 0
