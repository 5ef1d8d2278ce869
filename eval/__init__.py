"""Evaluation harness: ROUGE with signatures and intervals, significance tests,
factual-consistency checks, headline checks and reports."""

__version__ = "0.1.0"
