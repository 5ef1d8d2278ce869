"""Reading and tokenizing summaries the way ROUGE-1.5.5.pl does (its readText, readText_LCS,
createNGram and tokenizeText_LCS subroutines), quirks included, because the scores depend on them:

- the Perl reads files as bytes: upper-case ASCII is lower-cased, every byte outside
  [A-Za-z0-9-] becomes a space, and -b counts bytes, so text is handled here as UTF-8 bytes
  (each byte one latin-1 character);
- "-" is split off as its own token and then dropped, like every token not starting with
  [a-z0-9$];
- the stemmer (-m) is applied only to tokens longer than 3 characters, and a token found in
  WordNet's exception lists ("were" -> "be", "children" -> "child") takes the listed base form
  instead of the Porter stem (the Perl's MorphStem); stopwords (-s) are matched before stemming;
- ROUGE-N/S use all sentences joined (n-grams cross sentence boundaries); ROUGE-L/W keep sentences;
- the -b byte limit for ROUGE-L/W never advances its running length (a bug in readText_LCS), so
  every sentence shorter than the limit is kept whole. Reproduced, since the Perl outputs have it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from eval.rouge155.porter import stem
from eval.rouge155.stopwords import SMART_COMMON_WORDS

_PERL_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # Perl's \s on byte strings
_NOT_WORD = re.compile(r"[^A-Za-z0-9\-]")
_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_KEEP = re.compile(r"[a-z0-9$]")


@dataclass(frozen=True)
class TextOptions:
    stem: bool = False  # -m
    remove_stopwords: bool = False  # -s
    word_limit: int = 0  # -l
    byte_limit: int = 0  # -b


def as_perl_bytes(text: str) -> str:
    """One character per UTF-8 byte, as the Perl (no `use utf8`) sees the file."""
    return text.encode("utf-8").decode("latin-1")


def file_lines(lines: list[str]) -> list[str]:
    """The sentences the Perl's SPL reader keeps: the lines as a file would hold them, empty
    ones skipped, lower-cased (ASCII only)."""
    text = "\n".join(lines)
    return [as_perl_bytes(line).translate(_LOWER) for line in text.split("\n") if line]


def perl_split(text: str) -> list[str]:
    """split(/\\s+/, $text): a leading empty field is kept, trailing empty fields are dropped."""
    fields = _PERL_SPACE.split(text)
    while fields and fields[-1] == "":
        fields.pop()
    return fields


def _normalize(text: str) -> str:
    # Only ASCII letters, digits, "-" and spaces survive the substitution, so split() is exact.
    return " ".join(_NOT_WORD.sub(" ", text.replace("-", " - ")).split())


def _word_limited(sentences: list[str], limit: int) -> list[str]:
    """-l: whole sentences while they fit, then the first words of the one that does not."""
    kept, used = [], 0
    for sentence in sentences:
        words = perl_split(sentence)
        if used + len(words) < limit:
            kept.append(sentence)
            used += len(words)
        else:
            kept.append(" ".join(words[: limit - used]))
            break
    return kept


def limited_text(sentences: list[str], options: TextOptions) -> str:
    """readText: all sentences joined into one normalized string, after the -l/-b cut."""
    if options.word_limit:
        text = " ".join(_word_limited(sentences, options.word_limit))
    elif options.byte_limit:
        parts, used = [], 0
        for sentence in sentences:
            if used + len(sentence) < options.byte_limit:
                parts.append(sentence)
                used += len(sentence)
            else:
                parts.append(sentence[: options.byte_limit - used])
                break
        text = " ".join(parts)
    else:
        text = " ".join(sentences)
    return _normalize(text)


def limited_sentences(sentences: list[str], options: TextOptions) -> list[str]:
    """readText_LCS: the sentences kept separately, each normalized, after the -l/-b cut."""
    kept = []
    if options.word_limit:
        kept = _word_limited(sentences, options.word_limit)
    elif options.byte_limit:
        for sentence in sentences:
            # The Perl never adds to its running length here (see the module docstring).
            if len(sentence) < options.byte_limit:
                kept.append(sentence)
            else:
                kept.append(sentence[: options.byte_limit])
                break
    else:
        kept = list(sentences)
    return [_normalize(s) for s in kept]


@cache
def _wordnet_exceptions() -> dict[str, str]:
    text = resources.files("eval.rouge155").joinpath("wordnet_exceptions.txt").read_text("utf-8")
    return dict(
        line.split(" ", 1) for line in text.splitlines() if line and not line.startswith("#")
    )


def morph_stem(token: str) -> str:
    """The Perl's MorphStem: WordNet exception base form if listed, else the Porter stem."""
    return _wordnet_exceptions().get(token) or stem(token)


def tokens(text: str, options: TextOptions) -> list[str]:
    """Tokens of one normalized string after stopword removal, filtering and stemming."""
    out = []
    for token in text.split(" ") if text else ():
        if options.remove_stopwords and token in SMART_COMMON_WORDS:
            continue
        if not _KEEP.match(token):
            continue
        out.append(morph_stem(token) if options.stem and len(token) > 3 else token)
    return out
