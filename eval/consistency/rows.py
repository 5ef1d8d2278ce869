"""JSONL rows in, checked rows out, for `eval consistency` (locally and on Ray): one output row
per input line, in order, error rows kept in place, and the checks that make a resume safe."""

from __future__ import annotations

from eval.base.errors import InputError
from eval.base.io import jsonl_records


def read_rows(path) -> list[dict]:
    """Every line becomes a row; a line that is not a JSON object becomes an error row (so the
    output keeps one row per input line)."""
    rows = [
        row
        if problem is None
        else {"id": None, "error": f"line {number}: not a JSON object ({problem})"}
        for number, row, problem in jsonl_records(path)
    ]
    if not rows:
        raise InputError("file is empty", path=path)
    return rows


def score_batch(
    checker, batch: list[dict], signature: str, echo_inputs: bool = False
) -> list[dict]:
    """Output rows for one batch of input rows (error rows keep their place): the id and the
    results, plus every input field with `echo_inputs`."""
    scorable = [r for r in batch if "error" not in r]
    results = iter(
        checker.score([r.get("article") for r in scorable], [r.get("summary") for r in scorable])
        if scorable
        else ()
    )
    return [
        {
            **_head(row, echo_inputs),
            "consistency": None,
            "consistent": None,
            "unsupported_spans": [],
        }
        if "error" in row
        else {**_head(row, echo_inputs), **next(results).as_dict(), "signature": signature}
        for row in batch
    ]


def check_resume(written: list[dict], rows: list[dict], path) -> None:
    """The rows already in the output must be the first rows of this input."""
    if len(written) > len(rows) or any(a.get("id") != b.get("id") for a, b in zip(written, rows)):
        raise InputError(
            "holds rows of another input; remove it or pick another --output", path=path
        )


def check_signature(written: list[dict], signature: str, path) -> None:
    """A resume must score with the settings that scored the rows already written (rows of
    different checkers in one file would be read as one run)."""
    old = next(
        (r["signature"] for r in written if r.get("signature") and r["signature"] != signature),
        None,
    )
    if old is not None:
        raise InputError(
            f"holds rows scored with {old}; this run is {signature}: remove the file or pass "
            "another --output to start fresh",
            path=path,
        )


def _head(row: dict, echo_inputs: bool) -> dict:
    if echo_inputs:
        return dict(row)
    return {"id": row.get("id"), **({"error": row["error"]} if "error" in row else {})}
