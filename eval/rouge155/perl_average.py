"""The corpus averages and confidence intervals ROUGE-1.5.5.pl prints.

The Perl does not print the plain mean: its "Average_R" is the mean of its 1,000 bootstrap
means (computeAverages), so reproducing it to the 5th decimal needs its exact resamples.
Resample i calls srand(i) and draws int(rand(n)) n times; since Perl 5.20 `rand` is Perl's own
drand48 (48-bit LCG, a=0x5DEECE66D, c=0xB, seeded as (seed << 16) + 0x330E), which is
reproduced here with numpy, vectorized over the resamples. Per-pair scores enter as the
rounded 5-decimal figures, instances in Perl's string-sorted order of "<eval id>.<peer id>".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from eval.types import Score

_A = np.uint64(0x5DEECE66D)
_C = np.uint64(0xB)
_MASK = np.uint64((1 << 48) - 1)


class PerlAverage(NamedTuple):
    mid: Score
    low: Score
    high: Score


def perl_resample_indices(n: int, n_resamples: int) -> np.ndarray:
    """(n_resamples, n) indices: row i is what `srand(i); int(rand(n))` x n gives in Perl."""
    state = (np.arange(n_resamples, dtype=np.uint64) << np.uint64(16)) + np.uint64(0x330E)
    out = np.empty((n_resamples, n), dtype=np.int64)
    for k in range(n):
        state = (state * _A + _C) & _MASK  # uint64 wrap-around is harmless under the 48-bit mask
        out[:, k] = (np.ldexp(state.astype(np.float64), -48) * float(n)).astype(np.int64)
    return out


def perl_average(
    scores: Sequence[Score],
    instance_ids: Sequence[str],
    n_resamples: int = 1000,
    confidence: float = 95.0,
) -> PerlAverage:
    """ROUGE-1.5.5's printed Average (mid) and confidence bounds for one measure of one peer.

    `instance_ids` are the Perl's test ids ("<eval id>.<peer id>"), used only for its sort order.
    """
    if len(scores) != len(instance_ids) or not scores:
        raise ValueError("need one instance id per score, and at least one score")
    order = sorted(range(len(scores)), key=lambda i: instance_ids[i])
    values = np.array([[scores[i].recall, scores[i].precision, scores[i].fmeasure] for i in order])
    n = len(values)
    idx = perl_resample_indices(n, n_resamples)
    sums = values[idx[:, 0]].copy()
    for k in range(1, n):  # left-to-right additions, as the Perl's running sums
        sums += values[idx[:, k]]
    means = np.sort(sums / n, axis=0)
    # Mean of the sorted resample means, summed in sorted order like the Perl.
    total = np.zeros(3)
    for row in means:
        total += row
    mid = [float(f"{x:.5f}") for x in total / n_resamples]
    delta = n_resamples * ((100 - confidence) / 2.0) / 100.0
    upper, lower = int(n_resamples - delta - 1), int(delta)
    ratio = n_resamples - delta - 1 - upper

    def bound(a: int) -> list[float]:
        b = min(a + 1, n_resamples - 1)
        return [float(f"{x:.5f}") for x in means[a] + (means[b] - means[a]) * ratio]

    low, high = bound(lower), bound(upper)
    as_score = lambda v: Score(precision=v[1], recall=v[0], fmeasure=v[2])  # noqa: E731
    return PerlAverage(as_score(mid), as_score(low), as_score(high))
