"""The main job: generate headlines/summaries with a model, score them, write the report.

    python -m eval run --config configs/demo.yaml [--limit N] [--output-dir DIR]

The config names the data (a JSONL of id, article, headline/reference, category; or a
headline source and split from eval.headline_data), the model and its generation options,
and the evaluation (a configs/eval/*.yaml path or an inline mapping). Generations are
appended to DIR/generations.jsonl as they are made, so a killed run resumes where it stopped;
scores come through the per-example cache, so re-running costs only what changed.
"""

from __future__ import annotations

import time
from pathlib import Path

from eval.errors import InputError
from eval.io import ResumableJsonl, atomic_write_json, read_jsonl, write_jsonl

KEYS = {"name", "output_dir", "data", "model", "generate", "eval"}


def add_arguments(parser) -> None:
    parser.add_argument("--config", required=True, help="run config YAML (e.g. configs/demo.yaml)")
    parser.add_argument("--output-dir", help="overrides the config's output_dir")
    parser.add_argument("--limit", type=int, help="only the first N examples")
    parser.add_argument("--no-progress", action="store_true")


def load_config(path) -> dict:
    import yaml

    try:
        config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise InputError(f"invalid YAML: {err}", path=path) from None
    if not isinstance(config, dict) or "data" not in config:
        raise InputError('expected a mapping with at least "data"', path=path)
    if unknown := set(config) - KEYS:
        raise InputError(f"unknown keys {sorted(unknown)}; known: {sorted(KEYS)}", path=path)
    return config


def load_examples(data: dict, limit: int | None = None) -> list[dict]:
    """Rows {id, article, reference, category} from a JSONL path or a headline source."""
    if "path" in data:
        rows = read_jsonl(data["path"])
        for number, row in enumerate(rows, 1):
            for field in ("id", "article"):
                if not row.get(field):
                    raise InputError("missing or empty", path=data["path"], line=number, field=field)
            if "reference" not in row and "headline" not in row:
                raise InputError("missing (or give `headline`)", path=data["path"], line=number, field="reference")
            row["reference"] = row.get("reference", row.get("headline"))
    elif "source" in data:
        from eval.headline_data import load_headlines

        if data.get("split", "dev") == "test" and not data.get("allow_test"):
            raise InputError('data.split "test" is held out; set data.allow_test: true for the final run only')
        rows = [{**r, "reference": r["headline"]} for r in load_headlines(data["source"], data.get("split", "dev"))]
    else:
        raise InputError('data needs "path" or "source"')
    limit = limit or data.get("limit")
    return rows[:limit] if limit else rows


def generate(examples, model_cfg: dict, gen_cfg: dict, out_dir: Path, progress=True) -> dict:
    """Appends one row per example to out_dir/generations.jsonl, skipping ids already there."""
    from tqdm import tqdm

    from summarizer import Summarizer  # generation and scoring meet only here

    batch_size, seed = int(gen_cfg.get("batch_size", 8)), int(gen_cfg.get("seed", 0))
    with ResumableJsonl(out_dir / "generations.jsonl") as sink:
        todo = [e for e in examples if str(e["id"]) not in sink.done]
        info = {"resumed_rows": len(examples) - len(todo)}
        if not todo:
            return info
        summarizer = Summarizer.from_pretrained(model_cfg.get("name_or_path"), task=model_cfg.get("task", "headline"),
                                                **model_cfg.get("options", {}))
        info.update(model=summarizer.model_name, signature=str(summarizer.signature))
        started = time.perf_counter()
        for start in tqdm(range(0, len(todo), batch_size), desc="generate", unit="batch", disable=not progress):
            batch = todo[start:start + batch_size]
            results = summarizer.generate([e["article"] for e in batch], batch_size=batch_size, seed=seed)
            for example, res in zip(batch, results):
                sink.write({"id": example["id"], "text": res.text, "input_tokens": res.input_tokens,
                            "output_tokens": res.output_tokens, "truncated": res.truncated,
                            "hit_length_cap": res.hit_length_cap, "seconds": res.seconds, "error": res.error})
        info["seconds"] = time.perf_counter() - started
        info["rows_per_second"] = len(todo) / info["seconds"]
    return info


def run(args) -> int:
    from eval.commands.score import load_eval_config, print_scores
    from eval.pipeline import DEFAULT_METRICS, score_run

    config = load_config(args.config)
    out = Path(args.output_dir or config.get("output_dir") or Path("runs") / config.get("name", "run"))
    examples = load_examples(config["data"], args.limit)
    gen_info = generate(examples, config.get("model", {}), config.get("generate", {}), out, not args.no_progress)
    generated = {str(r["id"]): r for r in read_jsonl(out / "generations.jsonl")}
    write_jsonl(out / "predictions.jsonl", [
        {"id": e["id"], "prediction": generated[str(e["id"])]["text"], "reference": e["reference"],
         "article": e["article"], "category": e.get("category"),
         "hit_length_cap": generated[str(e["id"])].get("hit_length_cap"),
         **({"error": generated[str(e["id"])]["error"]} if generated[str(e["id"])].get("error") else {})}
        for e in examples])
    eval_cfg = config.get("eval", {})
    eval_cfg = load_eval_config(eval_cfg) if isinstance(eval_cfg, str) else eval_cfg
    metric_options = dict(eval_cfg.get("options", {}))
    # the consistency threshold (and default backend) depend on what was generated
    metric_options["consistency"] = {"kind": config.get("model", {}).get("task", "headline"),
                                     **metric_options.get("consistency", {})}
    summary = score_run(out / "predictions.jsonl", out, metrics=eval_cfg.get("metrics", list(DEFAULT_METRICS)),
                        metric_options=metric_options, progress=not args.no_progress,
                        **eval_cfg.get("bootstrap", {}))
    atomic_write_json(out / "run.json", {"config": str(args.config), "generation": gen_info,
                                         "n_examples": len(examples)})
    print_scores(summary)
    print(f"generation: {gen_info}")
    print(f"report: {out / 'report.html'}")
    return 0
