"""Decoding hooks for transformers' `generate` that CTranslate2 has built in or gets through
its step callback: n-gram blocking inside the answer, and a per-row stop once the summary
guard has everything it keeps (summarizer.postprocess.SummaryGuard)."""

from __future__ import annotations

from collections.abc import Callable

from transformers import LogitsProcessor, StoppingCriteria


class NoRepeatNGramAfter(LogitsProcessor):
    """Forbid a token that would repeat an n-gram of the answer (tokens from `answer_start` on).
    transformers' own no_repeat_ngram_size counts the prompt of a causal LM too, which would
    forbid every 3-gram of the article and of the few-shot examples."""

    def __init__(self, size: int, answer_start: int):
        self.size, self.answer_start = size, answer_start

    def __call__(self, input_ids, scores):
        n = self.size
        for row, ids in enumerate(input_ids[:, self.answer_start :].tolist()):
            if len(ids) < n:
                continue
            prefix = tuple(ids[len(ids) - n + 1 :])
            banned = {
                ids[i + n - 1]
                for i in range(len(ids) - n + 1)
                if tuple(ids[i : i + n - 1]) == prefix
            }
            if banned:
                scores[row, sorted(banned)] = float("-inf")
        return scores


class GuardStop(StoppingCriteria):
    """One bool per row: stop this row. Records where each row was stopped, so the padding
    transformers adds after it is dropped."""

    def __init__(self, done: Callable[[list[int]], bool], answer_start: int, stop_ids: set[int]):
        self.done, self.answer_start, self.stop_ids = done, answer_start, stop_ids
        self.stopped_at: dict[int, int] = {}

    def __call__(self, input_ids, scores, **kwargs):
        import torch

        flags = []
        for row, ids in enumerate(input_ids[:, self.answer_start :].tolist()):
            if row in self.stopped_at:
                flags.append(True)
            elif any(t in self.stop_ids for t in ids):  # ended by a stop token: not ours to cut
                flags.append(False)
            elif self.done(ids):
                self.stopped_at[row] = len(ids)
                flags.append(True)
            else:
                flags.append(False)
        return torch.tensor(flags, dtype=torch.bool, device=input_ids.device)
