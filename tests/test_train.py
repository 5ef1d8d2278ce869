"""summarizer.train on tiny random models built from configs (T5 full fine-tuning, Gemma3 +
LoRA) with a tiny word-level tokenizer: loss goes down, a killed run resumes to exactly the
uninterrupted result, configs and data give clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from eval.base.errors import InputError
from summarizer import train as T
from summarizer import train_batches as B
from summarizer import train_config as C
from summarizer import train_data as D
from summarizer import train_eval as E
from summarizer.cli import main as cli_main

FIXTURES = Path(__file__).parent / "fixtures"
DATA = FIXTURES / "train_headlines.jsonl"


def _build_tokenizer():
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    split, words = pre_tokenizers.Whitespace(), set()
    for line in DATA.read_text().splitlines():
        row = json.loads(line)
        for text in (row["article"], row["headline"], "Article: Headline:"):
            words.update(word for word, _ in split.pre_tokenize_str(text))
    vocab = {w: i for i, w in enumerate(["<pad>", "</s>", "<s>", "<unk>"] + sorted(words))}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        pad_token="<pad>",
        eos_token="</s>",
        bos_token="<s>",
        unk_token="<unk>",
    )


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    """Folders holding a tiny random T5 and a tiny random Gemma3 causal LM, each with the tokenizer."""
    import torch
    from transformers import (
        Gemma3ForCausalLM,
        Gemma3TextConfig,
        T5Config,
        T5ForConditionalGeneration,
    )

    torch.manual_seed(0)
    tokenizer = _build_tokenizer()
    ids = dict(pad_token_id=0, eos_token_id=1, bos_token_id=2)
    t5 = T5ForConditionalGeneration(
        T5Config(
            vocab_size=len(tokenizer),
            d_model=32,
            d_ff=64,
            d_kv=16,
            num_layers=2,
            num_heads=2,
            decoder_start_token_id=0,
            dropout_rate=0.1,
            **ids,
        )
    )
    gemma = Gemma3ForCausalLM(
        Gemma3TextConfig(
            vocab_size=len(tokenizer),
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=2,
            num_attention_heads=2,
            num_key_value_heads=1,
            head_dim=16,
            max_position_embeddings=256,
            sliding_window=16,
            layer_types=["sliding_attention", "full_attention"],
            initializer_range=0.5,
            **ids,
        )
    )  # frozen tied embeddings must be able to make sharp logits
    folders = {}
    for name, model in (("t5", t5), ("gemma", gemma)):
        folder = tmp_path_factory.mktemp(name)
        model.save_pretrained(folder)
        tokenizer.save_pretrained(folder)
        folders[name] = str(folder)
    return folders


def _config(tmp_path, model_dir, family, **overrides):
    lora = "{r: 8, alpha: 16, dropout: 0.1, target_modules: [q_proj, k_proj, v_proj, o_proj, up_proj, down_proj]}"
    items = [
        f"output_dir={tmp_path / 'run'}",
        f"model.name_or_path={model_dir}",
        f"data.train=[{{path: {DATA}}}]",
        f"data.dev=[{{path: {DATA}, max_examples: 4}}]",
        "prompt.max_article_tokens=24",
        "train.batch_size=4",
        "train.lr=1e-2",
        "train.warmup_steps=2",
        "train.log_every=1",
        "train.max_steps=12",
        "train.save_every=5",
        "eval.every=0",
        "eval.max_new_tokens=6",
        "eval.bootstrap=50",
    ]
    if family == "gemma":
        items.append(f"model.lora={lora}")
    items += [f"{k}={v}" for k, v in overrides.items()]
    return C.load_config(None, items)


def _losses(run_dir):
    return [
        r["loss"]
        for r in map(json.loads, (Path(run_dir) / "log.jsonl").read_text().splitlines())
        if r["event"] == "train"
    ]


def _weights(run_dir):
    import torch

    state = torch.load(Path(run_dir) / "checkpoint.pt", weights_only=True)["model"]
    return state


@pytest.mark.parametrize("family", ["t5", "gemma"])
def test_loss_goes_down(tmp_path, tiny_models, family):
    lr = {"t5": 1e-2, "gemma": 3e-2}[family]  # LoRA starts at zero and needs a larger step
    config = _config(
        tmp_path, tiny_models[family], family, **{"train.max_steps": 30, "train.lr": lr}
    )
    summary = T.train(config)
    losses = _losses(config["output_dir"])
    assert summary["step"] == 30 and len(losses) == 30
    first, last = sum(losses[:3]) / 3, sum(losses[-3:]) / 3
    assert last < 0.7 * first, (first, last)
    assert (Path(config["output_dir"]) / "final" / "prompt.yaml").exists()
    saved = yaml.safe_load((Path(config["output_dir"]) / "config.yaml").read_text())
    assert saved == config  # the resolved config sits next to the checkpoint


@pytest.mark.parametrize("family", ["t5", "gemma"])
def test_killed_and_resumed_run_matches_uninterrupted(tmp_path, tiny_models, family):
    """Kill after step 7 (checkpoint at 5, steps 6-7 lost), resume: same losses, same weights,
    same dev evaluations as one uninterrupted run. Dropout is on, so RNG state matters."""
    import torch

    extra = {"eval.every": 6, "eval.patience": 0}
    whole = _config(tmp_path / "whole", tiny_models[family], family, **extra)
    T.train(whole)
    killed = _config(tmp_path / "killed", tiny_models[family], family, **extra)
    assert T.train(killed, stop_after_steps=7)["killed_at"] == 7
    summary = T.train(killed)
    assert summary["step"] == 12
    assert _losses(killed["output_dir"]) == _losses(whole["output_dir"])
    a, b = _weights(whole["output_dir"]), _weights(killed["output_dir"])
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a)

    def evals(cfg):
        rows = map(json.loads, (Path(cfg["output_dir"]) / "log.jsonl").read_text().splitlines())
        return [(r["step"], r["rouge1"]) for r in rows if r["event"] == "eval"]

    assert evals(killed) == evals(whole) and [s for s, _ in evals(whole)] == [6, 12]


def test_time_budget_stops_and_a_larger_budget_resumes(tmp_path, tiny_models):
    tight = _config(tmp_path, tiny_models["t5"], "t5", **{"train.max_minutes": 0.000001})
    first = T.train(tight)
    assert first["step"] == 1 and first["stopped"].startswith("time budget")
    assert T.train(tight)["step"] == 1  # the same budget: nothing more to do
    larger = _config(tmp_path, tiny_models["t5"], "t5", **{"train.max_minutes": 0})
    summary = T.train(larger)
    assert summary["step"] == 12 and summary["stopped"] is None
    assert len(_losses(larger["output_dir"])) == 12


@pytest.mark.parametrize(
    "position, count, n, expected_len", [(0, 4, 10, 4), (8, 4, 10, 4), (0, 25, 10, 25)]
)
def test_sample_order_is_a_pure_function_of_position(position, count, n, expected_len):
    first = B.sample_order(position, count, n, seed=3)
    assert first == B.sample_order(position, count, n, seed=3)
    assert len(first) == expected_len
    # Each epoch is a permutation: 0..9 once each.
    assert sorted(B.sample_order(0, n, n, seed=3)) == list(range(n))
    assert B.sample_order(0, n, n, seed=3) != B.sample_order(0, n, n, seed=4)


@pytest.mark.parametrize(
    "overrides, where",
    [
        (["train.lrr=1"], "unknown setting 'train.lrr'"),
        (["colour=red"], "unknown setting 'colour'"),
        (["train.lr=-1"], 'field "train.lr"'),
        (["train.batch_size=0"], 'field "train.batch_size"'),
        (["train.num_threads=0"], 'field "train.num_threads"'),
        (["train.length_buckets=-1"], 'field "train.length_buckets"'),
        (["eval.metric=bleu"], 'field "eval.metric"'),
        (["prompt.template=no slot"], 'field "prompt.template"'),
        (["data.train=[{path: x.jsonl, recipe: bbc}]"], 'field "data.train[0]"'),
        (["data.train=[{path: x.jsonl, colum: a}]"], "unknown keys ['colum']"),
        (["train=3"], "'train' must be a mapping"),
        (["train.lr"], "is not KEY=VALUE"),
    ],
)
def test_bad_settings_name_the_setting(overrides, where):
    with pytest.raises(InputError, match=__import__("re").escape(where)):
        C.load_config(None, overrides)


def test_config_file_bases_and_overrides(tmp_path):
    (tmp_path / "base.yaml").write_text("train: {lr: 1.0e-3, batch_size: 2}\neval: {every: 7}\n")
    (tmp_path / "run.yaml").write_text("base: base.yaml\ntrain: {batch_size: 4}\n")
    config = C.load_config(
        tmp_path / "run.yaml", ["--train.max_steps=9", "eval.bootstrap=10", "train.lr=1e-4"]
    )
    got = (
        config["train"]["lr"],
        config["train"]["batch_size"],
        config["train"]["max_steps"],
        config["eval"]["every"],
        config["eval"]["bootstrap"],
        config["train"]["seed"],
    )
    assert got == (1e-4, 4, 9, 7, 10, C.LoopConfig().seed)
    (tmp_path / "bad.yaml").write_text("train: {learning_rate: 1}\n")
    with pytest.raises(InputError, match="bad.yaml.*unknown setting 'train.learning_rate'"):
        C.load_config(tmp_path / "bad.yaml")


@pytest.mark.parametrize(
    "text, overrides",
    [
        (
            "train: {lr: 1e-4, max_minutes: 1e-6}\n",
            [],
        ),  # YAML 1.1 reads an exponent without a dot as a string
        ("{}\n", ["train.lr=1e-4", "--train.max_minutes=1e-6"]),
    ],
)
def test_exponents_without_a_dot_are_numbers(tmp_path, text, overrides):
    (tmp_path / "run.yaml").write_text(text)
    config = C.load_config(tmp_path / "run.yaml", overrides)
    assert (config["train"]["lr"], config["train"]["max_minutes"]) == (1e-4, 1e-6)


def test_a_base_chain_that_loops_is_an_error(tmp_path):
    (tmp_path / "a.yaml").write_text("base: b.yaml\n")
    (tmp_path / "b.yaml").write_text("base: [a.yaml]\n")
    with pytest.raises(InputError, match="a.yaml: config `base:` chain loops back"):
        C.load_config(tmp_path / "a.yaml")


@pytest.mark.parametrize(
    "spec, error",
    [
        ({"path": str(FIXTURES / "train_headlines.csv")}, 'field "article"'),  # columns story/title
        (
            {"path": str(FIXTURES / "train_headlines.csv"), "article_column": "story"},
            'field "headline"',
        ),
        ({"path": str(DATA), "headline_column": "title"}, 'field "title"'),
        ({"path": str(FIXTURES / "missing.jsonl")}, "data file not found"),
    ],
)
def test_missing_columns_and_files_are_clear_errors(spec, error):
    with pytest.raises(InputError, match=__import__("re").escape(error)):
        D.load_examples([spec], "train", seed=0)


def test_column_mapping_reads_csv():
    rows = D.load_examples(
        [
            {
                "path": str(FIXTURES / "train_headlines.csv"),
                "article_column": "story",
                "headline_column": "title",
                "max_examples": 3,
            }
        ],
        "train",
        seed=0,
    )
    assert len(rows) == 3 and all(r["article"] and r["headline"] for r in rows)


def test_cli_reports_bad_config_in_one_line(tmp_path, capsys):
    (tmp_path / "c.yaml").write_text("model: {name: t5}\n")
    assert cli_main(["train", "--config", str(tmp_path / "c.yaml")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "unknown setting 'model.name'" in err
    assert cli_main(["train", "--config", str(tmp_path / "c.yaml"), "--model.name_or_path=x"]) == 2


@pytest.mark.parametrize(
    "prediction, article, copied",
    [
        ("Council backs new bridge", "The council backs new bridge plans. Work starts soon.", True),
        ("council  BACKS new bridge", "The council backs new bridge plans.", True),
        (
            "Work starts soon",
            "The council backs new bridge plans. Work starts soon.",
            False,
        ),  # 2nd sentence
        ("Council bridge", "The council bridge.", False),  # under 3 words never counts
        ("Bridge plan approved", "The council backs new bridge plans.", False),
    ],
)
def test_first_sentence_copy_rate(prediction, article, copied):
    assert E.headline_checks([prediction], [article])["first_sentence_copy_rate"] == float(copied)


def test_early_stopping_on_dev_rouge(tmp_path, tiny_models):
    """A learning rate too small to change any prediction: the second evaluation cannot beat the
    first, so patience 1 stops the run there; best/ keeps the first evaluation."""
    config = _config(
        tmp_path,
        tiny_models["t5"],
        "t5",
        **{"train.lr": 1e-12, "eval.every": 2, "eval.patience": 1, "train.max_steps": 10},
    )
    summary = T.train(config)
    assert summary["step"] == 4 and summary["stopped"].startswith("early stopping")
    assert summary["best_step"] == 2
    best = json.loads((Path(config["output_dir"]) / "best" / "metrics.json").read_text())
    assert best["step"] == 2 and 0 <= best["rouge1_ci"][0] <= best["rouge1"] <= best["rouge1_ci"][1]


@pytest.mark.parametrize("softcap", [None, 5.0])
@pytest.mark.parametrize("masked_logits", [True, False])
def test_causal_loss_equals_the_models_own_loss(tiny_models, softcap, masked_logits):
    """Logits only at label positions (or, for a forward without boolean logits_to_keep, cut
    from all positions) give the loss the model computes itself, soft-capping included."""
    import torch
    from transformers import Gemma3ForCausalLM

    model = Gemma3ForCausalLM.from_pretrained(
        tiny_models["gemma"], final_logit_softcapping=softcap
    ).eval()
    tokenizer = _build_tokenizer()
    prompt = {**C.load_config()["prompt"], "max_article_tokens": 24}
    rows = [json.loads(line) for line in DATA.read_text().splitlines()[:3]]
    pairs = [
        (
            B.encode_prompt(tokenizer, prompt, r["article"]),
            B.encode_target(tokenizer, prompt, r["headline"], "causal"),
        )
        for r in rows
    ]
    batch = B.collate(pairs, tokenizer.pad_token_id, "causal")
    if not masked_logits:
        model._keeps_masked_logits = False
    with torch.no_grad():
        ours = T.compute_loss(model, batch, "causal")
        theirs = model(**batch).loss
    assert abs(ours.item() - theirs.item()) < 1e-6


def test_bucketed_order_is_a_pure_permutation_with_less_padding():
    import random as _random

    lengths = [_random.Random(i).randint(5, 100) for i in range(50)]
    order = B.BucketedOrder(50, seed=3, batch_size=4, window=4, length_of=lengths.__getitem__)
    first = order.rows(0, 50)
    assert sorted(first) == list(range(50))  # one epoch: every row once
    again = B.BucketedOrder(50, seed=3, batch_size=4, window=4, length_of=lengths.__getitem__)
    assert [again.rows(p, 4) for p in range(0, 120, 4)] == [
        order.rows(p, 4) for p in range(0, 120, 4)
    ]
    assert (
        sorted(order.rows(50, 50)) == list(range(50)) and order.rows(50, 50) != first
    )  # next epoch

    def padding(rows):
        batches = [rows[i : i + 4] for i in range(0, 48, 4)]
        return sum(
            max(lengths[i] for i in b) * len(b) - sum(lengths[i] for i in b) for b in batches
        )

    assert padding(first) < 0.5 * padding(B.sample_order(0, 50, 50, seed=3))


@pytest.mark.parametrize(
    "setting, load, expected",
    [(3, 9.0, 3), ("auto", 0.1, 2), ("auto", 0.7, 1), ("auto", 1.2, 1), ("auto", 7.0, 1)],
)
def test_pick_threads(monkeypatch, setting, load, expected):
    monkeypatch.setattr(T.os, "sched_getaffinity", lambda _pid: {0, 1}, raising=False)
    monkeypatch.setattr(T.os, "getloadavg", lambda: (load, load, load))
    assert T.pick_threads(setting) == expected


def test_the_unseen_outlet_dev_set_cannot_be_trained_on():
    with pytest.raises(InputError, match=r'field "data.train\[0\]".*no train split'):
        D.load_examples([{"recipe": "financial"}], "train", seed=0)


@pytest.mark.parametrize(
    "rows, kept",
    [
        ([("a one", "h one"), ("a two", "h two")], ["h one", "h two"]),
        ([("a one", "h one"), ("a  one", "h two")], ["h one"]),  # same article (spacing aside)
        ([("a one", "h one"), ("a two", "H  One")], ["h one"]),  # same headline (case aside)
        ([("a one", "h"), ("a two", "h two")], ["h two"]),  # under min_headline_words
    ],
)
def test_filter_drops_repeats_and_short_headlines(rows, kept):
    config = C.load_config(None, ["data.min_headline_words=2"])
    got = D.filter_rows(
        [
            {"id": str(i), "article": a, "headline": h, "source": "s"}
            for i, (a, h) in enumerate(rows)
        ],
        config["data"]["min_headline_words"],
    )
    assert [r["headline"] for r in got] == kept


def test_keep_every_saves_the_adapter_of_those_steps(tmp_path, tiny_models):
    config = _config(
        tmp_path, tiny_models["gemma"], "gemma", **{"train.max_steps": 4, "train.keep_every": 2}
    )
    T.train(config)
    kept = sorted(p.name for p in (Path(config["output_dir"]) / "steps").iterdir())
    assert kept == ["step-00002", "step-00004"]
    assert all((Path(config["output_dir"]) / "steps" / k / "prompt.yaml").exists() for k in kept)


def test_report_to_tensorboard_writes_loss_lr_and_dev_rouge_interval(tmp_path, tiny_models):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    config = _config(
        tmp_path,
        tiny_models["t5"],
        "t5",
        **{"train.max_steps": 4, "eval.every": 2, "train.report_to": "tensorboard"},
    )
    T.train(config)
    events = EventAccumulator(str(Path(config["output_dir"]) / "tensorboard"))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {
        "train/loss",
        "train/lr",
        "eval/rouge1",
        "eval/rouge1_ci_low",
        "eval/rouge1_ci_high",
    } <= tags
    logged = [
        r
        for r in map(
            json.loads, (Path(config["output_dir"]) / "log.jsonl").read_text().splitlines()
        )
        if r["event"] == "train"
    ]
    assert [e.value for e in events.Scalars("train/loss")] == pytest.approx(
        [r["loss"] for r in logged]
    )


def test_report_to_rejects_unknown_values(tmp_path):
    from summarizer.runlog import RunLog

    with pytest.raises(ValueError, match="report_to"):
        RunLog(tmp_path / "log.jsonl", "wandb")


class _Model:
    """save_pretrained writes `text` as its weights; with `fail` it then raises, as a full disk
    or a kill in the middle of a save would."""

    def __init__(self, text, fail=False):
        self.text, self.fail = text, fail

    def save_pretrained(self, folder):
        (Path(folder) / "adapter_model.safetensors").write_text(self.text)
        if self.fail:
            raise OSError("No space left on device")


def _save_best(model, out):
    config = C.load_config(None, [f"output_dir={out}"])
    T._save_best(
        model,
        None,
        config,
        {"rouge1": 1.0},
        ["a headline"],
        [{"id": "1", "source": "s", "headline": "h"}],
        out,
        "causal",
    )


def _save_final(folder):
    return lambda model, out: T._save_final(
        model, None, C.load_config(None, [f"output_dir={out}"]), out / folder, "causal"
    )


@pytest.mark.parametrize(
    "save, folder, folders",
    [
        (_save_best, "best", ["best"]),
        (_save_final("final"), "final", ["final"]),
        (_save_final("steps/step-00002"), "steps/step-00002", ["steps", "steps/step-00002"]),
    ],
)
def test_a_failed_model_save_keeps_the_previous_folder_and_leaves_no_temp(
    tmp_path, save, folder, folders
):
    """Bug 6 (issue 15): best/ and final/ were built in a fixed `.tmp` folder that a failed save
    left behind, and final/ was deleted before its replacement was renamed in."""
    save(_Model("old"), tmp_path)
    with pytest.raises(OSError):
        save(_Model("new", fail=True), tmp_path)
    assert (tmp_path / folder / "adapter_model.safetensors").read_text() == "old"
    assert (tmp_path / folder / "prompt.yaml").exists()
    assert (
        sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_dir()) == folders
    )
    save(_Model("new"), tmp_path)
    assert (tmp_path / folder / "adapter_model.safetensors").read_text() == "new"


def test_a_failed_checkpoint_save_keeps_the_previous_checkpoint_and_leaves_no_temp(
    tmp_path, monkeypatch
):
    """Bug 6 (issue 15): the checkpoint went through a fixed `checkpoint.pt.tmp` that a failed
    save left behind."""
    import torch

    path = tmp_path / "checkpoint.pt"
    T.save_checkpoint(path, {"step": 1})

    def torn_save(state, file):
        Path(file).write_bytes(b"PK\x03\x04 half a checkpoint")
        raise OSError("No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(torch, "save", torn_save)
        with pytest.raises(OSError):
            T.save_checkpoint(path, {"step": 2})
    assert T.load_checkpoint(path) == {"step": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]


def test_a_best_folder_left_aside_by_a_kill_is_put_back_on_resume(tmp_path, tiny_models):
    """A kill between the two renames of a best/ swap leaves the old best/ aside; the next run
    puts it back before anything else."""
    config = _config(tmp_path, tiny_models["t5"], "t5", **{"train.max_steps": 2})
    aside = Path(config["output_dir"]) / ".best.old"
    aside.mkdir(parents=True)
    (aside / "metrics.json").write_text('{"step": 5}\n')
    T.train(config)
    assert json.loads((Path(config["output_dir"]) / "best" / "metrics.json").read_text()) == {
        "step": 5
    }
    assert not aside.exists()


@pytest.mark.parametrize("family", ["t5", "gemma"])
def test_dev_predictions_are_what_summarizer_writes_for_the_saved_model(
    tmp_path, tiny_models, family
):
    """Issue 15: dev evaluation generates through summarizer.Summarizer, so best/dev_predictions.jsonl
    is what a user of best/ gets from `Summarizer.from_pretrained` (its prompt.yaml, for T5 too)."""
    from summarizer import Summarizer

    lr = {"t5": 1e-2, "gemma": 3e-2}[family]
    config = _config(
        tmp_path,
        tiny_models[family],
        family,
        **{"train.max_steps": 30, "train.lr": lr, "eval.every": 30},
    )
    T.train(config)
    best = Path(config["output_dir"]) / "best"
    saved = [json.loads(line) for line in (best / "dev_predictions.jsonl").read_text().splitlines()]
    dev = D.load_examples(config["data"]["dev"], "dev", config["train"]["seed"])
    summarizer = Summarizer.from_pretrained(
        str(best), engine="transformers", max_new_tokens=config["eval"]["max_new_tokens"]
    )
    assert summarizer.prompt.name == "run-trained"
    assert [r["prediction"] for r in saved] == [
        r.text for r in summarizer.generate([r["article"] for r in dev])
    ]
    assert any(r["prediction"] for r in saved), saved


def test_dev_evaluation_leaves_the_training_state_as_it_was(tmp_path, tiny_models):
    """The model stays in train mode, the tokenizer right-padded and the RNG (dropout masks)
    where it was: evaluating does not change the training that follows it."""
    import torch

    config = _config(tmp_path, tiny_models["gemma"], "gemma")
    model, tokenizer, family = T.load_model(config)
    model.train()
    tokenizer.padding_side = "right"
    rows = D.load_examples(config["data"]["dev"], "dev", seed=0)
    rng = torch.get_rng_state()
    metrics, predictions = E.evaluate(
        E.dev_summarizer(model, tokenizer, config, family), rows, config
    )
    assert (
        model.training
        and tokenizer.padding_side == "right"
        and torch.equal(rng, torch.get_rng_state())
    )
    assert len(predictions) == len(rows) and 0 <= metrics["rouge1"] <= 100


@pytest.mark.parametrize(
    "model, family, expected",
    [
        ("t5", "auto", "seq2seq"),
        ("t5", "seq2seq", "seq2seq"),
        ("gemma", "auto", "causal"),
        ("gemma", "causal", "causal"),
    ],
)
def test_load_model_goes_through_summarizer_models(tmp_path, tiny_models, model, family, expected):
    config = _config(tmp_path, tiny_models[model], model, **{"model.family": family})
    loaded, tokenizer, got = T.load_model(config)
    assert got == expected and tokenizer.pad_token is not None
    assert hasattr(loaded, "peft_config") == (expected == "causal")  # causal LMs get LoRA


def test_load_model_of_an_uncached_hub_id_offline_is_one_line_at_once(tmp_path, monkeypatch):
    """Training loads through summarizer.models.load, so a hub id gets eval.base.hub's offline-safe
    resolve like every other load: no hang, no traceback."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    config = C.load_config(
        None, [f"output_dir={tmp_path}", "model.name_or_path=nobody/no-such-model"]
    )
    with pytest.raises(InputError, match="'nobody/no-such-model' is not available offline"):
        T.load_model(config)


def test_a_lead_too_short_for_generation_fails_before_training(tmp_path, tiny_models):
    """Summarizer needs 16 article tokens; a run whose dev evaluation could not generate stops
    before its first step, with one line, not at its first evaluation."""
    config = _config(
        tmp_path, tiny_models["t5"], "t5", **{"prompt.max_article_tokens": 8, "eval.every": 5}
    )
    with pytest.raises(
        InputError, match='field "prompt.max_article_tokens".*no room for the article'
    ):
        T.train(config)
    assert not (Path(config["output_dir"]) / "checkpoint.pt").exists()
