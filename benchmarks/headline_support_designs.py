"""The designs tried for the `support` headline checker, measured on the same FNC-1 dev_fit
pairs (split by claim; dev_eval is left to bench_headline_support.py), with their CPU cost:

- lexical: TF-IDF logistic regression over the selected passage, the headline and the whole body
  (scikit-learn, class-balanced), trained on every related train pair;
- gemma-probe: Gemma-3-270M (the bundled base, frozen) reads "Article: {passage} Headline:
  {headline} Does the article assert the headline?", and a logistic regression is fitted on its
  last-token hidden state, from --gemma-train train pairs (a linear probe: LoRA fine-tuning
  costs a backward pass through the same forward and more, so the probe is its cheap bound);
- gemma-lora: the same prompt, Gemma-3-270M (bfloat16 base) with LoRA r16 on its top 6 layers and
  a linear head on the last token, trained end to end (class-weighted BCE on agree), dev AUC
  measured every --gemma-eval-every steps, with the CPU seconds spent until then;
- support (MiniLM cross-encoder): read from its training history (dev_fit AUC per step and
  the seconds it took), logged by eval/consistency/training/support.py.

    python benchmarks/headline_support_designs.py [--gemma-train 600] [--dev 400] [--history runs/support-a/state.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def related(split: str, n: int | None, seed: int) -> list[dict]:
    from eval.consistency import fnc1

    rows = [r for r in fnc1.load(split) if r["stance"] != "unrelated"]
    random.Random(seed).shuffle(rows)
    return rows[:n] if n else rows


def lexical(train, dev, max_words: int) -> tuple[float, float]:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    from eval.consistency.support import select_passage

    started = time.process_time()
    fields = {
        "passage": lambda r: select_passage(r["headline"], r["article"], max_words)[0],
        "headline": lambda r: r["headline"],
        "body": lambda r: r["article"],
    }
    blocks_train, blocks_dev = [], []
    for name, get in fields.items():
        vec = TfidfVectorizer(
            ngram_range=(1, 1) if name == "body" else (1, 2), min_df=3, sublinear_tf=True
        )
        blocks_train.append(vec.fit_transform([get(r) for r in train]))
        blocks_dev.append(vec.transform([get(r) for r in dev]))
    y = [r["stance"] == "agree" for r in train]
    model = LogisticRegression(C=1.0, max_iter=3000, class_weight="balanced").fit(
        hstack(blocks_train), y
    )
    scores = model.predict_proba(hstack(blocks_dev))[:, 1]
    return roc_auc_score(
        [r["stance"] == "agree" for r in dev], scores
    ), time.process_time() - started


def gemma_probe(train, dev, max_words: int, threads: int) -> tuple[float, float, float]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from eval.base.assets import gemma_dir
    from eval.consistency.support import select_passage

    torch.set_num_threads(threads)
    path = gemma_dir()
    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()
    started = time.process_time()

    def features(rows):
        out = []
        with torch.inference_mode():
            for r in rows:
                passage = select_passage(r["headline"], r["article"], max_words)[0]
                text = (
                    f"Article: {passage}\nHeadline: {r['headline']}\n"
                    "Does the article assert the headline? Answer:"
                )
                ids = tokenizer(text, return_tensors="pt")
                hidden = model.model(**ids).last_hidden_state[0, -1]
                out.append(hidden.float().numpy())
        return np.stack(out)

    x_train, x_dev = features(train), features(dev)
    per_pair = (time.process_time() - started) / (len(train) + len(dev))
    mean, std = x_train.mean(0), x_train.std(0) + 1e-6
    model_lr = LogisticRegression(C=0.1, max_iter=3000, class_weight="balanced")
    model_lr.fit((x_train - mean) / std, [r["stance"] == "agree" for r in train])
    scores = model_lr.predict_proba((x_dev - mean) / std)[:, 1]
    auc = roc_auc_score([r["stance"] == "agree" for r in dev], scores)
    return auc, time.process_time() - started, per_pair


def gemma_lora(
    train,
    dev,
    max_words: int,
    threads: int,
    steps: int,
    batch: int,
    lr: float,
    seed: int,
    eval_every: int,
) -> list[tuple[int, float, float]]:
    """[(step, dev AUC, CPU seconds so far)] of a LoRA + classification-head Gemma."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from eval.base.assets import gemma_dir
    from eval.consistency.support import select_passage

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    tokenizer = AutoTokenizer.from_pretrained(gemma_dir())
    tokenizer.padding_side = "left"  # the last position is every row's last token
    base = AutoModelForCausalLM.from_pretrained(gemma_dir(), dtype=torch.bfloat16)
    model = get_peft_model(
        base,
        LoraConfig(
            r=16,
            lora_alpha=32,
            lora_dropout=0.05,
            layers_to_transform=list(range(12, 18)),
            target_modules=[
                "q_proj",
                "k_proj",
                "v_proj",
                "o_proj",
                "gate_proj",
                "up_proj",
                "down_proj",
            ],
        ),
    )
    backbone = model.get_base_model().model
    head = torch.nn.Linear(base.config.hidden_size, 1)
    params = [p for p in model.parameters() if p.requires_grad] + list(head.parameters())
    optimizer = torch.optim.AdamW(params, lr=lr)
    labels = np.array([r["stance"] == "agree" for r in train], dtype=np.float32)
    pos_weight = torch.tensor((1 - labels.mean()) / labels.mean())
    prompts = {}

    def prompt(r):
        key = (r["headline"], r["body_id"])
        if key not in prompts:
            passage = select_passage(r["headline"], r["article"], max_words)[0]
            prompts[key] = (
                f"Article: {passage}\nHeadline: {r['headline']}\n"
                "Does the article assert the headline? Answer:"
            )
        return prompts[key]

    def logits(rows):
        enc = tokenizer([prompt(r) for r in rows], return_tensors="pt", padding=True)
        return head(backbone(**enc).last_hidden_state[:, -1].float()).squeeze(-1)

    def dev_auc():
        model.eval()
        with torch.inference_mode():
            scores = np.concatenate(
                [logits(dev[i : i + 16]).numpy() for i in range(0, len(dev), 16)]
            )
        model.train()
        return roc_auc_score([r["stance"] == "agree" for r in dev], scores)

    order = np.random.default_rng(seed).permutation(len(train))
    out, started = [], time.process_time()
    model.train()
    for step in range(1, steps + 1):
        idx = [order[(step * batch + i) % len(train)] for i in range(batch)]
        y = torch.tensor(labels[idx])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            logits([train[i] for i in idx]), y, pos_weight=pos_weight
        )
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        if step % eval_every == 0 or step == steps:
            trained = time.process_time() - started
            out.append((step, dev_auc(), trained))
            print(
                f"  gemma-lora step {step}: dev AUC {100 * out[-1][1]:.1f}, {trained:.0f} CPU s",
                flush=True,
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--dev", type=int, default=400, help="related dev_fit pairs (seeded sample)"
    )
    parser.add_argument(
        "--gemma-train", type=int, default=600, help="train pairs for the Gemma probe (0: skip)"
    )
    parser.add_argument(
        "--gemma-lora-steps", type=int, default=0, help="steps of the Gemma LoRA design (0: skip)"
    )
    parser.add_argument("--gemma-batch", type=int, default=8)
    parser.add_argument("--gemma-lr", type=float, default=2e-4)
    parser.add_argument("--gemma-eval-every", type=int, default=100)
    parser.add_argument("--max-words", type=int, default=90)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument(
        "--history",
        default="runs/support-a/state.json",
        help="state.json of a support training run (dev_fit AUC per step)",
    )
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    dev = related("dev_fit", args.dev, args.seed)
    train = related("train", None, args.seed)
    print(f"dev_fit: {len(dev)} related pairs (agree vs disagree+discuss); AUC of P(agree)\n")
    print(f"{'design':34} {'train pairs':>11} {'dev AUC':>8} {'CPU s':>8}")
    auc, cpu = lexical(train, dev, args.max_words)
    print(f"{'lexical (TF-IDF + logistic)':34} {len(train):11d} {100 * auc:8.1f} {cpu:8.0f}")
    for n in (600, 2000):
        auc, cpu = lexical(train[:n], dev, args.max_words)
        print(f"{'lexical, fewer pairs':34} {n:11d} {100 * auc:8.1f} {cpu:8.0f}")
    if args.gemma_train:
        auc, cpu, per_pair = gemma_probe(
            train[: args.gemma_train], dev, args.max_words, args.threads
        )
        print(
            f"{'gemma-probe (frozen, last token)':34} {args.gemma_train:11d} {100 * auc:8.1f} {cpu:8.0f}"
            f"   ({per_pair:.2f} CPU s per pair, {args.threads} thread(s))"
        )
    if args.gemma_lora_steps:
        for step, auc, cpu in gemma_lora(
            train,
            dev,
            args.max_words,
            args.threads,
            args.gemma_lora_steps,
            args.gemma_batch,
            args.gemma_lr,
            args.seed,
            args.gemma_eval_every,
        ):
            print(
                f"{'gemma-lora (LoRA + head) step ' + str(step):34} {step * args.gemma_batch:11d} "
                f"{100 * auc:8.1f} {cpu:8.0f}   (CPU s of training, {args.threads} thread(s))"
            )
    history = Path(args.history)
    if history.exists():
        state = json.loads(history.read_text())
        batch = 16
        for h in state["history"]:
            print(
                f"{'support (MiniLM cross-enc.) step ' + str(h['step']):34} {h['step'] * batch:11d} "
                f"{100 * h['dev_fit_auc']:8.1f} {h['seconds']:8.0f}   (wall s, 1 thread)"
            )


if __name__ == "__main__":
    main()
