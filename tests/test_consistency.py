"""Consistency checker: text helpers, ngram and entity normalisation, the checker's handling of
bad input, the registry, ensemble combination, dataset binarisation and split, metrics, CLIs."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from eval.consistency import (
    Backend,
    BackendResult,
    ConsistencyChecker,
    Span,
    backend_class,
    register,
)
from eval.consistency import datasets as ds
from eval.consistency.entities import ArticleFacts, normalise, numbers
from eval.consistency.meta import balanced_accuracy, best_threshold, evaluate, f1, roc_auc
from eval.consistency.ngram import ArticleIndex, NgramBackend, merge_spans, ngram_precision
from eval.consistency.text import sentences, tokens

FIXTURES = Path(__file__).parent / "fixtures" / "consistency"
ARTICLE = (
    "The council approved a budget of 1.8 million dollars on Tuesday. Mayor Jane Doe said "
    "the money will repair roads in Springfield."
)


# --- text helpers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One. Two three.", ["One.", "Two three."]),
        ("Dr. Smith went home. He left.", ["Dr. Smith went home.", "He left."]),
        ("He paid the U.S. Army. Then left.", ["He paid the U.S. Army.", "Then left."]),
        ("lower case . tokenised text .", ["lower case .", "tokenised text ."]),
        ("line one\nline two", ["line one", "line two"]),
        ("", []),
    ],
)
def test_sentences(text, expected):
    found = sentences(text)
    assert [s for _, _, s in found] == expected
    assert all(text[a:b] == s for a, b, s in found)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Paid 1,800,000 to U.S. firms", ["paid", "1,800,000", "to", "u.s", "firms"]),
        ("it's 3.5%", ["it's", "3.5"]),
    ],
)
def test_tokens(text, expected):
    assert [t for _, _, t in tokens(text)] == expected


# --- ngram ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "summary, n, expected",
    [
        ("the council approved a budget", 3, 1.0),
        ("the council rejected a budget", 3, 0.0),  # every trigram touches "rejected"
        ("the council rejected a budget", 1, 0.8),
        ("hi", 3, 1.0),  # too short to have a trigram
    ],
)
def test_ngram_precision(summary, n, expected):
    assert ngram_precision(ARTICLE, summary, n) == pytest.approx(expected)


def test_ngram_backend_min_over_sentences_and_spans():
    summary = "The council approved a budget. Governor Max Power cut taxes."
    [res] = NgramBackend().score_pairs([ARTICLE], [summary])
    copied, invented = res.support
    assert copied[2] == pytest.approx(1.0)
    assert res.score == pytest.approx(invented[2]) and res.score < 0.2
    assert [(s.text, s.reason) for s in res.spans] == [
        ("Governor Max Power cut taxes", "word not in article")
    ]
    assert all(summary[s.start : s.end] == s.text for s in res.spans)


LOCAL_ARTICLE = (
    "The council met on Monday. It approved a budget of 1.8 million dollars for schools. "
    "The mayor, Ann Lee, praised the vote. Parks got nothing."
)


@pytest.mark.parametrize(
    "summary, local, fusion",
    [
        (
            "The council approved a budget for schools.",
            1.0,
            0.2,
        ),  # council: 1st sentence, rest: 2nd
        ("The budget approves schooling.", 1.0, 0.1),  # stems match: approv, school
        ("Ann Lee approved a budget for parks.", 0.8, 0.3),  # scattered over three sentences
        ("Totally unrelated words here.", 0.0, 0.0),
        ("The vote. Ann Lee met parks.", 0.75, 0.3),  # worst sentence decides `local`
    ],
)
def test_ngram_locality_features(summary, local, fusion):
    features = NgramBackend.locality(ArticleIndex(LOCAL_ARTICLE), summary)
    assert features == {"ngram.local": pytest.approx(local), "ngram.fusion": pytest.approx(fusion)}


def test_merge_spans_keeps_separate_when_words_between():
    text = "aa bb cc dd"
    spans = [Span(0, 2, "aa", "r"), Span(3, 5, "bb", "r"), Span(9, 11, "dd", "r")]
    assert [s.text for s in merge_spans(text, spans)] == ["aa bb", "dd"]


# --- entity normalisation (no spaCy needed) ------------------------------------------------------


@pytest.mark.parametrize(
    "text, values",
    [
        ("1.8 million", [1_800_000]),
        ("1,800,000", [1_800_000]),
        ("$1.8m", [1_800_000]),
        ("two thousand", [2000]),
        ("twenty-five", [25]),
        ("50 per cent", [50]),
        ("a man", []),  # "a" is a number only before a scale word
        ("a million", [1_000_000]),
        ("in 2012 and 2013", [2012, 2013]),
    ],
)
def test_numbers(text, values):
    assert [v for v, _ in numbers(text)] == pytest.approx(values)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("the U.S.", "us"),
        ("United States", "us"),
        ("Britain's", "uk"),
        ("The BBC", "bbc"),
    ],
)
def test_normalise(text, expected):
    assert normalise(text) == expected


@pytest.mark.parametrize(
    "label, text, reason",
    [
        ("MONEY", "1,800,000 dollars", None),
        ("MONEY", "$1.6 million", "number differs: 1.6 million vs 1.8 million"),
        ("CARDINAL", "40 million", "number not in article: 40 million"),
        ("DATE", "Tuesday", None),
        ("DATE", "Friday", "entity not in article"),
        ("PERSON", "Doe", None),  # surname matches the full name
        ("PERSON", "Jane Doe", None),
        ("PERSON", "John Doe", "name differs: john not in article (surname doe is)"),
        ("GPE", "Springfield", None),
        ("GPE", "Shelbyville", "entity not in article"),
    ],
)
def test_entity_checks(label, text, reason):
    from eval.consistency.entities import EntityBackend

    backend = EntityBackend.__new__(EntityBackend)  # _check needs no spaCy model
    backend.normalise_values = True
    assert backend._check(ArticleFacts(ARTICLE), text, label) == reason


def test_aliases_match_both_ways():
    facts = ArticleFacts("Talks between the United States and the U.K. resumed.")
    assert facts.contains("U.S.") and facts.contains("Britain") and not facts.contains("France")


# --- the checker: registry and bad input ---------------------------------------------------------


@register("_length")
class LengthBackend(Backend):
    """Test backend: score = summary length / 100; records what it was given."""

    seen: list = []

    def score_pairs(self, articles, summaries):
        LengthBackend.seen = list(zip(articles, summaries))
        return [BackendResult(len(s) / 100, [Span(0, 1, s[0], "test")]) for s in summaries]


def test_unknown_backend_names_the_known_ones():
    with pytest.raises(ValueError, match="unknown consistency backend 'nope'.*ngram"):
        backend_class("nope")


@pytest.mark.parametrize(
    "article, summary, error",
    [
        ("Text.", "", "empty summary"),
        ("   ", "A summary.", "empty article"),
        (None, "A summary.", "missing article"),
        ("Text.", None, "missing summary"),
        ("Text.", 42, "summary must be a string, got int"),
    ],
)
def test_bad_rows_get_errors_and_keep_their_place(article, summary, error):
    checker = ConsistencyChecker("_length", threshold=0.1)
    results = checker.score(
        ["Good article.", article, "Good article."], ["Fine summary here.", summary, "x"]
    )
    assert [r.error for r in results] == [None, error, None]
    assert results[1].score is None and results[1].consistent is None
    assert [r.consistent for r in (results[0], results[2])] == [True, False]


def test_long_article_is_cut_and_says_so():
    checker = ConsistencyChecker("_length", max_article_chars=100)
    [res] = checker.score(["word " * 1000], ["summary"])
    assert len(LengthBackend.seen[0][0]) == 100
    assert res.warnings == ["article cut from 5000 to 100 characters"]


def test_non_english_is_scored_with_a_warning():
    [res] = ConsistencyChecker("_length").score(["这是一个中文句子。"], ["这是中文。"])
    assert res.score is not None and "does not look English" in res.warnings[0]


def test_signature_names_backend_and_threshold():
    sig = str(ConsistencyChecker("ngram", threshold=0.42).signature)
    assert sig.startswith(
        "consistency|backend:ngram|n:1-3|agg:min|feat:v3|kind:summary|threshold:0.4200|thr_from:given"
    )


def test_headlines_get_their_own_threshold_and_default_backend():
    from eval.consistency import DEFAULT_BACKENDS, load_thresholds

    headline, summary = ConsistencyChecker("ngram", kind="headline"), ConsistencyChecker("ngram")
    assert headline.threshold == load_thresholds("headline")["ngram"] < summary.threshold
    assert "kind:headline" in str(headline.signature) and "thr_from:dev-headline" in str(
        headline.signature
    )
    assert (
        DEFAULT_BACKENDS["headline"] == "support" and ConsistencyChecker().backend_name == "ngram"
    )
    with pytest.raises(ValueError, match="kind must be one of"):
        ConsistencyChecker("ngram", kind="tweet")


def test_mismatched_lengths_raise():
    with pytest.raises(ValueError, match="2 articles but 1 summaries"):
        ConsistencyChecker("_length").score(["a", "b"], ["c"])


# --- ensemble ------------------------------------------------------------------------------------


def test_ensemble_combines_members_with_stored_weights(tmp_path):
    from eval.consistency.ensemble import EnsembleBackend, combine

    weights = {
        "features": ["ngram", "_length"],
        "weights": [2.0, -1.0],
        "bias": 0.5,
        "mean": [0.5, 0.1],
        "std": [0.25, 0.1],
        "fitted_on": "test",
    }
    path = tmp_path / "ensemble.json"
    path.write_text(json.dumps(weights))
    backend = EnsembleBackend(weights_file=path)
    [res] = backend.score_pairs([ARTICLE], ["The council approved a budget."])
    assert res.backend_scores["ngram"] == pytest.approx(1.0)
    z = 0.5 + 2.0 * (1.0 - 0.5) / 0.25 - 1.0 * (0.30 - 0.1) / 0.1
    assert (
        res.score
        == pytest.approx(1 / (1 + math.exp(-z)))
        == pytest.approx(combine(weights, res.backend_scores))
    )
    assert [s.reason for s in res.spans] == ["test"]


def test_ensemble_scored_from_member_caches_equals_direct_scoring(tmp_path):
    from eval.consistency.meta import score_rows

    path = tmp_path / "ensemble.json"
    path.write_text(
        json.dumps(
            {
                "features": ["ngram", "ngram.p1min"],
                "weights": [2.0, 1.0],
                "bias": -1.0,
                "mean": [0.5, 0.5],
                "std": [0.25, 0.25],
                "fitted_on": "test",
            }
        )
    )
    checker = ConsistencyChecker("ensemble", weights_file=path)
    rows = [
        {"article": ARTICLE, "summary": s}
        for s in ["The council approved a budget.", "The mayor resigned in Paris.", "  "]
    ]
    direct = checker.score([r["article"] for r in rows], [r["summary"] for r in rows])
    score_rows(
        ConsistencyChecker("ngram"), rows, tmp_path / "cache", progress=False
    )  # as calibrate leaves it
    member = checker.backend.members["ngram"]
    member.score_pairs = lambda *args: pytest.fail("the member's cached scores were not used")
    cached = score_rows(checker, rows, tmp_path / "cache", progress=False)
    assert [c["score"] for c in cached[:2]] == pytest.approx([d.score for d in direct[:2]])
    assert cached[2]["score"] is None and "empty summary" in cached[2]["error"]


def test_ensemble_rejects_inconsistent_weight_file(tmp_path):
    from eval.consistency.ensemble import load_weights

    path = tmp_path / "w.json"
    path.write_text(json.dumps({"features": ["a", "b"], "weights": [1.0]}))
    with pytest.raises(ValueError, match="2 features but 1 weights"):
        load_weights(path)


# --- datasets ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, fmt, expected",
    [
        ("frank_valid.jsonl", "frank", [("frank", 1), ("frank", 0), ("frank", 0)]),
        ("summeval.jsonl", "summeval", [("summeval", 1), ("summeval", 0)]),
        (
            "xsumfaith/xsumfaith_with_docs.jsonl",
            "xsumfaith",
            [("xsumfaith", 1), ("xsumfaith", 0)],
        ),  # Gold skipped
        (
            "summac_subsets/polytope.json",
            "summac",
            [("summac-polytope", 1), ("summac-polytope", 0)],
        ),
        ("aggrefact_val.jsonl", "aggrefact", [("aggrefact-xsumfaith", 1)]),  # id-only row skipped
        ("labelled.jsonl", "jsonl", [("toy", 1), ("toy", 0), ("toy", 1), ("toy", 0)]),
    ],
)
def test_loaders_binarise(name, fmt, expected):
    rows = ds.read_file(FIXTURES / name, fmt)
    assert [(r["source"], r["label"]) for r in rows] == expected
    assert all(r["article"] and r["summary"] and r["split"] in ds.SPLITS for r in rows)


def test_split_is_by_document_and_ignores_case_and_spacing():
    assert ds.split_of("The Council met.\n\nIt voted .") == ds.split_of(
        "the council met . it voted."
    )
    counts = {s: 0 for s in ds.SPLITS}
    for i in range(2000):
        counts[ds.split_of(f"document number {i}")] += 1
    assert 0.35 < counts["train"] / 2000 < 0.45 and 0.25 < counts["dev_eval"] / 2000 < 0.35


def test_user_jsonl_missing_label_names_line_and_field(tmp_path):
    from eval.base.errors import InputError

    path = tmp_path / "x.jsonl"
    path.write_text(
        '{"article": "a", "summary": "b", "label": 1}\n{"article": "a", "summary": "b"}\n'
    )
    with pytest.raises(InputError, match='line 2 field "label"'):
        ds.read_file(path, "jsonl")


# --- metrics -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels, preds, ba, f1_incons",
    [
        ([1, 1, 0, 0], [1, 1, 0, 0], 1.0, 1.0),
        ([1, 1, 0, 0], [1, 1, 1, 1], 0.5, 0.0),
        ([1, 1, 1, 0], [1, 0, 1, 0], (2 / 3 + 1) / 2, 2 / 3),
    ],
)
def test_balanced_accuracy_and_f1(labels, preds, ba, f1_incons):
    assert balanced_accuracy(labels, preds) == pytest.approx(ba)
    assert f1(labels, preds) == pytest.approx(f1_incons)


@pytest.mark.parametrize(
    "labels, scores, auc",
    [
        ([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], 1.0),
        ([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4], 0.0),
        ([0, 1], [0.5, 0.5], 0.5),
        ([1, 1], [0.1, 0.2], math.nan),
    ],
)
def test_roc_auc(labels, scores, auc):
    assert roc_auc(labels, scores) == pytest.approx(auc, nan_ok=True)


def test_best_threshold_separates():
    t = best_threshold([0, 0, 1, 1], [0.1, 0.2, 0.6, 0.9])
    assert 0.2 < t <= 0.6


def test_evaluate_intervals_contain_point_and_are_seeded():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200)
    scores = labels * 0.3 + rng.random(200)
    a, b = evaluate(labels, scores, 0.6, 200, seed=1), evaluate(labels, scores, 0.6, 200, seed=1)
    assert a == b
    for k in ("ba", "auc", "f1"):
        assert a[k][1] <= a[k][0] <= a[k][2]


def test_paired_macro_test_against_itself_and_against_a_better_checker():
    from eval.consistency.meta import paired_macro_test

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 300)
    sources = np.array(["a", "b", "c"] * 100)
    weak, strong = labels * 0.2 + rng.random(300), labels * 2.0 + rng.random(300)
    thr = {s: 0.6 for s in "abc"}
    same = paired_macro_test(labels, sources, weak, weak, thr, thr, 200, seed=1)
    assert same["auc"].diff == same["ba"].diff == 0 and same["auc"].p_value == 1.0
    better = paired_macro_test(
        labels, sources, weak, strong, thr, {s: 1.5 for s in "abc"}, 200, seed=1
    )
    assert better == paired_macro_test(
        labels, sources, weak, strong, thr, {s: 1.5 for s in "abc"}, 200, seed=1
    )
    for k in ("ba", "auc"):
        assert 0 < better[k].low <= better[k].diff <= better[k].high and better[k].p_value < 0.01
    assert better["auc"].diff == pytest.approx(
        np.mean(
            [
                roc_auc(labels[sources == s], strong[sources == s])
                - roc_auc(labels[sources == s], weak[sources == s])
                for s in "abc"
            ]
        )
    )


# --- CLIs ----------------------------------------------------------------------------------------


def _run(argv):
    from eval.cli import main

    return main(argv)


@pytest.mark.parametrize(
    "backend", ["entities", "ngram", "align", "nli", "trained", "support", "lm", "ensemble"]
)
def test_consistency_cli_accepts_every_registered_backend(backend):
    """Issue 15 bug 1: `--backend lm` was missing from the CLI's list though `--help` named it."""
    from eval.cli import build_parser
    from eval.consistency import BACKENDS as BACKEND_MODULES

    assert backend in BACKEND_MODULES
    args = build_parser().parse_args(
        ["consistency", "--input", "i", "--output", "o", "--backend", backend]
    )
    assert args.backend == backend


def test_consistency_cli_one_row_per_input_and_resume(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "a", "article": ARTICLE, "summary": "The council approved a budget."}),
        json.dumps({"id": "b", "article": ARTICLE, "summary": ""}),
        "{not json",
        json.dumps({"id": "d", "summary": "No article."}),
        json.dumps({"id": "e", "article": ARTICLE, "summary": "Governor Max Power cut taxes."}),
    ]
    src.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    assert (
        _run(
            [
                "consistency",
                "--input",
                str(src),
                "--output",
                str(out),
                "--backend",
                "ngram",
                "--batch-size",
                "2",
                "--no-progress",
                "--threshold",
                "0.5",
            ]
        )
        == 0
    )
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", None, "d", "e"]
    assert [r.get("error") for r in rows] == [
        None,
        "empty summary",
        rows[2]["error"],
        "missing article",
        None,
    ]
    assert rows[2]["error"].startswith("line 3: not a JSON object")
    assert [r["consistent"] for r in rows] == [True, None, None, None, False]
    assert rows[4]["unsupported_spans"][0]["text"] == "Governor Max Power cut taxes"
    # Kill after two rows plus a torn line: the rerun completes without duplicating rows.
    out.write_text("\n".join(out.read_text().splitlines()[:2]) + '\n{"id": "x", "cons')
    assert (
        _run(
            [
                "consistency",
                "--input",
                str(src),
                "--output",
                str(out),
                "--backend",
                "ngram",
                "--no-progress",
                "--threshold",
                "0.5",
            ]
        )
        == 0
    )
    again = [json.loads(x) for x in out.read_text().splitlines()]
    assert again == rows


@pytest.mark.parametrize(
    "flags, input_fields",
    [
        ([], set()),
        (["--echo-inputs"], {"article", "summary", "source"}),
    ],
)
def test_consistency_cli_writes_results_not_the_article(tmp_path, flags, input_fields):
    """Issue 15 bug 11: every output row copied the whole article (a 1 MB article, a 1 MB row)."""
    src = tmp_path / "in.jsonl"
    article = ARTICLE + " Filler sentence about roads." * 2000
    src.write_text(
        json.dumps(
            {
                "id": "a",
                "article": article,
                "summary": "Governor Max Power cut taxes.",
                "source": "x",
            }
        )
        + "\n"
        + "{not json\n"
    )
    out = tmp_path / "out.jsonl"
    assert (
        _run(
            [
                "consistency",
                "--input",
                str(src),
                "--output",
                str(out),
                "--backend",
                "ngram",
                "--threshold",
                "0.5",
                "--no-progress",
                *flags,
            ]
        )
        == 0
    )
    scored, bad = [json.loads(x) for x in out.read_text().splitlines()]
    results = {
        "id",
        "consistency",
        "consistent",
        "unsupported_spans",
        "support",
        "backend_scores",
        "signature",
    }
    assert set(scored) == results | {"warnings"} | input_fields  # warnings: the article was cut
    assert (
        scored["consistent"] is False
        and scored["unsupported_spans"][0]["text"] == "Governor Max Power cut taxes"
    )
    assert len(out.read_text()) < 10_000 or input_fields
    assert (
        bad["id"] is None
        and bad["error"].startswith("line 2: not a JSON object")
        and bad["consistency"] is None
    )


def test_consistency_cli_refuses_output_of_another_input(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "article": ARTICLE, "summary": "x"}) + "\n")
    out = tmp_path / "out.jsonl"
    out.write_text(json.dumps({"id": "zzz"}) + "\n")
    assert (
        _run(
            [
                "consistency",
                "--input",
                str(src),
                "--output",
                str(out),
                "--backend",
                "ngram",
                "--no-progress",
            ]
        )
        == 2
    )
    assert "holds rows of another input" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags, refused",
    [
        (["--threshold", "0.5"], False),  # the settings that wrote the rows: resumes
        (["--threshold", "0.7"], True),  # another threshold: another signature
        ([], True),  # the dev-fitted threshold instead of the given one
    ],
)
def test_consistency_cli_resume_checks_the_signature(tmp_path, capsys, flags, refused):
    """Issue 15 bug 3: a resume with other settings mixed two checkers' rows in one file."""
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(
            json.dumps({"id": i, "article": ARTICLE, "summary": "The council approved a budget."})
            + "\n"
            for i in "abc"
        )
    )
    out = tmp_path / "out.jsonl"
    command = [
        "consistency",
        "--input",
        str(src),
        "--output",
        str(out),
        "--backend",
        "ngram",
        "--no-progress",
    ]
    assert _run(command + ["--threshold", "0.5"]) == 0
    out.write_text(out.read_text().splitlines()[0] + "\n")  # killed after one row
    old = json.loads(out.read_text())["signature"]
    capsys.readouterr()
    code = _run(command + flags)
    err = capsys.readouterr().err
    if refused:
        assert code == 2 and len(out.read_text().splitlines()) == 1
        assert len(err.strip().splitlines()) == 1
        assert str(out) in err and old in err and "this run is consistency|backend:ngram" in err
        assert "start fresh" in err
    else:
        assert code == 0 and len(out.read_text().splitlines()) == 3


def test_consistency_ray_resume_checks_the_signature_before_writing(tmp_path, monkeypatch):
    """The --ray path learns the signature from the actors: a differing one is refused before
    any of their rows is written (actors run in-process here)."""
    import eval.distributed as distributed
    from eval.base.errors import InputError

    def in_process(items, actor_class, kwargs, workers, cpus_per_worker=1.0, gpus_per_worker=0.0):
        actor = actor_class(**kwargs)
        for item in items:
            for result in actor({"shard": [item["shard"]], "payload": [item["payload"]]})["result"]:
                yield {"result": result}

    monkeypatch.setattr(distributed, "map_shards", in_process)
    monkeypatch.setattr(distributed, "connect", lambda *a, **k: False)
    rows = [
        {"id": i, "article": ARTICLE, "summary": "The council approved a budget."} for i in "abc"
    ]
    out = tmp_path / "out.jsonl"
    assert (
        distributed.consistency_ray(rows[:1], out, "ngram", 0.5, "summary", {}, progress=False) == 0
    )
    with pytest.raises(InputError, match="start fresh"):
        distributed.consistency_ray(rows, out, "ngram", 0.7, "summary", {}, progress=False)
    assert len(out.read_text().splitlines()) == 1
    assert distributed.consistency_ray(rows, out, "ngram", 0.5, "summary", {}, progress=False) == 0
    assert len(out.read_text().splitlines()) == 3


def test_meta_consistency_cli_prints_table(capsys):
    assert (
        _run(
            [
                "meta-consistency",
                "--input",
                str(FIXTURES / "labelled.jsonl"),
                "--backend",
                "ngram",
                "--bootstrap",
                "50",
                "--threshold",
                "0.9",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("toy"))
    assert line.split()[1:3] == ["4", "2"]
    assert "consistency|backend:ngram" in out


# --- calibration ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "labels, scores, sources, lo, hi",
    [
        ([0, 0, 1, 1], [0.1, 0.2, 0.6, 0.9], ["a"] * 4, 0.2, 0.6),
        # source b alone would put it at 0.75; the mean over sources keeps both perfect
        ([0, 1, 0, 1], [0.1, 0.5, 0.4, 0.8], ["a", "a", "b", "b"], 0.4, 0.5),
    ],
)
def test_macro_threshold(labels, scores, sources, lo, hi):
    from eval.consistency.calibrate import macro_threshold

    assert lo < macro_threshold(labels, scores, sources) <= hi


def test_pairwise_fit_ranks_within_source_and_ignores_source_identity():
    """Feature 0 ranks rows within each source; feature 1 only says which source a row is from,
    and the sources' base rates differ. A fit on pooled rows leans on feature 1; the pairwise
    fit must not."""
    from sklearn.linear_model import LogisticRegression

    from eval.consistency.calibrate import fit_pairwise, mean_auc

    rng = np.random.default_rng(0)
    sources = np.array(["a"] * 200 + ["b"] * 200)
    labels = np.r_[rng.random(200) < 0.9, rng.random(200) < 0.1].astype(int)
    features = np.column_stack([labels + rng.normal(0, 1.0, 400), (sources == "a").astype(float)])
    w = fit_pairwise(features, labels, sources)
    assert w == fit_pairwise(features, labels, sources)  # deterministic
    assert w["weights"][0] > 0.5 and w["weights"][1] == pytest.approx(0, abs=1e-6)
    pooled = LogisticRegression(class_weight="balanced").fit(features, labels).coef_[0]
    assert pooled[1] > pooled[0]  # the confounder the pairwise fit avoids
    z = ((features - w["mean"]) / w["std"]) @ np.array(w["weights"])
    assert mean_auc(labels, z, sources) > 0.7


def test_pairwise_fit_needs_both_classes_in_some_source():
    from eval.consistency.calibrate import fit_pairwise

    with pytest.raises(ValueError, match="both consistent and inconsistent"):
        fit_pairwise(np.ones((4, 1)), np.array([1, 1, 0, 0]), np.array(["a", "a", "b", "b"]))


def test_shipped_ensemble_and_thresholds_are_consistent():
    from eval.consistency import load_thresholds
    from eval.consistency.ensemble import load_weights

    weights, thresholds = load_weights(), load_thresholds()
    assert len(weights["features"]) == len(weights["mean"]) == len(weights["std"])
    assert weights["fitted_on"].startswith("train:") and weights["chosen_on"].startswith("dev_fit:")
    assert "ensemble" in thresholds and 0 < thresholds["ensemble"] < 1


def test_default_checker_end_to_end():
    checker = ConsistencyChecker()
    assert checker.backend_name == "ngram"
    good, bad = checker.score(
        [ARTICLE] * 2,
        [
            "The council approved a budget of 1.8 million dollars.",
            "The council rejected a budget of 4 million dollars in Paris.",
        ],
    )
    assert good.score > bad.score and good.consistent and not bad.consistent
    assert [s.text for s in bad.unsupported_spans] == ["rejected", "4", "Paris"]
    assert "thr_from:dev" in str(checker.signature)


@pytest.mark.slow
def test_ensemble_checker_end_to_end():
    checker = ConsistencyChecker("ensemble")
    good, bad = checker.score(
        [ARTICLE] * 2,
        [
            "The council approved a budget of 1.8 million dollars.",
            "The council rejected a budget of 4 million dollars in Paris.",
        ],
    )
    assert good.score > bad.score and good.consistent and not bad.consistent
    assert {"ngram", "entities"} <= set(bad.backend_scores)
    assert any(s.reason.startswith("number") for s in bad.unsupported_spans)
    assert "thr_from:dev" in str(checker.signature)


@pytest.mark.parametrize(
    "spans, kept",
    [
        (
            [
                Span(0, 3, "1.6", "word not in article"),
                Span(0, 11, "1.6 million", "number differs: 1.6 million vs 1.8 million"),
            ],
            ["number differs: 1.6 million vs 1.8 million"],
        ),
        (
            [Span(0, 3, "Bob", "word not in article"), Span(8, 11, "Ann", "entity not in article")],
            ["word not in article", "entity not in article"],
        ),
    ],
)
def test_ensemble_drops_word_spans_inside_richer_spans(spans, kept):
    from eval.consistency.ensemble import _dedupe

    assert [s.reason for s in _dedupe(spans)] == kept


def test_score_cache_resumes_and_ignores_the_threshold(tmp_path):
    import sqlite3

    from eval.consistency.meta import score_rows, scores_key

    rows = [
        {"article": ARTICLE, "summary": s} for s in ("The council approved a budget.", "Cats fly.")
    ]
    first = score_rows(ConsistencyChecker("ngram", threshold=0.1), rows, tmp_path, progress=False)
    assert scores_key("x|a:1|threshold:0.5|thr_from:dev|v:1") == "x|a:1|v:1"
    [cache] = list(tmp_path.iterdir())  # the shared ScoreCache (eval.base.cache)

    def entries():
        with sqlite3.connect(cache) as db:
            return db.execute("SELECT COUNT(*) FROM scores").fetchone()[0]

    assert cache.name == "scores.sqlite" and entries() == 2
    other = ConsistencyChecker("ngram", threshold=0.9)
    other.score = lambda *args: pytest.fail("rescored")  # read back, not rescored
    again = score_rows(other, rows, tmp_path, progress=False)
    assert again == first and entries() == 2
    more = score_rows(
        ConsistencyChecker("ngram"),
        rows + [{"article": ARTICLE, "summary": "Dogs sing."}],
        tmp_path,
        progress=False,
    )
    assert more[:2] == first and entries() == 3  # only the new row was scored
