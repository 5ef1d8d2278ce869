"""Score a run: per-example results, a signed summary with bootstrap intervals, and a report.

    python -m eval score --input PRED.jsonl --output-dir DIR [--config configs/eval/default.yaml]
        [--metrics rouge,bertscore,headline,consistency] [--references REFS.jsonl] [--keep-going]
        [--ray local|auto|ray://host:10001 --workers N]   (same files and numbers, see docs/ray.md)

Writes DIR/scores.jsonl, DIR/summary.json, DIR/report.md, DIR/report.html; a cache under
DIR/.cache makes re-scoring recompute only changed rows.
"""

from __future__ import annotations

from eval.base.errors import InputError
from eval.base.io import load_yaml


def load_eval_config(path) -> dict:
    if path is None:
        return {}
    config = load_yaml(path)
    unknown = set(config) - {"metrics", "options", "bootstrap"}
    if unknown:
        raise InputError(f"unknown keys {sorted(unknown)}", path=path)
    return config


def add_arguments(parser) -> None:
    parser.add_argument(
        "--input", required=True, help="JSONL rows: id, prediction, reference, [article, category]"
    )
    parser.add_argument("--output-dir", required=True)
    parser.add_argument(
        "--config", help="YAML with metrics, options, bootstrap (configs/eval/*.yaml)"
    )
    parser.add_argument(
        "--metrics", help="comma-separated subset of rouge,bertscore,headline,consistency"
    )
    parser.add_argument(
        "--references", help="JSONL with id + reference (+ article, category), joined by id"
    )
    parser.add_argument(
        "--keep-going", action="store_true", help="score the good rows when some are bad"
    )
    parser.add_argument("--no-cache", action="store_true")
    parser.add_argument("--no-report", action="store_true")
    parser.add_argument("--seed", type=int, help="bootstrap seed (overrides the config)")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=256,
        help="rows per scoring batch (--ray shards hold whole batches)",
    )
    from eval.distributed import add_ray_arguments

    add_ray_arguments(parser)


def print_scores(summary) -> None:
    for name, s in summary["scores"].items():
        interval = f"  [{s['low']:.4f}, {s['high']:.4f}]" if "low" in s else ""
        mean = "n/a" if s["mean"] is None else f"{s['mean']:.4f}"
        print(f"{name:24s} {mean}{interval}  (n={s['n']})")


def run(args) -> int:
    from eval.pipeline import DEFAULT_METRICS, score_run

    config = load_eval_config(args.config)
    metrics = (
        args.metrics.split(",") if args.metrics else config.get("metrics", list(DEFAULT_METRICS))
    )
    boot = dict(config.get("bootstrap", {}))
    if args.seed is not None:
        boot["seed"] = args.seed
    common = dict(
        metrics=metrics,
        metric_options=config.get("options", {}),
        references=args.references,
        keep_going=args.keep_going,
        report=not args.no_report,
        batch_size=args.batch_size,
        **boot,
    )
    if args.ray:
        from eval.distributed import ray_options, score_run_ray

        summary = score_run_ray(args.input, args.output_dir, **common, **ray_options(args))
    else:
        summary = score_run(args.input, args.output_dir, use_cache=not args.no_cache, **common)
    print_scores(summary)
    for name, m in summary["metrics"].items():
        print(f"{name}: {m.get('signature') or 'SKIPPED: ' + m['reason']}")
    p = summary["problems"]
    print(
        f"{summary['n_rows']} rows, {summary['n_scored']} scored, {p['errors']} errors, "
        f"{p['warnings']} warnings; written to {args.output_dir}"
    )
    return 0
