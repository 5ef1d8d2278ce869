"""Loaders for the article -> reference summary pairs in $SUMM_DATA_DIR/summaries, split by article.

- cnndm: 998 CNN/DailyMail validation stories; highlights one per line (`one_line` joins them).
- xsum: 951 XSum test articles with their one-sentence summaries.
Splits, by the sha1 of the article id, in that hash order (so "the first N" is a fixed sample):
- test: odd last hex digit: the report part of benchmarks/bench_summary.py; never trained or tuned on.
- dev: even last hex digit, the first DEV_SIZE: the select part (settings, checkpoints).
- train: the rest of the even half, minus every article that appears in a factual-consistency
  benchmark under $SUMM_DATA_DIR/consistency (matched by id or by its opening words), so that
  training never sees the articles whose summaries the checkers are judged on.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re

from eval.base.io import read_jsonl
from eval.base.paths import data_path

SOURCES = {"cnndm": "cnndm_validation_1000.jsonl", "xsum": "xsum_test_sample.jsonl"}
SPLITS = ("train", "dev", "test")
DEV_SIZE = 50


def load_summaries(source: str, split: str) -> list[dict]:
    """Rows {"id", "article", "summary", "category"} of one source and split, in hash order."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose from {', '.join(SOURCES)}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    keyed = sorted(
        ((_digest(r["id"]), r) for r in read_jsonl(data_path("summaries", SOURCES[source]))),
        key=lambda pair: pair[0],
    )
    odd = [r for digest, r in keyed if int(digest[-1], 16) % 2 == 1]
    even = [r for digest, r in keyed if int(digest[-1], 16) % 2 == 0]
    if split == "test":
        part = odd
    elif split == "dev":
        part = even[:DEV_SIZE]
    else:
        seen_ids, seen_openings = _consistency_articles()
        part = [
            r
            for r in even[DEV_SIZE:]
            if str(r["id"]) not in seen_ids and _opening(r["article"]) not in seen_openings
        ]
    return [
        {"id": str(r["id"]), "article": r["article"], "summary": r["summary"], "category": source}
        for r in part
    ]


def one_line(summary: str) -> str:
    """Highlights joined into one line, with the tokenised " ." of CNN/DM undone."""
    text = " ".join(line.strip() for line in summary.splitlines() if line.strip())
    return re.sub(r"\s+([.,!?;:])(?=\s|$)", r"\1", text)


def _digest(key) -> str:
    return hashlib.sha1(str(key).encode("utf-8")).hexdigest()


def _opening(article: str) -> str:
    """The first 12 words, lower-cased, letters and digits only: robust to tokenisation."""
    return " ".join(re.findall(r"[a-z0-9]+", article.lower())[:12])


@functools.lru_cache(maxsize=1)
def _consistency_articles() -> tuple[frozenset, frozenset]:
    """Ids and openings of every article in the consistency benchmarks (missing files are skipped)."""
    ids, openings = set(), set()
    folder = data_path("consistency", required=False)
    if not folder.is_dir():
        return frozenset(), frozenset()
    for path in sorted(folder.rglob("*.json*")):
        if path.suffix == ".jsonl":
            records = read_jsonl(path)
        else:
            with open(path, encoding="utf-8") as handle:
                records = _as_records(json.load(handle))
        for record in records:
            for key in ("id", "hash", "article_id", "doc_id", "bbcid"):
                if record.get(key) is not None:
                    ids.add(str(record[key]))
            for key in ("article", "doc", "document", "text"):
                if isinstance(record.get(key), str):
                    openings.add(_opening(record[key]))
    return frozenset(ids), frozenset(openings)


def _as_records(data) -> list[dict]:
    if isinstance(data, dict):
        data = next((v for v in data.values() if isinstance(v, list)), list(data.values()))
    return [r for r in data if isinstance(r, dict)]
