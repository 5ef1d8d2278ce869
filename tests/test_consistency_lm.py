"""The `lm` consistency backend: log-probs checked against a plain full forward pass of a tiny
random Gemma 3 (fast), spans as a table, and the real bundled Gemma-3-270M (slow)."""

from __future__ import annotations

import math

import pytest

from eval.consistency import ConsistencyChecker

ARTICLE = (
    "The council approved a budget of 1.8 million dollars on Tuesday. Mayor Jane Doe said "
    "the money will repair roads in Springfield. Work starts in May."
)


@pytest.fixture(scope="module")
def tiny_gemma(tmp_path_factory):
    pytest.importorskip("torch")
    from tests._tiny_models import build_model

    return build_model("gemma3", tmp_path_factory.mktemp("gemma"))


def _full_pass_log_probs(backend, context, summary):
    """Reference: logits at every position, no slicing; token t is predicted at position t-1."""
    torch = backend.torch
    ids = torch.tensor([context + summary])
    with torch.no_grad():
        log_probs = torch.log_softmax(backend.model(ids).logits[0].float(), -1)
    return [log_probs[len(context) + i - 1, tok].item() for i, tok in enumerate(summary)]


@pytest.mark.parametrize(
    "summary", ["Oil prices rose.", "  The council voted to build a bridge.", "Snow closed schools"]
)
def test_score_is_the_sigmoid_of_mean_pmi_against_no_article(tiny_gemma, summary):
    from eval.consistency.lm import LMBackend

    backend = LMBackend(model=str(tiny_gemma))
    [result] = backend.score_pairs([ARTICLE], [summary])
    tokens = backend._encode(" " + summary.strip())
    given = _full_pass_log_probs(
        backend, backend.article_prefix + backend._encode(ARTICLE) + backend.summary_prefix, tokens
    )
    bare = _full_pass_log_probs(backend, backend.bare_prefix, tokens)
    mean_gain = sum(g - b for g, b in zip(given, bare)) / len(tokens)
    assert result.score == pytest.approx(1 / (1 + math.exp(-mean_gain)), abs=1e-5)
    [(sentence, evidence, value)] = result.support
    assert (
        sentence == summary.strip() and evidence in ARTICLE and value == pytest.approx(result.score)
    )
    for span in result.spans:  # spans are whole words of the summary
        assert summary[span.start : span.end] == span.text and span.text.strip() == span.text


@pytest.mark.parametrize(
    "sliding_window", [512, 8]
)  # 8: the article runs past Gemma 3's local window
def test_summaries_of_one_article_share_its_pass(tmp_path, sliding_window):
    """Several summaries of one article continue from a copy of its key/value cache; the
    scores must equal scoring each pair alone (a plain full pass)."""
    from eval.consistency.lm import LMBackend
    from tests._tiny_models import build_model

    backend = LMBackend(model=str(build_model("gemma3", tmp_path, sliding_window=sliding_window)))
    summaries = ["Oil prices rose.", "The council voted to build a bridge.", "Work starts in May."]
    shared = backend.score_pairs(
        [ARTICLE, "Another article.", ARTICLE, ARTICLE], [summaries[0], "Hi.", *summaries[1:]]
    )
    alone = [
        backend.score_pairs([a], [s])[0]
        for a, s in [
            (ARTICLE, summaries[0]),
            ("Another article.", "Hi."),
            (ARTICLE, summaries[1]),
            (ARTICLE, summaries[2]),
        ]
    ]
    for got, want in zip(shared, alone):
        assert got.score == pytest.approx(want.score, abs=1e-5)
        assert got.spans == want.spans and [s[:2] for s in got.support] == [
            s[:2] for s in want.support
        ]


def test_article_tokens_are_capped_and_named_in_the_signature(tiny_gemma):
    checker = ConsistencyChecker("lm", threshold=0.5, model=str(tiny_gemma), max_article_tokens=16)
    # both articles start with the same 16 tokens, so only those are read
    [long, short] = checker.score([ARTICLE * 20, ARTICLE], ["Work starts in May."] * 2)
    assert long.error is None and 0 < long.score <= 1
    assert long.score == short.score and long.backend_scores == short.backend_scores
    assert "art_tok:16" in str(checker.signature) and "backend:lm" in str(checker.signature)


def test_support_scores_each_summary_sentence(tiny_gemma):
    from eval.consistency.lm import LMBackend

    [result] = LMBackend(model=str(tiny_gemma)).score_pairs(
        [ARTICLE], ["Work starts in May. Mayor Doe said so."]
    )
    assert [s for s, _, _ in result.support] == ["Work starts in May.", "Mayor Doe said so."]
    assert result.support[0][1] == "Work starts in May."
    assert (
        min(v for _, _, v in result.support) <= result.score <= max(v for _, _, v in result.support)
    )


@pytest.mark.parametrize(
    "summary, flagged, expected",
    [
        # (summary, one flag per word-token, span texts)
        ("Bank cuts rates", [False, True, False], ["cuts"]),
        ("talks with Macron in Paris", [True, False, True, True, False], ["talks", "Macron in"]),
        ("Rates rose", [False, False], []),
    ],
)
def test_flagged_tokens_become_merged_word_spans(summary, flagged, expected):
    from eval.consistency.lm import _word_spans

    offsets, start = [], 0
    for word in summary.split():  # offsets as a fast tokenizer gives them: with the leading space
        begin = summary.index(word, start)
        offsets.append((max(0, begin - 1), begin + len(word)))
        start = begin + len(word)
    spans = _word_spans(summary, offsets, flagged, [-6.0] * len(flagged))
    assert [s.text for s in spans] == expected
    assert all(s.reason == "unlikely given the article (p=0.002)" for s in spans)


@pytest.mark.slow
def test_real_gemma_finds_the_invented_claim():
    checker = ConsistencyChecker("lm", threshold=0.5)
    supported, invented = checker.score(
        [ARTICLE] * 2,
        [
            "The council approved a budget of 1.8 million dollars.",
            "The council approved a budget after talks with Emmanuel Macron in Paris.",
        ],
    )
    assert supported.score > invented.score
    assert supported.score > 0.5  # reading the article made it likelier
    assert any("Macron" in s.text for s in invented.unsupported_spans)
    assert not any("council" in s.text for s in invented.unsupported_spans)
