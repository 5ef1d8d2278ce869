"""The Porter stemmer exactly as ROUGE-1.5.5.pl runs it.

ROUGE-1.5.5 embeds Martin Porter's Perl "Release 1" stemmer with one change by Chin-Yew Lin
(02/14/2004): in step 4 a word ending in -ement is not tried again with -ment/-ent, which the
script implements as three separate tests (see `_step4`). Written from the rule descriptions
in the public ROUGE-1.5.5.pl; the regular expressions mirror its patterns so that Python's
leftmost-match semantics give the same stems as Perl's. nltk's PorterStemmer (any mode)
differs from it on words such as "agreement", "generous" and "y"-initial words, which is why
this module exists.
"""

from __future__ import annotations

import re
from functools import lru_cache

_c = "[^aeiou]"  # consonant (an upper-case Y, see below, counts as one)
_v = "[aeiouy]"  # vowel
_C = f"{_c}[^aeiouy]*"  # consonant sequence
_V = f"{_v}[aeiou]*"  # vowel sequence

_MGR0 = re.compile(f"^({_C})?{_V}{_C}")  # measure m > 0
_MEQ1 = re.compile(f"^({_C})?{_V}{_C}({_V})?$")  # m == 1
_MGR1 = re.compile(f"^({_C})?{_V}{_C}{_V}{_C}")  # m > 1
_HAS_VOWEL = re.compile(f"^({_C})?{_v}")
_CVC = re.compile(f"^{_C}{_v}[^aeiouwxy]$")

_STEP2 = {
    "ational": "ate", "tional": "tion", "enci": "ence", "anci": "ance", "izer": "ize",
    "bli": "ble", "alli": "al", "entli": "ent", "eli": "e", "ousli": "ous", "ization": "ize",
    "ation": "ate", "ator": "ate", "alism": "al", "iveness": "ive", "fulness": "ful",
    "ousness": "ous", "aliti": "al", "iviti": "ive", "biliti": "ble", "logi": "log",
}  # fmt: skip
_STEP3 = {
    "icate": "ic",
    "ative": "",
    "alize": "al",
    "iciti": "ic",
    "ical": "ic",
    "ful": "",
    "ness": "",
}

# Alternations keep the Perl order: with `$` anchoring, the leftmost-starting suffix wins.
_STEP2_RE = re.compile(
    "(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|"
    "iveness|fulness|ousness|aliti|iviti|biliti|logi)$"
)
_STEP3_RE = re.compile("(icate|ative|alize|iciti|ical|ful|ness)$")
_STEP4_RE = re.compile("(al|ance|ence|er|ic|able|ible|ant|ement|ou|ism|ate|iti|ous|ive|ize)$")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Stem one lower-case token the way ROUGE-1.5.5's `stem` does."""
    if len(word) < 3:
        return word
    y_initial = word[0] == "y"
    w = "Y" + word[1:] if y_initial else word  # an initial y is a consonant

    # Step 1a
    if m := re.search("(ss|i)es$", w):
        w = w[: m.start()] + m.group(1)
    elif m := re.search("([^s])s$", w):
        w = w[: m.start()] + m.group(1)
    # Step 1b
    if m := re.search("eed$", w):
        if _MGR0.search(w[: m.start()]):
            w = w[:-1]
    elif m := re.search("(ed|ing)$", w):
        base = w[: m.start()]
        if _HAS_VOWEL.search(base):
            w = base
            if re.search("(at|bl|iz)$", w):
                w += "e"
            elif re.search(r"([^aeiouylsz])\1$", w):
                w = w[:-1]
            elif _CVC.search(w):
                w += "e"
    # Step 1c
    if w.endswith("y") and _HAS_VOWEL.search(w[:-1]):
        w = w[:-1] + "i"
    # Step 2
    if m := _STEP2_RE.search(w):
        base = w[: m.start()]
        if _MGR0.search(base):
            w = base + _STEP2[m.group(1)]
    # Step 3
    if m := _STEP3_RE.search(w):
        base = w[: m.start()]
        if _MGR0.search(base):
            w = base + _STEP3[m.group(1)]
    w = _step4(w)
    # Step 5
    if w.endswith("e"):
        base = w[:-1]
        if _MGR1.search(base) or (_MEQ1.search(base) and not _CVC.search(base)):
            w = base
    if w.endswith("ll") and _MGR1.search(w):
        w = w[:-1]
    if y_initial:
        w = "y" + w[1:]
    return w


def _step4(w: str) -> str:
    # Lin's change: -ment and -ent are separate `if`s after the main list (so a word can lose
    # "al" and then "ment"), and -(s|t)ion is only tried when -ent did not match.
    if m := _STEP4_RE.search(w):
        base = w[: m.start()]
        if _MGR1.search(base):
            w = base
    if w.endswith("ment"):
        base = w[:-4]
        if _MGR1.search(base):
            w = base
    if w.endswith("ent"):
        base = w[:-3]
        if _MGR1.search(base):
            w = base
    elif m := re.search("(s|t)(ion)$", w):
        base = w[: m.start()] + m.group(1)
        if _MGR1.search(base):
            w = base
    return w
