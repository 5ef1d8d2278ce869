"""Backend `lm`: how predictable a causal language model finds the summary once it has read the
article. What the article supports is predictable from it; an invented name, number or event
is not, with or without the article (the idea behind CoCo and HaRiM).

Per pair, two passes score the summary tokens: after "Article:\n{article}\n\nSummary:" and
after "Summary:" alone. The score is the sigmoid of the mean pointwise mutual information, i.e.
of how much reading the article raised the log-probability of each summary token. On dev_fit it
beat the plain probability given the article (mean per-source AUC 70.3 vs 66.1), which also
rewards fluent, generic text; with that probability's signals as extra features the ensemble's
cross-validated AUC fell (ngram+lm 0.623 against 0.693 with PMI alone).
Unsupported spans are the words with a token the model finds unlikely (p < `span_prob`) even
after reading the article and that the article does not make likelier; the support of each
summary sentence is the article sentence sharing most content words with it, scored by that
sentence's own mean PMI.

Default model: the bundled Gemma-3-270M base (`eval.base.assets.gemma_dir`); any Hugging Face
causal LM folder or hub id works (`model=`). Cost: one forward pass over each distinct article,
~3 s on 2 cores for a CNN/DM article (~1 s for a 400-word one); the summaries of the same
article in one call continue from a copy of its key/value cache, so scoring several systems on
the same articles costs little more than scoring one. Still not the fast default.
"""

from __future__ import annotations

import copy
import inspect
import math
from pathlib import Path

from eval.base.hashing import file_hash
from eval.consistency.backend import Backend, BackendResult, Span
from eval.consistency.text import best_sentence, sentences


class LMBackend(Backend):
    name = "lm"

    def __init__(
        self,
        model: str | None = None,
        max_article_tokens: int = 1000,
        max_summary_tokens: int = 100,
        span_prob: float = 0.01,
        threads: int | None = 2,
    ):
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        from eval.base.assets import gemma_dir

        if threads:
            torch.set_num_threads(threads)
        self.torch = torch
        from eval.base.hub import resolve

        path = model or gemma_dir()
        source = (
            resolve(str(path)) if model else path
        )  # a hub id: fails in one line when unreachable
        self.model_name = str(model or "gemma-3-270m")
        # float32: bf16 changes the log-probs (and so the calibrated threshold) from CPU to CPU
        self.model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32).eval()
        self.tokenizer = AutoTokenizer.from_pretrained(source)
        # transformers 5.2x renamed `past_key_values` to `cache`; older versions (>= 4.50) take the old name
        self.cache_arg = (
            "cache"
            if "cache" in inspect.signature(self.model.forward).parameters
            else "past_key_values"
        )
        weights = sorted(Path(path).glob("*.safetensors")) if Path(path).is_dir() else []
        self.hash = file_hash(weights[0]) if weights else self.model_name  # a hub id names itself
        self.max_article_tokens, self.max_summary_tokens = max_article_tokens, max_summary_tokens
        self.span_prob = span_prob
        bos = [self.tokenizer.bos_token_id] if self.tokenizer.bos_token_id is not None else []
        self.article_prefix = bos + self._encode("Article:\n")
        self.summary_prefix = self._encode("\n\nSummary:")
        self.bare_prefix = bos + self._encode("Summary:")

    def settings(self) -> dict[str, str]:
        return {
            "model": f"{self.model_name}@{self.hash}",
            "art_tok": self.max_article_tokens,
            "prompt": "v1",
            "score": "pmi",
        }

    def _encode(self, text: str) -> list[int]:
        return self.tokenizer(text, add_special_tokens=False).input_ids

    def _summary_log_probs(self, context: list[int], summary: list[int], state=None) -> list[float]:
        """log p of each summary token after `context`, or after the context whose `state`
        (key/value cache, last logits) `_read` returned. Logits are computed for the summary
        positions only: the 262k-word output layer over every article position would cost more
        than the whole transformer."""
        torch = self.torch
        target = torch.tensor(summary)
        with torch.inference_mode():
            if state is None:
                ids = torch.tensor([context + summary])
                logits = self.model(ids, logits_to_keep=len(summary) + 1).logits[0, :-1].float()
            else:
                cache, last = state
                out = self.model(
                    target[None], use_cache=True, **{self.cache_arg: copy.deepcopy(cache)}
                )
                logits = torch.cat([last[None], out.logits[0, :-1].float()])
        return torch.log_softmax(logits, -1).gather(1, target[:, None])[:, 0].tolist()

    def _read(self, context: list[int]):
        """One pass over `context`: its key/value cache and the logits after its last token."""
        with self.torch.inference_mode():
            out = self.model(self.torch.tensor([context]), use_cache=True, logits_to_keep=1)
        return getattr(out, self.cache_arg), out.logits[0, -1].float()

    def score_pairs(self, articles: list[str], summaries: list[str]) -> list[BackendResult]:
        by_article: dict[str, list[int]] = {}
        for i, article in enumerate(articles):
            by_article.setdefault(article, []).append(i)
        results: list[BackendResult] = [None] * len(articles)  # type: ignore[list-item]
        for article, rows in by_article.items():
            context = (
                self.article_prefix
                + self._encode(article)[: self.max_article_tokens]
                + self.summary_prefix
            )
            state = self._read(context) if len(rows) > 1 else None  # one summary: one plain pass
            for i in rows:
                results[i] = self._score_one(article, summaries[i], context, state)
        return results

    def _score_one(self, article: str, summary: str, context: list[int], state) -> BackendResult:
        lead = len(summary) - len(summary.lstrip())
        encoded = self.tokenizer(
            " " + summary.strip(), add_special_tokens=False, return_offsets_mapping=True
        )
        tokens = encoded.input_ids[: self.max_summary_tokens]
        if not tokens:
            return BackendResult(0.0, error="summary has no tokens")
        given = self._summary_log_probs(context, tokens, state)
        bare = self._summary_log_probs(self.bare_prefix, tokens)
        gain = [g - b for g, b in zip(given, bare)]
        n = len(tokens)
        offsets = [
            (max(0, s - 1) + lead, max(0, e - 1) + lead) for s, e in encoded.offset_mapping[:n]
        ]
        flagged = [g < math.log(self.span_prob) and x <= 0 for g, x in zip(given, gain)]
        support = []
        for start, end, sentence in sentences(summary):
            inside = [x for (s, e), x in zip(offsets, gain) if start <= s < end]
            if inside:  # sentences past the token cap have no score
                support.append(
                    (
                        sentence,
                        best_sentence(article, sentence),
                        _sigmoid(sum(inside) / len(inside)),
                    )
                )
        return BackendResult(
            _sigmoid(sum(gain) / n), _word_spans(summary, offsets, flagged, given), support
        )


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _word_spans(summary: str, offsets, flagged, log_probs) -> list[Span]:
    """Flagged tokens widened to whole words (a name is often several tokens), merged."""
    spans: list[list] = []
    for (start, end), bad, lp in zip(offsets, flagged, log_probs):
        while start < end and summary[start].isspace():  # offsets include the token's leading space
            start += 1
        if not bad or start >= end:
            continue
        while start > 0 and not summary[start - 1].isspace():
            start -= 1
        while end < len(summary) and not summary[end].isspace():
            end += 1
        if spans and start <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], end)
            spans[-1][2] = min(spans[-1][2], lp)
        else:
            spans.append([start, end, lp])
    return [
        Span(s, e, summary[s:e], f"unlikely given the article (p={math.exp(lp):.3f})")
        for s, e, lp in spans
    ]
