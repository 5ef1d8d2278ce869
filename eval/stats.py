"""Seeded, vectorized resampling statistics for per-example scores.

Every function takes its own seed and draws from `np.random.default_rng(seed)`, never the
global numpy RNG (rouge-score's BootstrapAggregator does, in a Python loop). Resamples are
drawn as an (n_resamples, n) index matrix, a chunk of rows at a time to bound memory, and
turned into a count matrix so that all means of a chunk are one matrix product.

Conventions follow sacrebleu's paired tests (add-one smoothed p-values, so never exactly 0;
approximate randomization swaps the two systems' outputs per example at random; the paired
bootstrap compares the bootstrap differences re-centred on zero, the null hypothesis, with the
observed difference), with two deliberate differences: both p-values are two-sided on the
signed difference, and a trial as extreme as the observed difference counts (P(T >= t), the
textbook definition). sacrebleu counts only strictly larger trials, so a system compared with
itself gets p = 1/(n+1) there and p = 1 here.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

# Elements of the index matrix drawn at once: small enough for the count matrix of a chunk
# to stay in the CPU cache (much faster than one big matrix), large enough to amortize calls.
_CHUNK_ELEMENTS = 1 << 16


class Interval(NamedTuple):
    """Observed mean and percentile bootstrap interval; arrays of k for (n, k) input."""

    mean: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray


class PairedTest(NamedTuple):
    """diff = mean(b) - mean(a), its bootstrap interval and a two-sided p-value."""

    diff: float | np.ndarray
    low: float | np.ndarray
    high: float | np.ndarray
    p_value: float | np.ndarray


def bootstrap_ci(
    values, n_resamples: int = 1000, seed: int = 12345, confidence: float = 0.95
) -> Interval:
    """Percentile bootstrap interval of the mean of `values` (shape (n,) or (n, k))."""
    x = _as_matrix(values, "values")
    _check_settings(n_resamples, confidence)
    means = _resample_means(x, n_resamples, np.random.default_rng(seed))
    low, high = _percentiles(means, confidence)
    return _shaped(Interval, np.ndim(values), x.mean(axis=0), low, high)


def paired_bootstrap(
    a, b, n_resamples: int = 1000, seed: int = 12345, confidence: float = 0.95
) -> PairedTest:
    """Paired bootstrap test of two systems scored on the same examples (same resamples for both).

    The p-value is the share of bootstrap differences, shifted to mean zero, at least as far from
    zero as the observed difference: how often chance alone gives a gap this large.
    """
    d = _paired_differences(a, b)
    _check_settings(n_resamples, confidence)
    means = _resample_means(d, n_resamples, np.random.default_rng(seed))
    observed = d.mean(axis=0)
    low, high = _percentiles(means, confidence)
    extreme = np.abs(means - means.mean(axis=0)) >= np.abs(observed)
    p_value = (extreme.sum(axis=0) + 1) / (n_resamples + 1)
    return _shaped(PairedTest, np.ndim(a), observed, low, high, p_value)


def approximate_randomization(a, b, n_trials: int = 10000, seed: int = 12345):
    """Two-sided approximate randomization p-value for mean(b) - mean(a).

    Each trial swaps the two systems' scores on a random half of the examples; swapping example i
    flips the sign of its difference, so a trial's difference is (signs @ d) / n.
    """
    d = _paired_differences(a, b)
    if n_trials < 1:
        raise ValueError(f"n_trials must be at least 1, got {n_trials}")
    rng = np.random.default_rng(seed)
    n = d.shape[0]
    observed = np.abs(d.mean(axis=0))
    # Tolerance so that trials equal to the observed value up to rounding count as "as extreme".
    tolerance = 1e-12 * max(1.0, float(np.abs(d).max()))
    hits = np.zeros(d.shape[1])
    for rows in _chunks(n_trials, n):
        signs = rng.integers(0, 2, size=(rows, n), dtype=np.int8) * 2 - 1
        trial = np.abs(signs.astype(np.float64) @ d) / n
        hits += (trial >= observed - tolerance).sum(axis=0)
    p_value = (hits + 1) / (n_trials + 1)
    return float(p_value[0]) if np.ndim(a) == 1 else p_value


def _resample_means(x: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(n_resamples, k) means of bootstrap resamples of the rows of x."""
    n = x.shape[0]
    means = np.empty((n_resamples, x.shape[1]))
    start = 0
    # int32 draws are the same numbers as the default int64 ones (same 32-bit generator
    # path for n < 2**31), at half the memory traffic.
    dtype = np.int32 if n * max(1, min(n_resamples, _CHUNK_ELEMENTS // n)) < 2**31 else np.int64
    for rows in _chunks(n_resamples, n):
        idx = rng.integers(0, n, size=(rows, n), dtype=dtype)
        # Row r of `counts` says how often each example was drawn in resample r.
        flat = (idx + (np.arange(rows, dtype=dtype) * n)[:, None]).ravel()
        counts = np.bincount(flat, minlength=rows * n).reshape(rows, n)
        means[start : start + rows] = counts.astype(np.float64) @ x / n
        start += rows
    return means


def _chunks(total_rows: int, row_length: int):
    step = max(1, _CHUNK_ELEMENTS // max(1, row_length))
    for start in range(0, total_rows, step):
        yield min(step, total_rows - start)


def _percentiles(means: np.ndarray, confidence: float):
    alpha = (1 - confidence) / 2
    low, high = np.percentile(means, [100 * alpha, 100 * (1 - alpha)], axis=0)
    return low, high


def _as_matrix(values, name: str) -> np.ndarray:
    x = np.asarray(values, dtype=np.float64)
    if x.ndim not in (1, 2):
        raise ValueError(f"{name} must have shape (n,) or (n, k), got {x.shape}")
    if x.shape[0] == 0:
        raise ValueError(f"{name} is empty: nothing to resample")
    if not np.isfinite(x).all():
        raise ValueError(
            f"{name} contains NaN or infinity at row {int(np.argwhere(~np.isfinite(x))[0][0])}"
        )
    return x.reshape(x.shape[0], -1)


def _paired_differences(a, b) -> np.ndarray:
    x, y = _as_matrix(a, "a"), _as_matrix(b, "b")
    if np.shape(a) != np.shape(b):
        raise ValueError(
            f"a and b must have the same shape (paired scores), got {np.shape(a)} and {np.shape(b)}"
        )
    return y - x


def _check_settings(n_resamples: int, confidence: float) -> None:
    if n_resamples < 1:
        raise ValueError(f"n_resamples must be at least 1, got {n_resamples}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")


def _shaped(kind, ndim: int, *fields):
    """Scalars for 1-D input, arrays of k for 2-D input."""
    if ndim == 1:
        return kind(*(float(np.asarray(f).reshape(-1)[0]) for f in fields))
    return kind(*(np.asarray(f) for f in fields))
