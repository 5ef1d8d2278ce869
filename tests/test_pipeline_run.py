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
    model_name, signature = "fake", "headline|model:fake"

    @classmethod
    def from_pretrained(cls, name_or_path=None, task="headline", **options):
        return cls()

    def generate(self, articles, batch_size=8, seed=0, **options):
        if FakeSummarizer.die_after is not None and sum(self.calls) >= FakeSummarizer.die_after:
            raise KeyboardInterrupt("killed")
        FakeSummarizer.calls.append(len(articles))
        return [GenerationResult(" ".join(a.split()[:5]), input_tokens=10, output_tokens=3) for a in articles]


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(summarizer, "Summarizer", FakeSummarizer, raising=False)
    FakeSummarizer.calls, FakeSummarizer.die_after = [], None
    return FakeSummarizer


def config(tmp_path, **data):
    path = tmp_path / "run.yaml"
    path.write_text(json.dumps({  # JSON is YAML
        "name": "t", "output_dir": str(tmp_path / "out"),
        "data": data or {"path": "configs/examples/demo_articles.jsonl"},
        "generate": {"batch_size": 4, "seed": 0},
        "eval": {"metrics": ["headline"], "bootstrap": {"n_resamples": 200, "seed": 1}},
    }))
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
    ids = [json.loads(x)["id"] for x in (tmp_path / "out" / "generations.jsonl").read_text().splitlines()]
    assert sorted(ids) == [f"d{i:02d}" for i in range(1, 13)]


@pytest.mark.parametrize("row, needle", [
    ({"id": "x", "headline": "h"}, 'line 1 field "article"'),
    ({"id": "x", "article": "a"}, 'line 1 field "reference"'),
])
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
    path.write_text(json.dumps({
        "name": "t", "output_dir": str(tmp_path / "out"), "model": {"task": "headline"},
        "data": {"path": "configs/examples/demo_articles.jsonl"},
        "eval": {"metrics": ["consistency"], "options": {"consistency": {"backend": "ngram"}}},
    }))
    assert main(["run", "--config", str(path), "--no-progress"]) == 0
    summary = (tmp_path / "out" / "summary.json").read_text()
    assert "backend:ngram" in summary and "kind:headline" in summary and "thr_from:dev-headline" in summary
