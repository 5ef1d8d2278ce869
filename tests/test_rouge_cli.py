import json
import logging
import re

import pytest

from eval.cli import main
from eval.rouge import RougeScorer

PREDICTIONS = ["police arrest three men <n> market falls", "shares rose sharply", "", "profit up"]
REFERENCES = [
    "police arrested three men after raid <n> markets fell",
    "shares fell",
    "company profit up",
    "up",
]
SECOND = ["three men held", "shares rose", "profit rises", "profits up"]


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return str(path)


@pytest.fixture
def files(tmp_path):
    return {
        "p": _write(tmp_path / "p.txt", PREDICTIONS),
        "r": _write(tmp_path / "r.txt", REFERENCES),
        "r2": _write(tmp_path / "r2.txt", SECOND),
        "out": str(tmp_path / "out.jsonl"),
    }


LINE_RE = re.compile(
    r"^(\w+) +P +([\d.]+) \[([\d.]+), ([\d.]+)\]  R +([\d.]+) \[([\d.]+), ([\d.]+)\]  F +([\d.]+) \[([\d.]+), ([\d.]+)\]  (\S.*)$"
)


def _parse(stdout):
    rows = {}
    for line in stdout.strip().splitlines():
        match = LINE_RE.match(line)
        assert match, line
        rows[match.group(1)] = ([float(x) for x in match.groups()[1:10]], match.group(11))
    return rows


def test_stdout_and_per_example_rows(files, capsys):
    assert main(["rouge", "--predictions", files["p"], "--references", files["r"], "--stem",
                 "--per-example", files["out"], "--bootstrap", "200", "--seed", "7"]) == 0  # fmt: skip
    printed = _parse(capsys.readouterr().out)
    assert list(printed) == ["rouge1", "rouge2", "rougeL", "rougeLsum"]

    predictions = [p.replace(" <n> ", "\n") for p in PREDICTIONS]
    references = [r.replace(" <n> ", "\n") for r in REFERENCES]
    scorer = RougeScorer(use_stemmer=True)
    expected = scorer.score_batch(predictions, references)
    rows = [json.loads(line) for line in open(files["out"], encoding="utf-8")]
    assert rows == [{t: s._asdict() for t, s in row.items()} for row in expected]  # in input order
    assert list(rows[0]["rouge1"]) == ["precision", "recall", "fmeasure"]

    corpus = scorer.corpus_score(predictions, references, bootstrap=200, seed=7)
    for rouge_type, (numbers, signature) in printed.items():
        mid, low, high = corpus[rouge_type][:3]
        assert numbers == pytest.approx(
            [round(100 * v, 2) for f in range(3) for v in (mid[f], low[f], high[f])]
        )
        assert signature == str(corpus[rouge_type].signature)
        assert "|boot:200|seed:7|" in signature and "|stem:porter|" in signature
    sidecar = json.load(open(files["out"] + ".signature.json", encoding="utf-8"))
    assert sidecar["rouge1"].startswith("rouge1|tok:default|stem:porter|refs:1|multiref:max|impl:")


def test_lsum_sees_sentences_from_the_n_marker(tmp_path, capsys):
    p = _write(tmp_path / "p.txt", ["bb cc <n> aa"])
    r = _write(tmp_path / "r.txt", ["aa <n> bb cc"])
    out = str(tmp_path / "o.jsonl")
    main(["rouge", "--predictions", p, "--references", r, "--per-example", out, "--bootstrap", "0"])
    row = json.loads(open(out, encoding="utf-8").readline())
    assert row["rougeL"]["fmeasure"] == pytest.approx(2 / 3)  # one sequence: LCS "bb cc"
    assert row["rougeLsum"]["fmeasure"] == 1.0  # sentence by sentence: every token matched


@pytest.mark.parametrize("multiref", ["max", "jackknife"])
def test_several_reference_files(files, capsys, multiref):
    main(["rouge", "--predictions", files["p"], "--references", files["r"], "--references", files["r2"],
          "--multiref", multiref, "--per-example", files["out"], "--bootstrap", "0"])  # fmt: skip
    printed = _parse(capsys.readouterr().out)
    assert "|refs:2|multiref:" + multiref in printed["rouge1"][1]
    rows = [json.loads(line) for line in open(files["out"], encoding="utf-8")]
    refs = [[r.replace(" <n> ", "\n"), s] for r, s in zip(REFERENCES, SECOND)]
    expected = RougeScorer(multiref=multiref).score_batch(
        [p.replace(" <n> ", "\n") for p in PREDICTIONS], refs
    )
    assert [row["rouge1"]["fmeasure"] for row in rows] == [e["rouge1"].fmeasure for e in expected]


def test_jsonl_inputs(tmp_path, capsys):
    p = tmp_path / "p.jsonl"
    r = tmp_path / "r.jsonl"
    p.write_text('{"text": "a b c"}\n{"text": "one.\\ntwo."}\n', encoding="utf-8")
    r.write_text('{"text": "a b"}\n{"text": ["two.", "one."]}\n', encoding="utf-8")
    out = str(tmp_path / "o.jsonl")
    assert (
        main(["rouge", "--predictions", str(p), "--references", str(r), "--per-example", out]) == 0
    )
    rows = [json.loads(line) for line in open(out, encoding="utf-8")]
    assert rows[0]["rouge1"] == pytest.approx({"precision": 2 / 3, "recall": 1.0, "fmeasure": 0.8})
    assert rows[1]["rougeLsum"]["fmeasure"] == 1.0  # sentence order does not matter for Lsum
    assert rows[1]["rougeL"]["fmeasure"] == 0.5


def test_empty_predictions_score_zero_with_one_warning(files, capsys, caplog):
    with caplog.at_level(logging.WARNING):
        main(
            [
                "rouge",
                "--predictions",
                files["p"],
                "--references",
                files["r"],
                "--per-example",
                files["out"],
            ]
        )
    rows = [json.loads(line) for line in open(files["out"], encoding="utf-8")]
    assert len(rows) == 4 and rows[2]["rouge1"]["fmeasure"] == 0.0
    assert [r.getMessage() for r in caplog.records] == [
        "1 of 4 predictions are empty and score 0 (rows 3; rows are 1-based)"
    ]


@pytest.mark.parametrize(
    "content, error",
    [
        (b"a\nb\n", "r.txt: has 2 lines but predictions"),  # names both files and both counts
        (b"", "r.txt: file is empty"),
        (b"a\n\xff\xfe\nc\nd\n", "r.txt line 2: invalid UTF-8"),
    ],
)
def test_bad_reference_files_give_one_clear_error(files, capsys, content, error):
    with open(files["r"], "wb") as handle:
        handle.write(content)
    assert main(["rouge", "--predictions", files["p"], "--references", files["r"]]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and error in err and "Traceback" not in err
    if "lines" in error:
        assert "p.txt has 4" in err


@pytest.mark.parametrize(
    "jsonl, error",
    [
        ('{"text": "a"}\n{"txt": "b"}\n', 'p.jsonl line 2 field "text": missing'),
        ('{"text": "a"}\n{"text": 3}\n', 'p.jsonl line 2 field "text": expected a string'),
        ('{"text": "a"}\nnot json\n', "p.jsonl line 2: invalid JSON"),
    ],
)
def test_bad_jsonl_rows_name_line_and_field(tmp_path, capsys, jsonl, error):
    p = tmp_path / "p.jsonl"
    p.write_text(jsonl, encoding="utf-8")
    r = _write(tmp_path / "r.txt", ["a", "b"])
    assert main(["rouge", "--predictions", str(p), "--references", r]) == 2
    assert error in capsys.readouterr().err


@pytest.mark.parametrize(
    "extra, error",
    [
        (["--rouge-types", "rouge1,bleu"], "unknown ROUGE type"),
        (["--bootstrap", "-1"], "--bootstrap"),
        (["--confidence", "1.5"], "--confidence"),
    ],
)
def test_bad_options(files, capsys, extra, error):
    assert main(["rouge", "--predictions", files["p"], "--references", files["r"], *extra]) == 2
    assert error in capsys.readouterr().err


def test_rouge155_mode_uses_the_perl_compatible_scorer(files, capsys):
    from eval.rouge155 import Rouge155

    code = main(["rouge", "--predictions", files["p"], "--references", files["r"], "--rouge155",
                 "--rouge155-args", "-n 2 -w 1.2", "--stem", "--per-example", files["out"],
                 "--bootstrap", "100"])  # fmt: skip
    assert code == 0
    printed = _parse(capsys.readouterr().out)
    assert list(printed) == ["rouge1", "rouge2", "rougeL", "rougeW"]
    assert (
        "args:-n 2 -w 1.2 -m" in printed["rouge1"][1]
        and "|boot:100|seed:12345|" in printed["rouge1"][1]
    )
    rows = [json.loads(line) for line in open(files["out"], encoding="utf-8")]
    scorer = Rouge155("-n 2 -w 1.2 -m")
    expected = scorer.score_batch(
        [p.split(" <n> ") for p in PREDICTIONS], [[r.split(" <n> ")] for r in REFERENCES]
    )
    assert rows == [{t: s._asdict() for t, s in row.items()} for row in expected]


@pytest.mark.parametrize(
    "extra, option",
    [
        (["--tokenizer", "unicode"], "--tokenizer"),
        (["--multiref", "jackknife"], "--multiref"),
        (["--rouge-types", "rouge1"], "--rouge-types"),
    ],
)
def test_rouge155_mode_refuses_options_it_would_ignore(files, capsys, extra, option):
    assert (
        main(
            ["rouge", "--predictions", files["p"], "--references", files["r"], "--rouge155", *extra]
        )
        == 2
    )
    assert f'field "{option}": does not apply with --rouge155' in capsys.readouterr().err


def test_split_summaries_without_sentence_model_is_one_clear_error(files, capsys, monkeypatch):
    import nltk

    def missing(text):
        raise LookupError("Resource punkt_tab not found.")

    monkeypatch.setattr(nltk, "sent_tokenize", missing)
    assert (
        main(
            ["rouge", "--predictions", files["p"], "--references", files["r"], "--split-summaries"]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert 'field "--split-summaries": split_summaries needs NLTK\'s punkt_tab' in err
    assert "Traceback" not in err
