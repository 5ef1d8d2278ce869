"""The CTranslate2 engine against transformers on tiny random Gemma 3 models (nothing downloaded):
same greedy output, a conversion that disagrees is refused, long rows go to transformers."""

import logging

import pytest
from _tiny_models import build_model

pytest.importorskip("ctranslate2")

ARTICLES = [
    "Oil prices rose in Asia as traders watched the talks.",
    "The city council voted.",
    "Shares fell.",
    "A heavy snowstorm closed schools and cancelled flights on Monday in the city.",
]


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMM_CACHE_DIR", str(tmp_path / "cache"))


def _pair(folder, task="headline", **options):
    from summarizer import Summarizer

    options = {"prompt": f"{task}-zero-shot", "max_new_tokens": 12, "task": task, **options}
    return (
        Summarizer.from_pretrained(str(folder), engine="transformers", **options),
        Summarizer.from_pretrained(str(folder), engine="ctranslate2", **options),
    )


def _rows(results):
    return [(r.text, r.output_tokens, r.hit_length_cap) for r in results]


@pytest.mark.parametrize("task", ["headline", "summary"])
def test_same_greedy_output_as_transformers_single_and_batched(tmp_path, task):
    reference, fast = _pair(build_model("gemma3", tmp_path / "m"), task=task)
    assert (reference.engine, fast.engine) == ("transformers", "ctranslate2")
    expected = _rows(reference.generate(ARTICLES, batch_size=1))
    assert _rows(fast.generate(ARTICLES, batch_size=1)) == expected
    assert _rows(fast.generate(ARTICLES, batch_size=4)) == expected  # prompts of different lengths
    assert "engine:ctranslate2|dtype:float32" in str(fast.signature)


def test_auto_picks_ctranslate2_for_causal_models_and_int8_is_named(tmp_path):
    from summarizer import Summarizer

    folder = build_model("gemma3", tmp_path / "m")
    assert (
        Summarizer.from_pretrained(str(folder), prompt="headline-zero-shot").engine == "ctranslate2"
    )
    int8 = Summarizer.from_pretrained(
        str(folder), prompt="headline-zero-shot", quantize="int8", max_new_tokens=4
    )
    assert "dtype:int8_float32" in str(int8.signature)
    assert all(r.error is None and r.output_tokens > 0 for r in int8.generate(ARTICLES))


def test_a_conversion_that_disagrees_is_refused(tmp_path, caplog):
    from summarizer import Summarizer

    # CTranslate2 ignores query_pre_attn_scalar; here it differs from head_dim (8)
    folder = build_model("gemma3", tmp_path / "m", query_pre_attn_scalar=256)
    with caplog.at_level(logging.WARNING):
        auto = Summarizer.from_pretrained(str(folder), prompt="headline-zero-shot")
    assert auto.engine == "transformers" and "disagrees with transformers" in caplog.text
    with pytest.raises(
        ValueError, match="disagrees with transformers"
    ):  # remembered, not re-converted
        Summarizer.from_pretrained(str(folder), prompt="headline-zero-shot", engine="ctranslate2")


def test_rows_beyond_the_sliding_window_use_transformers(tmp_path):
    reference, fast = _pair(
        build_model("gemma3", tmp_path / "m", sliding_window=120), max_new_tokens=30
    )
    tokens = [j.input_tokens + 30 for a in ARTICLES for j in fast._plan(a)]
    assert min(tokens) <= 120 < max(tokens)  # some rows on each engine
    assert _rows(fast.generate(ARTICLES, batch_size=4)) == _rows(
        reference.generate(ARTICLES, batch_size=4)
    )


@pytest.mark.parametrize(
    "kind, options, message",
    [
        (
            "gemma3",
            {"engine": "ctranslate2", "do_sample": True},
            "does not support do_sample exactly",
        ),
        (
            "gemma3",
            {"engine": "ctranslate2", "penalty_alpha": 0.6},
            "does not support penalty_alpha exactly",
        ),
        (
            "gemma3",
            {"engine": "auto", "num_beams": 2, "quantize": "int8"},
            "does not support num_beams exactly",
        ),
        ("gemma3", {"engine": "transformers", "quantize": "int8"}, "needs the ctranslate2 engine"),
        ("gemma3", {"engine": "fast"}, "engine must be one of"),
        ("t5", {"engine": "ctranslate2"}, "seq2seq models run on transformers"),
    ],
)
def test_bad_engine_options_are_clear_errors(tmp_path, kind, options, message):
    from summarizer import Summarizer

    with pytest.raises(ValueError, match=message):
        Summarizer.from_pretrained(
            str(build_model(kind, tmp_path / kind)), prompt="headline-zero-shot", **options
        )


@pytest.mark.parametrize("option", [{"do_sample": True}, {"num_beams": 3}])
def test_auto_mode_leaves_sampling_and_beams_to_transformers(tmp_path, option):
    from summarizer import Summarizer

    folder = build_model("gemma3", tmp_path / "m")
    assert (
        Summarizer.from_pretrained(str(folder), prompt="headline-zero-shot", **option).engine
        == "transformers"
    )
    explicit = Summarizer.from_pretrained(
        str(folder),
        prompt="headline-zero-shot",
        engine="ctranslate2",
        max_new_tokens=4,
        num_beams=3,
    )  # beams: allowed when asked for
    assert explicit.engine == "ctranslate2" and explicit.generate("Oil rose.").output_tokens > 0
