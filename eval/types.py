"""Tiny value types shared by the scorers."""

from typing import NamedTuple


class Score(NamedTuple):
    precision: float
    recall: float
    fmeasure: float
