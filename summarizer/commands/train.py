"""Fine-tune a headline/summary model from a YAML config (seq2seq full fine-tuning or causal LM
+ LoRA), with dev ROUGE against raw references, early stopping, atomic checkpoints and exact
resume.

  python -m summarizer train --config configs/train/gemma3-270m-headline.yaml
  python -m summarizer train --config configs/train/t5-small-headline.yaml --train.lr=3e-4 --train.max_steps=50

Every setting lives in the config (the schema with its defaults: summarizer/train_config.py);
`--section.key=value` overrides one for a quick experiment (values parse as YAML). Re-running the
same command resumes from output_dir/checkpoint.pt; the resolved config is saved as
output_dir/config.yaml.
"""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", required=True, help="YAML config (may name `base:` files)")
    parser.add_argument(
        "--print-config", action="store_true", help="print the resolved config and exit"
    )
    parser.epilog = "Any other --section.key=value overrides that setting, e.g. --train.lr=1e-4."
    # Overrides are open-ended (`--train.lr=...`), so argparse cannot declare them: collect the
    # `--a.b=c` / `--a=c` strings it does not know, and leave anything else to be an error.
    parse_known = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        namespace, rest = parse_known(args, namespace)
        namespace.overrides = [a for a in rest if a.startswith("--") and "=" in a]
        return namespace, [a for a in rest if a not in namespace.overrides]

    parser.parse_known_args = parse_known_args


def run(args) -> int:
    import os

    import yaml

    from summarizer.train import train
    from summarizer.train_config import load_config

    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # no network at run time unless the user asks
    config = load_config(args.config, args.overrides)
    if args.print_config:
        print(yaml.safe_dump(config, sort_keys=False), end="")
        return 0
    summary = train(config)
    print(json.dumps(summary, indent=1))
    return 0
