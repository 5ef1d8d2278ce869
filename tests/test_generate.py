"""Summarizer API on tiny random T5, BART and Gemma3 models (built here, nothing downloaded),
plus tables for headline post-processing and prompt rendering."""

import json

import pytest
from _tiny_models import build_model, build_tokenizer

from eval.base.errors import InputError
from summarizer.postprocess import clean_headline, clean_summary
from summarizer.prompts import PromptTemplate

ARTICLES = [
    "Oil prices rose in Asia as traders watched the talks.",
    "The city council voted to build a new bridge over the river. " * 3,
    "Shares of Northwind Foods fell after the company cut its profit forecast.",
]
LONG = "A heavy snowstorm closed schools and cancelled flights on Monday. " * 60


@pytest.fixture(scope="module", params=["t5", "bart", "gemma3"])
def tiny(request, tmp_path_factory):
    import torch

    torch.set_num_threads(1)
    return request.param, build_model(request.param, tmp_path_factory.mktemp(request.param))


def _summarizer(path, **options):
    from summarizer import Summarizer

    options.setdefault("prompt", "headline-zero-shot")
    return Summarizer.from_pretrained(str(path), max_new_tokens=6, **options)


def test_one_result_per_article_in_order_and_batch_invariant(tiny):
    kind, path = tiny
    summarizer = _summarizer(path)
    batched = summarizer.generate(ARTICLES, batch_size=3)
    singles = [summarizer.generate(article) for article in ARTICLES]
    assert len(batched) == 3
    # Batching (padding, length-sorting) must not change greedy outputs or token counts.
    assert [(r.text, r.output_tokens, r.input_tokens) for r in batched] == [
        (r.text, r.output_tokens, r.input_tokens) for r in singles
    ]
    for result in batched:
        assert result.error is None and not result.truncated
        assert 1 <= result.output_tokens <= 6 and result.seconds > 0
        assert result.hit_length_cap == (result.output_tokens == 6 and "\n" not in result.text)


def test_empty_article_gets_an_error_not_a_dropped_row(tiny):
    _, path = tiny
    results = _summarizer(path).generate(["", ARTICLES[0], "   "], batch_size=2)
    assert [r.error for r in results] == ["empty article", None, "empty article"]
    assert results[0].text == "" and results[0].output_tokens == 0


def test_long_article_is_cut_to_the_budget_and_flagged(tiny):
    _, path = tiny
    summarizer = _summarizer(path, max_input_tokens=120)
    short, long = summarizer.generate([ARTICLES[0], LONG])
    assert not short.truncated and long.truncated
    assert long.input_tokens <= 120


def test_chunked_summary_reads_every_chunk(tiny):
    kind, path = tiny
    from summarizer import Summarizer

    summarizer = Summarizer.from_pretrained(
        str(path),
        task="summary",
        prompt="summary-zero-shot",
        max_input_tokens=120,
        max_new_tokens=4,
        chunked=True,
    )
    result = summarizer.generate(LONG)
    # Every chunk was read (input tokens add up past the budget) and nothing was cut.
    assert not result.truncated and result.input_tokens > 120


def test_signature_names_the_settings(tiny):
    kind, path = tiny
    sig = str(_summarizer(path).signature)
    assert sig.startswith("headline|model:") and "decode:greedy" in sig and "max_new:6" in sig
    assert "prompt:headline-zero-shot" in sig  # the prompt given, seq2seq models too
    if kind != "gemma3":  # (the tiny Gemma's 256 positions cannot hold its default few-shot prompt)
        assert "prompt:none" in str(_summarizer(path, prompt=None).signature)


def test_seq2seq_models_read_the_prompt_they_are_given(tiny):
    """Issue 15: a seq2seq model was always given the bare article, so a T5/BART trained with a
    prompt template (its prompt.yaml) was generated without it. With no prompt given, a seq2seq
    model still reads the bare article."""
    kind, path = tiny
    zero = PromptTemplate.load("headline-zero-shot")
    assert _summarizer(path)._plan(ARTICLES[0])[0].prompt == zero.render(ARTICLES[0])
    if kind != "gemma3":
        assert _summarizer(path, prompt=None)._plan(ARTICLES[0])[0].prompt == ARTICLES[0]


def test_prompt_yaml_beside_a_trained_model_folder_is_its_prompt(tmp_path):
    """A fully fine-tuned model (every seq2seq model trained here) is saved as a model folder, not
    an adapter, with its prompt.yaml beside it."""
    path = build_model("t5", tmp_path / "t5")
    (path / "prompt.yaml").write_text(
        "name: trained\ntask: headline\ninstruction: Write a headline.\n"
        "template: 'Article: {article}\n\n  Headline:'\nmax_article_tokens: 20\n"
    )
    summarizer = _summarizer(path, prompt=None)
    assert (
        summarizer.prompt.name == "trained"
        and summarizer.max_input_tokens == summarizer._overhead() + 20
    )


def test_a_model_in_train_mode_with_a_right_padded_tokenizer_writes_the_same(tiny, monkeypatch):
    """Issue 15: Summarizer relied on models.load for eval mode and left padding; a model handed
    over by a training loop (dropout on, tokenizer right-padded) gave other headlines. Both are
    set per call now, and handed back as they came."""
    kind, path = tiny
    summarizer = _summarizer(path, engine="transformers")
    expected = [r.text for r in summarizer.generate(ARTICLES, batch_size=3)]
    summarizer.model.train()
    summarizer.tokenizer.padding_side = "right"
    calls, generate = [], summarizer.model.generate

    def spy(
        **inputs,
    ):  # the tiny random Gemma writes the same text whatever it reads: look at its inputs
        calls.append((summarizer.model.training, inputs["attention_mask"]))
        return generate(**inputs)

    monkeypatch.setattr(summarizer.model, "generate", spy)
    assert [r.text for r in summarizer.generate(ARTICLES, batch_size=3)] == expected
    ((training, mask),) = calls
    assert not training and not mask.all()
    assert mask[
        :, 0 if kind != "gemma3" else -1
    ].all()  # padded on the right (seq2seq) or left (causal)
    assert summarizer.model.training and summarizer.tokenizer.padding_side == "right"


def test_default_generation_is_seed_independent_and_sampling_is_seeded(tiny):
    _, path = tiny
    summarizer = _summarizer(path)
    assert (
        summarizer.generate(ARTICLES[0], seed=1).text
        == summarizer.generate(ARTICLES[0], seed=2).text
    )
    a = summarizer.generate(ARTICLES[0], seed=7, do_sample=True).text
    assert a == summarizer.generate(ARTICLES[0], seed=7, do_sample=True).text


def test_prompt_too_long_for_budget_is_a_clear_error(tmp_path):
    path = build_model("gemma3", tmp_path)
    with pytest.raises(ValueError, match="no room for the article"):
        _summarizer(path, prompt="headline-few-shot", max_input_tokens=40)


def test_peft_adapter_folder_loads_base_and_its_prompt(tmp_path, monkeypatch):
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from summarizer import models

    base = build_model("gemma3", tmp_path / "base")
    model = AutoModelForCausalLM.from_pretrained(base)
    lora = get_peft_model(
        model, LoraConfig(r=2, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    )
    adapter = tmp_path / "adapter"
    lora.save_pretrained(adapter)
    cfg = json.loads((adapter / "adapter_config.json").read_text())
    assert cfg["base_model_name_or_path"] == str(base)
    (adapter / "prompt.yaml").write_text("prompt: headline-zero-shot\n")

    def no_gemma():  # an adapter of another base took minutes de-quantizing the bundled Gemma
        raise AssertionError("the bundled Gemma was prepared for an adapter of another base")

    monkeypatch.setattr(models, "default_model_path", no_gemma)
    summarizer = _summarizer(adapter, prompt=None)
    assert summarizer.model_name == f"{base.name}+adapter"
    assert summarizer.prompt.name == "headline-zero-shot"
    with torch.no_grad():  # the adapter really changes the weights (init_lora_weights=False)
        merged = summarizer.model.model.layers[0].self_attn.q_proj.weight
        plain = model.model.layers[0].self_attn.q_proj.weight
        assert not torch.allclose(merged, plain)
    assert summarizer.generate(ARTICLES[0]).error is None


def test_loading_an_adapter_prints_no_future_warning(tmp_path):
    """Issue 15 bug 12: the demo printed transformers' `is_gradient_checkpointing` FutureWarning
    (peft reads the deprecated property when it wraps the base model)."""
    import warnings

    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from summarizer import models

    base = build_model("gemma3", tmp_path / "base")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # building the adapter is not what is tested
        lora = get_peft_model(
            AutoModelForCausalLM.from_pretrained(base), LoraConfig(r=2, target_modules=["q_proj"])
        )
        lora.save_pretrained(tmp_path / "adapter")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        models.load(str(tmp_path / "adapter"))
    assert [str(w.message) for w in caught if issubclass(w.category, FutureWarning)] == []


def test_adapter_prompt_with_max_article_tokens_sets_the_input_budget(tmp_path):
    base = build_model("gemma3", tmp_path / "base")
    prompt = tmp_path / "prompt.yaml"
    prompt.write_text(
        "name: trained\ntask: headline\ninstruction: Write a headline.\n"
        "template: 'Article: {article}\n\n  Headline:'\nmax_article_tokens: 20\n"
    )
    summarizer = _summarizer(base, prompt=str(prompt))
    assert summarizer.max_input_tokens == summarizer._overhead() + 20
    result = summarizer.generate(LONG)
    assert result.truncated and result.input_tokens == summarizer.max_input_tokens
    # an explicit budget still wins
    assert _summarizer(base, prompt=str(prompt), max_input_tokens=100).max_input_tokens == 100


@pytest.mark.parametrize(
    "raw, casing, expected",
    [
        (" Oil prices rise.\nMore text", "as-is", "Oil prices rise"),
        ("\n\nHeadline: Council approves bridge", "as-is", "Council approves bridge"),
        ('"Snowstorm shuts schools."', "as-is", "Snowstorm shuts schools"),
        ("Talks with U.S.", "as-is", "Talks with U.S."),
        ("Markets wait...", "as-is", "Markets wait..."),
        ("Oil Prices Rise In Asia", "sentence", "Oil prices rise in asia"),
        ("NASA Finds Water On Mars", "sentence", "NASA finds water on mars"),
        ("U.S. STOCKS FALL ON RATE FEARS", "sentence", "U.S. stocks fall on rate fears"),
        ("oil prices rise in the US", "title", "Oil Prices Rise in the US"),
        ("apple unveils new iPhone for the fall", "title", "Apple Unveils New iPhone for the Fall"),
        ("what the vote is for", "title", "What the Vote Is For"),
        ("", "as-is", ""),
    ],
)
def test_clean_headline(raw, casing, expected):
    assert clean_headline(raw, casing) == expected


def test_clean_summary_and_bad_casing():
    assert clean_summary("  First line. \n\n Second line.\n") == "First line.\nSecond line."
    with pytest.raises(ValueError, match="casing"):
        clean_headline("x", "shouting")


def test_prompt_plain_and_chat_rendering():
    few = PromptTemplate.load("headline-few-shot")
    text = few.render("Body {with braces}.")
    assert text.startswith(few.instruction) and text.endswith(
        "Article: Body {with braces}.\nHeadline:"
    )
    assert text.count("Headline:") == len(few.examples) + 1

    tokenizer = build_tokenizer("gemma3")
    tokenizer.chat_template = (
        "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}"
        "{% if add_generation_prompt %}<assistant>{% endif %}"
    )
    chat = few.render("Body.", tokenizer)
    assert (
        chat.count("<user>") == len(few.examples) + 1
        and chat.count("<assistant>") == len(few.examples) + 1
    )
    assert chat.endswith("Article: Body.\nHeadline:\n<assistant>")


CHAT = (
    "{% for m in messages %}<{{ m['role'] }}>{{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}<assistant>{% endif %}"
)


@pytest.mark.parametrize(
    "instruction, chat, expected",
    [
        ("Write.", False, "Write.\n\nArticle: A.\nHeadline:"),
        ("", False, "Article: A.\nHeadline:"),  # was "\n\nArticle: ...", not what training saw
        ("Write.", True, "<user>Write.\n\nArticle: A.\nHeadline:\n<assistant>"),
        ("", True, "<user>Article: A.\nHeadline:\n<assistant>"),
    ],
)
def test_an_empty_instruction_adds_no_blank_line(instruction, chat, expected):
    prompt = PromptTemplate("p", "headline", instruction, "Article: {article}\nHeadline:")
    tokenizer = build_tokenizer("gemma3")
    tokenizer.chat_template = CHAT if chat else None
    assert prompt.render("A.", tokenizer) == expected


@pytest.mark.parametrize(
    "yaml_text, field",
    [
        ("task: headline\ninstruction: x\n", "template"),
        ("task: headline\ninstruction: x\ntemplate: 'no slot'\n", "template"),
        (
            "task: headline\ninstruction: x\ntemplate: '{article}'\nexamples: [{article: a}]\n",
            "examples[0]",
        ),
    ],
)
def test_bad_prompt_files_name_the_field(tmp_path, yaml_text, field):
    path = tmp_path / "p.yaml"
    path.write_text(yaml_text)
    with pytest.raises(InputError, match=field.replace("[", r"\[").replace("]", r"\]")):
        PromptTemplate.load(path)


@pytest.mark.slow
@pytest.mark.parametrize(
    "model, expected_name",
    [
        (None, "gemma-3-270m+gemma3-270m-headline"),  # the default: base + trained adapter
        ("gemma-3-270m", "gemma-3-270m"),  # the base with the few-shot prompt
    ],
)
def test_default_model_writes_sane_headlines(model, expected_name):
    """The bundled Gemma-3-270M (converted from GGUF on first use) on articles written for this test."""
    import re

    import torch

    from summarizer import Summarizer

    torch.set_num_threads(2)
    articles = [
        "The city council of Harbor Point voted on Tuesday to close the old Main Street ferry after "
        "the new Alder River bridge opened, saying the ferry had lost most of its passengers.",
        "Northwind Foods said on Thursday it would hire 400 workers at its new bakery in Lakeside, "
        "its biggest investment in the region in a decade.",
        "Heavy rain flooded dozens of homes in the valley town of Greenford overnight, and "
        "officials opened the school gym as a shelter for families.",
    ]
    summarizer = Summarizer.from_pretrained(model)
    assert summarizer.model_name == expected_name and summarizer.engine == "ctranslate2"
    results = summarizer.generate(articles, batch_size=3)
    # the default engine writes what transformers writes
    reference = Summarizer(
        summarizer.loaded,
        engine="transformers",
        prompt=summarizer.prompt,
        max_input_tokens=summarizer.max_input_tokens,
    )
    assert [r.text for r in reference.generate(articles, batch_size=1)] == [r.text for r in results]
    for article, result in zip(articles, results):
        words = re.findall(r"[a-z]+", result.text.lower())
        assert result.error is None and not result.truncated
        assert "\n" not in result.text and not result.text.endswith(".")
        assert 2 <= len(words) <= 20, result.text
        # On topic: shares a content word (4+ letters) with its article.
        assert {w for w in words if len(w) > 3} & set(re.findall(r"[a-z]+", article.lower())), (
            result.text
        )


@pytest.mark.parametrize(
    "name, bundled",
    [
        ("gemma3-270m-headline", True),  # a shipped adapter, by its folder name
        ("gemma3-270m-no-such", False),
        ("google/gemma-3-270m", False),  # hub ids are never taken for adapters
        ("./gemma3-270m-headline", False),
    ],
)
def test_bundled_adapter_names(name, bundled):
    from summarizer.models import ADAPTERS_DIR, bundled_adapter

    assert (bundled_adapter(name) == ADAPTERS_DIR / name) is bundled


def test_a_local_folder_wins_over_a_bundled_adapter_name(tmp_path, monkeypatch):
    from summarizer.models import bundled_adapter

    monkeypatch.chdir(tmp_path)
    (tmp_path / "gemma3-270m-headline").mkdir()
    assert bundled_adapter("gemma3-270m-headline") is None
