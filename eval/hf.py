"""`compute_metrics` for Hugging Face `Trainer` / `Seq2SeqTrainer` (`predict_with_generate=True`).

    from eval.hf import make_compute_metrics
    trainer = Seq2SeqTrainer(..., compute_metrics=make_compute_metrics(tokenizer))

What it fixes in the usual recipe (evaluate's rouge inside compute_metrics): predictions and
labels are decoded with -100 replaced by the pad id; rougeLsum gets one sentence per line (the
recipe often forgets, and rougeLsum silently equals rougeL); every ROUGE mean comes with seeded
bootstrap bounds (`rouge1`, `rouge1_low`, `rouge1_high`, ...); headline checks are averaged
(`hl_words`, `hl_is_question`...; with `articles`, also copy rate and absent numbers/names);
the signatures of all scores are logged once (logger `eval.hf`) and kept on
`compute_metrics.signatures`. Scores are fractions in [0, 1], not percentages.

With `batch_eval_metrics=True` the Trainer calls it per batch (`compute_result=False`): decoded
texts are kept and everything is scored on the last batch, so the intervals are the same as
without batching.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np

log = logging.getLogger(__name__)
METRICS = ("rouge", "headline")
DEFAULT_ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")


def _as_numpy(array) -> np.ndarray:
    if isinstance(array, tuple):
        array = array[0]  # (generated ids, ...) from some models' prediction_step
    if hasattr(array, "detach"):  # torch tensors under batch_eval_metrics
        array = array.detach().cpu().numpy()
    return np.asarray(array)


def _regex_sentences(text: str) -> list[str]:
    from eval.consistency.text import sentences  # regex splitter: no NLTK model to download

    return [s for _, _, s in sentences(text)]


def make_compute_metrics(
    tokenizer,
    metrics: Sequence[str] = METRICS,
    rouge_types: Sequence[str] = DEFAULT_ROUGE_TYPES,
    use_stemmer: bool = True,
    rouge_tokenizer: str | Callable = "default",
    sentence_splitter: str | Callable[[str], list[str]] = "regex",
    articles: Sequence[str] | None = None,
    bootstrap: int = 1000,
    seed: int = 12345,
    confidence: float = 0.95,
):
    """A `compute_metrics(eval_pred, compute_result=True)` for the Trainer.

    tokenizer: decodes predictions and labels. rouge_tokenizer: "default", "unicode", "char"
    or a callable (see eval.rouge.RougeScorer). sentence_splitter: "regex" (the splitter of
    eval.consistency, no download), "newline" (texts already have one sentence per line) or a
    function text -> sentences; it only affects rougeLsum and is named in its signature.
    articles: the eval set's articles in the eval dataloader's order (the Trainer does not
    shuffle evaluation), for the article-based headline checks.
    """
    unknown = sorted(set(metrics) - set(METRICS))
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; choose from {METRICS}")
    if sentence_splitter not in ("regex", "newline") and not callable(sentence_splitter):
        raise ValueError(
            "sentence_splitter must be 'regex', 'newline' or a function text -> sentences"
        )
    split_name = (
        sentence_splitter
        if isinstance(sentence_splitter, str)
        else "custom-" + getattr(sentence_splitter, "__name__", "splitter")
    )
    split = {"regex": _regex_sentences, "newline": str.splitlines}.get(
        sentence_splitter, sentence_splitter
    )
    scorer = None
    if "rouge" in metrics:
        from eval.rouge import RougeScorer

        scorer = RougeScorer(
            rouge_types=tuple(rouge_types), use_stemmer=use_stemmer, tokenizer=rouge_tokenizer
        )
    pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    kept: dict[str, list[str]] = {"predictions": [], "references": []}

    def decode(ids) -> list[str]:
        ids = _as_numpy(ids)
        if ids.ndim == 3:
            raise ValueError(
                "predictions are logits, not token ids: set predict_with_generate=True "
                "(Seq2SeqTrainingArguments) so that the model generates"
            )
        ids = np.where(
            ids < 0, pad_id, ids
        )  # -100: ignored label positions and padding between batches
        return [t.strip() for t in tokenizer.batch_decode(ids, skip_special_tokens=True)]

    def compute_metrics(eval_pred, compute_result: bool = True) -> dict[str, float]:
        kept["predictions"] += decode(eval_pred.predictions)
        kept["references"] += decode(eval_pred.label_ids)
        if not compute_result:
            return {}
        predictions, references = kept["predictions"], kept["references"]
        kept["predictions"], kept["references"] = [], []
        result, signatures = {}, {}
        if scorer is not None:
            result_rouge, signatures = _rouge(
                scorer, predictions, references, split, split_name, bootstrap, seed, confidence
            )
            result.update(result_rouge)
        if "headline" in metrics:
            result_hl, signatures["headline"] = _headline(predictions, articles)
            result.update(result_hl)
        result["gen_words"] = (
            float(np.mean([len(p.split()) for p in predictions])) if predictions else 0.0
        )
        if signatures != compute_metrics.signatures:
            for name, signature in signatures.items():
                log.info("%s: %s", name, signature)
            compute_metrics.signatures = signatures
        return result

    compute_metrics.signatures = {}
    return compute_metrics


def _rouge(scorer, predictions, references, split, split_name, bootstrap, seed, confidence):
    if "rougeLsum" in scorer.rouge_types:
        predictions = ["\n".join(split(p)) for p in predictions]
        references = ["\n".join(split(r)) for r in references]
    corpus = scorer.corpus_score(
        predictions, references, bootstrap=bootstrap, seed=seed, confidence=confidence
    )
    result, signatures = {}, {}
    for rouge_type, score in corpus.items():
        result[rouge_type] = float(score.mid.fmeasure)
        result[f"{rouge_type}_low"] = float(score.low.fmeasure)
        result[f"{rouge_type}_high"] = float(score.high.fmeasure)
        signature = score.signature[rouge_type]
        if rouge_type == "rougeLsum":
            signature = signature.replace(lsum=f"split-{split_name}")
        signatures[rouge_type] = str(signature)
    return result, signatures


def _headline(predictions, articles):
    from eval.headline_checks import HeadlineChecks

    if articles is not None and len(articles) != len(predictions):
        raise ValueError(
            f"articles has {len(articles)} texts but the eval set gave {len(predictions)} "
            "predictions: pass the eval set's articles, in order"
        )
    checks = HeadlineChecks()
    corpus = checks.corpus_score(predictions, articles=articles, bootstrap=0)
    return {name: score.mid for name, score in corpus.items()}, str(checks.signature())
