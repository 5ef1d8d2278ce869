"""Rule-based corruptions of one true sentence, in the spirit of FactCC (Kryscinski et al.
2020): each returns a changed sentence the article no longer supports, or None when the rule
does not apply (so callers never get a silent copy labelled as an error). Positives come from
`compress`, which only removes material and so keeps the sentence supported.

Functions take plain strings plus the entities spaCy found, so they are testable as
(input, expected) tables without loading a model. `corrupt` applies one applicable rule;
`entities_in` turns a spaCy doc's entities into `Entity` rows.
"""

from __future__ import annotations

import random
import re
from typing import NamedTuple


class Entity(NamedTuple):
    start: int  # character offsets in the sentence
    end: int
    label: str  # spaCy label: PERSON, ORG, GPE, DATE, MONEY, CARDINAL, ...
    text: str


def entities_in(doc, start: int, end: int) -> list[Entity]:
    """spaCy entities inside [start, end) of the doc, with offsets relative to `start`."""
    return [
        Entity(e.start_char - start, e.end_char - start, e.label_, e.text)
        for e in doc.ents
        if e.start_char >= start and e.end_char <= end
    ]


# Types whose surface form is a name; numbers and dates are changed by `change_number`.
NAME_TYPES = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART")


def swap_entity(
    sentence: str, entities: list[Entity], pool: dict[str, list[str]], rng: random.Random
) -> str | None:
    """Replace one named entity with a different one of the same type from the same article."""
    candidates = []
    for ent in entities:
        if ent.label not in NAME_TYPES:
            continue
        others = sorted(
            {_HONORIFIC.sub("", o) for o in pool.get(ent.label, ()) if not _same_name(o, ent.text)}
            - {""}
        )
        # a name already in the sentence would make "Brown and Brown": not a plausible error
        others = [o for o in others if o.lower() not in sentence.lower()]
        if others:
            candidates.append((ent, others))
    if not candidates:
        return None
    ent, others = rng.choice(candidates)
    return sentence[: ent.start] + rng.choice(others) + sentence[ent.end :]


_HONORIFIC = re.compile(r"^(?:Mr|Mrs|Ms|Dr|Sir|Lord|Prof)\.? ")


def _same_name(a: str, b: str) -> bool:
    """'Greenspan' and 'Alan Greenspan' name the same person: swapping them is no error."""
    a_words, b_words = set(a.lower().split()), set(b.lower().split())
    return bool(a_words & b_words)


_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w,]*\d)")
_NUMBER_WORDS = [
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "twelve",
    "twenty",
    "hundred",
    "thousand",
    "million",
    "billion",
]
_NUMBER_WORD = re.compile(r"\b(" + "|".join(_NUMBER_WORDS) + r")\b", re.IGNORECASE)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_CALENDAR = re.compile(r"\b(" + "|".join(_MONTHS[:4] + _MONTHS[5:] + _WEEKDAYS) + r")\b")


def change_number(sentence: str, rng: random.Random) -> str | None:
    """Change one number, number word, month or weekday. Years move by 1-5, other numbers are
    scaled so the change is visible (never 0 -> 0), keeping thousands separators."""
    options = [("digit", m) for m in _NUMBER.finditer(sentence)]
    options += [("word", m) for m in _NUMBER_WORD.finditer(sentence)]
    options += [("calendar", m) for m in _CALENDAR.finditer(sentence)]
    if not options:
        return None
    kind, match = rng.choice(options)
    if kind == "digit":
        new = _new_number(match.group(1), match.group(2) or "", rng)
    elif kind == "word":
        word = match.group(1)
        new = rng.choice([w for w in _NUMBER_WORDS if w != word.lower()])
        new = new.capitalize() if word[0].isupper() else new
    else:
        names = _MONTHS if match.group(1) in _MONTHS else _WEEKDAYS
        new = rng.choice([n for n in names if n != match.group(1)])
    return sentence[: match.start()] + new + sentence[match.end() :]


def _new_number(integer: str, fraction: str, rng: random.Random) -> str:
    value = int(integer.replace(",", ""))
    if 1900 <= value <= 2100 and not fraction and "," not in integer:  # a year
        return str(value + rng.choice([-5, -3, -2, -1, 1, 2, 3, 5]))
    new = value
    while new == value:
        new = max(1, round(value * rng.choice([0.5, 0.7, 1.3, 1.5, 2, 3]) + rng.choice([0, 1, 2])))
    text = f"{new:,}" if "," in integer else str(new)
    return text + fraction


# Auxiliaries that take "not" right after them; main-verb "has"/"have"/"had" are left alone
# because "has not a car" is not English.
_AUX = r"is|are|was|were|will|would|can|could|should|may|might|must|has been|have been|had been"
_NEGATED = re.compile(
    r"\b("
    + _AUX
    + r"|do|does|did)\s+not\b|\b(is|are|was|were|do|does|did|could|would|should|ca|wo)n't\b",
    re.IGNORECASE,
)
_AUX_RE = re.compile(r"\b(" + _AUX + r")\b(?!\s+not\b)", re.IGNORECASE)
_CONTRACTION_UNDO = {"ca": "can", "wo": "will"}


def negate(sentence: str) -> str | None:
    """Remove the first negation if there is one, else add "not" after the first auxiliary."""
    match = _NEGATED.search(sentence)
    if match:
        if match.group(1):  # "was not" -> "was", "did not go" -> "did go"
            return sentence[: match.start()] + match.group(1) + sentence[match.end() :]
        base = match.group(2)
        base = _CONTRACTION_UNDO.get(base.lower(), base)
        return sentence[: match.start()] + base + sentence[match.end() :]
    match = _AUX_RE.search(sentence)
    if not match:
        return None
    aux = match.group(1)
    if " " in aux:  # "has been" -> "has not been"
        first, second = aux.split(" ", 1)
        return sentence[: match.start()] + f"{first} not {second}" + sentence[match.end() :]
    return sentence[: match.end()] + " not" + sentence[match.end() :]


_PRONOUNS = {
    "he": "she",
    "she": "he",
    "him": "her",
    "his": "her",
    "her": "his",
    "himself": "herself",
    "herself": "himself",
    "they": "he",
    "them": "him",
    "their": "his",
    "we": "they",
    "us": "them",
    "our": "their",
}
_PRONOUN_RE = re.compile(r"\b(" + "|".join(_PRONOUNS) + r")\b", re.IGNORECASE)


def swap_pronoun(sentence: str, rng: random.Random) -> str | None:
    """Swap one personal pronoun for one of another gender or number."""
    matches = list(_PRONOUN_RE.finditer(sentence))
    if not matches:
        return None
    match = rng.choice(matches)
    word = match.group(1)
    new = _PRONOUNS[word.lower()]
    new = new.capitalize() if word[0].isupper() else new
    return sentence[: match.start()] + new + sentence[match.end() :]


def splice(first: str, second: str) -> str | None:
    """The start of one sentence joined to the end of another at their first comma or verb-ish
    break ("said", "after", "because"...), a typical mixed-up-facts summary error:
    "Greenspan said the deficit would ease" + "Shares fell after the bank warned" ->
    "Greenspan said the bank warned"."""
    a, b = _BREAK.search(first, 8), _BREAK.search(second, 8)  # skip a short lead-in
    if a is None or b is None:
        return None
    head, tail = first[: a.end()].rstrip(" ,"), second[b.end() :].lstrip(" ,")
    if (
        not head
        or not tail
        or len(tail.split()) < 3
        or (head + " " + tail).lower() == first.lower()
    ):
        return None
    return f"{head} {tail}"


_BREAK = re.compile(r", | (?:said|says|after|before|because|while|when|but|which|who) ")


# Clauses that can go without changing what the rest asserts: an appositive or relative
# clause between commas, or a trailing attribution.
_PARENTHETICAL = re.compile(r", (?:who|which|where|whose|a|an|the|aged|including)\b[^,]{3,80}, ")
_TRAILING = re.compile(
    r",\s+(?:according to [^,.]{3,60}|[^,]{0,40}?\b(?:said|says|reported|added))(?=[.!?]*[\"']?\s*$)"
)


def compress(sentence: str) -> str | None:
    """Drop one parenthetical clause or trailing attribution; None when there is none."""
    match = _PARENTHETICAL.search(sentence)
    if match:
        return sentence[: match.start()] + " " + sentence[match.end() :]
    match = _TRAILING.search(sentence)
    if match:
        return sentence[: match.start()] + sentence[match.end() :]
    return None


def corrupt(
    sentence: str,
    entities: list[Entity],
    pool: dict[str, list[str]],
    other_sentences: list[str],
    rng: random.Random,
) -> tuple[str, str] | None:
    """One applicable corruption, rules tried in random order: (changed text, rule) or None.
    `pool`: names of the article by entity type; `other_sentences`: material for `splice`."""
    rules = ["entity", "number", "negation", "pronoun", "splice"]
    rng.shuffle(rules)
    for rule in rules:
        if rule == "entity":
            new = swap_entity(sentence, entities, pool, rng)
        elif rule == "number":
            new = change_number(sentence, rng)
        elif rule == "negation":
            new = negate(sentence)
        elif rule == "pronoun":
            new = swap_pronoun(sentence, rng)
        else:
            others = [s for s in other_sentences if s != sentence]
            new = splice(sentence, rng.choice(others)) if others else None
        if new and new.strip() != sentence.strip():
            return new, rule
    return None
