"""Tokenizers for ROUGE beyond rouge-score's default (which keeps only [a-z0-9] and so turns
Greek, Cyrillic, Chinese, Arabic... text into zero tokens, scoring it 0 without a word).

`unicode` splits on anything that is not a letter or digit, so a Chinese sentence is one
token; `char` also cuts scripts written without spaces into characters, as Chinese ROUGE does."""

from __future__ import annotations

import functools
import unicodedata

import regex

# Letters and digits of any script. Combining marks belong to their word: Python's `\w` lacks
# them, which would cut Hindi "हिन्दी" into three pieces.
_WORD_RE = regex.compile(r"[\p{L}\p{N}\p{M}]+")


class UnicodeTokenizer:
    """Runs of letters and digits of any script, case-folded (NFKC first, so full-width and
    compatibility forms match their plain forms). With `use_stemmer`, tokens longer than three
    characters written wholly in Latin script get rouge-score's Porter stemmer; other scripts
    are never stemmed (Porter is an English stemmer)."""

    name = "unicode"

    def __init__(self, use_stemmer: bool = False):
        self.use_stemmer = bool(use_stemmer)
        self._stem = porter_stem if use_stemmer else None

    def tokenize(self, text: str) -> list[str]:
        tokens = _WORD_RE.findall(unicodedata.normalize("NFKC", text).casefold())
        if self._stem:
            tokens = [self._stem(t) if len(t) > 3 and _is_latin(t) else t for t in tokens]
        return tokens

    def __repr__(self) -> str:
        return f"UnicodeTokenizer(use_stemmer={self.use_stemmer})"


# Scripts written without spaces between words. Script_Extensions, so that marks shared by
# kana (the long-vowel mark ー) count as kana. Hangul is absent: Korean puts spaces between words.
_NO_SPACE = r"\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}"
# One letter or digit of those scripts with its combining vowel/tone marks (Thai "ที่" is one;
# their punctuation 。、 is no token), or a run of other letters/digits as in the unicode tokenizer.
_CHAR_RE = regex.compile(
    rf"(?=[\p{{L}}\p{{N}}])[{_NO_SPACE}]\p{{M}}*|(?:(?![{_NO_SPACE}])[\p{{L}}\p{{N}}\p{{M}}])+"
)


class CharTokenizer(UnicodeTokenizer):
    """Like `UnicodeTokenizer`, but scripts written without spaces (Chinese, Japanese kana and
    kanji, Thai, Lao, Khmer, Myanmar) give one token per character (a base character with its
    combining marks), the usual unit of Chinese ROUGE; words elsewhere stay whole, so mixed
    text ("iPhone 15 発売") tokenizes as ["iphone", "15", "発", "売"]."""

    name = "char"

    def tokenize(self, text: str) -> list[str]:
        tokens = _CHAR_RE.findall(unicodedata.normalize("NFKC", text).casefold())
        if self._stem:
            tokens = [self._stem(t) if len(t) > 3 and _is_latin(t) else t for t in tokens]
        return tokens

    def __repr__(self) -> str:
        return f"CharTokenizer(use_stemmer={self.use_stemmer})"


class CallableTokenizer:
    """Adapts a plain function `text -> list[str]` to the `.tokenize` protocol of the backends."""

    def __init__(self, function):
        self.function = function
        self.name = "custom-" + getattr(function, "__name__", type(function).__name__)

    def tokenize(self, text: str) -> list[str]:
        return list(self.function(text))


@functools.lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem import porter  # the stemmer rouge-score uses, in its default mode

    return porter.PorterStemmer()


@functools.lru_cache(maxsize=100_000)
def porter_stem(token: str) -> str:
    return _stemmer().stem(token)


@functools.lru_cache(maxsize=4096)
def _is_latin_char(char: str) -> bool:
    return char.isdigit() or unicodedata.name(char, "").startswith("LATIN ")


def _is_latin(token: str) -> bool:
    return all(_is_latin_char(c) for c in token)
