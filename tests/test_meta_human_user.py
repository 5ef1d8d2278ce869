"""`eval meta-human --input`: the user's own ratings (JSONL/CSV) and pairwise preferences,
through the same correlation code as the built-in sets; bad input names its row."""

import csv
import json

import numpy as np
import pytest

from eval.cli import main
from eval.correlation import pairwise_agreement

REF = "Council approves new bridge over the river"
SYSTEMS = {
    "model": ("Council backs new bridge over river", 4.0),
    "lead": ("Council approves bridge", 3.0),
    "bad": ("Snow closes schools", 1.0),
}


def _ratings(n_docs=8):
    rows = []
    for d in range(n_docs):
        for system, (text, rating) in SYSTEMS.items():
            rows.append(
                {
                    "doc": f"d{d}",
                    "system": system,
                    "headline": f"{text} {d}",
                    "reference": f"{REF} {d}",
                    "article": f"{REF} {d}. It opens in 2027.",
                    "editor": rating + d / 100,
                }
            )
    return rows


def _write(path, rows):
    if path.suffix == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return str(path)


def _run(path, out, *extra):
    return main(
        [
            "meta-human",
            "--input",
            path,
            "--prediction-field",
            "headline",
            "--doc-field",
            "doc",
            "--metrics",
            "rouge,headline",
            "--n-resamples",
            "100",
            "--no-progress",
            "--output-dir",
            str(out),
            *extra,
        ]
    )


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_ratings_give_every_level_and_all_outputs(tmp_path, capsys, suffix):
    path = _write(tmp_path / f"r{suffix}", _ratings())
    assert (
        _run(
            path,
            tmp_path / "out",
            "--human-fields",
            "editor",
            "--system-field",
            "system",
            "--reference-field",
            "reference",
            "--article-field",
            "article",
        )
        == 0
    )
    result = json.loads((tmp_path / "out" / "meta_human.json").read_text())
    assert result["levels"] == ["summary", "system", "pooled"]
    assert (result["n_docs"], result["n_systems"], result["n_rows"]) == (8, 3, 24)
    # ROUGE-1 ranks model > lead > bad in every document, as the editor does
    assert result["table"]["rouge1"]["editor"]["summary_kendall"][0] == pytest.approx(1.0)
    assert result["table"]["rouge1"]["editor"]["system_spearman"][0] == pytest.approx(1.0)
    assert result["signature"].startswith("meta-human-file|docs:8|systems:3|rows:24|boot:100|")
    assert "| rouge1 |" in capsys.readouterr().out
    html = (tmp_path / "out" / "meta_human.html").read_text()
    assert "<table" in html and "editor summary" in html
    assert (tmp_path / "out" / "meta_human.md").read_text().startswith("### r")


def test_without_references_scores_against_the_article_and_says_so(tmp_path):
    path = _write(tmp_path / "r.jsonl", _ratings())
    assert (
        _run(path, tmp_path / "out", "--human-fields", "editor", "--article-field", "article") == 0
    )
    result = json.loads((tmp_path / "out" / "meta_human.json").read_text())
    assert "rouge1@src" in result["table"] and "rouge1" not in result["table"]
    assert "computed against the article" in result["notes"][0]
    # no system field: no system level; the three headlines of a document are compared
    assert result["levels"] == ["summary", "pooled"] and result["n_systems"] is None
    assert "note: no reference field" in (tmp_path / "out" / "meta_human.md").read_text()


def test_one_prediction_per_document_warns_and_keeps_the_pooled_level(tmp_path):
    rows = [
        r for r in _ratings() if r["system"] == "model" or r["doc"] == "d0"
    ]  # d0 has 3, others 1
    path = _write(tmp_path / "r.jsonl", rows)
    assert (
        _run(path, tmp_path / "out", "--human-fields", "editor", "--reference-field", "reference")
        == 0
    )
    result = json.loads((tmp_path / "out" / "meta_human.json").read_text())
    assert result["n_rows"] == len(rows)  # nothing dropped
    assert (
        len(result["warnings"]) == 7
        and "document 'd1' has one prediction only" in result["warnings"][0]
    )
    assert "line 4:" in result["warnings"][0]


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda r: r.pop("editor"), 'line 2 field "editor": missing'),
        (
            lambda r: r.update(editor="good"),
            "line 2 field \"editor\": rating is not a number: 'good'",
        ),
        (lambda r: r.update(editor=None), 'line 2 field "editor": rating is not a number: None'),
        (lambda r: r.pop("doc"), 'line 2 field "doc": missing'),
        (
            lambda r: r.update(headline=["a", "b"]),
            'line 2 field "headline": expected a string, got list',
        ),
        (
            lambda r: r.update(system="model"),
            "line 2 field \"system\": document 'd0', system 'model' already rated on line 1",
        ),
    ],
)
def test_bad_rows_are_named(tmp_path, capsys, change, message):
    rows = _ratings(2)
    change(rows[1])
    path = _write(tmp_path / "r.jsonl", rows)
    assert _run(path, tmp_path / "out", "--human-fields", "editor", "--system-field", "system") == 2
    assert message in capsys.readouterr().err


def test_csv_non_numeric_rating_and_extra_cell(tmp_path, capsys):
    path = tmp_path / "r.csv"
    path.write_text(
        "doc,headline,editor\nd1,Council backs bridge,4\nd1,Snow closes schools,n/a\n",
        encoding="utf-8",
    )
    assert _run(str(path), tmp_path / "out", "--human-fields", "editor") == 2
    assert "r.csv line 3 field \"editor\": rating is not a number: 'n/a'" in capsys.readouterr().err
    path.write_text("doc,headline,editor\nd1,Council backs bridge,4,extra\n", encoding="utf-8")
    assert _run(str(path), tmp_path / "out", "--human-fields", "editor") == 2
    assert "line 2: 1 cell(s) more than the header has" in capsys.readouterr().err


def test_input_needs_human_and_doc_fields(tmp_path, capsys):
    path = _write(tmp_path / "r.jsonl", _ratings(1))
    assert main(["meta-human", "--input", path]) == 2
    assert "--human-fields and --doc-field" in capsys.readouterr().err


# (score A, score B, preferred) -> agrees?
AGREEMENT = [
    (0.9, 0.1, "a", 1),
    (0.9, 0.1, "b", 0),
    (0.2, 0.5, "b", 1),
    (0.3, 0.3, "tie", 1),
    (0.3, 0.3, "a", 0),
    (0.6, 0.4, "tie", 0),
]


def test_pairwise_agreement_counts_ties_as_ties():
    a, b, preferred, agrees = zip(*AGREEMENT)
    out = pairwise_agreement(
        np.array(a), np.array(b), list(preferred), [str(i) for i in range(6)], 200, 1
    )
    assert out["accuracy"][0] == pytest.approx(np.mean(agrees))
    assert out["accuracy"][1] <= out["accuracy"][0] <= out["accuracy"][2]
    assert (out["n"], out["metric_ties"], out["unscored"]) == (6, 2, 0)


def test_pairwise_unscored_pairs_are_counted_not_dropped():
    out = pairwise_agreement(
        np.array([0.9, np.nan]), np.array([0.1, 0.2]), ["a", "b"], ["x", "y"], 50, 1
    )
    assert out["accuracy"][0] == 1.0 and (out["n"], out["unscored"]) == (1, 1)


def test_pairwise_file(tmp_path, capsys):
    pairs = []
    for d in range(10):  # raters prefer the headline closer to the reference, tie on identical ones
        good, bad = f"Council backs new bridge over river {d}", f"Snow closes schools {d}"
        a, b, preferred = (good, bad, "A") if d % 2 else (bad, good, "b")
        if d == 9:
            a, b, preferred = good, good, "Tie"
        pairs.append(
            {
                "id": f"p{d}",
                "prediction_a": a,
                "prediction_b": b,
                "preferred": preferred,
                "reference": f"{REF} {d}",
            }
        )
    path = _write(tmp_path / "pairs.csv", pairs)
    assert (
        main(
            [
                "meta-human",
                "--input",
                path,
                "--pairwise",
                "--reference-field",
                "reference",
                "--metrics",
                "rouge,headline",
                "--n-resamples",
                "100",
                "--no-progress",
                "--output-dir",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    result = json.loads((tmp_path / "out" / "meta_human.json").read_text())
    assert result["preferred"] == {"a": 4, "b": 5, "tie": 1}
    assert (
        result["pairwise"]["rouge1"]["accuracy"][0] == 1.0
        and result["pairwise"]["rouge1"]["metric_ties"] == 1
    )
    assert result["signature"].startswith(
        "meta-human-pairwise|pairs:10|docs:10|ties:exact|boot:100|"
    )
    assert "| rouge1 | 1.000 [1.00, 1.00] | 1 | 10 | 0 |" in capsys.readouterr().out
    pairs[3]["preferred"] = "maybe"
    assert main(["meta-human", "--input", _write(tmp_path / "bad.csv", pairs), "--pairwise"]) == 2
    assert (
        "bad.csv line 5 field \"preferred\": expected a, b or tie, got 'maybe'"
        in capsys.readouterr().err
    )


@pytest.mark.parametrize(
    "command, options",
    [
        (
            "meta-human",
            [
                "--input",
                "--prediction-field",
                "--human-fields",
                "--doc-field",
                "--system-field",
                "--reference-field",
                "--article-field",
                "--output-dir",
                "--pairwise",
                "--id-field",
                "--preferred-field",
            ],
        ),
        ("rouge", ["char"]),
    ],
)
def test_help_shows_every_new_option(capsys, command, options):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = capsys.readouterr().out
    assert [o for o in options if o not in text] == []


@pytest.mark.parametrize(
    "table, expected",
    [
        ({}, "<h2>kendall</h2>"),  # nothing scorable: empty tables, no crash
        ({"rouge1": {"q": {"pooled_kendall": [0.5, 0.1, 0.9]}}}, "0.500 [0.10, 0.90]"),
    ],
)
def test_html_table_escapes_file_text(table, expected):
    from eval.report import render_template

    result = {
        "dataset": "x<b>.csv",
        "signature": "s",
        "metrics": {},
        "notes": [],
        "levels": ["pooled"],
        "warnings": ["r.csv line 2: document '<script>alert(1)</script>' has one prediction only"],
        "table": table,
        "n_rows": 1,
        "n_docs": 1,
        "n_systems": None,
    }
    page = render_template("meta_human_template.html", r=result, markdown="")
    assert (
        expected in page
        and "<script>" not in page
        and "&lt;script&gt;alert(1)" in page
        and "x&lt;b&gt;" in page
    )
