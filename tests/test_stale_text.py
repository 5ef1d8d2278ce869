"""Issue 15 bug 12: stale text. A model card named a benchmark that does not exist, and the CLI
silently dropped a command whose module was missing (a "not there yet" fallback for commands
that all exist now). The demo's FutureWarning is tested in tests/test_generate.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted(
    [
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "eval" / "consistency" / "models").glob("*/README.md"),
        *(ROOT / "summarizer" / "adapters").glob("*/MODEL_CARD.md"),
    ]
)
_PATH_RE = re.compile(
    r"\b(?:eval|summarizer|benchmarks|configs|scripts|tests|docs)/[\w./-]+\.(?:py|json|yaml|md|sh|jsonl)\b"
)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_and_model_cards_name_files_that_exist(doc):
    missing = sorted(
        {p for p in _PATH_RE.findall(doc.read_text(encoding="utf-8")) if not (ROOT / p).exists()}
    )
    assert missing == []


@pytest.mark.parametrize(
    "module, commands",
    [
        ("eval.cli", "COMMANDS"),
        ("summarizer.cli", "COMMANDS"),
    ],
)
def test_every_command_is_registered(module, commands):
    import importlib

    from eval.cli import build_parser

    table = getattr(importlib.import_module(module), commands)
    parser = build_parser(table)
    sub = next(a for a in parser._actions if a.dest == "command")
    assert sorted(sub.choices) == sorted(table)


def test_a_missing_command_module_is_an_error_not_a_silent_skip():
    from eval.cli import build_parser

    with pytest.raises(ModuleNotFoundError):
        build_parser({"nothing": "eval.commands.no_such_command"})
