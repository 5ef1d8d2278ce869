"""Fine-tune the `support` headline checker (eval/consistency/support.py): a MiniLM
cross-encoder over (headline, selected body passage) with four stance classes, trained on the
FNC-1 train part (split by claim: eval/consistency/fnc1.py).

The checkpoint is chosen on dev_fit (ROC-AUC of P(agree), agree vs disagree+discuss, the hard
part of the task); dev_eval is never read here. A run resumes after a kill: `work_dir` holds the
last state (weights, optimizer, scheduler, step, best score) and the data order is a pure
function of (seed, epoch), so a resumed run takes the same batches.

    python -m summarizer train-support --config configs/consistency/support.yaml
"""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from omegaconf import MISSING

from eval.base.io import atomic_dir, atomic_file, atomic_write_json
from eval.consistency.cross_encoder import class_probabilities, write_fp16

log = logging.getLogger(__name__)


@dataclass
class SupportSettings:  # the config's `train:` section
    max_length: int = 256
    max_words: int = 150  # the body passage shown with the headline (`select_passage`)
    batch_size: int = 16
    epochs: float = 1.0
    max_steps: int = 0  # 0: no cap
    learning_rate: float = 5e-5
    head_learning_rate: float = 2e-3
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    freeze_layers: int = 0
    eval_every: int = 200
    dev_pairs: int = 600  # related dev_fit pairs that choose the checkpoint
    max_minutes: float = 0  # 0: no limit
    threads: int = 2


@dataclass
class SupportData:
    unrelated_fraction: float = MISSING  # share of the unrelated train pairs kept


@dataclass
class SupportConfig:
    """configs/consistency/support.yaml, read with eval.base.config.load_settings."""

    seed: int = MISSING
    backbone: str = MISSING  # a path, or an installed package bundling the model
    work_dir: str = MISSING  # resumable state; the chosen checkpoint lands in work_dir/best
    data: SupportData = field(default_factory=SupportData)
    train: SupportSettings = field(default_factory=SupportSettings)


def training_rows(seed: int, unrelated_fraction: float) -> list[dict]:
    """FNC-1 train-part rows: every related pair, and a seeded sample of the unrelated ones
    (easy negatives: 36k of them would drown the three classes that matter)."""
    from eval.consistency import fnc1

    rows = fnc1.load("train")
    rng = random.Random(seed)
    return [r for r in rows if r["stance"] != "unrelated" or rng.random() < unrelated_fraction]


def dev_rows(seed: int, n: int) -> list[dict]:
    """A fixed sample of related dev_fit pairs for checkpoint choice."""
    from eval.consistency import fnc1

    rows = [r for r in fnc1.load("dev_fit") if r["stance"] != "unrelated"]
    random.Random(seed).shuffle(rows)
    return rows[:n]


def encode_rows(rows: list[dict], max_words: int) -> list[tuple[str, str, int]]:
    from eval.consistency.support import select_passage

    return [
        (r["headline"], select_passage(r["headline"], r["article"], max_words)[0], r["label"])
        for r in rows
    ]


def agree_auc(model, tokenizer, examples, max_length: int, batch_size: int = 32) -> float:
    from sklearn.metrics import roc_auc_score

    from eval.consistency.support import LABELS

    agree = LABELS.index("agree")
    model.eval()
    probs = class_probabilities(
        model,
        tokenizer,
        [h for h, _, _ in examples],
        [p for _, p, _ in examples],
        batch_size,
        max_length,
        "only_second",
    )
    model.train()
    return float(
        roc_auc_score([int(y == agree) for _, _, y in examples], [p[agree] for p in probs])
    )


def run(config: dict, progress: bool = True) -> dict:
    """Train from a resolved SupportConfig, resuming from work_dir; returns the summary."""
    import torch
    from safetensors.torch import load_file
    from tqdm import tqdm
    from transformers import (
        AutoModelForSequenceClassification,
        AutoTokenizer,
        get_linear_schedule_with_warmup,
    )

    from eval.consistency.support import LABELS
    from eval.consistency.training.train import backbone_path, prepare_head

    settings, seed = config["train"], config["seed"]
    torch.manual_seed(seed)
    torch.set_num_threads(settings["threads"])
    work = Path(config["work_dir"])
    work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train = encode_rows(
        training_rows(seed, config["data"]["unrelated_fraction"]), settings["max_words"]
    )
    dev = encode_rows(dev_rows(seed, settings["dev_pairs"]), settings["max_words"])
    counts = {label: sum(y == i for _, _, y in train) for i, label in enumerate(LABELS)}
    log.info(
        "train %d %s, dev_fit %d (%.0f s)", len(train), counts, len(dev), time.time() - started
    )

    source = backbone_path(config["backbone"])
    tokenizer = AutoTokenizer.from_pretrained(source)
    model = AutoModelForSequenceClassification.from_pretrained(
        source,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={k: i for i, k in enumerate(LABELS)},
    )
    model.config.support_max_length = settings["max_length"]
    model.config.support_max_words = settings["max_words"]
    for param in model.base_model.embeddings.parameters():
        param.requires_grad = False
    for layer in model.base_model.encoder.layer[: settings["freeze_layers"]]:
        for param in layer.parameters():
            param.requires_grad = False
    prepare_head(model, "identity")
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    is_head = lambda n: n.startswith(("bert.pooler.", "classifier."))  # noqa: E731
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for n, p in named if not is_head(n)], "lr": settings["learning_rate"]},
            {"params": [p for n, p in named if is_head(n)], "lr": settings["head_learning_rate"]},
        ],
        weight_decay=settings["weight_decay"],
    )
    per_epoch = math.ceil(len(train) / settings["batch_size"])
    total = math.ceil(per_epoch * settings["epochs"])
    if settings["max_steps"]:
        total = min(total, settings["max_steps"])
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(total * settings["warmup_ratio"]), total
    )
    state = {"step": 0, "best_auc": -1.0, "best_step": 0, "history": [], "seconds": 0.0}
    if (work / "state.json").exists():  # resume
        state = json.loads((work / "state.json").read_text())
        model.load_state_dict(load_file(work / "last.safetensors"), strict=False)
        opt = torch.load(work / "optimizer.pt", weights_only=True)
        optimizer.load_state_dict(opt["optimizer"])
        scheduler.load_state_dict(opt["scheduler"])
        torch.set_rng_state(opt["rng"])
        log.info("resumed at step %d", state["step"])

    def batches_from(step: int):
        while True:
            epoch, offset = divmod(step, per_epoch)
            order = list(range(len(train)))
            random.Random(seed * 1000 + epoch).shuffle(order)
            for i in range(offset, per_epoch):
                yield [
                    train[j]
                    for j in order[i * settings["batch_size"] : (i + 1) * settings["batch_size"]]
                ]
            step = (epoch + 1) * per_epoch

    model.train()
    bar = tqdm(total=total, initial=state["step"], desc="support", disable=not progress)
    losses, t0 = [], time.time() - state["seconds"]
    for batch in batches_from(state["step"]):
        if state["step"] >= total:
            break
        enc = tokenizer(
            [h for h, _, _ in batch],
            [p for _, p, _ in batch],
            truncation="only_second",
            max_length=settings["max_length"],
            padding=True,
            return_tensors="pt",
        )
        loss = model(**enc, labels=torch.tensor([y for _, _, y in batch])).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for _, p in named], 1.0)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad()
        state["step"] += 1
        losses.append(loss.item())
        bar.update(1)
        bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
        out_of_time = settings["max_minutes"] and time.time() - t0 > 60 * settings["max_minutes"]
        if state["step"] % settings["eval_every"] == 0 or state["step"] >= total or out_of_time:
            auc = agree_auc(model, tokenizer, dev, settings["max_length"])
            state["seconds"] = time.time() - t0
            state["history"].append(
                {
                    "step": state["step"],
                    "dev_fit_auc": round(auc, 4),
                    "loss": round(sum(losses) / len(losses), 4),
                    "seconds": round(state["seconds"]),
                }
            )
            losses = []
            log.info("step %d dev_fit AUC %.4f", state["step"], auc)
            if auc > state["best_auc"]:
                state["best_auc"], state["best_step"] = auc, state["step"]
                save_model(model, tokenizer, work / "best")
            _save_state(model, optimizer, scheduler, state, work)
            if out_of_time:
                log.warning("stopped by max_minutes at step %d of %d", state["step"], total)
                break
    bar.close()
    summary = {
        "train_pairs": len(train),
        "train_counts": counts,
        "dev_fit_pairs": len(dev),
        "planned_steps": total,
        **state,
        "settings": settings,
        "seed": seed,
        "seconds_per_step": round(state["seconds"] / max(1, state["step"]), 2),
    }
    summary["lexical"] = fit_lexical(config, work / "best")
    atomic_write_json(work / "best" / "training_summary.json", summary)
    return summary


def fit_lexical(config: dict, model_dir: Path, unrelated: int = 1000) -> dict:
    """Fit the lexical stance model on the related train pairs, then the weights that combine
    its log-odds with the cross-encoder's on dev_fit (all related pairs + `unrelated` sampled
    unrelated ones); both are stored beside the checkpoint (lexical.json, combine.json)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    from eval.consistency import fnc1
    from eval.consistency.lexical_stance import LexicalStance
    from eval.consistency.support import SupportBackend, select_passage

    seed, words = config["seed"], config["train"]["max_words"]

    def examples(rows):
        return [
            {
                "passage": select_passage(r["headline"], r["article"], words)[0],
                "headline": r["headline"],
                "body": r["article"],
            }
            for r in rows
        ]

    train = [r for r in fnc1.load("train") if r["stance"] != "unrelated"]
    lexical = LexicalStance.fit(examples(train), [int(r["stance"] == "agree") for r in train])
    lexical.save(model_dir / "lexical.json")
    dev = fnc1.load("dev_fit")
    rng = random.Random(seed)
    easy = [r for r in dev if r["stance"] == "unrelated"]
    dev = [r for r in dev if r["stance"] != "unrelated"] + rng.sample(
        easy, min(unrelated, len(easy))
    )
    backend = SupportBackend(model_dir, spans=False)
    probs = backend.probabilities(
        [r["headline"] for r in dev],
        [select_passage(r["headline"], r["article"], backend.max_words)[0] for r in dev],
    )
    agree = np.clip(np.array([p[-1] for p in probs]), 1e-6, 1 - 1e-6)
    x = np.stack([np.log(agree / (1 - agree)), lexical.logits(examples(dev))], axis=1)
    y = np.array([r["stance"] == "agree" for r in dev])
    model = LogisticRegression(C=1.0, class_weight="balanced").fit(x, y)
    weights = {
        "ce": float(model.coef_[0][0]),
        "lexical": float(model.coef_[0][1]),
        "bias": float(model.intercept_[0]),
        "contradicted_log_ratio": contradicted_threshold(dev, probs),
    }
    atomic_write_json(model_dir / "combine.json", {**weights, "fitted_on": "FNC-1 dev_fit"})
    related = np.array([r["stance"] != "unrelated" for r in dev])
    fitted = model.decision_function(x)
    report = {
        "dev_fit_auc_related": {
            "cross_encoder": roc_auc_score(y[related], x[related, 0]),
            "lexical": roc_auc_score(y[related], x[related, 1]),
            "combined": roc_auc_score(y[related], fitted[related]),
        },
        "weights": weights,
    }
    log.info("lexical + combiner: %s", report)
    return report


def contradicted_threshold(rows: list[dict], probs) -> float:
    """The cut on log P(disagree) - log P(discuss) with the best balanced accuracy of disagree vs
    discuss pairs. Disagree is rare (603 training pairs), so the plain argmax almost never says
    "contradicted"."""
    import numpy as np
    from sklearn.metrics import balanced_accuracy_score

    pick = [i for i, r in enumerate(rows) if r["stance"] in ("disagree", "discuss")]
    y = np.array([rows[i]["stance"] == "disagree" for i in pick])
    ratio = np.array([np.log(probs[i][2] + 1e-9) - np.log(probs[i][1] + 1e-9) for i in pick])
    cuts = np.quantile(ratio, np.linspace(0, 1, 201))
    return float(max(cuts, key=lambda t: balanced_accuracy_score(y, ratio >= t)))


def save_model(model, tokenizer, folder: Path) -> None:
    """fp16 safetensors + tokenizer, swapped in whole (a kill or an error leaves the old copy)."""
    with atomic_dir(folder) as tmp:
        write_fp16(model, tokenizer, tmp)


def _save_state(model, optimizer, scheduler, state: dict, work: Path) -> None:
    import torch
    from safetensors.torch import save_file

    tensors = {k: v.contiguous() for k, v in model.state_dict().items()}
    # both written in full before either replaces its old copy; an error replaces neither
    with (
        atomic_file(work / "last.safetensors") as weights,
        atomic_file(work / "optimizer.pt") as rest,
    ):
        save_file(tensors, weights)
        torch.save(
            {
                "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(),
                "rng": torch.get_rng_state(),
            },
            rest,
        )
    atomic_write_json(work / "state.json", state)  # written last: it marks the state complete
