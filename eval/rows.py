"""Reading and validating the input rows of `eval score`: one row per input line, in order.

Input rows: `id`, `prediction` (or `text`, as `python -m summarizer generate` writes),
`reference` (string or list; or `references`), optional `article`, `category`, `task`,
`hit_length_cap`. References/articles may come from a separate file joined by id.
Row errors (bad JSON, no id, duplicate id, id absent from the references, no prediction) are
recorded in the row (`error`) and in Problems; row warnings (empty prediction, no reference, no
article) in the row's `warnings`. Nothing is dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from eval.base.errors import InputError
from eval.base.io import jsonl_records

NO_CATEGORY = "(none)"


@dataclass
class Problems:
    """Every problem found, each naming its file and line/id; `kinds` counts them by kind."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)

    def error(self, kind: str, where: str, message: str):
        self.errors.append(f"{where}: {message}")
        self.kinds[kind] += 1

    def warn(self, kind: str, where: str, message: str):
        self.warnings.append(f"{where}: {message}")
        self.kinds[kind] += 1

    def stop(self) -> None:
        """Raise one InputError listing the errors (the first 20; all are counted)."""
        shown = "\n  ".join(self.errors[:20])
        more = f"\n  ... and {len(self.errors) - 20} more" if len(self.errors) > 20 else ""
        raise InputError(
            f"{len(self.errors)} bad row(s) (use --keep-going to score the rest "
            f"and keep them as error rows):\n  {shown}{more}"
        )

    def as_dict(self) -> dict:
        return {
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "by_kind": dict(self.kinds),
            "first_errors": self.errors[:20],
            "first_warnings": self.warnings[:20],
        }


def _jsonl_objects(path, problems: Problems):
    """(line number, object or None) for every line; bad lines are recorded, never skipped silently."""
    for number, obj, problem in jsonl_records(path):
        if problem:
            problems.error("invalid_json", f"{path} line {number}", problem)
        yield number, obj


def _references(value, where, problems: Problems):
    if value is None:
        return None
    refs = [value] if isinstance(value, str) else value
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        problems.error(
            "bad_reference",
            where,
            'field "reference" must be a string or a non-empty list of strings',
        )
        return None
    if not any(r.strip() for r in refs):
        problems.warn("empty_reference", where, "empty reference")
    return refs


def read_references(path, problems: Problems) -> dict[str, dict]:
    by_id: dict[str, dict] = {}
    for number, obj in _jsonl_objects(path, problems):
        where = f"{path} line {number}"
        if obj is None:
            continue
        if "id" not in obj:
            problems.error("missing_id", where, 'missing field "id"')
            continue
        key = str(obj["id"])
        if key in by_id:
            problems.error("duplicate_id", where, f"duplicate id {key!r}")
            continue
        ref = next(
            (obj[f] for f in ("reference", "references", "headline", "summary") if f in obj), None
        )
        by_id[key] = {
            "references": _references(ref, where, problems),
            "article": obj.get("article"),
            "category": obj.get("category"),
        }
    return by_id


def read_rows(path, references_path=None) -> tuple[list[dict], Problems]:
    """Validated rows (one per input line, bad ones carry `error`) and the problems found."""
    problems = Problems()
    refs = read_references(references_path, problems) if references_path else None
    rows, first_line = [], {}
    for number, obj in _jsonl_objects(path, problems):
        where = f"{path} line {number}"
        row = {
            "line": number,
            "id": None,
            "prediction": None,
            "references": None,
            "article": None,
            "category": NO_CATEGORY,
            "hit_length_cap": None,
            "warnings": [],
        }
        rows.append(row)
        n_errors = len(problems.errors)
        if obj is None:
            row["error"] = problems.errors[-1]
            continue
        if "id" not in obj or not isinstance(obj["id"], (str, int)) or isinstance(obj["id"], bool):
            problems.error("missing_id", where, 'missing or non-scalar field "id"')
        else:
            row["id"] = key = str(obj["id"])
            where = f"{where} (id {key!r})"
            if key in first_line:
                problems.error(
                    "duplicate_id", where, f"duplicate id (first on line {first_line[key]})"
                )
            first_line.setdefault(key, number)
        pred = obj.get("prediction", obj.get("text"))
        if pred is None:
            problems.error("missing_prediction", where, 'missing field "prediction"')
        elif not isinstance(pred, str):
            problems.error(
                "bad_prediction",
                where,
                f'field "prediction" must be a string, got {type(pred).__name__}',
            )
        else:
            row["prediction"] = pred
            if not pred.strip():
                note = "empty prediction (scored as it is: ROUGE/BERTScore 0)"
                if obj.get("error"):
                    note = f"empty prediction; generation error: {obj['error']}"
                problems.warn("empty_prediction", where, note)
                row["warnings"].append(note)
        joined = {}
        if refs is not None and row["id"] is not None:
            if row["id"] not in refs:
                problems.error("id_not_in_references", where, f"id absent from {references_path}")
            else:
                joined = refs[row["id"]]
        ref_value = obj.get("reference", obj.get("references"))
        row["references"] = (
            _references(ref_value, where, problems)
            if ref_value is not None
            else joined.get("references")
        )
        row["article"] = obj.get("article") or joined.get("article")
        row["category"] = str(obj.get("category") or joined.get("category") or NO_CATEGORY)
        task = obj.get("task")
        if task is not None and task not in ("headline", "summary"):
            problems.error(
                "bad_task", where, f'field "task" must be "headline" or "summary", got {task!r}'
            )
        elif task:
            row["task"] = task
        if isinstance(obj.get("hit_length_cap"), bool):
            row["hit_length_cap"] = obj["hit_length_cap"]
        for name, missing in (
            ("reference", row["references"] is None),
            ("article", not row["article"]),
        ):
            if missing and len(problems.errors) == n_errors:
                note = f"no {name}: metrics that need it leave this row null"
                problems.warn(f"missing_{name}", where, note)
                row["warnings"].append(note)
        if len(problems.errors) > n_errors:
            row["error"] = "; ".join(problems.errors[n_errors:])
    if not rows:
        raise InputError("file is empty", path=path)
    return rows, problems
