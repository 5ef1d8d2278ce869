import json

import pytest

import eval.scoring as scoring
from eval.aggregate import MeanMetric
from eval.base.errors import InputError
from eval.base.signature import Signature, Signatures
from eval.pipeline import score_run
from eval.rows import read_rows

ARTICLE = "Harbor Freight Lines said on Tuesday it would cut 240 jobs at its Rotterdam depot."


def write(path, rows):
    path.write_text("".join(r if isinstance(r, str) else json.dumps(r) + "\n" for r in rows))
    return path


def good(i, **extra):
    return {
        "id": f"r{i}",
        "prediction": f"Harbor cuts {i} jobs",
        "reference": "Harbor to cut 240 jobs",
        "article": ARTICLE,
        "category": "business" if i % 2 else "tech",
        **extra,
    }


class Counting(MeanMetric):
    """A metric that counts the rows it is asked to score (to test the cache and resume)."""

    name, needs = "counting", ()
    calls: list[int] = []
    fail_after: int | None = None

    def __init__(self, **options):
        pass

    def signature(self, **inputs):
        return Signatures.one(Signature("counting", (("v", "1"),)))

    def sentence_scores(self, predictions, references=None, articles=None, **columns):
        if Counting.fail_after is not None and sum(Counting.calls) >= Counting.fail_after:
            raise KeyboardInterrupt("killed")
        Counting.calls.append(len(predictions))
        return [{"scores": {"length": len(p)}} for p in predictions]


@pytest.fixture
def counting(monkeypatch):
    original = scoring.load_metric
    monkeypatch.setattr(
        scoring,
        "load_metric",
        lambda name, **o: Counting() if name == "counting" else original(name, **o),
    )
    Counting.calls, Counting.fail_after = [], None
    return Counting


@pytest.mark.parametrize(
    "line, kind, needle",
    [
        ("{not json\n", "invalid_json", "line 2"),
        (json.dumps({"prediction": "x", "reference": "y"}) + "\n", "missing_id", 'field "id"'),
        (json.dumps(good(0)) + "\n", "duplicate_id", "duplicate id (first on line 1)"),
        (
            json.dumps({"id": "z", "reference": "y"}) + "\n",
            "missing_prediction",
            'field "prediction"',
        ),
        (
            json.dumps({"id": "z", "prediction": 3, "reference": "y"}) + "\n",
            "bad_prediction",
            "must be a string",
        ),
        (
            json.dumps({"id": "z", "prediction": "x", "reference": [1]}) + "\n",
            "bad_reference",
            "reference",
        ),
        ("\n", "invalid_json", "blank line"),
    ],
)
def test_row_errors_name_the_line_and_stop_the_run(tmp_path, line, kind, needle):
    src = write(tmp_path / "in.jsonl", [good(0), line, good(3)])
    rows, problems = read_rows(src)
    assert len(rows) == 3 and problems.kinds[kind] == 1
    assert "error" in rows[1] and needle in rows[1]["error"] and "line 2" in rows[1]["error"]
    with pytest.raises(InputError, match="line 2"):
        score_run(src, tmp_path / "out", metrics=["headline"], report=False, progress=False)


@pytest.mark.parametrize(
    "row, kind, null_field",
    [
        (
            {"id": "w", "prediction": "", "reference": "y", "article": ARTICLE},
            "empty_prediction",
            None,
        ),
        (
            {"id": "w", "prediction": "Harbor cuts jobs", "reference": "y"},
            "missing_article",
            "hl_copy_rate",
        ),
        (
            {"id": "w", "prediction": "Harbor cuts jobs", "article": ARTICLE},
            "missing_reference",
            None,
        ),
    ],
)
def test_row_warnings_keep_the_row(tmp_path, row, kind, null_field):
    src = write(tmp_path / "in.jsonl", [good(0), row])
    summary = score_run(src, tmp_path / "out", metrics=["headline"], report=False, progress=False)
    assert summary["problems"]["by_kind"] == {kind: 1} and summary["problems"]["warnings"] == 1
    out = [json.loads(x) for x in (tmp_path / "out" / "scores.jsonl").read_text().splitlines()]
    assert [r["id"] for r in out] == ["r0", "w"] and out[1]["warnings"]
    if null_field:
        assert out[1]["scores"][null_field] is None


def test_keep_going_keeps_bad_rows_in_place(tmp_path):
    src = write(tmp_path / "in.jsonl", [good(0), "{oops\n", good(2), good(2)])
    summary = score_run(
        src, tmp_path / "out", metrics=["headline"], keep_going=True, report=False, progress=False
    )
    out = [json.loads(x) for x in (tmp_path / "out" / "scores.jsonl").read_text().splitlines()]
    assert len(out) == 4 and [("error" in r) for r in out] == [False, True, False, True]
    assert (
        summary["n_rows"] == 4 and summary["n_scored"] == 2 and summary["problems"]["errors"] == 2
    )


def test_generate_output_joined_with_references(tmp_path):
    preds = write(
        tmp_path / "gen.jsonl", [{"id": "a", "text": "Harbor cuts jobs"}, {"id": "b", "text": "x"}]
    )
    refs = write(
        tmp_path / "refs.jsonl",
        [{"id": "a", "reference": "Harbor to cut jobs", "article": ARTICLE}],
    )
    rows, problems = read_rows(preds, refs)
    assert rows[0]["references"] == ["Harbor to cut jobs"] and rows[0]["article"] == ARTICLE
    assert problems.kinds["id_not_in_references"] == 1 and "line 2 (id 'b')" in rows[1]["error"]


def test_missing_metric_module_is_skipped_not_fatal(tmp_path, monkeypatch):
    import eval.metrics

    monkeypatch.setitem(eval.metrics.REGISTRY, "rouge", "eval.not_built_yet:Rouge")
    src = write(tmp_path / "in.jsonl", [good(0), good(1)])
    summary = score_run(
        src, tmp_path / "out", metrics=["rouge", "headline"], report=False, progress=False
    )
    assert summary["metrics"]["rouge"]["status"] == "skipped"
    assert summary["metrics"]["headline"]["status"] == "ok" and "hl_words" in summary["scores"]


def test_summary_has_seeded_intervals_and_categories(tmp_path):
    src = write(tmp_path / "in.jsonl", [good(i) for i in range(20)])
    a = score_run(src, tmp_path / "a", metrics=["headline"], seed=7, report=False, progress=False)
    b = score_run(src, tmp_path / "b", metrics=["headline"], seed=7, report=False, progress=False)
    words = a["scores"]["hl_chars"]
    assert words["low"] <= words["mean"] <= words["high"] and words == b["scores"]["hl_chars"]
    assert set(a["by_category"]) == {"business", "tech"} and a["by_category"]["tech"]["n"] == 10
    assert a["metrics"]["headline"]["signature"].startswith("headline|")


def test_one_changed_row_of_a_thousand_recomputes_one_row(tmp_path, counting):
    rows = [good(i) for i in range(1000)]
    src = write(tmp_path / "in.jsonl", rows)
    score_run(src, tmp_path / "out", metrics=["counting"], report=False, progress=False)
    assert sum(counting.calls) == 1000
    rows[500]["prediction"] = "changed"
    write(src, rows)
    counting.calls.clear()
    summary = score_run(src, tmp_path / "out", metrics=["counting"], report=False, progress=False)
    assert counting.calls == [1] and summary["cache"] == {"hits": 999, "misses": 1}
    out = (tmp_path / "out" / "scores.jsonl").read_text().splitlines()
    assert json.loads(out[500])["scores"]["length"] == len("changed") and len(out) == 1000


def test_killed_run_resumes_from_the_cache(tmp_path, counting):
    src = write(tmp_path / "in.jsonl", [good(i) for i in range(600)])
    counting.fail_after = 512  # dies while scoring the third batch of 256
    with pytest.raises(KeyboardInterrupt):
        score_run(src, tmp_path / "out", metrics=["counting"], report=False, progress=False)
    counting.fail_after, counting.calls = None, []
    summary = score_run(src, tmp_path / "out", metrics=["counting"], report=False, progress=False)
    assert counting.calls == [88] and summary["cache"]["hits"] == 512
    assert len((tmp_path / "out" / "scores.jsonl").read_text().splitlines()) == 600


def test_rouge_metric_through_the_pipeline(tmp_path):
    src = write(
        tmp_path / "in.jsonl",
        [
            {
                "id": "same",
                "prediction": "Harbor to cut 240 jobs",
                "reference": "Harbor to cut 240 jobs",
            },
            {
                "id": "none",
                "prediction": "Storm floods town",
                "reference": ["Harbor to cut 240 jobs", "x y"],
            },
        ],
    )
    summary = score_run(src, tmp_path / "out", metrics=["rouge"], report=False, progress=False)
    out = [json.loads(x) for x in (tmp_path / "out" / "scores.jsonl").read_text().splitlines()]
    assert out[0]["scores"]["rouge1"] == pytest.approx(1.0) and out[1]["scores"]["rouge1"] == 0.0
    assert "rouge1|" in summary["metrics"]["rouge"]["signature"]


@pytest.mark.parametrize(
    "references, refs",
    [
        (["a b", "c d"], 1),
        ([["a b", "x"], "c d"], 2),  # the two-reference row is in the first batch, not the last
        (["a b", ["c d", "x", "y"]], 3),
    ],
)
def test_rouge_signature_counts_the_references_used(tmp_path, references, refs):
    """Issue 15 bug 2: summary.json said refs:1 whatever the references (taken before scoring)."""
    src = write(
        tmp_path / "in.jsonl",
        [{"id": str(i), "prediction": "a b c", "reference": r} for i, r in enumerate(references)],
    )
    for _ in ("scored", "cached"):
        summary = score_run(
            src, tmp_path / "out", metrics=["rouge"], report=False, progress=False, batch_size=1
        )
        signatures = summary["metrics"]["rouge"]["signature"].split()
        assert [s.split("|")[0] for s in signatures] == ["rouge1", "rouge2", "rougeL"]
        assert all(f"|refs:{refs}|" in s for s in signatures)
    assert summary["cache"]["misses"] == 0
    # the --ray driver combines the workers' signatures to the same (tests/test_ray.py)


def test_consistency_signature_is_the_same_from_the_cache(tmp_path):
    """The kinds in summary.json come from the rows, not from what was scored afresh: a rerun
    from a warm cache named every kind the metric could use."""
    src = write(tmp_path / "in.jsonl", [good(0), good(1)])  # headlines: one kind
    options = {"consistency": {"backend": "ngram"}}
    for _ in ("scored", "cached"):
        summary = score_run(
            src,
            tmp_path / "out",
            metrics=["consistency"],
            metric_options=options,
            report=False,
            progress=False,
        )
        signature = summary["metrics"]["consistency"]["signature"]
        assert "kind:headline" in signature and "kind:summary" not in signature
    assert summary["cache"]["hits"] == 2


def test_unknown_metric_is_one_line(tmp_path, capsys):
    from eval.cli import main

    src = write(tmp_path / "in.jsonl", [good(0)])
    assert (
        main(
            [
                "score",
                "--input",
                str(src),
                "--output-dir",
                str(tmp_path / "out"),
                "--metrics",
                "rouge,nope",
            ]
        )
        == 2
    )
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: field \"metrics\": unknown metric 'nope'; known: rouge, bertscore, headline, consistency"
    ]


@pytest.mark.parametrize("missing", ["matplotlib", "jinja2"])
def test_score_without_the_report_extra_says_what_to_install(
    tmp_path, monkeypatch, caplog, capsys, missing
):
    """Issue 15 bug 4: a default `eval score` ended in a traceback without the report extra."""
    from eval.cli import main

    monkeypatch.setitem(__import__("sys").modules, missing, None)  # import raises ImportError
    src = write(tmp_path / "in.jsonl", [good(0), good(1)])
    out = tmp_path / "out"
    assert (
        main(["score", "--input", str(src), "--output-dir", str(out), "--metrics", "headline"]) == 0
    )
    assert (out / "scores.jsonl").exists() and (out / "summary.json").exists()
    assert not (out / "report.html").exists() and not (out / "report.md").exists()
    [line] = [r.getMessage() for r in caplog.records if "report" in r.getMessage()]
    assert (
        line.startswith(f"no report: {missing} is not installed")
        and "headline-eval[report]" in line
    )
    assert "\n" not in line and "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "prediction, reference, warning",
    [
        ("Harbor cuts jobs", "Harbor to cut 240 jobs", None),
        (
            "Гавань сокращает рабочие места",
            "Harbor to cut 240 jobs",
            "rouge: a prediction is not empty but yields zero tokens",
        ),
        ("Harbor cuts jobs", "港口裁员", "rouge: a reference is not empty but yields zero tokens"),
    ],
)
def test_zero_token_text_is_a_row_warning_counted_in_the_summary(
    tmp_path, prediction, reference, warning
):
    """Issue 15 bug 10: non-Latin text scored 0 with the warning only on stderr."""
    src = write(
        tmp_path / "in.jsonl",
        [{"id": "x", "prediction": prediction, "reference": reference, "article": ARTICLE}],
    )
    for _ in ("scored", "cached"):
        summary = score_run(src, tmp_path / "out", metrics=["rouge"], progress=False)
        [row] = [
            json.loads(x) for x in (tmp_path / "out" / "scores.jsonl").read_text().splitlines()
        ]
        report = (tmp_path / "out" / "report.md").read_text()
        if warning is None:
            assert "warnings" not in row and summary["problems"]["warnings"] == 0
            assert row["scores"]["rouge1"] > 0
            continue
        assert row["scores"]["rouge1"] == 0.0  # scores unchanged: only now the row says why
        assert [w.split(" under")[0] for w in row["warnings"]] == [warning]
        assert summary["problems"]["warnings"] == 1 and summary["problems"]["metric_warnings"] == {
            "rouge": 1
        }
        assert summary["problems"]["first_warnings"][0].startswith(f"line 1 (id 'x'): {warning}")
        assert "0 errors, 1 warnings" in report


def test_consistency_warnings_reach_the_row(tmp_path):
    src = write(
        tmp_path / "in.jsonl",
        [{"id": "x", "prediction": "Harbor cuts jobs.", "article": ARTICLE * 300}],
    )
    summary = score_run(
        src,
        tmp_path / "out",
        metrics=["consistency"],
        metric_options={"consistency": {"backend": "ngram"}},
        report=False,
        progress=False,
    )
    [row] = [json.loads(x) for x in (tmp_path / "out" / "scores.jsonl").read_text().splitlines()]
    assert row["warnings"][1:] == [
        f"consistency: article cut from {len(ARTICLE * 300)} to 20000 characters"
    ]
    assert summary["problems"]["metric_warnings"] == {"consistency": 1}


class _BatchRecorder(MeanMetric):
    """A metric whose numbers depend on its batch, as a padded model's do (1e-8 differences)."""

    name, needs = "recorder", ("prediction",)

    def __init__(self):
        self.batches = []

    def signature(self, **inputs):
        return Signatures.one(Signature("recorder", (("v", "1"),)))

    def sentence_scores(self, predictions, references=None, articles=None, **columns):
        self.batches.append(list(predictions))
        return [{"scores": {"recorder": len(predictions)}} for _ in predictions]


@pytest.mark.parametrize("n, batch, shard", [(23, 5, 10), (40, 8, 16), (7, 4, 4)])
def test_shards_of_whole_windows_get_the_batches_of_the_whole_input(n, batch, shard):
    from eval.scoring import score_rows

    rows = [{"id": str(i), "prediction": f"x{i}"} for i in range(n)]
    rows[3]["error"] = "bad row"  # an error row keeps its window, it does not shift the others
    whole = _BatchRecorder()
    score_rows([dict(r) for r in rows], [whole], batch_size=batch, progress=False)
    sharded = _BatchRecorder()
    for first in range(0, n, shard):  # what each Ray actor does with its shard
        score_rows(
            [dict(r) for r in rows[first : first + shard]],
            [sharded],
            batch_size=batch,
            progress=False,
            first_index=first,
        )
    assert sharded.batches == whole.batches
    assert all(len(b) <= batch for b in whole.batches)
