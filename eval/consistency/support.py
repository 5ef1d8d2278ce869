"""Backend `support`: does the article ASSERT the headline's claim? A MiniLM cross-encoder
fine-tuned here on human stance labels (FNC-1 train part, split by claim: eval/consistency/fnc1.py)
with four classes: unrelated, discuss (the body reports the claim without asserting it),
disagree (the body refutes it), agree (the body asserts it).

    score   = P(agree)                       -> `consistency`, thresholded into `consistent`
    verdict = supported | contradicted | not asserted

Headline support is not lexical overlap: "X says Y may happen" does not support "Y happens",
and a body that reports a rumour does not assert it; n-gram and entity checks are at chance on
these labels (docs/consistency.md). Long bodies are cut to the sentences most relevant to the
headline (content-word overlap), kept in article order with the lead, to fit the encoder's
window; the result says when the body was cut. The best-overlap sentence is shown as evidence,
and the `entities` backend's number/name spans are added, so a wrong figure is still marked.

Training: `python -m summarizer train-support --config configs/consistency/support.yaml`
(eval/consistency/training/support.py); model card in models/support-minilm/README.md.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from eval.base.hashing import file_hash
from eval.consistency.backend import Backend, BackendResult
from eval.consistency.cross_encoder import class_probabilities, load_classifier
from eval.consistency.text import content_words, sentences

DEFAULT_MODEL = Path(__file__).with_name("models") / "support-minilm"
LABELS = ("unrelated", "discuss", "disagree", "agree")  # the classifier's class order


def select_passage(headline: str, article: str, max_words: int = 150) -> tuple[str, bool, str]:
    """(passage, cut, evidence): the lead sentence plus the sentences sharing most content words
    with the headline, in article order, up to `max_words` words; `cut` says whether anything
    was left out; `evidence` is the sentence with the largest overlap. Training builds its
    inputs with this same function."""
    sents = [s for _, _, s in sentences(article)] or [article]
    words = content_words(headline)
    overlap = [len(words & content_words(s)) for s in sents]
    evidence = sents[max(range(len(sents)), key=lambda i: (overlap[i], -i))]
    order = [0] + sorted(range(1, len(sents)), key=lambda i: (-overlap[i], i))
    chosen, used = [], 0
    for i in order:
        n = len(sents[i].split())
        if used + n > max_words:
            if not chosen:  # one huge sentence: keep its start
                chosen.append(i)
                used = max_words
            continue
        chosen.append(i)
        used += n
    chosen.sort()
    passage = " ".join(" ".join(sents[i].split()[:max_words]) for i in chosen)
    return passage, len(chosen) < len(sents) or used >= max_words, evidence


class SupportBackend(Backend):
    name = "support"

    def __init__(
        self,
        model: str | Path | None = None,
        batch_size: int = 16,
        threads: int | None = 2,
        spans: bool = True,
    ):
        self.model_path = Path(model) if model else DEFAULT_MODEL
        self.tokenizer, self.model = load_classifier(
            self.model_path,
            "python -m summarizer train-support --config configs/consistency/support.yaml",
            threads,
        )
        weights = self.model_path / "model.safetensors"
        config = self.model.config
        self.max_length = int(getattr(config, "support_max_length", 256))
        self.max_words = int(getattr(config, "support_max_words", 150))
        self.batch_size = batch_size
        self.model_hash = file_hash(weights)
        # the lexical stance model and the weights that combine it with the cross-encoder,
        # when the checkpoint has them (eval/consistency/lexical_stance.py)
        self.lexical = self.weights = None
        if (self.model_path / "lexical.json").exists() and (
            self.model_path / "combine.json"
        ).exists():
            from eval.consistency.lexical_stance import LexicalStance

            self.lexical = LexicalStance.load(self.model_path / "lexical.json")
            self.weights = json.loads((self.model_path / "combine.json").read_text())
            self.model_hash = "".join(
                file_hash(p)[:4]
                for p in (
                    weights,
                    self.model_path / "lexical.json",
                    self.model_path / "combine.json",
                )
            )
        self.entities = None
        if spans:
            from eval.consistency.entities import EntityBackend

            self.entities = EntityBackend()

    def _refutes(self, p: dict) -> bool:
        """Disagree against discuss by the log-ratio cut fitted on dev_fit (combine.json) when
        there is one, else by argmax; a body the model finds unrelated never refutes."""
        if p["unrelated"] >= max(p["discuss"], p["disagree"]):
            return False
        cut = (self.weights or {}).get("contradicted_log_ratio")
        if cut is None:
            return p["disagree"] > p["discuss"]
        return math.log(p["disagree"] + 1e-9) - math.log(p["discuss"] + 1e-9) >= cut

    def settings(self) -> dict[str, str]:
        return {
            "model": self.model_path.name,
            "hash": self.model_hash,
            "maxlen": self.max_length,
            "words": self.max_words,
            "lexical": "yes" if self.lexical else "no",
        }

    def probabilities(self, headlines: list[str], passages: list[str]) -> list[list[float]]:
        """Class probabilities (LABELS order) per (headline, passage), batched longest first.
        The passage is cut first; a "headline" longer than the window (a whole summary) is cut
        too, rather than failing as "only_second" truncation would."""
        return class_probabilities(
            self.model,
            self.tokenizer,
            headlines,
            passages,
            self.batch_size,
            self.max_length,
            "longest_first",
        )

    def score_pairs(self, articles: list[str], summaries: list[str]) -> list[BackendResult]:
        picked = [select_passage(h, a, self.max_words) for a, h in zip(articles, summaries)]
        probs = self.probabilities(list(summaries), [p for p, _, _ in picked])
        scores = [p[-1] for p in probs]
        if self.lexical:
            from eval.consistency.lexical_stance import combine

            lexical = self.lexical.logits(
                [
                    {"passage": p, "headline": h, "body": a}
                    for (p, _, _), h, a in zip(picked, summaries, articles)
                ]
            )
            scores = [combine(_logit(s), float(z), self.weights) for s, z in zip(scores, lexical)]
        spans = (
            self.entities.score_pairs(articles, summaries)
            if self.entities
            else [BackendResult(1.0)] * len(articles)
        )
        results = []
        for headline, (_, cut, evidence), p, score, ent in zip(
            summaries, picked, probs, scores, spans
        ):
            by_label = dict(zip(LABELS, p))
            # the verdict when the score falls below the threshold: a refuting body is
            # "contradicted", anything else (discussed, reported, unrelated) "not asserted"
            refuted = self._refutes(by_label)
            results.append(
                BackendResult(
                    score,
                    [] if ent.error else list(ent.spans),
                    [(headline, evidence, score)],
                    backend_scores={f"p_{k}": round(v, 6) for k, v in by_label.items()},
                    verdict="contradicted" if refuted else "not asserted",
                    evidence=evidence,
                    cut=cut,
                )
            )
        return results


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))
