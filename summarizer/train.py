"""Fine-tune a headline (or summary) model from one YAML config, nanoGPT-style: one readable
loop, no Trainer. Two families:

- seq2seq (T5/BART shapes): full fine-tuning, loss on the target as usual;
- causal LMs (Gemma, ...): LoRA through `peft`; prompt tokens are masked out of the loss and
  logits are computed only where there is a label (Gemma's 262k-word output layer over every
  prompt position would cost more than the rest of the model).

Everything a run needs to continue after a kill - weights, optimizer, scheduler, RNG states,
best score, patience - is in one atomically replaced `checkpoint.pt`; the data order is a pure
function of (seed, step), so a resumed run takes the same batches and reaches the same weights
as an uninterrupted one. The settings are `summarizer.train_config`, the rows
`summarizer.train_data`, the batches `summarizer.train_batches`, dev scoring
`summarizer.train_eval`.

Run layout in `output_dir`: config.yaml (resolved), log.jsonl, checkpoint.pt, best/ (the best
model or adapter + prompt.yaml + metrics.json + dev_predictions.jsonl), final/, steps/step-N/.
"""

from __future__ import annotations

import logging
import os
import random
import time
from pathlib import Path

import yaml

from eval.base.errors import InputError
from eval.base.io import (
    atomic_dir,
    atomic_file,
    atomic_write_json,
    atomic_write_text,
    recover_dir,
    write_jsonl,
)
from summarizer.runlog import RunLog
from summarizer.train_batches import BucketedOrder, EncodedRows, collate, sample_order
from summarizer.train_data import filter_rows, load_examples
from summarizer.train_eval import dev_summarizer, evaluate, prompt_record

log = logging.getLogger("summarizer.train")


# --- model ------------------------------------------------------------------------------------


def load_model(config: dict):
    """(model, tokenizer, family), loaded as generation loads models (summarizer.models.load):
    "gemma-3-270m" is the offline default (the GGUF package, de-quantized once into a cached
    copy), a hub id resolves offline-safe (eval.base.hub), `model.family` overrides the config's
    family. Causal LMs then get their LoRA adapter."""
    from summarizer import models

    m = config["model"]
    loaded = models.load(
        None if m["name_or_path"] == "default" else m["name_or_path"],
        dtype=m["dtype"],
        family=m["family"],
    )
    model, tokenizer = loaded.model, loaded.tokenizer
    family = "seq2seq" if loaded.is_seq2seq else "causal"
    if family == "causal" and not m["full_finetune"]:
        if not m["lora"]:
            raise InputError(
                "causal LMs train with LoRA: set model.lora, or model.full_finetune: true",
                field="model.lora",
            )
        from peft import LoraConfig, get_peft_model

        lora = m["lora"]
        model = get_peft_model(
            model,
            LoraConfig(
                r=lora["r"],
                lora_alpha=lora["alpha"],
                lora_dropout=lora["dropout"],
                target_modules=list(lora["target_modules"]),
                task_type="CAUSAL_LM",
                layers_to_transform=lora.get("layers"),
            ),
        )
        # Record the name the user gave (e.g. "gemma-3-270m"), not a cache path on this machine.
        model.peft_config["default"].base_model_name_or_path = m["name_or_path"]
    return model, tokenizer, family


def compute_loss(model, batch, family: str):
    """Mean cross-entropy over target tokens.

    Causal LMs run their own forward (final norm, output layer and any logit soft-capping stay
    the model's), asked through `logits_to_keep` for logits only at the positions that predict
    a label: Gemma-3's 262k x 640 output layer over every prompt position would cost more than
    the rest of the model. A model whose forward ignores a boolean `logits_to_keep` returns
    logits everywhere; they are then cut to the same positions, so the loss is the same."""
    import torch.nn.functional as F

    if family == "seq2seq":
        return model(**batch).loss
    labels = batch["labels"]
    predicts = labels.new_zeros(labels.shape, dtype=bool)
    predicts[:, :-1] = labels[:, 1:] != -100  # position t predicts token t+1
    targets = labels[:, 1:][predicts[:, :-1]]
    inputs = {
        "input_ids": batch["input_ids"],
        "attention_mask": batch["attention_mask"],
        "use_cache": False,
    }
    logits = None
    if getattr(model, "_keeps_masked_logits", True):
        try:
            logits = model(**inputs, logits_to_keep=predicts).logits
        except (TypeError, IndexError, ValueError, RuntimeError):
            # transformers < 5 (or a custom forward) takes only an int or 1-D logits_to_keep.
            model._keeps_masked_logits = False
    if logits is None:
        logits = model(**inputs).logits
    if logits.dim() == 3:  # logits at every position: (batch, length, vocab)
        logits = logits[predicts]
    return F.cross_entropy(logits.float(), targets)


# --- checkpoints --------------------------------------------------------------------------------


def _trainable_state(model, full: bool) -> dict:
    if full:
        return {k: v.detach().clone() for k, v in model.state_dict().items()}
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def save_checkpoint(path: Path, state: dict) -> None:
    """torch.save into a private temp file beside `path`, fsynced and renamed over it: a kill or
    an error leaves the old checkpoint or the new one, never a torn one nor a temp file."""
    import torch

    with atomic_file(path) as tmp:
        torch.save(state, tmp)


def load_checkpoint(path: Path) -> dict:
    import torch

    return torch.load(path, map_location="cpu", weights_only=True)  # no arbitrary unpickling


def _rng_state() -> dict:
    import numpy as np
    import torch

    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "python": list(random.getstate()[1]),
        "python_version": random.getstate()[0],
        "numpy": [kind, keys.tolist(), pos, has_gauss, cached],
    }


def _set_rng_state(state: dict) -> None:
    import numpy as np
    import torch

    torch.set_rng_state(state["torch"])
    random.setstate((state["python_version"], tuple(state["python"]), None))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def _save_model(model, tokenizer, config, folder: Path, family: str) -> None:
    """The model (or LoRA adapter), its tokenizer when every weight is trained, and prompt.yaml."""
    model.save_pretrained(folder)
    if family == "seq2seq" or config["model"]["full_finetune"]:
        tokenizer.save_pretrained(folder)
    atomic_write_text(
        folder / "prompt.yaml", yaml.safe_dump(prompt_record(config), sort_keys=False)
    )


def _save_best(
    model, tokenizer, config, metrics, predictions, rows, out: Path, family: str
) -> None:
    """best/, built in a staging folder and swapped in whole: the model, metrics.json and
    dev_predictions.jsonl always belong to the same evaluation."""
    with atomic_dir(out / "best") as work:
        _save_model(model, tokenizer, config, work, family)
        atomic_write_json(work / "metrics.json", metrics)
        write_jsonl(
            work / "dev_predictions.jsonl",
            [
                {"id": r["id"], "source": r["source"], "prediction": p, "reference": r["headline"]}
                for r, p in zip(rows, predictions)
            ],
        )


def _save_final(model, tokenizer, config, target: Path, family: str) -> None:
    """final/ or steps/step-N, swapped in whole."""
    with atomic_dir(target) as work:
        _save_model(model, tokenizer, config, work, family)


# --- the loop ---------------------------------------------------------------------------------


def pick_threads(setting) -> int:
    """`train.num_threads`: a number, or "auto" = the cores that other jobs leave free (1-minute
    load average), at least 1. On a shared 2-core machine under load, 1 thread trained 3.4x
    faster than 2 (benchmarks/bench_train_speed.py); the losses and gradients were identical."""
    if setting != "auto":
        return int(setting)
    cores = (
        len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    )
    return max(1, min(cores, int(cores - os.getloadavg()[0] + 0.5)))


def train(config: dict, stop_after_steps: int | None = None) -> dict:
    """Run (or resume) training. `stop_after_steps` simulates a kill in tests: return after that
    many optimizer steps in this process, right after saving a checkpoint if one was due."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    t, e = config["train"], config["eval"]
    torch.set_num_threads(pick_threads(t["num_threads"]))
    log.info("torch threads: %d", torch.get_num_threads())
    out = Path(config["output_dir"])
    out.mkdir(parents=True, exist_ok=True)
    ckpt_path = out / "checkpoint.pt"
    recover_dir(out / "best")  # killed between the two renames of a best/ swap

    random.seed(t["seed"])
    torch.manual_seed(t["seed"])
    model, tokenizer, family = load_model(config)
    full = family == "seq2seq" or config["model"]["full_finetune"]
    train_rows = filter_rows(
        load_examples(config["data"]["train"], "train", t["seed"]),
        config["data"]["min_headline_words"],
    )
    dev_rows = load_examples(config["data"]["dev"], "dev", t["seed"])
    # built before any step, so that settings generation cannot work with fail at once
    summarizer = (
        dev_summarizer(model, tokenizer, config, family) if e["every"] or e["at_start"] else None
    )
    train_pairs = EncodedRows(train_rows, tokenizer, config["prompt"], family)
    log.info(
        "train %d rows, dev %d rows, family %s, trainable params %d",
        len(train_pairs),
        len(dev_rows),
        family,
        sum(p.numel() for p in model.parameters() if p.requires_grad),
    )

    if t["length_buckets"]:
        order = BucketedOrder(
            len(train_pairs),
            t["seed"],
            t["batch_size"],
            t["length_buckets"],
            lambda i: sum(map(len, train_pairs[i])),
        ).rows
    else:

        def order(position, count):
            return sample_order(position, count, len(train_pairs), t["seed"])

    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=t["lr"], weight_decay=t["weight_decay"])
    scheduler = get_linear_schedule_with_warmup(optimizer, t["warmup_steps"], t["max_steps"])
    progress = {
        "step": 0,
        "best": None,
        "best_step": None,
        "bad_evals": 0,
        "seconds": 0.0,
        "stopped": None,
    }

    resumed = t["resume"] and ckpt_path.exists()
    if resumed:
        state = load_checkpoint(ckpt_path)
        missing = model.load_state_dict(state["model"], strict=False)
        if missing.unexpected_keys:
            raise InputError(
                f"checkpoint does not fit this model (e.g. {missing.unexpected_keys[0]})",
                path=ckpt_path,
            )
        optimizer.load_state_dict(state["optimizer"])
        scheduler.load_state_dict(state["scheduler"])
        _set_rng_state(state["rng"])
        progress = state["progress"]
        log.info("resumed from %s at step %d", ckpt_path, progress["step"])
        within_budget = not t["max_minutes"] or progress["seconds"] <= 60 * t["max_minutes"]
        if (progress["stopped"] or "").startswith("time budget") and within_budget:
            progress["stopped"] = None  # resumed with a larger budget: carry on
    atomic_write_text(out / "config.yaml", yaml.safe_dump(config, sort_keys=False))
    # Log rows past the checkpoint come from work that is about to be redone.
    logger = RunLog(out / "log.jsonl", t["report_to"])
    if any(r.get("step", 0) > progress["step"] for r in logger.rows):
        logger.close()
        write_jsonl(
            out / "log.jsonl", [r for r in logger.rows if r.get("step", 0) <= progress["step"]]
        )
        logger = RunLog(out / "log.jsonl", t["report_to"])

    def checkpoint():
        save_checkpoint(
            ckpt_path,
            {
                "model": _trainable_state(model, full),
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": _rng_state(),
                "progress": progress,
            },
        )

    def run_eval():
        metrics, predictions = evaluate(summarizer, dev_rows, config)
        score = metrics[e["metric"]]
        improved = progress["best"] is None or score > progress["best"]
        if improved:
            progress.update(best=score, best_step=progress["step"], bad_evals=0)
            _save_best(
                model,
                tokenizer,
                config,
                {**metrics, "step": progress["step"]},
                predictions,
                dev_rows,
                out,
                family,
            )
        else:
            progress["bad_evals"] += 1
        logger.write(
            {"step": progress["step"], "event": "eval", **metrics, "best": progress["best"]}
        )
        log.info(
            "step %d dev %s=%.2f %s (best %.2f at %s)",
            progress["step"],
            e["metric"],
            score,
            metrics[f"{e['metric']}_ci"],
            progress["best"],
            progress["best_step"],
        )
        return e["patience"] and progress["bad_evals"] >= e["patience"]

    if e["at_start"] and progress["step"] == 0 and progress["best"] is None:
        run_eval()
        checkpoint()

    from tqdm import tqdm

    model.train()
    steps_here = 0
    clock = time.monotonic() - progress["seconds"]
    bar = tqdm(
        total=t["max_steps"], initial=progress["step"], desc="training", unit="step", mininterval=10
    )
    running = []
    while progress["step"] < t["max_steps"] and not progress["stopped"]:
        step = progress["step"]
        total = 0.0
        for micro in range(t["grad_accum"]):
            rows = order((step * t["grad_accum"] + micro) * t["batch_size"], t["batch_size"])
            batch = collate([train_pairs[i] for i in rows], tokenizer.pad_token_id, family)
            loss = compute_loss(model, batch, family) / t["grad_accum"]
            loss.backward()
            total += loss.item()
        grad_norm = (
            torch.nn.utils.clip_grad_norm_(params, t["grad_clip"]) if t["grad_clip"] else None
        )
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        progress["step"] = step = step + 1
        progress["seconds"] = time.monotonic() - clock
        running.append(total)
        bar.update(1)
        if step % t["log_every"] == 0 or step == t["max_steps"]:
            logger.write(
                {
                    "step": step,
                    "event": "train",
                    "loss": round(sum(running) / len(running), 5),
                    "lr": scheduler.get_last_lr()[0],
                    "grad_norm": None if grad_norm is None else round(float(grad_norm), 4),
                    "seconds": round(progress["seconds"], 1),
                }
            )
            running = []
        over_budget = t["max_minutes"] and progress["seconds"] > 60 * t["max_minutes"]
        if e["every"] and (step % e["every"] == 0 or step == t["max_steps"] or over_budget):
            if run_eval():
                progress["stopped"] = (
                    f"early stopping: no {e['metric']} gain in {e['patience']} evals"
                )
            elif over_budget:
                progress["stopped"] = f"time budget of {t['max_minutes']:g} minutes reached"
            checkpoint()
        elif step % t["save_every"] == 0 or step == t["max_steps"] or over_budget:
            if over_budget:
                progress["stopped"] = f"time budget of {t['max_minutes']:g} minutes reached"
            checkpoint()
        if t["keep_every"] and step % t["keep_every"] == 0:
            _save_final(model, tokenizer, config, out / "steps" / f"step-{step:05d}", family)
        steps_here += 1
        if stop_after_steps is not None and steps_here >= stop_after_steps:
            bar.close()
            logger.close()
            return {"killed_at": step, **progress}
    bar.close()
    logger.close()
    _save_final(model, tokenizer, config, out / "final", family)
    if progress["stopped"]:
        log.info("stopped: %s", progress["stopped"])
    summary = {"output_dir": str(out), **progress, "family": family}
    atomic_write_json(out / "summary.json", summary)
    return summary
