"""Train the `support` headline checker (MiniLM cross-encoder on FNC-1 stance labels) from a
YAML config; resumes from the config's work_dir after a kill. Example:
  python -m summarizer train-support --config configs/consistency/support.yaml
"""

from __future__ import annotations

from pathlib import Path


def add_arguments(parser) -> None:
    parser.add_argument("--config", required=True, help="YAML config (configs/consistency/support.yaml)")
    parser.add_argument("--work-dir", help="override the config's work_dir (resumable state + best/)")
    parser.add_argument("--max-steps", type=int, help="override train.max_steps (e.g. a smoke run)")
    parser.add_argument("--lexical-only", action="store_true",
                        help="only (re)fit the lexical model and the combiner for work_dir/best")


def run(args) -> int:
    import json

    from eval.consistency.training import read_config
    from eval.consistency.training.support import run as train

    config = read_config(args.config, ("seed", "backbone", "work_dir", "data"))
    if args.work_dir:
        config["work_dir"] = args.work_dir
    if args.max_steps is not None:
        config.setdefault("train", {})["max_steps"] = args.max_steps
    if args.lexical_only:
        from eval.consistency.training.support import fit_lexical

        print(json.dumps(fit_lexical(config, Path(config["work_dir"]) / "best")))
        return 0
    summary = train(config)
    print(json.dumps({k: summary[k] for k in ("train_pairs", "step", "best_step", "best_auc",
                                               "seconds_per_step")}))
    return 0
