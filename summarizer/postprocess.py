"""Headline clean-up (one line, no trailing period, an optional casing style) and summary
guards (whole sentences only, a repeated sentence cut, a length target in sentences or words)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from eval.consistency.text import sentences as _split_sentences

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


# A base model that finished its summary goes on with the next few-shot example.
_LABEL_LINE_RE = re.compile(r"\n\s*(?:article|summary|headline|text|document)\s*:", re.IGNORECASE)
_SENTENCE_END_RE = re.compile(r"[.!?][\"'”’)\]]*$")
_WORD_RE_SIMPLE = re.compile(r"\w+")


@dataclass(frozen=True)
class SummaryGuard:
    """What counts as the end of a summary. `max_sentences` / `max_words` are the length target
    (whole sentences are kept, at least one); `trim_repeats` cuts the summary before the first
    sentence that repeats an earlier one (a decoding loop) and reports it."""

    max_sentences: int | None = None
    max_words: int | None = None
    trim_repeats: bool = True

    def __post_init__(self):
        for name in ("max_sentences", "max_words"):
            value = getattr(self, name)
            if value is not None and (
                not isinstance(value, int) or isinstance(value, bool) or value < 1
            ):
                raise ValueError(f"{name} must be a positive integer or None, got {value!r}")

    @property
    def active(self) -> bool:
        return bool(self.max_sentences or self.max_words or self.trim_repeats)

    def describe(self) -> str:
        """For signatures: e.g. '3sent', '60words', '3sent+60words' or 'none'."""
        parts = ([f"{self.max_sentences}sent"] if self.max_sentences else []) + (
            [f"{self.max_words}words"] if self.max_words else []
        )
        return "+".join(parts) or "none"

    def done(self, text: str) -> bool:
        """True once generation can stop: the text already holds everything `apply` keeps (the
        sentence after the target has begun, a sentence repeated, or a prompt label line)."""
        if _LABEL_LINE_RE.search(text):
            return True
        sents = sentence_texts(text)
        finished = sents[:-1]  # the last one may still be growing
        if self.max_sentences and len(finished) >= self.max_sentences:
            return True
        if self.max_words and finished and sum(_words(s) for s in finished) >= self.max_words:
            return True
        return bool(self.trim_repeats and first_repeat(finished) is not None)

    def apply(self, text: str, ended: bool) -> tuple[str, bool]:
        """(summary, repeated). `ended` says the model closed the summary itself; otherwise an
        unfinished last sentence is dropped when a finished one comes before it."""
        label = _LABEL_LINE_RE.search(text)
        if label:
            text, ended = text[: label.start()], True
        sents = sentence_texts(text)
        if not ended and len(sents) > 1 and not _SENTENCE_END_RE.search(sents[-1]):
            sents = sents[:-1]
        repeat = first_repeat(sents) if self.trim_repeats else None
        if repeat is not None:
            sents = sents[:repeat]
        if self.max_sentences:
            sents = sents[: self.max_sentences]
        if self.max_words and sents:
            kept, total = [], 0
            for sent in sents:
                total += _words(sent)
                if kept and total > self.max_words:
                    break
                kept.append(sent)
            sents = kept
        return clean_summary(" ".join(sents)), repeat is not None


def sentence_texts(text: str) -> list[str]:
    return [s for _, _, s in _split_sentences(text)]


def _words(text: str) -> int:
    return len(_WORD_RE_SIMPLE.findall(text))


def first_repeat(sents: list[str], overlap: float = 0.8) -> int | None:
    """Index of the first sentence that repeats an earlier one: the same words, or (loops often
    vary a word or two) at least `overlap` of its word bigrams seen in one earlier sentence."""
    seen: list[tuple[tuple[str, ...], set]] = []
    for i, sent in enumerate(sents):
        words = tuple(w.lower() for w in _WORD_RE_SIMPLE.findall(sent))
        if not words:
            continue
        bigrams = set(zip(words, words[1:]))
        for earlier, earlier_bigrams in seen:
            if words == earlier or (
                len(bigrams) >= 3 and len(bigrams & earlier_bigrams) >= overlap * len(bigrams)
            ):
                return i
        seen.append((words, bigrams))
    return None


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
        out.append(line[last : match.start()] + new)
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
        if (
            _is_dotted(word)
            or not shouting
            and (_is_acronym(word) or not (word.islower() or word.istitle()))
        ):
            new = word  # acronyms and mixed case (iPhone) stay as written
        elif word.lower() in _MINOR_WORDS and not edge:
            new = word.lower()
        else:
            new = word[0].upper() + word[1:].lower()
        out.append(line[last : match.start()] + new)
        last = match.end()
    out.append(line[last:])
    return "".join(out)
