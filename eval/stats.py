"""Seeded, vectorized resampling statistics for per-example scores.

Every function takes its own seed and draws from `np.random.default_rng(seed)`, never the
global numpy RNG (rouge-score's BootstrapAggregator does, in a Python loop). Resamples are
drawn as an (n_resamples, n) index matrix, a chunk of rows at a time to bound memory, and
turned into a count matrix so that all means of a chunk are one matrix product.

`method="poisson"` is the seeded Poisson bootstrap for data too large to hold or resample at
once: each row enters each resample Poisson(1) times (counts drawn per fixed block of rows from
a generator seeded by (seed, block number), so they depend only on a row's position, not on how
the stream is cut), and a resample's mean is sum(count * x) / sum(count). `PoissonBootstrap`
accumulates it block by block in O(n_resamples * k) memory. Its numbers differ from the
default multinomial bootstrap (it is another resampling scheme), hence its own method name.

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
# Rows per Poisson block: one (n_resamples, block) count matrix per generator, small enough
# to stay in the CPU cache (64 rows was fastest of 64..4096 for 1,000 resamples).
POISSON_BLOCK_ROWS = 64
METHODS = ("multinomial", "poisson")


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
    values,
    n_resamples: int = 1000,
    seed: int = 12345,
    confidence: float = 0.95,
    method: str = "multinomial",
) -> Interval:
    """Percentile bootstrap interval of the mean of `values` (shape (n,) or (n, k)).

    method "multinomial" (default): resamples of n rows drawn with replacement;
    "poisson": the seeded Poisson bootstrap (see the module docstring).
    """
    x = _as_matrix(values, "values")
    _check_settings(n_resamples, confidence)
    if method == "poisson":
        acc = PoissonBootstrap(x.shape[1], n_resamples, seed)
        acc.add(x)
        means = acc.resample_means()
    elif method == "multinomial":
        means = _resample_means(x, n_resamples, np.random.default_rng(seed))
    else:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
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


def resample_indices(n: int, n_resamples: int = 1000, seed: int = 12345) -> np.ndarray:
    """(n_resamples, n) indices drawn with replacement: the resamples of a bootstrap over n
    units, for statistics that are not a mean (a correlation over resampled documents)."""
    return np.random.default_rng(seed).integers(0, n, size=(n_resamples, n))


def percentile_interval(values, confidence: float = 0.95):
    """(low, high): the percentile interval of bootstrap statistics."""
    return _percentiles(np.asarray(values, dtype=np.float64), confidence)


def _one_blas_thread():
    """The resampling products are small, cache-sized matrices: one BLAS thread does them best.
    Several threads spin against each other when the cores are busy (measured on 2 loaded cores:
    a (1000, 64) x (64, 23) product 90x slower with 2 OpenBLAS threads than with 1). The split
    across threads is over output blocks, not the summed dimension, so results are unchanged."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it BLAS keeps its own thread count
        from contextlib import nullcontext

        return nullcontext()
    return threadpool_limits(1, user_api="blas")


def _resample_means(x: np.ndarray, n_resamples: int, rng: np.random.Generator) -> np.ndarray:
    """(n_resamples, k) means of bootstrap resamples of the rows of x."""
    with _one_blas_thread():
        return _resample_means_unlimited(x, n_resamples, rng)


def _resample_means_unlimited(
    x: np.ndarray, n_resamples: int, rng: np.random.Generator
) -> np.ndarray:
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


# P(count = c) for c ~ Poisson(1), quantized to 1/65536: one uint16 draw per (resample, row)
# becomes a count by table lookup, several times faster than rng.poisson.
def _poisson_table() -> np.ndarray:
    from math import exp, factorial

    cdf = np.cumsum([exp(-1) / factorial(c) for c in range(16)])
    edges = np.round(cdf * 65536).astype(np.int64)
    return np.searchsorted(edges, np.arange(65536), side="right").astype(np.uint8)


_POISSON_COUNTS = _poisson_table()


class PoissonBootstrap:
    """Streaming seeded Poisson bootstrap of the column means of rows fed with `add`.

    Memory is O(n_resamples * k) plus one block of rows, whatever the stream length; the result
    depends only on the rows, their order, the seed and n_resamples.
    """

    def __init__(self, n_columns: int, n_resamples: int = 1000, seed: int = 12345):
        _check_settings(n_resamples, 0.5)
        self.n_resamples, self.seed = n_resamples, seed
        self.weighted = np.zeros((n_resamples, n_columns))  # sum over rows of count * x
        self.weights = np.zeros(n_resamples)  # sum over rows of count
        self.total = np.zeros(n_columns)
        self.n = 0
        self._blocks = 0
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0

    def add(self, values) -> None:
        x = _as_matrix(values, "values")
        self.total += x.sum(axis=0)
        self.n += x.shape[0]
        self._pending.append(x)
        self._pending_rows += x.shape[0]
        if self._pending_rows >= POISSON_BLOCK_ROWS:
            rows = np.concatenate(self._pending)
            full = rows.shape[0] // POISSON_BLOCK_ROWS * POISSON_BLOCK_ROWS
            for start in range(0, full, POISSON_BLOCK_ROWS):
                self._accumulate(rows[start : start + POISSON_BLOCK_ROWS], self._blocks)
                self._blocks += 1
            self._pending = [rows[full:]] if full < rows.shape[0] else []
            self._pending_rows = rows.shape[0] - full

    def _block_sums(self, x: np.ndarray, block: int):
        rng = np.random.default_rng([self.seed, block])
        draws = rng.integers(0, 65536, size=(self.n_resamples, x.shape[0]), dtype=np.uint16)
        counts = _POISSON_COUNTS[draws].astype(np.float64)
        return counts @ x, counts.sum(axis=1)

    def _accumulate(self, x: np.ndarray, block: int) -> None:
        with _one_blas_thread():
            weighted, weights = self._block_sums(x, block)
        self.weighted += weighted
        self.weights += weights

    def resample_means(self) -> np.ndarray:
        """(n_resamples, k) resample means, the unfinished last block included."""
        if self.n == 0:
            raise ValueError("values is empty: nothing to resample")
        weighted, weights = self.weighted, self.weights
        if self._pending_rows:
            extra_w, extra = self._block_sums(np.concatenate(self._pending), self._blocks)
            weighted, weights = weighted + extra_w, weights + extra
        # A resample that drew no row at all (probability e^-n) is left out.
        keep = weights > 0
        return weighted[keep] / weights[keep, None]

    def interval(self, confidence: float = 0.95) -> Interval:
        _check_settings(self.n_resamples, confidence)
        low, high = _percentiles(self.resample_means(), confidence)
        return Interval(self.total / max(self.n, 1), low, high)


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
