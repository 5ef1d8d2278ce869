"""Small text helpers shared by the backends: sentence splitting with character offsets,
lower-cased word tokens with offsets, content words and the sentence that best supports a claim.
Regex-based on purpose: fast, and the same for every backend, so spans from different backends
line up."""

from __future__ import annotations

import re

# Number words by value (0-20): "Five" in a headline is supported by "5" in the article.
NUMBER_WORDS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
).split()

_TOKEN_RE = re.compile(r"\w+(?:[.,']\w+)*", re.UNICODE)
# A sentence ends at . ! ? (optionally followed by quotes/brackets) before whitespace and an
# upper-case letter, digit or quote, or at a newline. Lower-cased, tokenised data (" . ") works too.
_SENT_END_RE = re.compile(
    r"(?<=[.!?])['\"”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])|\s*\n+\s*|(?<=\s[.!?])\s+"
)


def sentences(text: str) -> list[tuple[int, int, str]]:
    """(start, end, sentence) for each non-empty sentence of `text`."""
    out, start = [], 0
    for match in _SENT_END_RE.finditer(text):
        before = text[max(0, match.start() - 6) : match.start()].split()
        if before and "\n" not in match.group() and before[-1].lower() in _ABBREVIATIONS:
            continue
        _add(out, text, start, match.start())
        start = match.end()
    _add(out, text, start, len(text))
    return out


_ABBREVIATIONS = frozenset(
    "mr. mrs. ms. dr. prof. st. sen. rep. gov. gen. col. lt. sgt. capt. "
    "jr. sr. u.s. u.k. u.n. no. vs. inc. co. corp. ltd. jan. feb. aug. sept. oct. nov. dec.".split()
)


def _add(out, text, start, end):
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        offset = start + piece.index(stripped)
        out.append((offset, offset + len(stripped), stripped))


def tokens(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lower-cased token) for each word; "1,800" and "U.S" stay one token."""
    return [(m.start(), m.end(), m.group().lower()) for m in _TOKEN_RE.finditer(text)]


STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with from as is are was were be been
being has have had do does did not no it its this that these those he she they we you i his her their our
your my him them us me who whom which what when where why how than then there here so such can could will
would shall should may might must s t also just into over after before about up down out off more most
very said says say""".split()
)


def content_words(text: str) -> set[str]:
    return {t for _, _, t in tokens(text) if t not in STOPWORDS}


def best_sentence(text: str, claim: str) -> str:
    """The sentence of `text` sharing most content words with the claim (the first on a tie),
    shown as the claim's support."""
    words = content_words(claim)
    candidates = [s for _, _, s in sentences(text)] or [text]
    return max(candidates, key=lambda s: len(words & content_words(s)))
