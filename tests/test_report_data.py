"""The data behind report.html's interactive table, without a browser: JSON that cannot leave
its <script> block, JavaScript (UTF-16) offsets, supporting sentences, flags."""

import json
import re

import pytest

from eval.report import _json_for_html, _script, _utf16, example_data, support_spans

ARTICLE = (
    "Harbor Freight Lines said on Tuesday it would cut 240 jobs. Unions called a strike for Friday."
)


@pytest.mark.parametrize(
    "text", ["</script><script>alert(1)</script>", "<!-- x", "a & b", "line\u2028sep", "<b>é</b>"]
)
def test_json_for_html_round_trips_and_never_closes_the_script(text):
    encoded = _json_for_html({"t": text})
    assert not re.search(r"[<>&\u2028\u2029]", encoded)
    assert json.loads(encoded) == {"t": text}


@pytest.mark.parametrize(
    "text, spans, expected",
    [
        ("abc def", [[4, 7, "x"]], [[4, 7, "x"]]),
        ("😀 Antwerp", [[2, 9, "x"]], [[3, 10, "x"]]),  # an emoji is two UTF-16 code units
        ("北京 Antwerp", [[3, 10, "x"]], [[3, 10, "x"]]),  # BMP characters are one
    ],
)
def test_offsets_are_javascript_offsets(text, spans, expected):
    assert _utf16(text, spans) == expected


@pytest.mark.parametrize(
    "prediction, supported",
    [
        ("Unions call a strike", ["Unions called a strike for Friday."]),
        (
            "Harbor Freight cuts 240 jobs. Unions strike",
            [
                "Harbor Freight Lines said on Tuesday it would cut 240 jobs.",
                "Unions called a strike for Friday.",
            ],
        ),
        ("Snow closes schools", []),  # no content word in common: no support shown
    ],
)
def test_support_spans(prediction, supported):
    assert [ARTICLE[s:e] for s, e, _ in support_spans(ARTICLE, prediction)] == supported


def test_example_data_flags_and_missing_article():
    rows = [
        {
            "id": 1,
            "prediction": "Antwerp cuts",
            "article": None,
            "category": "x",
            "references": ["r"],
            "hit_length_cap": True,
            "scores": {"rouge1": 0.5, "consistent": False, "hl_absent_names": 1},
            "warnings": ["no article"],
        }
    ]
    summary = {"scores": {"rouge1": {"n": 1}, "consistent": {"n": 1}, "hl_absent_names": {"n": 1}}}
    [row] = example_data(rows, summary)["rows"]
    assert row["flags"] == {
        "cap": True,
        "inconsistent": True,
        "absent_names": True,
        "absent_numbers": False,
    }
    assert row["scores"] == {"rouge1": 0.5, "consistent": 0, "hl_absent_names": 1}
    assert row["support"] == [] and row["problem"] == "no article" and row["id"] == "1"


def test_inline_scripts_are_allowed_by_their_hash_only():
    for name in ("report.js", "compare.js"):
        code, source = _script(name)
        assert source.startswith("'sha256-") and "innerHTML" not in code and "eval(" not in code


def test_non_finite_scores_are_left_out_not_written_as_nan():
    rows = [
        {"id": "a", "prediction": "p", "scores": {"x": float("nan"), "y": float("inf"), "z": 0.5}}
    ]
    summary = {"scores": {"x": {"n": 1}, "y": {"n": 1}, "z": {"n": 1}}}
    data = example_data(rows, summary)
    assert data["rows"][0]["scores"] == {"z": 0.5}
    assert "NaN" not in _json_for_html(data)
