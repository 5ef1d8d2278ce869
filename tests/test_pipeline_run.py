"""`python -m eval run`: generate -> score -> report, with a stand-in Summarizer (the real one
is tested by the generation engineer); resuming after a kill neither loses nor repeats rows."""

import json

import pytest

import summarizer
from eval.cli import main
from summarizer.generate import GenerationResult


class FakeSummarizer:
    """First five words of the article; can 'die' after a number of articles."""

    calls: list[int] = []
    die_after: int | None = None
    loads: list = []
    model_name, signature = "fake", "headline|model:fake"

    @classmethod
    def from_pretrained(cls, name_or_path=None, task="headline", **options):
        cls.loads.append(name_or_path)
        fake = cls()
        if name_or_path:  # another model, another signature
            fake.model_name, fake.signature = name_or_path, f"headline|model:{name_or_path}"
        return fake

    def generate(self, articles, batch_size=8, seed=0, **options):
        if FakeSummarizer.die_after is not None and sum(self.calls) >= FakeSummarizer.die_after:
            raise KeyboardInterrupt("killed")
        FakeSummarizer.calls.append(len(articles))
        return [
            GenerationResult(" ".join(a.split()[:5]), input_tokens=10, output_tokens=3)
            for a in articles
        ]


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(summarizer, "Summarizer", FakeSummarizer, raising=False)
    FakeSummarizer.calls, FakeSummarizer.die_after, FakeSummarizer.loads = [], None, []
    return FakeSummarizer


def config(tmp_path, model=None, **data):
    path = tmp_path / "run.yaml"
    path.write_text(
        json.dumps(
            {  # JSON is YAML
                "name": "t",
                "output_dir": str(tmp_path / "out"),
                "data": data or {"path": "configs/examples/demo_articles.jsonl"},
                "generate": {"batch_size": 4, "seed": 0},
                "eval": {"metrics": ["headline"], "bootstrap": {"n_resamples": 200, "seed": 1}},
                **({"model": model} if model else {}),
            }
        )
    )
    return str(path)


def test_run_generates_scores_and_reports(tmp_path, fake):
    assert main(["run", "--config", config(tmp_path), "--no-progress"]) == 0
    out = tmp_path / "out"
    scores = [json.loads(x) for x in (out / "scores.jsonl").read_text().splitlines()]
    assert len(scores) == 12 and scores[0]["id"] == "d01"
    assert scores[0]["prediction"] == "Harbor Freight Lines said on"
    assert scores[0]["scores"]["hl_copy_rate"] == 1.0  # copied from the article
    assert (out / "report.html").exists() and (out / "report.md").exists()
    assert json.loads((out / "summary.json").read_text())["n_rows"] == 12


def test_killed_generation_resumes_without_loss_or_duplicates(tmp_path, fake):
    fake.die_after = 8  # dies on the third batch of 4
    with pytest.raises(KeyboardInterrupt):
        main(["run", "--config", config(tmp_path), "--no-progress"])
    assert len((tmp_path / "out" / "generations.jsonl").read_text().splitlines()) == 8
    fake.die_after, fake.calls = None, []
    assert main(["run", "--config", config(tmp_path), "--no-progress"]) == 0
    assert fake.calls == [4]
    ids = [
        json.loads(x)["id"]
        for x in (tmp_path / "out" / "generations.jsonl").read_text().splitlines()
    ]
    assert sorted(ids) == [f"d{i:02d}" for i in range(1, 13)]


@pytest.mark.parametrize(
    "row, needle",
    [
        ({"id": "x", "headline": "h"}, 'line 1 field "article"'),
        ({"id": "x", "article": "a"}, 'line 1 field "reference"'),
    ],
)
def test_bad_data_rows_are_named(tmp_path, fake, capsys, row, needle):
    data = tmp_path / "d.jsonl"
    data.write_text(json.dumps(row) + "\n")
    assert main(["run", "--config", config(tmp_path, path=str(data))]) == 2
    assert needle in capsys.readouterr().err


def test_test_split_is_refused_without_opt_in(tmp_path, fake, capsys):
    assert main(["run", "--config", config(tmp_path, source="bbc", split="test")]) == 2
    assert "held out" in capsys.readouterr().err


def test_run_scores_consistency_of_headlines_as_headlines(tmp_path, fake):
    path = tmp_path / "run.yaml"
    path.write_text(
        json.dumps(
            {
                "name": "t",
                "output_dir": str(tmp_path / "out"),
                "model": {"task": "headline"},
                "data": {"path": "configs/examples/demo_articles.jsonl"},
                "eval": {
                    "metrics": ["consistency"],
                    "options": {"consistency": {"backend": "ngram"}},
                },
            }
        )
    )
    assert main(["run", "--config", str(path), "--no-progress"]) == 0
    summary = (tmp_path / "out" / "summary.json").read_text()
    assert (
        "backend:ngram" in summary
        and "kind:headline" in summary
        and "thr_from:dev-headline" in summary
    )


# Issue 15 bug 3: a resume with another model mixed two models' rows in one run, and a resume with
# nothing left to generate wrote run.json without model or signature.
@pytest.mark.parametrize(
    "second_model, refused",
    [
        (None, False),  # same settings: resumes
        ({"name_or_path": "other"}, True),  # another model: refused
        (
            {"name_or_path": None, "task": "headline"},
            False,
        ),  # other words, same model and signature
    ],
)
def test_resume_checks_the_model_that_wrote_the_rows(tmp_path, fake, capsys, second_model, refused):
    fake.die_after = 8
    with pytest.raises(KeyboardInterrupt):
        main(["run", "--config", config(tmp_path), "--no-progress"])
    generations = tmp_path / "out" / "generations.jsonl"
    before = generations.read_text()
    fake.die_after, fake.calls = None, []
    code = main(["run", "--config", config(tmp_path, model=second_model), "--no-progress"])
    err = capsys.readouterr().err
    if refused:
        assert code == 2 and generations.read_text() == before and fake.calls == []
        (line,) = [x for x in err.splitlines() if "error" in x.lower()]
        for needle in (
            str(generations),
            "'fake'",
            "headline|model:fake",
            "'other'",
            "headline|model:other",
            "start fresh",
        ):
            assert needle in line
    else:
        assert code == 0 and fake.calls == [4]
        run = json.loads((tmp_path / "out" / "run.json").read_text())
        assert run["generation"]["signature"] == "headline|model:fake"


def test_rerun_with_nothing_left_records_the_model_without_loading_it(tmp_path, fake):
    assert main(["run", "--config", config(tmp_path), "--no-progress"]) == 0
    fake.loads = []
    assert main(["run", "--config", config(tmp_path), "--no-progress"]) == 0
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["generation"] == {
        "resumed_rows": 12,
        "model": "fake",
        "signature": "headline|model:fake",
    }
    assert fake.loads == []  # same settings: model and signature come from generations.meta.json
    # other settings with nothing left: the model is loaded to check it, and refused if it differs
    assert (
        main(
            ["run", "--config", config(tmp_path, model={"name_or_path": "other"}), "--no-progress"]
        )
        == 2
    )
    assert fake.loads == ["other"]


def test_rows_without_a_record_resume_with_a_warning_and_get_one(tmp_path, fake, caplog):
    """Output of an older version (no generations.meta.json): cannot be checked; said so."""
    assert main(["run", "--config", config(tmp_path), "--no-progress"]) == 0
    (tmp_path / "out" / "generations.meta.json").unlink()
    assert main(["run", "--config", config(tmp_path), "--no-progress"]) == 0
    assert "cannot check which model wrote its 12 rows" in caplog.text
    run = json.loads((tmp_path / "out" / "run.json").read_text())
    assert run["generation"]["signature"] == "headline|model:fake"
    assert (tmp_path / "out" / "generations.meta.json").exists()


def test_ray_resume_checks_the_workers_signature_before_writing(tmp_path, monkeypatch, fake):
    import eval.distributed
    from eval.base.errors import InputError
    from eval.commands.run import generate

    def fake_map(pairs, load, batch_size, seed, **ray):
        name = load["name_or_path"] or "fake"
        for row_id, _ in pairs:
            yield row_id, GenerationResult("h"), name, f"headline|model:{name}"

    monkeypatch.setattr(eval.distributed, "map_generation", fake_map)
    examples = [{"id": f"r{i}", "article": "a b c"} for i in range(4)]
    info = generate(examples[:2], {}, {}, tmp_path, progress=False, ray={"workers": 1})
    assert info["signature"] == "headline|model:fake"
    with pytest.raises(InputError) as err:
        generate(
            examples, {"name_or_path": "other"}, {}, tmp_path, progress=False, ray={"workers": 1}
        )
    assert "(headline|model:fake); this run is model 'other' (headline|model:other)" in str(
        err.value
    )
    assert len((tmp_path / "generations.jsonl").read_text().splitlines()) == 2
    assert (
        generate(examples, {}, {}, tmp_path, progress=False, ray={"workers": 1})["resumed_rows"]
        == 2
    )
    assert fake.loads == []  # the workers load the model


def test_generations_of_an_older_version_are_refused_in_one_line(tmp_path, fake, capsys):
    """generations.jsonl rows say `prediction` (as `summarizer generate` writes them); rows of an
    older version (`text`) are not read as empty predictions."""
    assert main(["run", "--config", config(tmp_path), "--no-progress"]) == 0
    path = tmp_path / "out" / "generations.jsonl"
    rows = [json.loads(x) for x in path.read_text().splitlines()]
    assert rows[0]["prediction"] == "Harbor Freight Lines said on" and rows[0]["model"] == "fake"
    path.write_text(
        "".join(json.dumps({"id": r["id"], "text": r["prediction"]}) + "\n" for r in rows)
    )
    assert main(["run", "--config", config(tmp_path), "--no-progress"]) == 2
    assert "without a prediction field" in capsys.readouterr().err
