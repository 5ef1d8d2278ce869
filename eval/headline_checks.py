"""Per-example checks of a headline (or short summary) on its own and against its article:
length, length-cap hits, casing style, trailing punctuation, question/list forms, copy rate,
novel n-grams, compression, and numbers or names that the article never mentions.

Plain regex work on purpose: 1,000 rows take well under a second, and every number it reports
can be checked by hand. The absent-name check is a proxy (a capitalised word whose lower-cased
form is nowhere in the article), not named-entity recognition; the consistency checker's
entity backend is the place for NER.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from eval.aggregate import MeanMetric
from eval.base.signature import Signature, Signatures
from eval.consistency.text import NUMBER_WORDS

VERSION = "1"
_WORD_RE = re.compile(r"[^\W_]+(?:[.,'’\-][^\W_]+)*", re.UNICODE)
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_LIST_RE = re.compile(r"(^|\n)\s*(?:[-*•]|\d+[.)])\s+")
_TRAILING = ".!?;:,…"
# Small words that Title Case capitalises; never counted as names.
_MINOR = frozenset(
    "a an the and or but nor of to in on at by for with from as is are was were be "
    "it its this that over after into up out off vs via new says say said".split()
)


class Check(NamedTuple):
    """Result of the checks for one example. `absent` holds (start, end, text, kind) spans of
    the prediction; None fields mean "needs the article" (or the row's `hit_length_cap`)."""

    words: int
    chars: int
    hit_length_cap: bool | None
    casing: str
    trailing_punctuation: str
    is_question: bool
    is_list: bool
    copy_rate: float | None
    novel_1gram: float | None
    novel_2gram: float | None
    novel_3gram: float | None
    compression: float | None
    absent_numbers: int | None
    absent_names: int | None
    absent: list[tuple[int, int, str, str]]


def words_with_offsets(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _WORD_RE.finditer(text)]


def casing_style(words: list[str]) -> str:
    """'upper', 'lower', 'title' (most words capitalised), 'sentence' (first word only, plus names)
    or 'none' (no letters)."""
    cased = [w for w in words if any(c.isalpha() for c in w)]
    if not cased:
        return "none"
    if all(w.upper() == w for w in cased) and any(len(w) > 1 for w in cased):
        return "upper"
    if all(w.lower() == w for w in cased):
        return "lower"
    content = [w for w in cased[1:] if w.lower() not in _MINOR]
    capitalised = sum(w[0].isupper() for w in content)
    if content and capitalised / len(content) >= 0.75 and len(content) >= 2:
        return "title"
    return "sentence"


def _novel(pred: list[str], view: ArticleView, n: int) -> float | None:
    grams = [" ".join(pred[i : i + n]) for i in range(len(pred) - n + 1)]
    if not grams:
        return None
    # Substring search in the space-joined article runs in C; tokens never contain spaces.
    return sum(f" {g} " not in view.joined for g in grams) / len(grams)


class ArticleView:
    """The article's lower-cased tokens, vocabulary and numbers, built once per article."""

    def __init__(self, article: str):
        self.tokens = _WORD_RE.findall(article.lower())
        self.vocab = set(self.tokens)
        self.joined = " " + " ".join(self.tokens) + " "
        self.numbers = {_plain_number(n) for n in _NUMBER_RE.findall(article)}


def _plain_number(text: str) -> str:
    # "1,800" and "1800" are the same number; "2.5" keeps its point.
    return text.replace(",", "").rstrip(".")


def check(
    prediction: str,
    article: str | None = None,
    hit_length_cap: bool | None = None,
    view: ArticleView | None = None,
) -> Check:
    spans = words_with_offsets(prediction)
    words = [w for _, _, w in spans]
    lowered = [w.lower() for w in words]
    stripped = prediction.rstrip()
    trailing = stripped[-1] if stripped and stripped[-1] in _TRAILING else ""
    is_list = bool(_LIST_RE.search(prediction)) or prediction.strip().count("\n") >= 1
    style = casing_style(words)
    copy = novel1 = novel2 = novel3 = compression = None
    absent_numbers = absent_names = None
    absent: list[tuple[int, int, str, str]] = []
    if article is not None or view is not None:
        view = view or ArticleView(article)
        if lowered:
            copy = sum(w in view.vocab for w in lowered) / len(lowered)
            novel1 = 1.0 - copy
            novel2 = _novel(lowered, view, 2)
            novel3 = _novel(lowered, view, 3)
            compression = len(view.tokens) / len(lowered)
        for m in _NUMBER_RE.finditer(prediction):
            value = _plain_number(m.group())
            word = NUMBER_WORDS[int(value)] if value.isdigit() and int(value) <= 20 else None
            if value not in view.numbers and (word is None or word not in view.vocab):
                absent.append((m.start(), m.end(), m.group(), "number"))
        for start, end, word in spans:  # "Five" in the headline, "5" in the article
            if (
                word.lower() in NUMBER_WORDS
                and word.lower() not in view.vocab
                and str(NUMBER_WORDS.index(word.lower())) not in view.numbers
            ):
                absent.append((start, end, word, "number"))
        absent_numbers = len(absent)
        # Title/upper case capitalises every word, so a capital says nothing about names there:
        # the check is "not applicable" (None) rather than a flood of false alarms.
        if style not in ("title", "upper"):
            for i, (start, end, word) in enumerate(spans):
                if (
                    i == 0
                    or not word[0].isupper()
                    or word.lower() in _MINOR
                    or word.lower() in NUMBER_WORDS
                ):
                    continue  # sentence case capitalises the first word anyway
                if word.lower() not in view.vocab:
                    absent.append((start, end, word, "name"))
            absent_names = len(absent) - absent_numbers
        absent.sort()
    return Check(
        words=len(words),
        chars=len(prediction.strip()),
        hit_length_cap=hit_length_cap,
        casing=style,
        trailing_punctuation=trailing,
        is_question=stripped.endswith("?"),
        is_list=is_list,
        copy_rate=copy,
        novel_1gram=novel1,
        novel_2gram=novel2,
        novel_3gram=novel3,
        compression=compression,
        absent_numbers=absent_numbers,
        absent_names=absent_names,
        absent=absent,
    )


class HeadlineChecks(MeanMetric):
    """The checks as a Metric: numeric/boolean fields (`hl_*`) go to scores, the rest to
    details. Articles and `hit_length_caps` are optional: without them their fields are None."""

    name = "headline"
    needs = ()

    def __init__(self, **options):
        if options:
            raise ValueError(f"headline checks take no options, got {sorted(options)}")

    def signature(
        self,
        *,
        predictions=None,
        references=None,
        articles=None,
        tasks=None,
        hit_length_caps=None,
        bootstrap=None,
        seed=None,
    ) -> Signatures:
        return Signatures.one(
            Signature.make("headline", tok="regex-word", names="capitalised-absent", checks=VERSION)
        ).with_bootstrap(bootstrap, seed)

    def sentence_scores(
        self, predictions, references=None, articles=None, *, tasks=None, hit_length_caps=None
    ) -> list[dict]:
        predictions = list(predictions)
        articles = [None] * len(predictions) if articles is None else articles
        caps = [None] * len(predictions) if hit_length_caps is None else hit_length_caps
        out = []
        views: dict[str, ArticleView] = {}
        for prediction, article, cap in zip(predictions, articles, caps, strict=True):
            view = None
            if article is not None:
                view = views.get(article) or views.setdefault(article, ArticleView(article))
            c = check(prediction, view=view, hit_length_cap=cap)
            scores = {
                f"hl_{k}": getattr(c, k)
                for k in (
                    "words",
                    "chars",
                    "hit_length_cap",
                    "is_question",
                    "is_list",
                    "copy_rate",
                    "novel_1gram",
                    "novel_2gram",
                    "novel_3gram",
                    "compression",
                    "absent_numbers",
                    "absent_names",
                )
            }
            scores["hl_trailing_punctuation"] = bool(c.trailing_punctuation)
            out.append(
                {
                    "scores": scores,
                    "details": {
                        "casing": c.casing,
                        "trailing_punctuation": c.trailing_punctuation,
                        "absent": [list(s) for s in c.absent],
                    },
                }
            )
        return out
