"""The training config: every setting with its default as dataclasses (the schema), read with
eval.base.config (OmegaConf): the schema <- the `base:` files of the config (relative to it,
recursively) <- the config <- command-line overrides (`train.lr=1e-4` or `--train.lr=1e-4`).
The schema is closed: a key it does not have is an error naming the file, not a silent typo."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eval.base.config import load_settings
from eval.base.errors import InputError


@dataclass
class LoraConfig:
    r: int = 16
    alpha: int = 32
    dropout: float = 0.05
    target_modules: list[str] = field(
        default_factory=lambda: [
            "q_proj",
            "k_proj",
            "v_proj",
            "o_proj",
            "gate_proj",
            "up_proj",
            "down_proj",
        ]
    )
    # Indices of the layers to adapt (null = all). Adapting only the top layers means the
    # backward pass stops there: much cheaper on a CPU.
    layers: list[int] | None = None


@dataclass
class ModelConfig:
    name_or_path: str = "gemma-3-270m"  # the offline default (GGUF package), or any HF name/dir
    family: str = "auto"  # auto | causal | seq2seq
    dtype: str = "float32"  # float32 | bfloat16
    lora: LoraConfig | None = field(default_factory=LoraConfig)
    full_finetune: bool = False  # causal LMs: train every weight instead of LoRA


@dataclass
class PromptConfig:
    # The prompt is `instruction` + "\n\n" + template (instruction may be ""), where {article}
    # is the article cut to max_article_tokens tokens: the layout of
    # summarizer.prompts.PromptTemplate, so generation rebuilds it from prompt.yaml. The target
    # follows the prompt after target_prefix and ends with the tokenizer's EOS.
    instruction: str = ""
    template: str = "Article: {article}\nHeadline:"
    target_prefix: str = " "
    max_article_tokens: int = 128
    max_target_tokens: int = 32


@dataclass
class DataConfig:
    # Each entry: {recipe: reuters|bbc|gigaword|fnc-agree|financial*} (eval.headline_data),
    # {recipe: cnndm|xsum} (eval.summary_data: the target is the reference summary) or
    # {path: file.jsonl|csv|json} or {hub: name, config: ...} (datasets library), with optional
    # keys of SOURCE_KEYS (checked by `_validate`, which names the entry).
    train: list[Any] = field(default_factory=lambda: [{"recipe": "reuters", "split": "train"}])
    dev: list[Any] = field(
        default_factory=lambda: [{"recipe": "reuters", "split": "dev", "max_examples": 200}]
    )
    min_headline_words: int = 1


@dataclass
class LoopConfig:
    seed: int = 0
    batch_size: int = 8
    grad_accum: int = 1
    lr: float = 2e-4
    weight_decay: float = 0.0
    warmup_steps: int = 20
    max_steps: int = 300
    max_minutes: float = 0  # wall-clock budget over all resumes; 0 = none
    grad_clip: float = 1.0
    # "auto": all cores on an idle machine, 1 thread when other jobs keep the cores busy
    # (two threads that wait on each other's time slices ran ~3x slower here).
    num_threads: int | str = "auto"
    # Batches of similar length: rows are sorted by length within windows of this many
    # batches (0 = plain shuffled order). Less padding, same rows per epoch.
    length_buckets: int = 16
    log_every: int = 10
    # "tensorboard": also write loss, learning rate and dev scores (with their interval) to
    # output_dir/tensorboard when the tensorboard package is installed
    report_to: str = "none"
    save_every: int = 25
    # Also keep the model/adapter of every N-th step in steps/step-N (0 = none), to choose a
    # checkpoint afterwards on dev data, with a faster generator than the loop's own.
    keep_every: int = 0
    resume: bool = True


@dataclass
class EvalConfig:
    every: int = 100  # steps; also at the end; 0 = no dev evaluation
    batch_size: int = 16
    max_new_tokens: int = 32
    num_beams: int = 1
    metric: str = "rouge1"  # early stopping and best-checkpoint choice (F-measure)
    rouge_types: list[str] = field(default_factory=lambda: ["rouge1", "rouge2", "rougeL"])
    use_stemmer: bool = True
    bootstrap: int = 1000
    patience: int = 3  # evals without improvement before stopping; 0 = never stop early
    at_start: bool = False  # also evaluate the untrained model (step 0)


@dataclass
class TrainConfig:
    task: str = "headline"
    output_dir: str = "runs/train"
    model: ModelConfig = field(default_factory=ModelConfig)
    prompt: PromptConfig = field(default_factory=PromptConfig)
    data: DataConfig = field(default_factory=DataConfig)
    train: LoopConfig = field(default_factory=LoopConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)


SOURCE_KEYS = {
    "recipe",
    "path",
    "hub",
    "config",
    "split",
    "article_column",
    "headline_column",
    "max_examples",
    "name",
    "skip_table_items",
    "lead_sentences",
}


def load_config(path=None, overrides: list[str] = ()) -> dict:
    """The settings of a run as a plain dict: the schema <- `path` with its `base:` chain <-
    `overrides` like `train.lr=1e-4` (values parsed as YAML). Bad settings are InputErrors."""
    config = load_settings(TrainConfig, path, overrides)
    _validate(config)
    return config


def _validate(config: dict) -> None:
    """What the types cannot say: choices, ranges and the data sources."""

    def need(condition, key, message):
        if not condition:
            raise InputError(message, field=key)

    t, e, p, m = config["train"], config["eval"], config["prompt"], config["model"]
    need(config["task"] in ("headline", "summary"), "task", "must be headline or summary")
    need(
        m["family"] in ("auto", "causal", "seq2seq"),
        "model.family",
        "must be auto, causal or seq2seq",
    )
    need(m["dtype"] in ("float32", "bfloat16"), "model.dtype", "must be float32 or bfloat16")
    need(t["keep_every"] >= 0, "train.keep_every", "must be an integer >= 0")
    need(
        t["length_buckets"] >= 0,
        "train.length_buckets",
        f"must be an integer >= 0, got {t['length_buckets']!r}",
    )
    need(
        t["num_threads"] == "auto" or (isinstance(t["num_threads"], int) and t["num_threads"] > 0),
        "train.num_threads",
        f"must be a positive integer or auto, got {t['num_threads']!r}",
    )
    for key in ("batch_size", "grad_accum", "max_steps", "log_every", "save_every"):
        need(t[key] > 0, f"train.{key}", f"must be a positive integer, got {t[key]!r}")
    need(t["lr"] > 0, "train.lr", f"must be a positive number, got {t['lr']!r}")
    need(e["every"] >= 0, "eval.every", "must be an integer >= 0")
    need(
        e["metric"] in e["rouge_types"],
        "eval.metric",
        f"must be one of eval.rouge_types {e['rouge_types']}",
    )
    need("{article}" in p["template"], "prompt.template", "must contain {article}")
    for split in ("train", "dev"):
        specs = config["data"][split]
        need(specs, f"data.{split}", "must be a non-empty list of sources")
        for i, spec in enumerate(specs):
            key = f"data.{split}[{i}]"
            need(isinstance(spec, dict), key, "must be a mapping")
            unknown = set(spec) - SOURCE_KEYS
            need(
                not unknown, key, f"unknown keys {sorted(unknown)}; allowed: {sorted(SOURCE_KEYS)}"
            )
            kinds = [k for k in ("recipe", "path", "hub") if k in spec]
            need(len(kinds) == 1, key, "needs exactly one of recipe, path, hub")
            n = spec.get("lead_sentences")
            need(
                n is None or (isinstance(n, int) and not isinstance(n, bool) and n > 0),
                f"{key}.lead_sentences",
                f"must be a positive integer, got {n!r}",
            )
