"""Fine-tune a headline (or summary) model from one YAML config, nanoGPT-style: one readable
loop, no Trainer. Two families:

- seq2seq (T5/BART shapes): full fine-tuning, loss on the target as usual;
- causal LMs (Gemma, ...): LoRA through `peft`; prompt tokens are masked out of the loss and
  logits are computed only where there is a label (Gemma's 262k-word output layer over every
  prompt position would cost more than the rest of the model).

Dev evaluation generates for the dev rows and scores against the RAW references (not
tokenised-truncated-decoded ones, which inflate ROUGE) with `eval.rouge.RougeScorer`, bootstrap
intervals, and headline checks (length, empty rate, copy rate). Everything a run needs to
continue after a kill - weights, optimizer, scheduler, RNG states, best score, patience - is in
one atomically replaced `checkpoint.pt`; the data order is a pure function of (seed, step), so a
resumed run takes the same batches and reaches the same weights as an uninterrupted one.

Run layout in `output_dir`: config.yaml (resolved), log.jsonl, checkpoint.pt, best/ (the best
model or adapter + prompt.yaml + metrics.json + dev_predictions.jsonl).
"""

from __future__ import annotations

import copy
import logging
import os
import random
import re
import shutil
import time
from pathlib import Path

import yaml

from eval.base.errors import InputError
from eval.base.io import atomic_write_json, atomic_write_text, write_jsonl
from summarizer.runlog import RunLog

log = logging.getLogger("summarizer.train")

# Every setting, with its default. A config may only set keys that exist here (typos are errors).
DEFAULTS: dict = {
    "task": "headline",
    "output_dir": "runs/train",
    "model": {
        "name_or_path": "gemma-3-270m",  # the offline default (GGUF package), or any HF name/dir
        "family": "auto",  # auto | causal | seq2seq
        "dtype": "float32",  # float32 | bfloat16
        # layers: indices of the layers to adapt (null = all). Adapting only the top layers
        # means the backward pass stops there: much cheaper on a CPU.
        "lora": {"r": 16, "alpha": 32, "dropout": 0.05,
                 "target_modules": ["q_proj", "k_proj", "v_proj", "o_proj",
                                    "gate_proj", "up_proj", "down_proj"], "layers": None},
        "full_finetune": False,  # causal LMs: train every weight instead of LoRA
    },
    "prompt": {
        # The prompt is `instruction` + "\n\n" + template (instruction may be ""), where
        # {article} is the article cut to max_article_tokens tokens: the layout of
        # summarizer.prompts.PromptTemplate, so generation rebuilds it from prompt.yaml. The
        # target follows the prompt after target_prefix and ends with the tokenizer's EOS.
        "instruction": "",
        "template": "Article: {article}\nHeadline:",
        "target_prefix": " ",
        "max_article_tokens": 128,
        "max_target_tokens": 32,
    },
    "data": {
        # Each entry: {recipe: reuters|bbc|gigaword|fnc-agree|financial*} (eval.headline_data),
        # {recipe: cnndm|xsum} (eval.summary_data: the target is the reference summary) or
        # {path: file.jsonl|csv|json} or {hub: name, config: ...} (datasets library), with
        # optional split, article_column, headline_column, max_examples, skip_table_items,
        # lead_sentences (keep the article's first N sentences).
        "train": [{"recipe": "reuters", "split": "train"}],
        "dev": [{"recipe": "reuters", "split": "dev", "max_examples": 200}],
        "min_headline_words": 1,
    },
    "train": {
        "seed": 0,
        "batch_size": 8,
        "grad_accum": 1,
        "lr": 2e-4,
        "weight_decay": 0.0,
        "warmup_steps": 20,
        "max_steps": 300,
        "max_minutes": 0,  # wall-clock budget over all resumes; 0 = none
        "grad_clip": 1.0,
        # "auto": all cores on an idle machine, 1 thread when other jobs keep the cores busy
        # (two threads that wait on each other's time slices ran ~3x slower here).
        "num_threads": "auto",
        # Batches of similar length: rows are sorted by length within windows of this many
        # batches (0 = plain shuffled order). Less padding, same rows per epoch.
        "length_buckets": 16,
        "log_every": 10,
        # "tensorboard": also write loss, learning rate and dev scores (with their interval)
        # to output_dir/tensorboard when the tensorboard package is installed
        "report_to": "none",
        "save_every": 25,
        # Also keep the model/adapter of every N-th step in steps/step-N (0 = none), to choose
        # a checkpoint afterwards on dev data, with a faster generator than the loop's own.
        "keep_every": 0,
        "resume": True,
    },
    "eval": {
        "every": 100,  # steps; also at the end; 0 = no dev evaluation
        "batch_size": 16,
        "max_new_tokens": 32,
        "num_beams": 1,
        "metric": "rouge1",  # early stopping and best-checkpoint choice (F-measure)
        "rouge_types": ["rouge1", "rouge2", "rougeL"],
        "use_stemmer": True,
        "bootstrap": 1000,
        "patience": 3,  # evals without improvement before stopping; 0 = never stop early
        "at_start": False,  # also evaluate the untrained model (step 0)
    },
}


# --- configuration ----------------------------------------------------------------------------

def load_config(path=None, overrides: list[str] = ()) -> dict:
    """DEFAULTS <- `base:` files (relative to the config, recursively) <- the config <- overrides
    like `train.lr=1e-4` (values parsed as YAML). Unknown keys are InputErrors."""
    config = copy.deepcopy(DEFAULTS)
    if path is not None:
        _merge(config, _read_with_bases(Path(path), seen=()), str(path))
    for item in overrides:
        key, sep, value = item.lstrip("-").partition("=")
        if not sep or not key:
            raise InputError(f"override {item!r} is not KEY=VALUE (e.g. train.lr=1e-4)")
        nested: dict = {}
        cursor = nested
        *parents, leaf = key.split(".")
        for part in parents:
            cursor = cursor.setdefault(part, {})
        cursor[leaf] = yaml.safe_load(value)
        _merge(config, nested, "command line")
    _validate(config)
    return config


def _read_with_bases(path: Path, seen) -> dict:
    if not path.exists():
        raise InputError("config file not found", path=path)
    if path.resolve() in seen:
        raise InputError("config `base:` chain loops back to this file", path=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise InputError(f"invalid YAML: {err}", path=path) from None
    if not isinstance(data, dict):
        raise InputError("expected a mapping of settings", path=path)
    bases = data.pop("base", None) or []
    merged: dict = {}
    for base in [bases] if isinstance(bases, str) else bases:
        _merge_plain(merged, _read_with_bases(path.parent / base, seen + (path.resolve(),)))
    _merge_plain(merged, data)
    return merged


def _merge_plain(into: dict, new: dict) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge_plain(into[key], value)
        else:
            into[key] = value


def _merge(into: dict, new: dict, source: str, prefix: str = "") -> None:
    """Merge `new` over `into`, refusing keys that `into` (the defaults) does not have. Lists
    and `model.lora` (may be set to null) are replaced whole."""
    for key, value in new.items():
        name = f"{prefix}{key}"
        if key not in into:
            known = ", ".join(sorted(into))
            raise InputError(f"unknown setting {name!r} (known here: {known})", path=source)
        if isinstance(into[key], dict) and isinstance(value, dict) and name != "model.lora":
            _merge(into[key], value, source, prefix=f"{name}.")
        elif isinstance(into[key], dict) and name != "model.lora":
            raise InputError(f"{name!r} must be a mapping, got {value!r}", path=source)
        else:
            is_number = isinstance(into[key], (int, float)) and not isinstance(into[key], bool)
            if is_number and isinstance(value, str):
                value = _as_float(value)  # YAML 1.1 reads "1e-4" (no dot) as a string
            into[key] = value


def _as_float(text: str):
    try:
        return float(text)
    except ValueError:
        return text


def _validate(config: dict) -> None:
    def need(condition, key, message):
        if not condition:
            raise InputError(message, field=key)

    t, e, p, m = config["train"], config["eval"], config["prompt"], config["model"]
    need(config["task"] in ("headline", "summary"), "task", "must be headline or summary")
    need(m["family"] in ("auto", "causal", "seq2seq"), "model.family", "must be auto, causal or seq2seq")
    need(m["dtype"] in ("float32", "bfloat16"), "model.dtype", "must be float32 or bfloat16")
    need(isinstance(t["keep_every"], int) and t["keep_every"] >= 0, "train.keep_every", "must be an integer >= 0")
    need(isinstance(t["length_buckets"], int) and t["length_buckets"] >= 0, "train.length_buckets",
         f"must be an integer >= 0, got {t['length_buckets']!r}")
    need(t["num_threads"] == "auto" or (isinstance(t["num_threads"], int) and t["num_threads"] > 0),
         "train.num_threads", f"must be a positive integer or auto, got {t['num_threads']!r}")
    for key in ("batch_size", "grad_accum", "max_steps", "log_every", "save_every"):
        need(isinstance(t[key], int) and t[key] > 0, f"train.{key}", f"must be a positive integer, got {t[key]!r}")
    need(isinstance(t["lr"], (int, float)) and t["lr"] > 0, "train.lr", f"must be a positive number, got {t['lr']!r}")
    need(isinstance(e["every"], int) and e["every"] >= 0, "eval.every", "must be an integer >= 0")
    need(e["metric"] in e["rouge_types"], "eval.metric", f"must be one of eval.rouge_types {e['rouge_types']}")
    need("{article}" in p["template"], "prompt.template", "must contain {article}")
    for split in ("train", "dev"):
        specs = config["data"][split]
        need(isinstance(specs, list) and specs, f"data.{split}", "must be a non-empty list of sources")
        for i, spec in enumerate(specs):
            key = f"data.{split}[{i}]"
            need(isinstance(spec, dict), key, "must be a mapping")
            unknown = set(spec) - _SOURCE_KEYS
            need(not unknown, key, f"unknown keys {sorted(unknown)}; allowed: {sorted(_SOURCE_KEYS)}")
            kinds = [k for k in ("recipe", "path", "hub") if k in spec]
            need(len(kinds) == 1, key, "needs exactly one of recipe, path, hub")
            n = spec.get("lead_sentences")
            need(n is None or (isinstance(n, int) and not isinstance(n, bool) and n > 0),
                 f"{key}.lead_sentences", f"must be a positive integer, got {n!r}")


_SOURCE_KEYS = {"recipe", "path", "hub", "config", "split", "article_column", "headline_column",
                "max_examples", "name", "skip_table_items", "lead_sentences"}


# --- data -------------------------------------------------------------------------------------

def load_examples(specs: list[dict], split: str, seed: int) -> list[dict]:
    """Rows {"id", "article", "headline", "source"} from every source of `data.<split>`.
    `max_examples` takes a seeded random sample, so a capped dev set still spans the source."""
    rows = []
    for i, spec in enumerate(specs):
        where = f"data.{split}[{i}]"
        part = _load_source(spec, split, where)
        if spec.get("lead_sentences"):  # the shape of a wire lead: its first N sentences only
            part = [{**row, "article": lead_sentences(row["article"], spec["lead_sentences"])} for row in part]
        if spec.get("max_examples") and len(part) > spec["max_examples"]:
            part = random.Random(seed).sample(part, spec["max_examples"])
        rows.extend(part)
    return rows


def _load_source(spec: dict, split: str, where: str) -> list[dict]:
    split = spec.get("split", split)
    if "recipe" in spec:
        from eval import summary_data
        from eval.headline_data import SOURCES, is_table_item, load_headlines

        recipe = spec["recipe"]
        if recipe not in SOURCES and recipe not in summary_data.SOURCES:
            raise InputError(f"unknown recipe {recipe!r}; choose from "
                             f"{', '.join([*SOURCES, *summary_data.SOURCES])}", field=where)
        try:
            if recipe in summary_data.SOURCES:  # the reference summary is the target
                rows = [{**r, "headline": summary_data.one_line(r["summary"]), "source": recipe}
                        for r in summary_data.load_summaries(recipe, split)]
            else:
                rows = [{**r, "source": recipe} for r in load_headlines(recipe, split)]
        except ValueError as err:  # e.g. the unseen-outlet dev set asked for a train split
            raise InputError(str(err), field=where) from None
        if spec.get("skip_table_items"):
            kept = [r for r in rows if not is_table_item(r["article"])]
            log.info("%s: skipped %d of %d rows whose article is a table (skip_table_items)", where,
                     len(rows) - len(kept), len(rows))
            rows = kept
        return rows

    import datasets

    article_col = spec.get("article_column", "article")
    headline_col = spec.get("headline_column", "headline")
    if "path" in spec:
        path = Path(spec["path"])
        if not path.exists():
            raise InputError("data file not found", path=path, field=where)
        kind = {".jsonl": "json", ".json": "json", ".csv": "csv"}.get(path.suffix)
        if kind is None:
            raise InputError("expected a .jsonl, .json or .csv file", path=path)
        try:
            table = datasets.load_dataset(kind, data_files=str(path), split="train")
        except Exception as err:  # datasets wraps parse errors in many types; name the file
            raise InputError(f"could not read: {str(err).splitlines()[0]}", path=path) from None
        name = str(path)
    else:
        table = datasets.load_dataset(spec["hub"], spec.get("config"), split=split)
        name = spec["hub"]
    for column in (article_col, headline_col):
        if column not in table.column_names:
            raise InputError(f"missing column (columns: {', '.join(table.column_names)}); "
                             f"map yours with article_column/headline_column", path=name, field=column)
    rows = []
    for number, row in enumerate(table, 1):
        for column in (article_col, headline_col):
            if not isinstance(row[column], str) or not row[column].strip():
                raise InputError("empty or not text", path=name, line=number, field=column)
        rows.append({"id": str(row.get("id", f"{name}:{number}")), "article": row[article_col].strip(),
                     "headline": row[headline_col].strip(), "source": spec.get("name", name)})
    return rows


_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n")


def first_sentence(article: str) -> str:
    return _SENTENCE_BREAK.split(article.strip(), maxsplit=1)[0]


def lead_sentences(article: str, n: int) -> str:
    """The article's first `n` sentences (split at . ! ? or a line break), joined by spaces."""
    parts = [part for part in _SENTENCE_BREAK.split(article.strip()) if part.strip()]
    return " ".join(parts[:n])


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


# --- model ------------------------------------------------------------------------------------

def load_model(config: dict):
    """(model, tokenizer, family). "gemma-3-270m" is the offline default: the GGUF package,
    dequantized once into a cached safetensors copy by summarizer.models."""
    import torch
    from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    m = config["model"]
    dtype = getattr(torch, m["dtype"])
    name = m["name_or_path"]
    if name in ("gemma-3-270m", "default"):
        # The generation engineer's loader: a cached safetensors copy of the dequantized GGUF.
        from summarizer.models import default_model_path

        name = str(default_model_path())
    model_config = AutoConfig.from_pretrained(name)
    family = m["family"]
    if family == "auto":
        family = "seq2seq" if model_config.is_encoder_decoder else "causal"
    tokenizer = AutoTokenizer.from_pretrained(name)
    cls = AutoModelForSeq2SeqLM if family == "seq2seq" else AutoModelForCausalLM
    model = cls.from_pretrained(name, dtype=dtype)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    if family == "causal" and not m["full_finetune"]:
        if not m["lora"]:
            raise InputError("causal LMs train with LoRA: set model.lora, or model.full_finetune: true",
                             field="model.lora")
        from peft import LoraConfig, get_peft_model

        lora = m["lora"]
        model = get_peft_model(model, LoraConfig(
            r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"],
            target_modules=list(lora["target_modules"]), task_type="CAUSAL_LM",
            layers_to_transform=lora.get("layers")))
        # Record the name the user gave (e.g. "gemma-3-270m"), not a cache path on this machine.
        model.peft_config["default"].base_model_name_or_path = m["name_or_path"]
    return model, tokenizer, family


# --- encoding ---------------------------------------------------------------------------------

def encode_prompt(tokenizer, prompt_cfg: dict, article: str) -> list[int]:
    """Prompt ids: the template around the article's first `max_article_tokens` tokens. The
    article is cut in token space and decoded back, so the prompt is a plain string that
    generation can rebuild from prompt.yaml alone."""
    limit = prompt_cfg["max_article_tokens"]
    # Tokenising whole long articles to keep 64 tokens is slow: tokenise a generous prefix cut at
    # a space far past the kept tokens (so the cut cannot change them), and the whole article
    # only if that prefix falls short.
    head = article[: 16 * limit].rsplit(" ", 1)[0] if len(article) > 16 * limit else article
    article_ids = tokenizer(head, add_special_tokens=False)["input_ids"]
    if len(article_ids) <= limit and head is not article:
        article_ids = tokenizer(article, add_special_tokens=False)["input_ids"]
    article_ids = article_ids[:limit]
    text = prompt_cfg["template"].replace("{article}", tokenizer.decode(article_ids))  # articles hold braces
    if prompt_cfg["instruction"]:
        text = prompt_cfg["instruction"] + "\n\n" + text
    return tokenizer(text)["input_ids"]  # with BOS for Gemma, EOS for T5, as each model expects


def encode_target(tokenizer, prompt_cfg: dict, headline: str, family: str) -> list[int]:
    prefix = prompt_cfg["target_prefix"] if family == "causal" else ""
    ids = tokenizer(prefix + headline, add_special_tokens=False)["input_ids"][: prompt_cfg["max_target_tokens"]]
    return ids + [tokenizer.eos_token_id]


class EncodedRows:
    """(prompt ids, target ids) of row i, tokenised on first use: a short CPU run touches a
    few hundred of 14k rows, and tokenising them all up front took minutes."""

    def __init__(self, rows, tokenizer, prompt_cfg, family):
        self.rows, self.tokenizer, self.prompt_cfg, self.family = rows, tokenizer, prompt_cfg, family
        self._cache: dict[int, tuple[list[int], list[int]]] = {}

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, i: int) -> tuple[list[int], list[int]]:
        if i not in self._cache:
            row = self.rows[i]
            self._cache[i] = (encode_prompt(self.tokenizer, self.prompt_cfg, row["article"]),
                              encode_target(self.tokenizer, self.prompt_cfg, row["headline"], self.family))
        return self._cache[i]


def collate(pairs, pad_id: int, family: str):
    """Right-padded tensors. causal: input = prompt + target, labels -100 on prompt and padding;
    seq2seq: input = prompt, labels = target."""
    import torch

    if family == "seq2seq":
        inputs = [p for p, _ in pairs]
        labels = [t for _, t in pairs]
    else:
        inputs = [p + t for p, t in pairs]
        labels = [[-100] * len(p) + t for p, t in pairs]
    width, label_width = max(map(len, inputs)), max(map(len, labels))
    return {
        "input_ids": torch.tensor([x + [pad_id] * (width - len(x)) for x in inputs]),
        "attention_mask": torch.tensor([[1] * len(x) + [0] * (width - len(x)) for x in inputs]),
        "labels": torch.tensor([y + [-100] * (label_width - len(y)) for y in labels]),
    }


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
    inputs = {"input_ids": batch["input_ids"], "attention_mask": batch["attention_mask"], "use_cache": False}
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


# --- generation and evaluation ----------------------------------------------------------------

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


# --- checkpoints --------------------------------------------------------------------------------

def _trainable_state(model, full: bool) -> dict:
    if full:
        return {k: v.detach().clone() for k, v in model.state_dict().items()}
    return {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}


def save_checkpoint(path: Path, state: dict) -> None:
    """torch.save to a temp file in the same folder, fsync, rename: a kill leaves the old or
    the new checkpoint, never a torn one."""
    import torch

    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        torch.save(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def load_checkpoint(path: Path) -> dict:
    import torch

    return torch.load(path, map_location="cpu", weights_only=True)  # no arbitrary unpickling


def _rng_state() -> dict:
    import numpy as np
    import torch

    kind, keys, pos, has_gauss, cached = np.random.get_state()
    return {"torch": torch.get_rng_state(), "python": list(random.getstate()[1]),
            "python_version": random.getstate()[0], "numpy": [kind, keys.tolist(), pos, has_gauss, cached]}


def _set_rng_state(state: dict) -> None:
    import numpy as np
    import torch

    torch.set_rng_state(state["torch"])
    random.setstate((state["python_version"], tuple(state["python"]), None))
    kind, keys, pos, has_gauss, cached = state["numpy"]
    np.random.set_state((kind, np.array(keys, dtype=np.uint32), pos, has_gauss, cached))


def _save_best(model, tokenizer, config, metrics, predictions, rows, out: Path, family: str) -> None:
    """Write best/ next to the run via a temp folder and a rename."""
    best, tmp, old = out / "best", out / "best.tmp", out / "best.old"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    if family == "seq2seq" or config["model"]["full_finetune"]:
        tokenizer.save_pretrained(tmp)
    atomic_write_text(tmp / "prompt.yaml", yaml.safe_dump(prompt_record(config), sort_keys=False))
    atomic_write_json(tmp / "metrics.json", metrics)
    write_jsonl(tmp / "dev_predictions.jsonl", [
        {"id": r["id"], "source": r["source"], "prediction": p, "reference": r["headline"]}
        for r, p in zip(rows, predictions)])
    if best.exists():
        os.replace(best, old)
    os.replace(tmp, best)
    shutil.rmtree(old, ignore_errors=True)


def _save_final(model, tokenizer, config, out: Path, family: str, name: str = "final") -> None:
    final = out / name
    tmp = final.with_name(final.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    if family == "seq2seq" or config["model"]["full_finetune"]:
        tokenizer.save_pretrained(tmp)
    atomic_write_text(tmp / "prompt.yaml", yaml.safe_dump(prompt_record(config), sort_keys=False))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)


def prompt_record(config: dict) -> dict:
    """prompt.yaml: a summarizer.prompts.PromptTemplate (no examples) that renders exactly the
    training prompt, plus how the article was cut, which generation must reuse."""
    p = config["prompt"]
    return {"name": f"{Path(config['output_dir']).name}-trained", "task": config["task"],
            "instruction": p["instruction"], "template": p["template"], "separator": "\n\n", "examples": [],
            "max_article_tokens": p["max_article_tokens"],
            "article_truncation": "the article's first max_article_tokens tokens (no special tokens), decoded back",
            "target_prefix": p["target_prefix"], "stop": ["\n", "<eos>"],
            "base_model": config["model"]["name_or_path"]}


# --- the loop ---------------------------------------------------------------------------------

def sample_order(position: int, count: int, n: int, seed: int) -> list[int]:
    """Rows `position .. position+count-1` of the endless stream of per-epoch permutations."""
    import torch

    out = []
    while count > 0:
        epoch, offset = divmod(position, n)
        order = torch.randperm(n, generator=torch.Generator().manual_seed(seed * 100_003 + epoch)).tolist()
        take = order[offset: offset + count]
        out.extend(take)
        position += len(take)
        count -= len(take)
    return out


class BucketedOrder:
    """The stream of `sample_order`, with each window of `window` batches re-ordered so that a
    batch holds rows of similar length (less padding), and the batches of a window shuffled.
    Still a pure function of (seed, position); only the rows of the windows used get
    tokenised (`length_of(i)`)."""

    def __init__(self, n: int, seed: int, batch_size: int, window: int, length_of):
        self.n, self.seed, self.batch_size, self.length_of = n, seed, batch_size, length_of
        self.window_rows = batch_size * window
        self._windows: dict[tuple[int, int], list[int]] = {}

    def rows(self, position: int, count: int) -> list[int]:
        out = []
        while count > 0:
            epoch, offset = divmod(position, self.n)
            index, inner = divmod(offset, self.window_rows)
            take = self._window(epoch, index)[inner: inner + count]
            out.extend(take)
            position += len(take)
            count -= len(take)
        return out

    def _window(self, epoch: int, index: int) -> list[int]:
        import torch

        key = (epoch, index)
        if key not in self._windows:
            if len(self._windows) > 4:  # the stream only moves forward: keep a few windows
                self._windows.clear()
            start = index * self.window_rows
            rows = sample_order(epoch * self.n + start, min(self.window_rows, self.n - start), self.n, self.seed)
            rows.sort(key=lambda i: (self.length_of(i), i))
            batches = [rows[i: i + self.batch_size] for i in range(0, len(rows), self.batch_size)]
            shuffle = torch.Generator().manual_seed((self.seed * 100_003 + epoch) * 100_003 + index)
            self._windows[key] = [i for b in torch.randperm(len(batches), generator=shuffle).tolist() for i in batches[b]]
        return self._windows[key]


def pick_threads(setting) -> int:
    """`train.num_threads`: a number, or "auto" = the cores that other jobs leave free (1-minute
    load average), at least 1. On a shared 2-core machine under load, 1 thread trained 3.4x
    faster than 2 (benchmarks/bench_train_speed.py); the losses and gradients were identical."""
    if setting != "auto":
        return int(setting)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
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
    if (out / "best.old").exists() and not (out / "best").exists():  # killed mid-swap
        os.replace(out / "best.old", out / "best")

    random.seed(t["seed"])
    torch.manual_seed(t["seed"])
    model, tokenizer, family = load_model(config)
    full = family == "seq2seq" or config["model"]["full_finetune"]
    train_rows = _filter(load_examples(config["data"]["train"], "train", t["seed"]), config)
    dev_rows = load_examples(config["data"]["dev"], "dev", t["seed"])
    train_pairs = EncodedRows(train_rows, tokenizer, config["prompt"], family)
    log.info("train %d rows, dev %d rows, family %s, trainable params %d", len(train_pairs), len(dev_rows),
             family, sum(p.numel() for p in model.parameters() if p.requires_grad))

    if t["length_buckets"]:
        order = BucketedOrder(len(train_pairs), t["seed"], t["batch_size"], t["length_buckets"],
                              lambda i: sum(map(len, train_pairs[i]))).rows
    else:
        def order(position, count):
            return sample_order(position, count, len(train_pairs), t["seed"])
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=t["lr"], weight_decay=t["weight_decay"])
    scheduler = get_linear_schedule_with_warmup(optimizer, t["warmup_steps"], t["max_steps"])
    progress = {"step": 0, "best": None, "best_step": None, "bad_evals": 0, "seconds": 0.0, "stopped": None}

    resumed = t["resume"] and ckpt_path.exists()
    if resumed:
        state = load_checkpoint(ckpt_path)
        missing = model.load_state_dict(state["model"], strict=False)
        if missing.unexpected_keys:
            raise InputError(f"checkpoint does not fit this model (e.g. {missing.unexpected_keys[0]})", path=ckpt_path)
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
        write_jsonl(out / "log.jsonl", [r for r in logger.rows if r.get("step", 0) <= progress["step"]])
        logger = RunLog(out / "log.jsonl", t["report_to"])

    def checkpoint():
        save_checkpoint(ckpt_path, {"model": _trainable_state(model, full), "optimizer": optimizer.state_dict(),
                                    "scheduler": scheduler.state_dict(), "rng": _rng_state(), "progress": progress})

    def run_eval():
        metrics, predictions = evaluate(model, tokenizer, dev_rows, config, family)
        score = metrics[e["metric"]]
        improved = progress["best"] is None or score > progress["best"]
        if improved:
            progress.update(best=score, best_step=progress["step"], bad_evals=0)
            _save_best(model, tokenizer, config, {**metrics, "step": progress["step"]}, predictions, dev_rows, out, family)
        else:
            progress["bad_evals"] += 1
        logger.write({"step": progress["step"], "event": "eval", **metrics, "best": progress["best"]})
        log.info("step %d dev %s=%.2f %s (best %.2f at %s)", progress["step"], e["metric"], score,
                 metrics[f"{e['metric']}_ci"], progress["best"], progress["best_step"])
        model.train()
        return e["patience"] and progress["bad_evals"] >= e["patience"]

    if e["at_start"] and progress["step"] == 0 and progress["best"] is None:
        run_eval()
        checkpoint()

    from tqdm import tqdm

    model.train()
    steps_here = 0
    clock = time.monotonic() - progress["seconds"]
    bar = tqdm(total=t["max_steps"], initial=progress["step"], desc="training", unit="step", mininterval=10)
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
        grad_norm = torch.nn.utils.clip_grad_norm_(params, t["grad_clip"]) if t["grad_clip"] else None
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        progress["step"] = step = step + 1
        progress["seconds"] = time.monotonic() - clock
        running.append(total)
        bar.update(1)
        if step % t["log_every"] == 0 or step == t["max_steps"]:
            logger.write({"step": step, "event": "train", "loss": round(sum(running) / len(running), 5),
                          "lr": scheduler.get_last_lr()[0], "grad_norm": None if grad_norm is None else round(float(grad_norm), 4),
                          "seconds": round(progress["seconds"], 1)})
            running = []
        over_budget = t["max_minutes"] and progress["seconds"] > 60 * t["max_minutes"]
        if e["every"] and (step % e["every"] == 0 or step == t["max_steps"] or over_budget):
            if run_eval():
                progress["stopped"] = f"early stopping: no {e['metric']} gain in {e['patience']} evals"
            elif over_budget:
                progress["stopped"] = f"time budget of {t['max_minutes']} minutes reached"
            checkpoint()
        elif step % t["save_every"] == 0 or step == t["max_steps"] or over_budget:
            if over_budget:
                progress["stopped"] = f"time budget of {t['max_minutes']} minutes reached"
            checkpoint()
        if t["keep_every"] and step % t["keep_every"] == 0:
            _save_final(model, tokenizer, config, out, family, name=f"steps/step-{step:05d}")
        steps_here += 1
        if stop_after_steps is not None and steps_here >= stop_after_steps:
            bar.close()
            logger.close()
            return {"killed_at": step, **progress}
    bar.close()
    logger.close()
    _save_final(model, tokenizer, config, out, family)
    if progress["stopped"]:
        log.info("stopped: %s", progress["stopped"])
    summary = {"output_dir": str(out), **progress, "family": family}
    atomic_write_json(out / "summary.json", summary)
    return summary


def _filter(rows: list[dict], config: dict) -> list[dict]:
    """Drop rows whose headline is too short to learn from, and repeats (the same article, or
    the same headline, already taken from an earlier row or source), saying how many."""
    keep = [r for r in rows if len(r["headline"].split()) >= config["data"]["min_headline_words"]]
    if len(keep) < len(rows):
        log.info("skipped %d training rows with fewer than %d headline words", len(rows) - len(keep),
                 config["data"]["min_headline_words"])
    seen: set[str] = set()
    unique = []
    for row in keep:
        keys = ("a:" + " ".join(row["article"].split()), "h:" + " ".join(row["headline"].lower().split()))
        if not seen.intersection(keys):
            unique.append(row)
        seen.update(keys)
    if len(unique) < len(keep):
        log.info("skipped %d training rows repeating an article or headline", len(keep) - len(unique))
    keep = unique
    if not keep:
        raise InputError("no training rows left", field="data.train")
    return keep
