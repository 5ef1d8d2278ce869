"""Correlation machinery of `eval meta-human` on small synthetic judgments (the real tables
are measured on the shared data and reported in docs/harness.md)."""

import numpy as np
import pytest

from eval.commands.meta_human import render_markdown
from eval.correlation import correlations, matrix
from eval.human_judgments import _sentences

RNG = np.random.default_rng(0)
HUMAN = RNG.normal(size=(30, 6)) + np.arange(6)  # 30 documents x 6 systems, systems differ


@pytest.mark.parametrize(
    "metric, expected",
    [
        (HUMAN * 2 + 1, 1.0),  # monotone in the human score: perfect at both levels
        (-HUMAN, -1.0),  # reversed
    ],
)
def test_correlation_extremes(metric, expected):
    out = correlations(metric, HUMAN, n_resamples=200, seed=1)
    for key in ("summary_kendall", "summary_spearman", "system_kendall", "system_spearman"):
        mean, low, high = out[key]
        assert mean == pytest.approx(expected) and low <= mean + 1e-9 and high >= mean - 1e-9


def test_noise_metric_is_near_zero_at_summary_level_and_interval_covers_it():
    noise = RNG.normal(size=HUMAN.shape)
    mean, low, high = correlations(noise, HUMAN, n_resamples=500, seed=1)["summary_kendall"]
    assert abs(mean) < 0.2 and low < 0 < high


def test_missing_pairs_and_constant_docs_are_ignored_not_zero():
    metric = HUMAN.copy()
    metric[0, :] = 1.0  # constant within a document: tau undefined, skipped
    metric[1, 2] = np.nan  # a missing summary
    mean = correlations(metric, HUMAN, n_resamples=100, seed=1)["summary_kendall"][0]
    assert mean == pytest.approx(1.0)


def test_matrix_and_realsumm_sentence_tags():
    rows = [{"doc": "d1", "system": "a", "v": 1.0}, {"doc": "d2", "system": "b", "v": None}]
    m = matrix(rows, lambda r: r["v"], ["d1", "d2"], ["a", "b"])
    assert m[0, 0] == 1.0 and np.isnan(m[0, 1]) and np.isnan(m[1, 1])
    assert _sentences("<t> one . </t>  <t> two . </t>") == "one .\ntwo ."


def test_markdown_table_has_every_metric_and_dimension():
    result = {
        "dataset": "x",
        "signature": "s",
        "n_docs": 30,
        "n_systems": 6,
        "metrics": {"m": {"signature": "m|v:1"}},
        "table": {"m": {"dim": correlations(HUMAN, HUMAN, n_resamples=50)}},
    }
    text = render_markdown(result)
    assert "| m | 1.000 [1.00, 1.00] | 1.000 [1.00, 1.00] |" in text and "dim summary" in text


def test_pooled_level_only_when_asked():
    out = correlations(HUMAN * 2 + 1, HUMAN, n_resamples=100, seed=1, levels=("pooled",))
    assert set(out) == {"pooled_kendall", "pooled_spearman"}
    assert out["pooled_kendall"][0] == pytest.approx(1.0)
    assert "pooled_kendall" not in correlations(HUMAN, HUMAN, n_resamples=10)
