"""Training speed of the causal-LoRA loop: the loop as it was before issue 13 against today's
`summarizer.train`, on the same config, model and data, in one run.

- old: the backbone's forward, the output layer at the label positions with Gemma's
  soft-capping written out by hand, batches in plain shuffled order, `--old-threads` threads;
- new: `summarizer.train.compute_loss` (the model's own forward with a boolean
  `logits_to_keep`), length-bucketed batches (`BucketedOrder`), `--new-threads` threads.

Steps of the variants are interleaved (round robin, the order rotating every round) so that
the load of other jobs on the machine falls on all of them alike. Each step is a full
training step: forward, backward, gradient clipping, AdamW. Reported: examples/s and tokens/s
(non-padding tokens) over all timed steps, the median seconds per step, and the largest
difference between the old and the new loss on fixed batches (dropout off).

  python benchmarks/bench_train_speed.py --config configs/train/gemma3-270m-headline.yaml --steps 8
  python benchmarks/bench_train_speed.py --steps 6 --new-threads 2,1,auto --bf16-threads auto
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def old_compute_loss(model, batch):
    """summarizer.train.compute_loss for causal LMs before issue 13 (commit 53fbaf8)."""
    import torch.nn.functional as F

    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    backbone = getattr(base, base.base_model_prefix)
    hidden = backbone(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
    ).last_hidden_state
    targets = batch["labels"][:, 1:]
    keep = targets != -100
    logits = base.get_output_embeddings()(hidden[:, :-1][keep])
    cap = getattr(base.config, "final_logit_softcapping", None)
    if cap:
        logits = (logits / cap).tanh() * cap
    return F.cross_entropy(logits.float(), targets[keep])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", default="configs/train/gemma3-270m-headline.yaml")
    parser.add_argument("--steps", type=int, default=8, help="timed steps per variant")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps per variant first")
    parser.add_argument("--old-threads", type=int, default=2)
    parser.add_argument(
        "--new-threads",
        default="2,1",
        help="comma list of thread counts (or auto, "
        "train.num_threads' default): one new variant each",
    )
    parser.add_argument(
        "--check-batches", type=int, default=4, help="fixed batches for the loss difference"
    )
    parser.add_argument(
        "--bf16-threads",
        default="",
        help="comma list of thread counts (or auto): also time the "
        "new loop on bfloat16 base weights (model.dtype: bfloat16; not exact, its loss "
        "difference is printed apart)",
    )
    parser.add_argument("--out", default="runs/bench/train_speed.json")
    args = parser.parse_args(argv)

    import torch

    from summarizer import train as T
    from summarizer.train_batches import BucketedOrder, EncodedRows, sample_order
    from summarizer.train_config import load_config
    from summarizer.train_data import filter_rows, load_examples

    config = load_config(args.config, ["output_dir=runs/bench/train_speed_run"])
    t = config["train"]
    torch.manual_seed(t["seed"])
    model, tokenizer, family = T.load_model(config)
    if family != "causal":
        parser.error(
            "this benchmark measures the causal-LoRA loop; the config names a seq2seq model"
        )
    rows = filter_rows(
        load_examples(config["data"]["train"], "train", t["seed"]),
        config["data"]["min_headline_words"],
    )
    pairs = EncodedRows(rows, tokenizer, config["prompt"], family)
    bs = t["batch_size"]
    buckets = BucketedOrder(
        len(pairs), t["seed"], bs, t["length_buckets"] or 16, lambda i: sum(map(len, pairs[i]))
    )

    def plain(k):
        return sample_order(k * bs, bs, len(pairs), t["seed"])

    def bucketed(k):
        return buckets.rows(k * bs, bs)

    variants = {f"old (threads {args.old_threads})": (old_compute_loss, plain, args.old_threads)}
    for setting in args.new_threads.split(","):
        n = T.pick_threads(setting if setting == "auto" else int(setting))
        label = f"auto={n}" if setting == "auto" else n
        variants[f"new (threads {label})"] = (
            lambda m, b: T.compute_loss(m, b, family),
            bucketed,
            n,
        )

    models = {name: model for name in variants}
    bf16_model, bf16_diffs = None, []
    if args.bf16_threads:
        torch.manual_seed(t["seed"])
        bf16_model = T.load_model(
            load_config(
                args.config, ["output_dir=runs/bench/train_speed_run", "model.dtype=bfloat16"]
            )
        )[0]
        for setting in args.bf16_threads.split(","):
            n = T.pick_threads(setting if setting == "auto" else int(setting))
            name = f"new bf16 (threads {f'auto={n}' if setting == 'auto' else n})"
            variants[name] = (lambda m, b: T.compute_loss(m, b, family), bucketed, n)
            models[name] = bf16_model

    # Loss difference on fixed batches, dropout off.
    torch.set_num_threads(args.old_threads)
    diffs = []
    with torch.no_grad():
        for k in range(args.check_batches):
            batch = T.collate([pairs[i] for i in plain(k)], tokenizer.pad_token_id, family)
            model.eval()
            old, new = (
                old_compute_loss(model, batch).item(),
                T.compute_loss(model, batch, family).item(),
            )
            diffs.append(abs(old - new))
            line = f"fixed batch {k}: old loss {old:.7f}  new loss {new:.7f}  |diff| {abs(old - new):.2e}"
            if bf16_model is not None:
                bf16_model.eval()
                low = T.compute_loss(bf16_model, batch, family).item()
                bf16_diffs.append(abs(old - low))
                line += f"  bf16 loss {low:.7f} |diff| {abs(old - low):.2e}"
            print(line, flush=True)

    distinct = {id(m): m for m in models.values()}
    for m in distinct.values():
        m.train()
    # A real optimizer step that leaves the weights ~unchanged.
    optimizers = {
        key: torch.optim.AdamW([p for p in m.parameters() if p.requires_grad], lr=1e-12)
        for key, m in distinct.items()
    }
    stats = {name: {"seconds": [], "examples": 0, "tokens": 0, "padded": 0} for name in variants}
    names = list(variants)
    for round_ in range(args.warmup + args.steps):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            loss_fn, order, threads = variants[name]
            torch.set_num_threads(threads)
            batch = T.collate([pairs[i] for i in order(round_)], tokenizer.pad_token_id, family)
            params = [p for p in models[name].parameters() if p.requires_grad]
            optimizer = optimizers[id(models[name])]
            start = time.perf_counter()
            loss = loss_fn(models[name], batch)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, t["grad_clip"])
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            seconds = time.perf_counter() - start
            if round_ >= args.warmup:
                s = stats[name]
                s["seconds"].append(seconds)
                s["examples"] += batch["input_ids"].shape[0]
                s["tokens"] += int(batch["attention_mask"].sum())
                s["padded"] += batch["input_ids"].numel()
        print(
            f"round {round_ + 1}/{args.warmup + args.steps} done (load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )

    base = names[0]
    base_rate = stats[base]["examples"] / sum(stats[base]["seconds"])
    report = {
        "config": args.config,
        "batch_size": bs,
        "timed_steps": args.steps,
        "max_abs_loss_diff": max(diffs),
        "variants": {},
    }
    print(f"\nconfig {args.config}: batch {bs}, {args.steps} timed steps per variant, interleaved")
    print(
        f"{'variant':<20} {'examples/s':>10} {'tokens/s':>9} {'s/step (median)':>16} {'padding':>8} {'speed-up':>9}"
    )
    for name in names:
        s = stats[name]
        total = sum(s["seconds"])
        rate = s["examples"] / total
        entry = {
            "examples_per_s": round(rate, 3),
            "tokens_per_s": round(s["tokens"] / total, 1),
            "median_s_per_step": round(statistics.median(s["seconds"]), 2),
            "padding_share": round(1 - s["tokens"] / s["padded"], 3),
            "speedup": round(rate / base_rate, 2),
        }
        report["variants"][name] = entry
        print(
            f"{name:<20} {entry['examples_per_s']:>10.3f} {entry['tokens_per_s']:>9.1f} "
            f"{entry['median_s_per_step']:>16.2f} {entry['padding_share']:>8.3f} {entry['speedup']:>8.2f}x"
        )
    print(f"max |old loss - new loss| on {args.check_batches} fixed batches: {max(diffs):.2e}")
    if bf16_diffs:
        report["max_abs_loss_diff_bf16"] = max(bf16_diffs)
        print(f"max |old loss - bf16 loss| (not exact, by design): {max(bf16_diffs):.2e}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
