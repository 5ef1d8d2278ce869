"""Dev evaluation inside the training loop: generate for the dev rows and score against the RAW
references (not tokenised-truncated-decoded ones, which inflate ROUGE) with
`eval.rouge.RougeScorer` (bootstrap intervals), plus headline checks (length, empty rate,
copy rate)."""

from __future__ import annotations

from summarizer.train_batches import encode_prompt
from summarizer.train_data import first_sentence


def generate(model, tokenizer, articles: list[str], prompt_cfg: dict, family: str, eval_cfg: dict) -> list[str]:
    """Greedy (or beam) headlines for `articles`, cut at the first newline."""
    import torch
    from tqdm import tqdm

    model.eval()
    out = []
    tokenizer.padding_side = "left"  # decoder-only generation continues from the right edge
    with torch.no_grad():
        for start in tqdm(range(0, len(articles), eval_cfg["batch_size"]), desc="generating", unit="batch", mininterval=10):
            chunk = articles[start:start + eval_cfg["batch_size"]]
            prompts = [encode_prompt(tokenizer, prompt_cfg, a) for a in chunk]
            batch = tokenizer.pad({"input_ids": prompts}, return_tensors="pt")
            generated = model.generate(**batch, max_new_tokens=eval_cfg["max_new_tokens"],
                                       num_beams=eval_cfg["num_beams"], do_sample=False,
                                       pad_token_id=tokenizer.pad_token_id)
            if family == "causal":
                generated = generated[:, batch["input_ids"].shape[1]:]
            for ids in generated:
                text = tokenizer.decode(ids, skip_special_tokens=True)
                out.append(text.strip().split("\n")[0].strip())
    tokenizer.padding_side = "right"
    return out


def evaluate(model, tokenizer, rows: list[dict], config: dict, family: str) -> tuple[dict, list[str]]:
    """Dev metrics against the raw references: ROUGE F-measure with bootstrap interval (x100),
    plus headline checks."""
    from eval.rouge import RougeScorer

    e = config["eval"]
    predictions = generate(model, tokenizer, [r["article"] for r in rows], config["prompt"], family, e)
    scorer = RougeScorer(rouge_types=tuple(e["rouge_types"]), use_stemmer=e["use_stemmer"])
    corpus = scorer.corpus_score(predictions, [r["headline"] for r in rows], bootstrap=e["bootstrap"],
                                 seed=config["train"]["seed"])
    metrics = {}
    for name, score in corpus.items():
        metrics[name] = round(100 * score.mid.fmeasure, 2)
        metrics[f"{name}_ci"] = [round(100 * score.low.fmeasure, 2), round(100 * score.high.fmeasure, 2)]
        metrics[f"{name}_signature"] = str(score.signature)
    checks = headline_checks(predictions, [r["article"] for r in rows])
    metrics.update({k: None if v is None else round(v, 4) for k, v in checks.items()})
    return metrics, predictions


def headline_checks(predictions: list[str], articles: list[str]) -> dict:
    """Corpus means of eval.headline_checks plus `first_sentence_copy_rate`: the share of
    headlines (>= 3 words) found verbatim, ignoring case and spacing, in the article's first
    sentence - the failure a lead-copying model shows."""
    from eval.headline_checks import check

    def norm(text):
        return " ".join(text.lower().split())

    n = max(len(predictions), 1)
    checks = [check(p, a) for p, a in zip(predictions, articles)]
    copies = [len(p.split()) >= 3 and norm(p) in norm(first_sentence(a)) for p, a in zip(predictions, articles)]

    def mean(values):
        values = [v for v in values if v is not None]
        return sum(values) / len(values) if values else None

    return {"mean_words": mean(c.words for c in checks), "empty_rate": sum(c.words == 0 for c in checks) / n,
            "first_sentence_copy_rate": sum(copies) / n,
            "novel_2gram": mean(c.novel_2gram for c in checks),
            "absent_numbers_rate": sum(bool(c.absent_numbers) for c in checks) / n}
