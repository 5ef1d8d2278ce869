"""eval.hf.make_compute_metrics: decoding (-100), rougeLsum sentence splitting, intervals,
signatures logged once, batch_eval_metrics, and two real Seq2SeqTrainer steps on a tiny T5."""

import logging
from types import SimpleNamespace

import numpy as np
import pytest

from eval.hf import make_compute_metrics
from eval.rouge import RougeScorer
from tests._tiny_models import build_model, build_tokenizer

PREDICTIONS = [
    "The council voted to build a bridge. Schools closed on Monday.",
    "Oil prices rose in Asia.",
    "Shares of Northwind Foods fell.",
    "A snowstorm closed schools.",
]
REFERENCES = [
    "Schools closed on Monday. The council voted to build a new bridge.",
    "Oil prices rose as traders watched the talks.",
    "Northwind Foods cut its profit forecast.",
    "A heavy snowstorm closed schools.",
]


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer("t5")


def _ids(tokenizer, texts, pad=-100):
    """Token ids padded with `pad`, as the Trainer hands them over."""
    rows = [tokenizer(t)["input_ids"] for t in texts]
    width = max(map(len, rows)) + 3
    return np.array([r + [pad] * (width - len(r)) for r in rows])


def _pred(tokenizer, predictions=PREDICTIONS, references=REFERENCES):
    return SimpleNamespace(
        predictions=_ids(tokenizer, predictions, pad=tokenizer.pad_token_id),
        label_ids=_ids(tokenizer, references),
    )


def test_scores_equal_rouge_scorer_on_decoded_text(tokenizer):
    result = make_compute_metrics(tokenizer, bootstrap=200, seed=7)(_pred(tokenizer))
    expected = RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True).corpus_score(
        PREDICTIONS, REFERENCES, bootstrap=200, seed=7
    )
    for rouge_type, score in expected.items():
        assert result[rouge_type] == pytest.approx(score.mid.fmeasure)
        assert result[f"{rouge_type}_low"] == pytest.approx(score.low.fmeasure)
        assert result[f"{rouge_type}_high"] == pytest.approx(score.high.fmeasure)
        assert result[f"{rouge_type}_low"] <= result[rouge_type] <= result[f"{rouge_type}_high"]


@pytest.mark.parametrize("splitter, lsum_above_rougeL", [("regex", True), ("newline", False)])
def test_rouge_lsum_splits_sentences(tokenizer, splitter, lsum_above_rougeL):
    # Row 1 has the same two sentences in the other order: only sentence-level LCS sees that.
    result = make_compute_metrics(tokenizer, sentence_splitter=splitter, bootstrap=10)(
        _pred(tokenizer)
    )
    assert (result["rougeLsum"] > result["rougeL"] + 0.01) is lsum_above_rougeL


def test_headline_checks_with_and_without_articles(tokenizer):
    plain = make_compute_metrics(tokenizer, metrics=("headline",))(_pred(tokenizer))
    assert plain["hl_words"] == pytest.approx(np.mean([len(p.split()) for p in PREDICTIONS]))
    assert "hl_copy_rate" not in plain and "rouge1" not in plain
    with_articles = make_compute_metrics(tokenizer, metrics=("headline",), articles=REFERENCES)(
        _pred(tokenizer)
    )
    assert 0 < with_articles["hl_copy_rate"] <= 1
    with pytest.raises(ValueError, match="articles has 1 texts"):
        make_compute_metrics(tokenizer, metrics=("headline",), articles=REFERENCES[:1])(
            _pred(tokenizer)
        )


def test_signatures_logged_once(tokenizer, caplog):
    compute = make_compute_metrics(tokenizer, bootstrap=50, seed=3)
    with caplog.at_level(logging.INFO, logger="eval.hf"):
        compute(_pred(tokenizer))
        compute(_pred(tokenizer))
    lines = [r.getMessage() for r in caplog.records if r.name == "eval.hf"]
    assert len(lines) == 5  # four ROUGE types and the headline checks, from the first call only
    assert "rougeLsum: rougeLsum|tok:default|stem:porter|lsum:split-regex|" in "\n".join(lines)
    assert "|boot:50|seed:3|" in compute.signatures["rouge1"]


def test_batched_calls_equal_one_call(tokenizer):
    whole = make_compute_metrics(tokenizer, bootstrap=100)(_pred(tokenizer))
    batched = make_compute_metrics(tokenizer, bootstrap=100)
    assert batched(_pred(tokenizer, PREDICTIONS[:2], REFERENCES[:2]), compute_result=False) == {}
    assert batched(_pred(tokenizer, PREDICTIONS[2:], REFERENCES[2:]), compute_result=True) == whole


def test_logits_are_refused(tokenizer):
    logits = SimpleNamespace(predictions=np.zeros((2, 3, 5)), label_ids=np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="predict_with_generate"):
        make_compute_metrics(tokenizer)(logits)


@pytest.mark.parametrize("batch_eval_metrics", [False, True])
def test_seq2seq_trainer_two_steps(tmp_path, batch_eval_metrics):
    from transformers import (
        AutoModelForSeq2SeqLM,
        AutoTokenizer,
        DataCollatorForSeq2Seq,
        Seq2SeqTrainer,
        Seq2SeqTrainingArguments,
    )

    folder = build_model("t5", tmp_path / "t5")
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder)
    # the random model would otherwise write only padding: make it write words
    model.generation_config.min_new_tokens = 4
    model.generation_config.suppress_tokens = [tokenizer.pad_token_id, tokenizer.unk_token_id]
    articles = [r + " " + p for r, p in zip(REFERENCES, PREDICTIONS)]
    data = [
        {**tokenizer(a, truncation=True, max_length=48), "labels": tokenizer(r)["input_ids"]}
        for a, r in zip(articles, REFERENCES)
    ]
    args = Seq2SeqTrainingArguments(
        output_dir=str(tmp_path / "out"),
        max_steps=2,
        per_device_train_batch_size=2,
        per_device_eval_batch_size=3,
        predict_with_generate=True,
        generation_max_length=12,
        eval_strategy="steps",
        eval_steps=2,
        logging_steps=1,
        report_to=[],
        save_strategy="no",
        use_cpu=True,
        batch_eval_metrics=batch_eval_metrics,
        seed=0,
    )
    trainer = Seq2SeqTrainer(
        model=model,
        args=args,
        train_dataset=data,
        eval_dataset=data,
        data_collator=DataCollatorForSeq2Seq(tokenizer, model=model),
        processing_class=tokenizer,
        compute_metrics=make_compute_metrics(tokenizer, articles=articles, bootstrap=100),
    )
    trainer.train()
    evals = [e for e in trainer.state.log_history if "eval_rouge1" in e]
    assert len(evals) == 1 and evals[0]["step"] == 2
    metrics = evals[0]
    for rouge_type in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
        assert (
            0
            <= metrics[f"eval_{rouge_type}_low"]
            <= metrics[f"eval_{rouge_type}"]
            <= metrics[f"eval_{rouge_type}_high"]
            <= 1
        )
    assert metrics["eval_gen_words"] > 0 and metrics["eval_hl_words"] >= 0
    assert "rouge1" in trainer.compute_metrics.signatures
    # The same numbers as scoring the decoded generations by hand
    output = trainer.predict(data)
    ids = np.where(output.predictions < 0, tokenizer.pad_token_id, output.predictions)
    texts = [t.strip() for t in tokenizer.batch_decode(ids, skip_special_tokens=True)]
    expected = RougeScorer(["rouge1"], use_stemmer=True).corpus_score(
        texts, REFERENCES, bootstrap=100
    )["rouge1"]
    assert output.metrics["test_rouge1"] == pytest.approx(expected.mid.fmeasure)
    assert output.metrics["test_rouge1_high"] == pytest.approx(expected.high.fmeasure)
