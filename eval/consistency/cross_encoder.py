"""Sequence-pair classifiers (MiniLM cross-encoders fine-tuned here) in Hugging Face folders:
loading one and its class probabilities, for the `trained` and `support` backends and the code
that trains them (eval/consistency/training)."""

from __future__ import annotations

from pathlib import Path


def load_classifier(folder: Path, train_command: str, threads: int | None = None):
    """(tokenizer, model) of a checkpoint folder; a folder without weights is an error naming
    the command that trains one."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    if not (Path(folder) / "model.safetensors").exists():
        raise FileNotFoundError(f"no checkpoint at {folder}; train one with `{train_command}`")
    if threads:
        torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(folder)
    # Stored in fp16 to stay small; CPU matmuls are faster and exact enough in fp32.
    model = AutoModelForSequenceClassification.from_pretrained(folder, dtype=torch.float32).eval()
    return tokenizer, model


def class_probabilities(
    model,
    tokenizer,
    firsts: list[str],
    seconds: list[str],
    batch_size: int,
    max_length: int,
    truncation: str,
) -> list[list[float]]:
    """Softmax class probabilities of a sequence-pair classifier for each (first, second),
    batched longest first so batches pad little; rows come back in input order."""
    import torch

    order = sorted(range(len(firsts)), key=lambda i: -len(firsts[i]) - len(seconds[i]))
    probs: list[list[float]] = [[]] * len(firsts)
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            batch = order[start : start + batch_size]
            encoded = tokenizer(
                [firsts[i] for i in batch],
                [seconds[i] for i in batch],
                truncation=truncation,
                max_length=max_length,
                padding=True,
                return_tensors="pt",
            )
            for i, p in zip(batch, model(**encoded).logits.float().softmax(-1).tolist()):
                probs[i] = p
    return probs


def write_fp16(model, tokenizer, folder: Path) -> None:
    """fp16 safetensors (~45 MB for MiniLM) + tokenizer into `folder`; the model stays float32."""
    try:
        model.half().save_pretrained(folder, safe_serialization=True)
    finally:
        model.float()
    tokenizer.save_pretrained(folder)
