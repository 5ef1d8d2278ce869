"""eval.summary_data: by-article splits, the consistency exclusion, and the training recipes."""

import json

import pytest

from eval import summary_data
from summarizer.train_data import lead_sentences


def _write_jsonl(path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    articles = [
        {
            "id": f"story-{i}",
            "article": f"Story number {i} says the council met on day {i}. It voted.",
            "summary": f"The council met .\nIt voted on day {i} .",
        }
        for i in range(300)
    ]
    _write_jsonl(tmp_path / "summaries" / "cnndm_validation_1000.jsonl", articles)
    _write_jsonl(tmp_path / "summaries" / "xsum_test_sample.jsonl", articles[:10])
    summary_data._consistency_articles.cache_clear()
    monkeypatch.setenv("SUMM_DATA_DIR", str(tmp_path))
    yield tmp_path
    summary_data._consistency_articles.cache_clear()


def test_splits_are_disjoint_by_article_and_stable(data_dir):
    splits = {s: summary_data.load_summaries("cnndm", s) for s in summary_data.SPLITS}
    ids = {s: [r["id"] for r in rows] for s, rows in splits.items()}
    assert len(ids["dev"]) == summary_data.DEV_SIZE
    assert sum(len(v) for v in ids.values()) == 300
    assert not set(ids["train"]) & set(ids["dev"]) and not set(ids["train"]) & set(ids["test"])
    assert ids == {
        s: [r["id"] for r in summary_data.load_summaries("cnndm", s)] for s in summary_data.SPLITS
    }


def test_articles_of_the_consistency_benchmarks_never_reach_train(data_dir):
    train = summary_data.load_summaries("cnndm", "train")
    by_id, by_text = train[0], train[1]
    _write_jsonl(
        data_dir / "consistency" / "bench.jsonl",
        [
            {"id": by_id["id"], "summ": "x"},
            # the same story, tokenised and lower-cased as some benchmarks store it
            {"article": by_text["article"].lower().replace(".", " ."), "summary": "y"},
        ],
    )
    summary_data._consistency_articles.cache_clear()
    kept = {r["id"] for r in summary_data.load_summaries("cnndm", "train")}
    assert by_id["id"] not in kept and by_text["id"] not in kept
    assert len(kept) == len(train) - 2


@pytest.mark.parametrize(
    "summary, expected",
    [
        ("The council met .\nIt voted on day 3 .", "The council met. It voted on day 3."),
        ("One sentence, no change.", "One sentence, no change."),
        ("  A .\n\n B !  ", "A. B!"),
    ],
)
def test_one_line(summary, expected):
    assert summary_data.one_line(summary) == expected


@pytest.mark.parametrize(
    "article, n, expected",
    [
        ("First one. Second one! Third one? Fourth.", 2, "First one. Second one!"),
        ("Line one\nLine two. Line three.", 2, "Line one Line two."),
        ("Only one", 3, "Only one"),
    ],
)
def test_lead_sentences(article, n, expected):
    assert lead_sentences(article, n) == expected


def test_training_recipe_reads_summaries_as_targets(data_dir):
    from summarizer.train_data import load_examples

    rows = load_examples(
        [{"recipe": "cnndm", "split": "train", "lead_sentences": 1}], "train", seed=0
    )
    assert rows and all(r["source"] == "cnndm" for r in rows)
    assert rows[0]["headline"].startswith("The council met. It voted on day")
    assert rows[0]["article"].endswith(".") and "It voted." not in rows[0]["article"]


def test_bad_lead_sentences_names_the_setting(tmp_path):
    from summarizer.train_config import load_config

    path = tmp_path / "c.yaml"
    path.write_text("data:\n  train:\n    - {recipe: cnndm, lead_sentences: 0}\n")
    with pytest.raises(Exception, match=r"data.train\[0\].lead_sentences"):
        load_config(str(path))
