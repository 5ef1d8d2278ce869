"""The Metric protocol (eval.base.metric): every metric of the registry and ROUGE-1.5.5 score
sentences, score a corpus and give one signature shape, the same way."""

import pytest

from eval.base.errors import InputError
from eval.base.metric import Metric
from eval.base.signature import Signature, Signatures
from eval.metrics import REGISTRY, load_metric
from eval.rouge import RougeScorer
from eval.rouge155 import Rouge155

ARTICLE = (
    "Harbor Freight Lines said on Tuesday it would cut 240 jobs at its Rotterdam depot. "
    "Unions said they would meet management next week."
)
PREDICTIONS = [
    "Harbor Freight to cut 240 jobs in Rotterdam",
    "Unions will meet management next week.",
    "Harbor Freight cuts 420 jobs",
    "Storm floods homes in a coastal town",
]
REFERENCES = [
    ["Harbor Freight Lines to cut 240 jobs at Rotterdam depot"],
    ["Unions to meet management"],
    ["Harbor Freight to cut jobs", "Rotterdam job cuts"],
    ["Harbor Freight cuts jobs"],
]
INPUTS = {
    "predictions": PREDICTIONS,
    "references": REFERENCES,
    "articles": [ARTICLE] * 4,
    "tasks": ["headline", None, None, None],
    "hit_length_caps": [False, None, True, None],
}

METRICS = {
    "rouge": lambda: load_metric("rouge"),
    "rouge155": lambda: Rouge155("-n 2 -m"),
    "headline": lambda: load_metric("headline"),
    "consistency": lambda: load_metric("consistency", backend="ngram"),
}


@pytest.fixture(scope="module", params=list(METRICS))
def metric(request):
    return METRICS[request.param]()


def test_every_registry_metric_is_tested_here():
    assert set(REGISTRY) - {"bertscore"} <= set(
        METRICS
    )  # bertscore: tests/test_pipeline_bertscore.py


def test_one_result_per_prediction_with_score_fields(metric):
    assert isinstance(metric, Metric)
    results = metric.sentence_scores(**INPUTS)
    assert len(results) == len(PREDICTIONS)
    assert all(
        set(r) <= {"scores", "details", "warnings", "error"} and r["scores"] for r in results
    )


def test_signature_has_one_shape(metric):
    bare, given = metric.signature(), metric.signature(**INPUTS)
    for signature in (bare, given):
        assert isinstance(signature, Signatures) and len(signature)
        assert all(isinstance(part, Signature) for part in signature.values())
        assert str(signature) == signature.sep.join(str(part) for part in signature.values())
    with pytest.raises(TypeError):
        metric.signature(PREDICTIONS)  # inputs by name only: signature("rouge1") fails loudly


def test_corpus_score_is_the_mean_of_the_sentence_scores(metric):
    results = metric.sentence_scores(**INPUTS)
    corpus = metric.corpus_score(**INPUTS, bootstrap=200, seed=3)
    assert metric.corpus_score(**INPUTS, bootstrap=200, seed=3, results=results) == corpus
    signature = metric.signature(**INPUTS, bootstrap=200, seed=3)
    for name, score in corpus.items():
        assert "|boot:200|seed:3|" in str(score.signature)
        assert set(score.signature.values()) <= set(signature.values())
        if isinstance(score.mid, tuple):  # ROUGE: per type, (P, R, F)
            fields = [f"{name}_p", f"{name}_r", name]
            assert score.mid == pytest.approx(
                [sum(r["scores"][f] for r in results) / len(results) for f in fields]
            )
            assert all(lo <= m <= hi for lo, m, hi in zip(score.low, score.mid, score.high))
        else:
            values = [float(r["scores"][name]) for r in results if r["scores"][name] is not None]
            assert score.mid == pytest.approx(sum(values) / len(values))
            assert score.low <= score.mid <= score.high
    without = metric.corpus_score(**INPUTS, bootstrap=0)
    assert all(
        s.low == s.mid == s.high and "|seed:" not in str(s.signature) for s in without.values()
    )


@pytest.mark.parametrize(
    "references, refs",
    [
        (None, 1),
        (["a", "b"], 1),
        ([["a"], ["b", "c", "d"], "e"], 3),
    ],
)
def test_rouge_signature_counts_the_references_given(references, refs):
    """Issue 15 bug 2: `refs` comes from the inputs, never from what the scorer saw last."""
    scorer = RougeScorer(["rouge1", "rougeL"])
    scorer.score_multi(["x", "y", "z", "w"], "x")  # scoring leaves no trace in the signature
    signature = scorer.signature(references=references)
    assert list(signature) == ["rouge1", "rougeL"]
    assert [part.as_dict()["refs"] for part in signature.values()] == [str(refs)] * 2


@pytest.mark.parametrize(
    "predictions, tasks, kinds",
    [
        (None, None, ["summary", "headline"]),  # every kind it may use: the cache key
        (["Harbor cuts jobs"], None, ["headline"]),
        (["Harbor cuts jobs. Unions meet."], None, ["summary"]),
        (["Harbor cuts jobs"], ["summary"], ["summary"]),
        ([], [], ["summary", "headline"]),  # nothing judged: every kind
    ],
)
def test_consistency_signature_names_the_kinds_of_the_inputs(predictions, tasks, kinds):
    metric = load_metric("consistency", backend="ngram")
    signature = metric.signature(predictions=predictions, tasks=tasks)
    assert list(signature) == kinds and signature.sep == " ; "
    assert [part.as_dict()["kind"] for part in signature.values()] == kinds


def test_registry_defaults_and_unknown_names():
    assert load_metric("rouge").rouge_types == ("rouge1", "rouge2", "rougeL")
    assert load_metric("rouge", rouge_types=["rouge1"]).rouge_types == ("rouge1",)
    with pytest.raises(InputError, match="unknown metric 'nope'; known: rouge, bertscore"):
        load_metric("nope")
