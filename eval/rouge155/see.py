"""Inputs of the ROUGE package's own sample test: SEE html summaries and the XML evaluation
config (ROUGE-test.xml) that lists, per evaluation, the peer files and the model files."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from eval.base.errors import InputError

# The two line shapes readText accepts in SEE files; the sentence is the text of the second <a>.
_SEE_LINE = re.compile(
    r'^<a (?:size="[0-9]+" )?name="[0-9]+">\[([0-9]+)\]</a>[ \t\n\r\f\v]+<a href="#[0-9]+" id=[0-9]+>([^<]+)'
)


@dataclass(frozen=True)
class RougeEval:
    eval_id: str
    input_format: str
    peers: dict[str, Path]  # peer id -> file
    models: list[tuple[str, Path]]  # (model id, file), in config order


def read_see(path) -> list[str]:
    """The sentences of a SEE-format summary, decoded byte-per-character like the Perl's reading.
    (The Perl's pattern starts at the line start, so the Perl and this read the same lines.)"""
    text = Path(path).read_bytes().decode("latin-1")
    sentences = []
    for line in text.split("\n"):
        if m := _SEE_LINE.match(line):
            sentences.append(m.group(2))
    # Back to str of the original text: Rouge155 re-encodes lines as UTF-8 bytes itself.
    return [s.encode("latin-1").decode("utf-8", errors="replace") for s in sentences]


def read_rouge_config(path) -> list[RougeEval]:
    """Parse a ROUGE-1.5.5 XML config; file paths are resolved against the config's folder."""
    path = Path(path)
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        raise InputError(f"invalid XML: {err}", path=path) from None
    evals = []
    for node in root.iter("EVAL"):
        eval_id = node.get("ID")
        if not eval_id:
            raise InputError("<EVAL> without ID", path=path)
        peer_root = path.parent / _child_text(node, "PEER-ROOT", path, eval_id)
        model_root = path.parent / _child_text(node, "MODEL-ROOT", path, eval_id)
        fmt = node.find("INPUT-FORMAT")
        input_format = (fmt.get("TYPE") if fmt is not None else "") or ""
        peers = {p.get("ID"): peer_root / (p.text or "").strip() for p in node.iter("P")}
        models = [(m.get("ID"), model_root / (m.text or "").strip()) for m in node.iter("M")]
        if not models:
            raise InputError("no <M> model files", path=path, field=eval_id)
        evals.append(RougeEval(eval_id, input_format.upper(), peers, models))
    if not evals:
        raise InputError("no <EVAL> entries", path=path)
    return evals


def _child_text(node, tag: str, path, eval_id: str) -> str:
    child = node.find(tag)
    if child is None or child.text is None:
        raise InputError(f"<{tag}> missing", path=path, field=eval_id)
    return child.text.strip()
