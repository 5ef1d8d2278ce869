import numpy as np
import pytest

from eval import stats
from eval.stats import approximate_randomization, bootstrap_ci, paired_bootstrap


def _slow_bootstrap(values, n_resamples, seed, confidence):
    """Reference: the textbook loop, drawing the same index matrix."""
    values = np.asarray(values, dtype=float)
    idx = np.random.default_rng(seed).integers(0, len(values), size=(n_resamples, len(values)))
    means = [np.mean([values[i] for i in row], axis=0) for row in idx]
    alpha = (1 - confidence) / 2
    return np.percentile(means, [100 * alpha, 100 * (1 - alpha)], axis=0)


SCORES = np.random.default_rng(0).random((40, 3))


@pytest.mark.parametrize(
    "values, n_resamples, seed, confidence",
    [
        (SCORES[:, 0], 200, 1, 0.95),
        (SCORES[:7, 1], 50, 2, 0.90),
        (SCORES, 300, 3, 0.95),
        ([0.0, 1.0], 100, 4, 0.5),
    ],
)
def test_bootstrap_matches_slow_reference_loop(values, n_resamples, seed, confidence):
    ci = bootstrap_ci(values, n_resamples=n_resamples, seed=seed, confidence=confidence)
    low, high = _slow_bootstrap(values, n_resamples, seed, confidence)
    np.testing.assert_allclose(ci.low, low, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ci.high, high, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ci.mean, np.mean(values, axis=0))


def test_chunked_draws_equal_one_draw(monkeypatch):
    whole = bootstrap_ci(SCORES, n_resamples=100, seed=7)
    monkeypatch.setattr(stats, "_CHUNK_ELEMENTS", 3 * len(SCORES))  # 3 resamples per chunk
    chunked = bootstrap_ci(SCORES, n_resamples=100, seed=7)
    for got, want in zip(chunked, whole):
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_interval_contains_mean_and_is_seeded():
    values = SCORES[:, 0]
    ci = bootstrap_ci(values, seed=11)
    assert ci.low < ci.mean < ci.high
    assert bootstrap_ci(values, seed=11) == ci
    assert bootstrap_ci(values, seed=12) != ci
    # The global RNG is neither used nor disturbed.
    np.random.seed(0)
    before = np.random.random()
    np.random.seed(0)
    bootstrap_ci(values, seed=11)
    assert np.random.random() == before


def test_two_dimensional_input_gives_one_interval_per_column():
    ci = bootstrap_ci(SCORES, seed=5)
    assert ci.mean.shape == ci.low.shape == ci.high.shape == (3,)
    for column in range(3):
        single = bootstrap_ci(SCORES[:, column], seed=5)
        assert single.low == pytest.approx(ci.low[column])  # same draws per column


def test_constant_values_have_a_zero_width_interval():
    ci = bootstrap_ci([0.25] * 10)
    assert (ci.mean, ci.low, ci.high) == pytest.approx((0.25, 0.25, 0.25))


@pytest.mark.parametrize(
    "values, error",
    [([], "empty"), ([[[1.0]]], "shape"), ([0.1, float("nan")], "row 1")],
)
def test_bad_values_are_rejected(values, error):
    with pytest.raises(ValueError, match=error):
        bootstrap_ci(values)


def test_identical_systems_are_not_significantly_different():
    a = SCORES[:, 0]
    assert paired_bootstrap(a, a).p_value == 1.0
    assert approximate_randomization(a, a, n_trials=1000) == 1.0


def test_clearly_better_system_is_significant():
    rng = np.random.default_rng(1)
    a = rng.random(200) * 0.5
    b = a + 0.1 + rng.normal(0, 0.05, 200)
    test = paired_bootstrap(a, b, seed=3)
    assert test.diff == pytest.approx(np.mean(b) - np.mean(a))
    assert test.low < test.diff < test.high and test.low > 0
    assert test.p_value < 0.01
    assert approximate_randomization(a, b, n_trials=2000, seed=3) < 0.01
    # Direction: b - a, so swapping the systems flips the sign but not the p-value.
    swapped = paired_bootstrap(b, a, seed=3)
    assert swapped.diff == pytest.approx(-test.diff)
    assert swapped.p_value == test.p_value


def test_noise_only_difference_is_not_significant():
    rng = np.random.default_rng(2)
    a = rng.random(300)
    b = a + rng.normal(0, 0.2, 300)  # zero-mean noise
    b -= b.mean() - a.mean()  # exactly equal means
    assert paired_bootstrap(a, b, seed=1).p_value > 0.5
    assert approximate_randomization(a, b, n_trials=2000, seed=1) > 0.5


def test_approximate_randomization_matches_slow_reference():
    rng = np.random.default_rng(4)
    a, b = rng.random(30), rng.random(30) + 0.05
    n_trials = 500
    # Reference: per trial, swap each pair with probability 1/2 (same draws).
    draws = np.random.default_rng(9).integers(0, 2, size=(n_trials, 30), dtype=np.int8)
    observed = abs(b.mean() - a.mean())
    hits = 0
    for swap in draws:
        x = np.where(swap == 1, a, b)
        y = np.where(swap == 1, b, a)
        hits += abs(y.mean() - x.mean()) >= observed - 1e-12
    assert approximate_randomization(a, b, n_trials=n_trials, seed=9) == pytest.approx(
        (hits + 1) / (n_trials + 1)
    )


def test_paired_tests_are_reproducible_and_seed_dependent():
    a, b = SCORES[:, 0], SCORES[:, 1]
    assert paired_bootstrap(a, b, seed=1) == paired_bootstrap(a, b, seed=1)
    assert paired_bootstrap(a, b, seed=1) != paired_bootstrap(a, b, seed=2)
    assert approximate_randomization(a, b, seed=1) == approximate_randomization(a, b, seed=1)


def test_paired_tests_reject_unpaired_input():
    with pytest.raises(ValueError, match="same shape"):
        paired_bootstrap([0.1, 0.2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="same shape"):
        approximate_randomization([0.1, 0.2], [0.1])


def _plain_poisson_loop(values, n_resamples, seed, confidence, block):
    """Reference: per block of rows, the same seeded counts; means by a plain Python loop."""
    values = np.asarray(values, dtype=float).reshape(len(values), -1)
    counts = np.concatenate(
        [
            stats._POISSON_COUNTS[
                np.random.default_rng([seed, b]).integers(
                    0, 65536, size=(n_resamples, len(values[s : s + block])), dtype=np.uint16
                )
            ]
            for b, s in enumerate(range(0, len(values), block))
        ],
        axis=1,
    )
    means = []
    for r in range(n_resamples):
        total, weight = np.zeros(values.shape[1]), 0
        for i in range(len(values)):
            total += int(counts[r, i]) * values[i]
            weight += int(counts[r, i])
        if weight:
            means.append(total / weight)
    alpha = (1 - confidence) / 2
    return np.percentile(means, [100 * alpha, 100 * (1 - alpha)], axis=0)


@pytest.mark.parametrize(
    "values, n_resamples, seed, confidence, block",
    [
        (SCORES[:, 0], 200, 1, 0.95, 64),
        (SCORES, 100, 3, 0.90, 64),
        (SCORES, 100, 3, 0.90, 7),  # several blocks and a partial last one
        ([0.0, 1.0], 100, 4, 0.5, 64),
    ],
)
def test_poisson_bootstrap_matches_plain_loop(
    monkeypatch, values, n_resamples, seed, confidence, block
):
    monkeypatch.setattr(stats, "POISSON_BLOCK_ROWS", block)
    ci = bootstrap_ci(
        values, n_resamples=n_resamples, seed=seed, confidence=confidence, method="poisson"
    )
    low, high = _plain_poisson_loop(values, n_resamples, seed, confidence, block)
    np.testing.assert_allclose(np.reshape(ci.low, -1), np.reshape(low, -1), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(
        np.reshape(ci.high, -1), np.reshape(high, -1), rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(ci.mean, np.mean(values, axis=0))


@pytest.mark.parametrize("pieces", [[40], [1, 39], [7, 7, 7, 19], [20, 0, 20]])
def test_poisson_stream_does_not_depend_on_how_it_is_cut(monkeypatch, pieces):
    monkeypatch.setattr(stats, "POISSON_BLOCK_ROWS", 8)
    acc, start = stats.PoissonBootstrap(3, n_resamples=50, seed=9), 0
    for size in pieces:
        if size:
            acc.add(SCORES[start : start + size])
        start += size
    whole = bootstrap_ci(SCORES, n_resamples=50, seed=9, method="poisson")
    for got, want in zip(acc.interval(), whole):  # same counts; sums may round differently
        np.testing.assert_allclose(got, want, rtol=1e-12)


def test_poisson_counts_follow_poisson_one():
    table = stats._POISSON_COUNTS
    for count, probability in [(0, 0.36788), (1, 0.36788), (2, 0.18394), (3, 0.06131)]:
        assert (table == count).mean() == pytest.approx(probability, abs=2e-5)


def test_unknown_bootstrap_method_is_rejected():
    with pytest.raises(ValueError, match="method"):
        bootstrap_ci(SCORES, method="jackknife")
