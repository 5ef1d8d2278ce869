"""Loaders for the article -> headline data in $SUMM_DATA_DIR/headlines, with fixed splits.

Splits are deterministic and documented so nobody tunes on held-out data:
- reuters: the ModApte `lewissplit`: TRAIN -> train, TEST -> dev, NOT-USED -> test.
- bbc: exact-duplicate articles removed, then 70/15/15 by a hash of the article text, so a
  duplicate can never sit on both sides of a split.
- gigaword: 80/10/10 by a hash of the line (its "article" is only the first sentence).
  gigaword-plain: the same rows with the PTB tokenisation undone ("-lrb-", "'s", " ,") and the
  rows holding UNK dropped; still lower-cased, digits still "#".
- fnc-agree: FNC-1 training pairs labelled `agree` (../headline_support): a real headline of
  another article on the same claim, with the body that asserts it. One pair per distinct
  headline (the lowest body_id); 70/15/15 by a hash of the body, so a body never sits on both
  sides of a split.
- financial (+ financial-cnbc, financial-reuters: one outlet each): CNBC and Reuters
  2018-2020, lead sentence(s) -> headline, an outlet and era absent from the rest. It is the
  unseen-outlet dev set and has NO train split: "dev" is the selection half (choose
  checkpoints and settings on it), "test" the report half, by a hash of the headline.
"test" splits are held out: report on them at the end, never tune on them.
"""

from __future__ import annotations

import collections
import hashlib
import re

from eval.base.errors import InputError
from eval.base.io import iter_jsonl, open_lines, parse_jsonl
from eval.base.paths import data_path

SOURCES = (
    "reuters",
    "bbc",
    "gigaword",
    "gigaword-plain",
    "fnc-agree",
    "financial",
    "financial-cnbc",
    "financial-reuters",
)
SPLITS = ("train", "dev", "test")
_REUTERS_SPLITS = {"TRAIN": "train", "TEST": "dev", "NOT-USED": "test"}


def load_headlines(source: str, split: str) -> list[dict]:
    """Rows {"id", "article", "headline", "category"} of one source and split."""
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}; choose from {', '.join(SOURCES)}")
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
    if source.startswith("financial"):
        return _financial(split, outlet=source.partition("-")[2] or None)
    return {
        "reuters": _reuters,
        "bbc": _bbc,
        "gigaword": _gigaword,
        "gigaword-plain": _gigaword_plain,
        "fnc-agree": _fnc_agree,
    }[source](split)


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
# Earnings and dividend items whose body is a table ("Shr 12 cts vs 10 cts / Net ..."): their
# titles are wire slugs ("Acme Corp 4th qtr net") with no prose behind them.
_TABLE_BODY = re.compile(
    r"(?:Shr|Oper shr|Qtr|Qtly div|Net|Revs|Sales|Period ended|Six mths|Nine mths|Year)\b"
)


def is_table_item(article: str) -> bool:
    return bool(_TABLE_BODY.match(article))


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
    for token in re.sub(r"<([^<>]+)>", r"\1", _TICKER.sub("", title)).split():
        core = token.strip("\"'(),;:")
        cased = "-".join(case(part) if part else part for part in core.split("-"))
        words.append(token.replace(core, cased) if core else token)
    if words:
        words[0] = words[0][:1].upper() + words[0][1:]
    return " ".join(words)


def _reuters(split: str) -> list[dict]:
    rows = []
    for raw in iter_jsonl(data_path("headlines", "reuters21578.jsonl.gz")):
        if _REUTERS_SPLITS.get(raw.get("lewissplit")) != split:
            continue
        title, body = (raw.get("title") or "").strip(), (raw.get("body") or "").strip()
        if not title or not body:  # 4,535 wire items have a title or a body only
            continue
        article = clean_reuters_body(body)
        rows.append(
            {
                "id": f"reuters/{raw['newid']}",
                "article": article,
                "headline": truecase_title(title, article),
                "category": (raw.get("topics") or ["none"])[0],
            }
        )
    return rows


# --- BBC News Summary ----------------------------------------------------------------------


def _bbc(split: str) -> list[dict]:
    rows, seen = [], set()
    for raw in iter_jsonl(data_path("headlines", "bbc_news_summary.jsonl")):
        article = raw["article"].strip()
        if article in seen:  # 133 exact duplicates in the Kaggle release
            continue
        seen.add(article)
        if hash_split(article) != split:
            continue
        rows.append(
            {
                "id": f"bbc/{raw['id']}",
                "article": article,
                "headline": raw["title"].strip(),
                "category": raw["category"],
                "summary": raw.get("extractive_summary", ""),
            }
        )
    return rows


# --- Gigaword (first 1,000 training pairs) ----------------------------------------------------


def _gigaword(split: str) -> list[dict]:
    articles = (
        data_path("headlines", "gigaword_train_head1000.article.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    titles = (
        data_path("headlines", "gigaword_train_head1000.title.txt")
        .read_text(encoding="utf-8")
        .splitlines()
    )
    return [
        {"id": f"gigaword/{i}", "article": a.strip(), "headline": t.strip(), "category": "gigaword"}
        for i, (a, t) in enumerate(zip(articles, titles))
        if hash_split(f"{i}\t{a}", (0.8, 0.1, 0.1)) == split
    ]


_PTB = [
    (r"-lrb-", "("),
    (r"-rrb-", ")"),
    (r"-lsb-", "["),
    (r"-rsb-", "]"),
    (r"``\s*", '"'),
    (r"\s*''", '"'),
    (r"\(\s+", "("),
    (r"\s+\)", ")"),
    (r"\s+('s|'re|'ve|'ll|'d|'m|n't)\b", r"\1"),
    (r"\s+([.,;:!?%])", r"\1"),
    (r"\$\s+", "$"),
]


def detokenize_ptb(text: str) -> str:
    for pattern, replacement in _PTB:
        text = re.sub(pattern, replacement, text)
    return " ".join(text.split())


def _gigaword_plain(split: str) -> list[dict]:
    rows = [
        r
        for r in _gigaword(split)
        if "unk" not in f"{r['article']} {r['headline']}".lower().split()
    ]
    return [
        {**r, "article": detokenize_ptb(r["article"]), "headline": detokenize_ptb(r["headline"])}
        for r in rows
    ]


# --- FNC-1 agree pairs --------------------------------------------------------------------------


def looks_title_cased(headline: str) -> bool:
    """Most words of 4+ letters capitalised ("Nasa Confirms Earth Will Experience ...")."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z']*", headline) if len(w) >= 4]
    return len(words) >= 3 and sum(w[0].isupper() for w in words) / len(words) >= 0.7


def _fnc_agree(split: str) -> list[dict]:
    bodies = {
        raw["body_id"]: raw["article"]
        for raw in iter_jsonl(data_path("headline_support", "train_bodies.jsonl"))
    }
    first_body: dict[str, int] = {}
    for raw in iter_jsonl(data_path("headline_support", "train_stances.jsonl")):
        headline = " ".join(raw["headline"].split())
        if raw["stance"] == "agree" and raw["body_id"] < first_body.get(headline, 1 << 62):
            first_body[headline] = raw["body_id"]
    rows = []
    for headline, body_id in sorted(first_body.items(), key=lambda item: (item[1], item[0])):
        article = "\n".join(" ".join(p.split()) for p in bodies[body_id].split("\n") if p.strip())
        if hash_split(f"fnc/{body_id}") != split:
            continue
        if looks_title_cased(headline):  # Title Case -> the casing of the body, as for Reuters
            headline = truecase_title(headline, article)
        rows.append(
            {
                "id": f"fnc/{body_id}/{hashlib.md5(headline.encode()).hexdigest()[:8]}",
                "article": article,
                "headline": headline,
                "category": "fnc",
            }
        )
    return rows


# --- Financial News Headlines (unseen-outlet dev) ------------------------------------------------

FINANCIAL_HALVES = {"dev": "selection", "test": "report"}


def financial_half(headline: str) -> str:
    """ "selection" or "report": a stable half by the md5 of the headline text."""
    return (
        "selection"
        if int(hashlib.md5(headline.encode("utf-8")).hexdigest()[:8], 16) % 2 == 0
        else "report"
    )


def _financial(split: str, outlet: str | None = None) -> list[dict]:
    if split not in FINANCIAL_HALVES:
        raise ValueError(
            "financial_headlines is the unseen-outlet dev set and has no train split: "
            "use split dev (selection half) or test (report half)"
        )
    rows = []
    path = data_path("headlines", "financial_headlines.jsonl")
    for number, raw in parse_jsonl(open_lines(path), path):
        for field in ("source", "headline", "description"):
            if not isinstance(raw.get(field), str) or not raw[field].strip():
                raise InputError("empty or not text", path=path, line=number, field=field)
        headline, source = " ".join(raw["headline"].split()), raw["source"].strip().lower()
        if (outlet and source != outlet) or financial_half(headline) != FINANCIAL_HALVES[split]:
            continue
        rows.append(
            {
                "id": f"financial/{number}",
                "article": " ".join(raw["description"].split()),
                "headline": headline,
                "category": source,
            }
        )
    return rows
