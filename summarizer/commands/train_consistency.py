"""Train the `trained` consistency cross-encoder (MiniLM) from a YAML config.

Builds synthetic (article chunk, claim) pairs from the train splits of the headline data plus
the train part of the human-labelled consistency data, fine-tunes, and saves fp16
safetensors with a model card. Example:
  python -m summarizer train-consistency --config configs/consistency/trained.yaml
"""

from __future__ import annotations

from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--config", required=True, help="YAML config (configs/consistency/trained.yaml)")
    parser.add_argument("--output-dir", help="where to save the checkpoint (default: the config's output_dir)")
    parser.add_argument("--seed", type=int, help="override the config's seed")
    parser.add_argument("--max-steps", type=int, help="override train.max_steps (e.g. a quick smoke run)")


def run(args) -> int:
    import json

    from eval.consistency.training import read_config
    from eval.consistency.training.train import run as train

    config = read_config(args.config, ("seed", "backbone", "output_dir", "data"))
    if args.seed is not None:
        config["seed"] = args.seed
    if args.max_steps is not None:
        config.setdefault("train", {})["max_steps"] = args.max_steps
    summary = train(config, Path(args.output_dir) if args.output_dir else None)
    print(json.dumps({k: summary[k] for k in ("train_pairs", "steps", "first_loss", "last_loss",
                                               "synthetic_dev", "train_seconds", "total_seconds")}))
    return 0
