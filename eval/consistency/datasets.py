"""Human-labelled consistency data from $SUMM_DATA_DIR/consistency, as uniform rows
`{"id", "source", "article", "summary", "label"}` with label 1 = consistent, plus a
deterministic three-way split by document.

Binarisation (the usual one for each benchmark):
- FRANK (frank_valid.jsonl): consistent iff human Factuality == 1.0 (every sentence error-free).
- SummEval (summeval.jsonl, mean of 3 experts): consistent iff consistency == 5.0 (all gave 5).
- XSumFaith (xsumfaith_with_docs.jsonl): consistent iff a majority of the 3 workers voted
  is_factual == yes. The Gold reference rows carry no votes and are skipped.
- SummaC subsets (summac_subsets/*.json): their own `label`.
- AggreFact (aggrefact_val.jsonl): `label`; only rows that carry the document (`doc`) can be
  scored: the CNN/DM-based rows (FRANK, CLIFF, Goyal & Durrett) hold ids only and are skipped,
  and `load` logs how many.

Split: every row goes to "train" (40%), "dev_fit" (30%) or "dev_eval" (30%) by a hash of its
normalised document text, so one article never straddles two parts, even across files (the
same XSum article in XSumFaith, the SummaC subset and AggreFact lands in the same part).
Thresholds and ensemble weights are fitted on dev_fit and reported on dev_eval; a trained
checker may use "train" only.
"""

from __future__ import annotations

import ast
import hashlib
import json
import logging
import re

from eval.base.errors import InputError
from eval.base.paths import data_path

log = logging.getLogger(__name__)

SPLITS = ("train", "dev_fit", "dev_eval")
# format name -> files (relative to the consistency folder); each file is one "source".
FORMATS = {
    "frank": ["frank_valid.jsonl"],
    "summeval": ["summeval.jsonl"],
    "xsumfaith": ["xsumfaith/xsumfaith_with_docs.jsonl"],
    "summac": [
        "summac_subsets/polytope.json",
        "summac_subsets/summeval.json",
        "summac_subsets/xsumfaith.json",
    ],
    "aggrefact": ["aggrefact_val.jsonl"],
}
# The benchmark's target mix (the "dev data"): FRANK, XSumFaith and the SummaC subsets.
TARGET_SOURCES = ("frank", "xsumfaith", "summac-polytope", "summac-summeval", "summac-xsumfaith")


def split_of(document: str) -> str:
    """ "train" | "dev_fit" | "dev_eval" from the first 400 letters/digits of the lower-cased
    document (robust to the tokenisation and casing differences between copies of an article)."""
    key = re.sub(r"[^a-z0-9]", "", document.lower())[:400]
    bucket = int(hashlib.sha1(key.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 4 else "dev_fit" if bucket < 7 else "dev_eval"


def _literal(value):
    """Some fields are Python-literal strings (e.g. "[{'is_factual': 'yes'}]"): parse them
    with literal_eval (data only, never code)."""
    return ast.literal_eval(value) if isinstance(value, str) else value


def _jsonl(path):
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield number, json.loads(line)


def _frank(path):
    for _, row in _jsonl(path):
        human = _literal(row["human"])
        yield {
            "id": row["hash"] + ":" + row["model_name"],
            "source": "frank",
            "article": row["article"],
            "summary": row["summary"],
            "label": int(float(human["Factuality"]) == 1.0),
            "origin": row["dataset"],
        }


def _summeval(path):
    for _, row in _jsonl(path):
        yield {
            "id": f"{row['article_id']}:{row['summary_id']}",
            "source": "summeval",
            "article": row["article"],
            "summary": row["summary"],
            "label": int(float(row["consistency"]) == 5.0),
        }


def _xsumfaith(path):
    for _, row in _jsonl(path):
        for system, entry in _literal(row["summaries"]).items():
            votes = [v["is_factual"] == "yes" for v in _literal(entry.get("factual_votes") or "[]")]
            if not votes:  # the Gold references were not judged for factuality
                continue
            yield {
                "id": f"{row['bbcid']}:{system}",
                "source": "xsumfaith",
                "article": row["document"],
                "summary": entry["summary"],
                "label": int(sum(votes) * 2 > len(votes)),
            }


def _summac(path):
    name = path.stem
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    for key, row in data.items():
        yield {
            "id": key,
            "source": f"summac-{name}",
            "article": row["document"],
            "summary": row["claim"],
            "label": int(row["label"]),
        }


def _aggrefact(path):
    skipped = 0
    for number, row in _jsonl(path):
        doc = row.get("doc")
        if not doc or doc == "None":
            skipped += 1
            continue
        yield {
            "id": f"{row['dataset']}:{row['id']}:{row['model_name']}:{number}",
            "source": f"aggrefact-{row['dataset'].lower()}",
            "article": doc,
            "summary": row["summ"],
            "label": int(row["label"]),
        }
    if skipped:
        log.info(
            "aggrefact: skipped %d rows that carry ids only (CNN/DM articles not included)", skipped
        )


def _user_jsonl(path):
    """Any JSONL with article, summary and label (1/0 or true/false); source optional."""
    for number, row in _jsonl(path):
        for field in ("article", "summary", "label"):
            if field not in row:
                raise InputError("missing", path=path, line=number, field=field)
        label = row["label"]
        if label not in (0, 1, True, False, "0", "1"):
            raise InputError(
                f"label must be 0/1, got {label!r}", path=path, line=number, field="label"
            )
        yield {
            "id": str(row.get("id", number)),
            "source": row.get("source", path.stem),
            "article": row["article"],
            "summary": row["summary"],
            "label": int(label),
        }


_READERS = {
    "frank": _frank,
    "summeval": _summeval,
    "xsumfaith": _xsumfaith,
    "summac": _summac,
    "aggrefact": _aggrefact,
    "jsonl": _user_jsonl,
}


def read_file(path, fmt: str) -> list[dict]:
    """Rows of one file in `fmt` (one of FORMATS or "jsonl"), each with its "split"."""
    from pathlib import Path

    path = Path(path)
    if fmt not in _READERS:
        raise InputError(f"unknown format {fmt!r}; use one of {', '.join(_READERS)}", path=path)
    try:
        rows = list(_READERS[fmt](path))
    except (KeyError, ValueError, SyntaxError, TypeError) as err:
        if isinstance(err, InputError):
            raise
        raise InputError(f"not a {fmt} file ({type(err).__name__}: {err})", path=path) from None
    for row in rows:
        row["split"] = split_of(row["article"])
    return rows


def load(fmt: str, split: str | None = None) -> list[dict]:
    """All rows of a shared-data format, optionally one split."""
    rows = []
    for name in FORMATS[fmt]:
        rows += read_file(data_path("consistency", name), fmt)
    return [r for r in rows if split is None or r["split"] == split]


def load_all(split: str | None = None, sources=None) -> list[dict]:
    """Every shared format (optionally restricted to `sources`, e.g. TARGET_SOURCES)."""
    rows = [r for fmt in FORMATS for r in load(fmt, split)]
    return [r for r in rows if sources is None or r["source"] in sources]


def guess_format(path) -> str:
    name = str(path).lower()
    for fmt in ("frank", "summeval", "xsumfaith", "aggrefact"):
        if fmt in name and name.endswith(".jsonl"):
            return fmt
    return "summac" if name.endswith(".json") else "jsonl"
