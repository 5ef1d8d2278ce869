"""Train the `trained` consistency cross-encoder (MiniLM) from a YAML config.

Builds synthetic (article chunk, claim) pairs from the train splits of the headline data plus
the train part of the human-labelled consistency data, fine-tunes, and saves fp16
safetensors with a model card. Example:
  python -m summarizer train-consistency --config configs/consistency/trained.yaml

The settings, with their defaults, are eval.consistency.training.train.TrainedConfig; a key
it does not have is an error naming the file.
"""

from __future__ import annotations


def add_arguments(parser) -> None:
    parser.add_argument(
        "--config", required=True, help="YAML config (configs/consistency/trained.yaml)"
    )
    parser.add_argument("--output-dir", help="where to save the checkpoint (overrides output_dir)")
    parser.add_argument("--seed", type=int, help="override the config's seed")
    parser.add_argument(
        "--max-steps", type=int, help="override train.max_steps (e.g. a quick smoke run)"
    )


def run(args) -> int:
    import json

    from eval.base.config import flag_overrides, load_settings
    from eval.consistency.training.train import TrainedConfig
    from eval.consistency.training.train import run as train

    overrides = flag_overrides(
        {"output_dir": args.output_dir, "seed": args.seed, "train.max_steps": args.max_steps}
    )
    summary = train(load_settings(TrainedConfig, args.config, overrides))
    print(
        json.dumps(
            {
                k: summary[k]
                for k in (
                    "train_pairs",
                    "steps",
                    "first_loss",
                    "last_loss",
                    "synthetic_dev",
                    "train_seconds",
                    "total_seconds",
                )
            }
        )
    )
    return 0
