"""What a generator returns for one article, whichever model wrote it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class GenerationResult:
    text: str
    input_tokens: int = 0
    output_tokens: int = 0
    truncated: bool = False
    hit_length_cap: bool = False  # the token cap cut the answer short of its end (or, for summaries, of its target)
    seconds: float = 0.0  # this row's share of its batch's wall time
    error: str | None = None
    repeated: bool = False  # a repeated sentence was found and cut (summaries)
    # candidate selection: how many were generated and the consistency checker's verdict on the kept one
    candidates: int = 1
    consistency: float | None = None
    consistent: bool | None = None
