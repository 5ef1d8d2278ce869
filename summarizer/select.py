"""Candidate selection: of several answers to one article, keep the one the project's own
consistency checker (eval.consistency) rates best.

Candidate 0 is the greedy answer; the others are the hypotheses of one beam search
(`beam_options`: deterministic, and CTranslate2 runs it; its sampling could not be seeded per
call). Scores within TIE of the
best are tied, and a tie goes to the candidate whose length is closest to the length prior
(headlines: PRIOR_HEADLINE_WORDS; summaries: the guard's word target, else
PRIOR_WORDS_PER_SENTENCE per target sentence), then to the
earlier candidate, so greedy wins when nothing separates them.
"""

from __future__ import annotations

import re

TIE = 1e-6
# CNN/DM highlights run ~14-18 words a sentence; XSum's single sentence ~21 words; news
# headlines ~8-10 words.
PRIOR_WORDS_PER_SENTENCE = 18
PRIOR_HEADLINE_WORDS = 9
_WORDS = re.compile(r"\w+")


def beam_options(candidates: int) -> dict:
    """Decode options for the candidates - 1 answers beside the greedy one."""
    extra = candidates - 1
    return {"do_sample": False, "num_beams": max(2, extra), "num_return_sequences": extra}


def length_prior(guard, task: str = "summary") -> int:
    if task == "headline":
        return PRIOR_HEADLINE_WORDS
    if guard.max_words:
        return guard.max_words
    return PRIOR_WORDS_PER_SENTENCE * (guard.max_sentences or 3)


def pick(texts: list[str], scores: list[float | None], guard, task: str = "summary") -> int:
    """Index of the kept candidate. A candidate the checker could not score (empty text) ranks last."""
    if not texts:
        raise ValueError("no candidates to pick from")
    ranked = [
        s if s is not None and texts[i].strip() else float("-inf") for i, s in enumerate(scores)
    ]
    best = max(ranked)
    prior = length_prior(guard, task)
    tied = [i for i, s in enumerate(ranked) if s >= best - TIE]
    return min(tied, key=lambda i: (abs(len(_WORDS.findall(texts[i])) - prior), i))
