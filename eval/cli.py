"""`python -m eval <command>`: one module per command under eval/commands, each with a
docstring (its help), `add_arguments(parser)` and `run(args) -> int` (the exit code)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from eval.base.errors import InputError

COMMANDS = {
    "rouge": "eval.commands.rouge",
    "score": "eval.commands.score",
    "compare": "eval.commands.compare",
    "consistency": "eval.commands.consistency",
    "meta-consistency": "eval.commands.meta_consistency",
    "meta-human": "eval.commands.meta_human",
    "run": "eval.commands.run",
}


def build_parser(
    commands: dict[str, str] = COMMANDS,
    prog: str = "python -m eval",
    description: str | None = None,
) -> argparse.ArgumentParser:
    # `prog` is set before the subcommands are added: each copies it into its own usage line
    parser = argparse.ArgumentParser(
        prog=prog, description=description or __import__("eval").__doc__
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, module_name in commands.items():
        module = importlib.import_module(
            module_name
        )  # every command exists: a failure is a real one
        doc = (module.__doc__ or "").strip()
        command = sub.add_parser(
            name,
            help=doc.splitlines()[0] if doc else None,
            description=doc,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def run_cli(parser: argparse.ArgumentParser, argv=None) -> int:
    """Parse and run; user errors become one clear line on stderr and exit code 2."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = parser.parse_args(argv)
    from eval.report import ReportUnavailable

    try:
        return args._run(args) or 0
    except (InputError, FileNotFoundError, ReportUnavailable) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def main(argv=None) -> int:
    return run_cli(build_parser(), argv)
