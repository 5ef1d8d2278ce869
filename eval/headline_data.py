"""Loaders for the article -> headline data in $SUMM_DATA_DIR/headlines, with fixed splits.

Splits are deterministic and documented so nobody tunes on held-out data:
- reuters: the ModApte `lewissplit`: TRAIN -> train, TEST -> dev, NOT-USED -> test.
- bbc: exact-duplicate articles removed, then 70/15/15 by a hash of the article text, so a
  duplicate can never sit on both sides of a split.
- gigaword: 80/10/10 by a hash of the line (its "article" is only the first sentence).
"test" splits are held out: report on them at the end, never tune on them.
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import json
import re

from eval.data import data_path

SOURCES = ("reuters", "bbc", "gigaword")
SPLITS = ("train", "dev", "test")
_REUTERS_SPLITS = {"TRAIN": "train", "TEST": "dev", "NOT-USED": "test"}


def load_headlines(source: str, split: str) -> list[dict]:
    """Rows {"id", "article", "headline", "category"} of one source and split."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose from {', '.join(SOURCES)}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    return {"reuters": _reuters, "bbc": _bbc, "gigaword": _gigaword}[source](split)


def hash_split(key: str, fractions=(0.7, 0.15, 0.15)) -> str:
    """Stable split for `key` (md5, independent of Python's hash seed)."""
    bucket = int(hashlib.md5(key.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    cumulative = 0.0
    for name, fraction in zip(SPLITS, fractions):
        cumulative += fraction
        if bucket < cumulative:
            return name
    return SPLITS[-1]


# --- Reuters-21578 -------------------------------------------------------------------------

_TICKER = re.compile(r"\s*<[A-Z0-9.\-]+>")  # "<TCH>" stock symbols in titles


def clean_reuters_body(body: str) -> str:
    """Paragraphs start with an indented line; other newlines are hard wraps. Company names
    are wrapped in <...> on the wire: keep the name, drop the brackets."""
    paragraphs = re.split(r"\n\s{2,}", body.strip())
    text = "\n".join(" ".join(p.split()) for p in paragraphs)
    text = re.sub(r"<([^<>]+)>", r"\1", text)
    return re.sub(r"\s*Reuter\s*$", "", text).strip()


def truecase_title(title: str, article: str) -> str:
    """Upper-case wire titles -> the casing each word most often has in the article itself
    (so "U.S. TELLS JAPAN" -> "U.S. tells Japan"); unknown words are lower-cased; the first
    word is capitalised. Hyphenated parts are cased one by one ("U.S.-Japan")."""
    forms: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    initial_forms: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    sentence_start = True
    for match in re.finditer(r"(\S+)(\n?)", article):  # a newline starts a paragraph
        token, ends_paragraph = match.group(1), bool(match.group(2))
        for word in token.strip("\"'(),;:").split("-"):
            if word:  # sentence-initial capitals say little about case: keep them apart
                (initial_forms if sentence_start else forms)[word.lower()][word] += 1
        ends_sentence = token.endswith((".", "!", "?")) and not re.fullmatch(r"(?:[A-Z]\.)+", token)
        sentence_start = ends_paragraph or ends_sentence

    def case(word: str) -> str:
        key = word.lower()
        if key in forms:
            return forms[key].most_common(1)[0][0]
        initial = initial_forms.get(key)
        if initial:  # only trust a sentence-initial form that is more than a capital letter
            form = initial.most_common(1)[0][0]
            if form[1:] != form[1:].lower():
                return form
        return key

    words = []
    for token in _TICKER.sub("", title).split():
        core = token.strip("\"'(),;:")
        cased = "-".join(case(part) if part else part for part in core.split("-"))
        words.append(token.replace(core, cased) if core else token)
    if words:
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def _reuters(split: str) -> list[dict]:
    rows = []
    with gzip.open(data_path("headlines", "reuters21578.jsonl.gz"), "rt", encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            if _REUTERS_SPLITS.get(raw.get("lewissplit")) != split:
                continue
            title, body = (raw.get("title") or "").strip(), (raw.get("body") or "").strip()
            if not title or not body:  # 4,535 wire items have a title or a body only
                continue
            article = clean_reuters_body(body)
            rows.append({
                "id": f"reuters/{raw['newid']}",
                "article": article,
                "headline": truecase_title(title, article),
                "category": (raw.get("topics") or ["none"])[0],
            })
    return rows


# --- BBC News Summary ----------------------------------------------------------------------

def _bbc(split: str) -> list[dict]:
    rows, seen = [], set()
    with open(data_path("headlines", "bbc_news_summary.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            raw = json.loads(line)
            article = raw["article"].strip()
            if article in seen:  # 133 exact duplicates in the Kaggle release
                continue
            seen.add(article)
            if hash_split(article) != split:
                continue
            rows.append({
                "id": f"bbc/{raw['id']}",
                "article": article,
                "headline": raw["title"].strip(),
                "category": raw["category"],
                "summary": raw.get("extractive_summary", ""),
            })
    return rows


# --- Gigaword (first 1,000 training pairs) ----------------------------------------------------

def _gigaword(split: str) -> list[dict]:
    articles = data_path("headlines", "gigaword_train_head1000.article.txt").read_text(encoding="utf-8").splitlines()
    titles = data_path("headlines", "gigaword_train_head1000.title.txt").read_text(encoding="utf-8").splitlines()
    return [
        {"id": f"gigaword/{i}", "article": a.strip(), "headline": t.strip(), "category": "gigaword"}
        for i, (a, t) in enumerate(zip(articles, titles))
        if hash_split(f"{i}\t{a}", (0.8, 0.1, 0.1)) == split
    ]
