"""`python -m summarizer <command>`: generate headlines/summaries, or train a model."""

from __future__ import annotations

from eval.cli import build_parser, run_cli

COMMANDS = {
    "generate": "summarizer.commands.generate",
    "train": "summarizer.commands.train",
    "train-consistency": "summarizer.commands.train_consistency",
    "train-support": "summarizer.commands.train_support",
}


def main(argv=None) -> int:
    return run_cli(build_parser(COMMANDS, "python -m summarizer", __doc__), argv)
