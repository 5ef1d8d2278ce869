import pytest

from eval.headline_checks import HeadlineChecks, casing_style, check

ARTICLE = (
    "The Federal Reserve raised interest rates by 50 basis points on Wednesday, "
    "its fifth increase this year. Chair Jerome Powell said 1,800 firms were surveyed."
)


@pytest.mark.parametrize(
    "words, expected",
    [
        (["Fed", "raises", "rates", "again"], "sentence"),
        (["Fed", "Raises", "Rates", "Again"], "title"),
        (["Fed", "Raises", "Rates", "in", "a", "Surprise", "Move"], "title"),
        (["FED", "RAISES", "RATES"], "upper"),
        (["fed", "raises", "rates"], "lower"),
        (["Powell", "speaks"], "sentence"),
        (["123"], "none"),
    ],
)
def test_casing_style(words, expected):
    assert casing_style(words) == expected


@pytest.mark.parametrize(
    "prediction, field, expected",
    [
        ("Fed raises rates", "words", 3),
        ("Fed raises rates ", "chars", 16),
        ("Fed raises rates.", "trailing_punctuation", "."),
        ("Fed raises rates", "trailing_punctuation", ""),
        ("Will the Fed raise rates?", "is_question", True),
        ("Fed raises rates", "is_question", False),
        ("- Fed raises rates\n- Powell speaks", "is_list", True),
        ("1. Fed raises rates", "is_list", True),
        ("Fed raises rates by 50 points", "is_list", False),
        # copy rate: share of headline words found anywhere in the article
        ("Federal Reserve raised rates", "copy_rate", 1.0),
        ("Federal Reserve stuns markets", "copy_rate", 0.5),
        # novel bigrams: "federal reserve", "reserve raised" are in the article, "raised rates" is not
        ("Federal Reserve raised rates", "novel_2gram", 1 / 3),
        ("Federal Reserve raised interest rates", "novel_3gram", 0.0),
        ("Federal Reserve", "novel_3gram", None),
        # compression: article words / headline words (article has 25 words)
        ("Federal Reserve raised rates", "compression", 25 / 4),
        # numbers: 1800 == 1,800; 75 absent; number words up to twenty are checked as numbers
        ("Powell says 1800 firms surveyed", "absent_numbers", 0),
        ("Fed raises rates by 75 basis points", "absent_numbers", 1),
        ("Fed raises rates for the fifth time", "absent_numbers", 0),
        ("Five firms surveyed", "absent_numbers", 1),
        ("Six firms surveyed", "absent_numbers", 1),
        # names: capitalised non-initial words whose lower-case form is nowhere in the article
        ("Rates rise as Yellen warns", "absent_names", 1),
        ("Rates rise as Powell speaks", "absent_names", 0),
        ("Rates Rise As Yellen Warns", "absent_names", None),  # title case: not applicable
    ],
)
def test_check_table(prediction, field, expected):
    value = getattr(check(prediction, ARTICLE), field)
    assert value == pytest.approx(expected) if isinstance(expected, float) else value == expected


def test_without_article_source_checks_are_none():
    c = check("Fed raises rates", None, hit_length_cap=True)
    assert (c.copy_rate, c.novel_2gram, c.compression, c.absent_numbers, c.absent_names) == (
        None,
    ) * 5
    assert c.hit_length_cap is True


def test_absent_spans_point_into_the_prediction():
    pred = "Rates rise as Yellen cites 75 firms"
    spans = check(pred, ARTICLE).absent
    assert [(pred[s:e], kind) for s, e, _, kind in spans] == [("Yellen", "name"), ("75", "number")]


def test_metric_adapter_rows():
    out = HeadlineChecks().sentence_scores(
        ["Fed raises rates by 75 points", "Fed raises rates"],
        articles=[ARTICLE, None],
        hit_length_caps=[False, None],
    )
    assert out[0]["scores"]["hl_absent_numbers"] == 1
    assert out[0]["scores"]["hl_hit_length_cap"] is False
    assert out[1]["scores"]["hl_copy_rate"] is None
    assert out[0]["details"]["absent"][0][2] == "75"
    assert "headline|" in str(HeadlineChecks().signature())
