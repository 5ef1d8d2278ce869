"""The user's own human judgments, read for `python -m eval meta-human --input FILE`.

Two shapes, JSONL or CSV (header row):
- ratings: one row per rated prediction, with a document id, optional system name, optional
  reference and article, and one or more numeric human fields (`--human-fields`);
- pairwise preferences (`--pairwise`): `id, prediction_a, prediction_b, preferred` with
  preferred one of a, b, tie (case-insensitive), optional reference/article/document.

Every problem names its file, line and field. Errors (missing field, non-numeric rating, a
system rated twice for one document) stop the run with all of them listed; warnings (a
document with one prediction only, empty predictions) are printed and kept in the output.
No row is dropped.
"""

from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from eval.base.errors import InputError
from eval.base.io import iter_jsonl, open_lines, parse_jsonl
from eval.base.paths import data_path

PREFERENCES = {"a": "a", "b": "b", "tie": "tie"}


@dataclass
class Loaded:
    rows: list[dict]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_records(path) -> list[tuple[int, dict]]:
    """(line number, record) from .jsonl or .csv/.tsv; every value of a CSV record is a string."""
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".tsv"):
        records = list(parse_jsonl(open_lines(path), path))
    else:
        lines = [text for _, text in open_lines(path)]  # strict UTF-8, errors name the line
        reader = csv.DictReader(lines, delimiter="\t" if path.suffix.lower() == ".tsv" else ",")
        records = []
        for record in reader:
            if None in record:  # more cells than header columns
                raise InputError(
                    f"{len(record[None])} cell(s) more than the header has",
                    path=path,
                    line=reader.line_num,
                )
            records.append((reader.line_num, record))
    if not records:
        raise InputError("file is empty (no rows after the header)", path=path)
    return records


class _Checker:
    """Collects every error, then raises one InputError listing them."""

    def __init__(self, path):
        self.path, self.errors = path, []

    def error(self, line, name, message):
        self.errors.append(str(InputError(message, path=self.path, line=line, field=name)))

    def text(self, record, line, name, required=True, allow_list=False):
        if name not in record or record[name] is None:
            if required:
                self.error(line, name, "missing")
            return None
        value = record[name]
        if (
            allow_list
            and isinstance(value, list)
            and value
            and all(isinstance(v, str) for v in value)
        ):
            return value
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            self.error(line, name, f"expected a string, got {type(value).__name__}")
            return None
        return str(value)

    def number(self, record, line, name):
        if name not in record:
            self.error(line, name, "missing")
            return None
        value = record[name]
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value.strip() if isinstance(value, str) else value)
            if not math.isfinite(number):
                raise ValueError
            return number
        except (TypeError, ValueError):
            self.error(line, name, f"rating is not a number: {value!r}")
            return None

    def raise_if_any(self):
        if self.errors:
            shown = "\n  ".join(self.errors[:20])
            more = f"\n  ... and {len(self.errors) - 20} more" if len(self.errors) > 20 else ""
            raise InputError(f"{len(self.errors)} problem(s):\n  {shown}{more}")


def _refs(value):
    return None if value is None else ([value] if isinstance(value, str) else list(value))


def _source_note(reference_field, article_field) -> list[str]:
    if reference_field:
        return []
    if article_field:
        return [
            "no reference field: ROUGE and BERTScore are computed against the article and "
            "named with the suffix @src (reference-free proxies, as for SummEval)"
        ]
    return [
        "no reference and no article field: only the headline checks that need neither are scored"
    ]


def load_ratings(
    path,
    prediction_field,
    human_fields,
    doc_field,
    system_field=None,
    reference_field=None,
    article_field=None,
) -> Loaded:
    """Rows {line, doc, system, prediction, references, article, human} for meta-human. Without
    a system field, the k-th prediction of a document is column "#k" (no system level)."""
    check = _Checker(path)
    rows, seen, per_doc = [], {}, {}
    for line, record in read_records(path):
        doc = check.text(record, line, doc_field)
        prediction = check.text(record, line, prediction_field)
        human = {name: check.number(record, line, name) for name in human_fields}
        system = check.text(record, line, system_field) if system_field else None
        references = (
            _refs(check.text(record, line, reference_field, allow_list=True))
            if reference_field
            else None
        )
        article = check.text(record, line, article_field) if article_field else None
        if doc is None or prediction is None or None in human.values():
            continue  # its errors are recorded; the run stops below
        if system_field is None:
            system = f"#{len(per_doc.get(doc, [])) + 1}"
        if (doc, system) in seen:
            check.error(
                line,
                system_field or doc_field,
                f"document {doc!r}, system {system!r} already rated on line {seen[doc, system]}",
            )
            continue
        seen[doc, system] = line
        per_doc.setdefault(doc, []).append(line)
        rows.append(
            {
                "line": line,
                "id": f"{doc}\t{system}",
                "doc": doc,
                "system": system,
                "prediction": prediction,
                "references": references or ([article] if article else None),
                "article": article,
                "human": human,
            }
        )
    check.raise_if_any()
    loaded = Loaded(rows, notes=_source_note(reference_field, article_field))
    what = "system" if system_field else "prediction"
    for doc, lines in per_doc.items():
        if len(lines) == 1:
            loaded.warnings.append(
                f"{path} line {lines[0]}: document {doc!r} has one {what} only: it "
                "counts at system and pooled level, not in the within-document correlation"
            )
    for row in rows:
        if not row["prediction"].strip():
            loaded.warnings.append(f"{path} line {row['line']}: empty prediction (scored as it is)")
    return loaded


def load_pairwise(
    path,
    id_field="id",
    a_field="prediction_a",
    b_field="prediction_b",
    preferred_field="preferred",
    doc_field=None,
    reference_field=None,
    article_field=None,
) -> Loaded:
    """Rows {line, id, doc, a, b, preferred, references, article}; the bootstrap resamples
    documents (`doc_field`, default: each pair its own)."""
    check = _Checker(path)
    rows, seen = [], {}
    for line, record in read_records(path):
        key = check.text(record, line, id_field)
        a, b = check.text(record, line, a_field), check.text(record, line, b_field)
        preferred = check.text(record, line, preferred_field)
        doc = check.text(record, line, doc_field) if doc_field else key
        references = (
            _refs(check.text(record, line, reference_field, allow_list=True))
            if reference_field
            else None
        )
        article = check.text(record, line, article_field) if article_field else None
        if isinstance(preferred, str) and preferred.strip().lower() not in PREFERENCES:
            check.error(line, preferred_field, f"expected a, b or tie, got {preferred!r}")
            preferred = None
        if None in (key, a, b, preferred, doc):
            continue
        if key in seen:
            check.error(line, id_field, f"duplicate id {key!r} (first on line {seen[key]})")
            continue
        seen[key] = line
        rows.append(
            {
                "line": line,
                "id": key,
                "doc": doc,
                "a": a,
                "b": b,
                "preferred": PREFERENCES[preferred.strip().lower()],
                "references": references or ([article] if article else None),
                "article": article,
            }
        )
    check.raise_if_any()
    loaded = Loaded(rows, notes=_source_note(reference_field, article_field))
    for row in rows:
        for side in ("a", "b"):
            if not row[side].strip():
                loaded.warnings.append(
                    f"{path} line {row['line']}: empty prediction_{side} (scored as it is)"
                )
    return loaded


# --- the research sets with human judgments (SummEval, REALSumm), read from $SUMM_DATA_DIR --------

SUMMEVAL_DIMS = ["coherence", "consistency", "fluency", "relevance"]
_TAG_RE = re.compile(r"\s*</?t>\s*")


def load_summeval() -> list[dict]:
    return [
        {
            "doc": r["article_id"],
            "system": r["summary_id"],
            "prediction": r["summary"],
            "article": r["article"],
            "references": [r["article"]],
            "human": {d: r[d] for d in SUMMEVAL_DIMS},
        }
        for r in iter_jsonl(data_path("human_judgments", "summeval.jsonl"))
    ]


def _sentences(text: str) -> str:
    # REALSumm marks sentences with <t> ... </t>; rougeLsum-style newline separation instead.
    return "\n".join(s.strip() for s in _TAG_RE.split(text) if s.strip())


def load_realsumm() -> list[dict]:
    rows = []
    for kind in ("abs", "ext"):
        with open(
            data_path("human_judgments", "realsumm", f"scores_{kind}.json"), encoding="utf-8"
        ) as handle:
            docs = json.load(handle)
        for doc_id, doc in docs.items():
            for system, entry in doc["system_summaries"].items():
                rows.append(
                    {
                        "doc": str(doc_id),
                        "system": f"{kind}:{system}",
                        "article": None,
                        "prediction": _sentences(entry["system_summary"]),
                        "references": [_sentences(doc["ref_summ"])],
                        "human": {"litepyramid_recall": entry["scores"]["litepyramid_recall"]},
                    }
                )
    return rows
