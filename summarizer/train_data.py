"""Training rows {"id", "article", "headline", "source"} from the sources of a config's
`data.train` / `data.dev`: recipes (eval.headline_data, eval.summary_data), local files and
hub datasets (the `datasets` library), with errors that name the source, file, row and column."""

from __future__ import annotations

import logging
import random
import re
from pathlib import Path

from eval.base.errors import InputError

log = logging.getLogger(__name__)


def load_examples(specs: list[dict], split: str, seed: int) -> list[dict]:
    """Rows {"id", "article", "headline", "source"} from every source of `data.<split>`.
    `max_examples` takes a seeded random sample, so a capped dev set still spans the source."""
    rows = []
    for i, spec in enumerate(specs):
        where = f"data.{split}[{i}]"
        part = _load_source(spec, split, where)
        if spec.get("lead_sentences"):  # the shape of a wire lead: its first N sentences only
            part = [
                {**row, "article": lead_sentences(row["article"], spec["lead_sentences"])}
                for row in part
            ]
        if spec.get("max_examples") and len(part) > spec["max_examples"]:
            part = random.Random(seed).sample(part, spec["max_examples"])
        rows.extend(part)
    return rows


def _load_source(spec: dict, split: str, where: str) -> list[dict]:
    split = spec.get("split", split)
    if "recipe" in spec:
        from eval import summary_data
        from eval.headline_data import SOURCES, is_table_item, load_headlines

        recipe = spec["recipe"]
        if recipe not in SOURCES and recipe not in summary_data.SOURCES:
            raise InputError(
                f"unknown recipe {recipe!r}; choose from "
                f"{', '.join([*SOURCES, *summary_data.SOURCES])}",
                field=where,
            )
        try:
            if recipe in summary_data.SOURCES:  # the reference summary is the target
                rows = [
                    {**r, "headline": summary_data.one_line(r["summary"]), "source": recipe}
                    for r in summary_data.load_summaries(recipe, split)
                ]
            else:
                rows = [{**r, "source": recipe} for r in load_headlines(recipe, split)]
        except ValueError as err:  # e.g. the unseen-outlet dev set asked for a train split
            raise InputError(str(err), field=where) from None
        if spec.get("skip_table_items"):
            kept = [r for r in rows if not is_table_item(r["article"])]
            log.info(
                "%s: skipped %d of %d rows whose article is a table (skip_table_items)",
                where,
                len(rows) - len(kept),
                len(rows),
            )
            rows = kept
        return rows

    import datasets

    article_col = spec.get("article_column", "article")
    headline_col = spec.get("headline_column", "headline")
    if "path" in spec:
        path = Path(spec["path"])
        if not path.exists():
            raise InputError("data file not found", path=path, field=where)
        kind = {".jsonl": "json", ".json": "json", ".csv": "csv"}.get(path.suffix)
        if kind is None:
            raise InputError("expected a .jsonl, .json or .csv file", path=path)
        try:
            table = datasets.load_dataset(kind, data_files=str(path), split="train")
        except Exception as err:  # datasets wraps parse errors in many types; name the file
            raise InputError(f"could not read: {str(err).splitlines()[0]}", path=path) from None
        name = str(path)
    else:
        table = datasets.load_dataset(spec["hub"], spec.get("config"), split=split)
        name = spec["hub"]
    for column in (article_col, headline_col):
        if column not in table.column_names:
            raise InputError(
                f"missing column (columns: {', '.join(table.column_names)}); "
                f"map yours with article_column/headline_column",
                path=name,
                field=column,
            )
    rows = []
    for number, row in enumerate(table, 1):
        for column in (article_col, headline_col):
            if not isinstance(row[column], str) or not row[column].strip():
                raise InputError("empty or not text", path=name, line=number, field=column)
        rows.append(
            {
                "id": str(row.get("id", f"{name}:{number}")),
                "article": row[article_col].strip(),
                "headline": row[headline_col].strip(),
                "source": spec.get("name", name),
            }
        )
    return rows


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n")


def first_sentence(article: str) -> str:
    return _SENTENCE_BREAK.split(article.strip(), maxsplit=1)[0]


def lead_sentences(article: str, n: int) -> str:
    """The article's first `n` sentences (split at . ! ? or a line break), joined by spaces."""
    parts = [part for part in _SENTENCE_BREAK.split(article.strip()) if part.strip()]
    return " ".join(parts[:n])


def filter_rows(rows: list[dict], min_headline_words: int) -> list[dict]:
    """Drop rows whose headline is too short to learn from, and repeats (the same article, or
    the same headline, already taken from an earlier row or source), saying how many."""
    keep = [r for r in rows if len(r["headline"].split()) >= min_headline_words]
    if len(keep) < len(rows):
        log.info(
            "skipped %d training rows with fewer than %d headline words",
            len(rows) - len(keep),
            min_headline_words,
        )
    seen: set[str] = set()
    unique = []
    for row in keep:
        keys = (
            "a:" + " ".join(row["article"].split()),
            "h:" + " ".join(row["headline"].lower().split()),
        )
        if not seen.intersection(keys):
            unique.append(row)
        seen.update(keys)
    if len(unique) < len(keep):
        log.info(
            "skipped %d training rows repeating an article or headline", len(keep) - len(unique)
        )
    keep = unique
    if not keep:
        raise InputError("no training rows left", field="data.train")
    return keep
