"""Headline clean-up: one line, no trailing period, an optional casing style."""

from __future__ import annotations

import re

CASINGS = ("as-is", "sentence", "title")

# Title case keeps these lower-case unless first or last (AP/Chicago style, short list).
_MINOR_WORDS = frozenset(
    "a an and as at but by for from in into nor of on or over per the to up via vs with".split()
)
# Dotted acronyms (U.S.) first, so they are one word and never re-cased.
_WORD_RE = re.compile(r"(?:[A-Za-z]\.){2,}|[A-Za-z][A-Za-z'’]*")
_PREFIX_RE = re.compile(r"^\s*(?:headline|title)\s*:\s*", re.IGNORECASE)


def clean_headline(text: str, casing: str = "as-is") -> str:
    """First non-empty line, without a 'Headline:' label, wrapping quotes or a final period."""
    if casing not in CASINGS:
        raise ValueError(f"casing must be one of {CASINGS}, got {casing!r}")
    line = next((part for part in text.split("\n") if part.strip()), "")
    line = _PREFIX_RE.sub("", line).strip()
    if len(line) >= 2 and line[0] == line[-1] and line[0] in "\"'":
        line = line[1:-1].strip()
    # A single final period is sentence punctuation; '...' and 'U.S.' style endings are kept.
    if line.endswith(".") and not line.endswith("..") and not re.search(r"\b[A-Z]\.$", line):
        line = line[:-1].rstrip()
    line = re.sub(r"\s+", " ", line)
    if casing == "sentence":
        return _sentence_case(line)
    if casing == "title":
        return _title_case(line)
    return line


def clean_summary(text: str) -> str:
    """Summaries keep their lines; only surrounding whitespace and blank lines go."""
    return "\n".join(line.strip() for line in text.strip().split("\n") if line.strip())


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.isupper()


def _is_dotted(word: str) -> bool:
    return word.endswith(".")


def _sentence_case(line: str) -> str:
    # An all-caps line (a wire slug) has no acronyms we can tell apart: lower everything.
    shouting = line.isupper() and len(_WORD_RE.findall(line)) > 1
    out, last = [], 0
    for i, match in enumerate(_WORD_RE.finditer(line)):
        word = match.group(0)
        if _is_dotted(word):
            new = word
        elif i == 0:
            new = word[0].upper() + (word[1:].lower() if shouting else word[1:])
        elif shouting or word.istitle():
            new = word.lower()
        else:
            new = word  # acronyms and mixed case (iPhone) stay as written
        out.append(line[last:match.start()] + new)
        last = match.end()
    out.append(line[last:])
    return "".join(out)


def _title_case(line: str) -> str:
    shouting = line.isupper() and len(_WORD_RE.findall(line)) > 1
    matches = list(_WORD_RE.finditer(line))
    out, last = [], 0
    for i, match in enumerate(matches):
        word = match.group(0)
        edge = i == 0 or i == len(matches) - 1
        if _is_dotted(word) or not shouting and (_is_acronym(word) or not (word.islower() or word.istitle())):
            new = word  # acronyms and mixed case (iPhone) stay as written
        elif word.lower() in _MINOR_WORDS and not edge:
            new = word.lower()
        else:
            new = word[0].upper() + word[1:].lower()
        out.append(line[last:match.start()] + new)
        last = match.end()
    out.append(line[last:])
    return "".join(out)
