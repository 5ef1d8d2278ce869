"""What every consistency backend is and returns: a `Backend` implements
`score_pairs(articles, summaries) -> list[BackendResult]` and never sees bad input (the checker
validates rows first and turns failures into per-row errors)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of the summary that the article does not support, and why."""

    start: int
    end: int
    text: str
    reason: str


@dataclass
class BackendResult:
    """One backend's verdict on one pair. `score` is in [0, 1], higher = more consistent;
    `support` holds (summary sentence, best article sentence, score) per summary sentence."""

    score: float
    spans: list[Span] = field(default_factory=list)
    support: list[tuple[str, str, float]] = field(default_factory=list)
    error: str | None = None
    # Only combining backends fill this (name -> that backend's score).
    backend_scores: dict[str, float] = field(default_factory=dict)
    # Backends that tell "contradicted" from "not asserted" (`support`) set the verdict for a
    # score below the threshold, the evidence sentence, and whether the article was cut.
    verdict: str | None = None
    evidence: str | None = None
    cut: bool = False


class Backend:
    """Base class: subclasses set `name`, implement `score_pairs`, and may describe their
    settings (model, hash...) for the signature through `settings()`."""

    name = "base"

    def score_pairs(self, articles: list[str], summaries: list[str]) -> list[BackendResult]:
        raise NotImplementedError

    def settings(self) -> dict[str, str]:
        return {}
