"""Train the `support` headline checker (MiniLM cross-encoder on FNC-1 stance labels) from a
YAML config; resumes from the config's work_dir after a kill. Example:
  python -m summarizer train-support --config configs/consistency/support.yaml

The settings, with their defaults, are eval.consistency.training.support.SupportConfig; a key
it does not have is an error naming the file.
"""

from __future__ import annotations

from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument(
        "--config", required=True, help="YAML config (configs/consistency/support.yaml)"
    )
    parser.add_argument(
        "--work-dir", help="override the config's work_dir (resumable state + best/)"
    )
    parser.add_argument("--max-steps", type=int, help="override train.max_steps (e.g. a smoke run)")
    parser.add_argument(
        "--lexical-only",
        action="store_true",
        help="only (re)fit the lexical model and the combiner for work_dir/best",
    )


def run(args) -> int:
    import json

    from eval.base.config import flag_overrides, load_settings
    from eval.consistency.training.support import SupportConfig, fit_lexical
    from eval.consistency.training.support import run as train

    overrides = flag_overrides({"work_dir": args.work_dir, "train.max_steps": args.max_steps})
    config = load_settings(SupportConfig, args.config, overrides)
    if args.lexical_only:
        print(json.dumps(fit_lexical(config, Path(config["work_dir"]) / "best")))
        return 0
    summary = train(config)
    print(
        json.dumps(
            {
                k: summary[k]
                for k in ("train_pairs", "step", "best_step", "best_auc", "seconds_per_step")
            }
        )
    )
    return 0
