"""ROUGE-1.5.5-compatible mode: tables of (input, expected) derived by hand from the Perl's rules.
(The full check against the Perl's own outputs is benchmarks/bench_rouge155.py, on shared data.)"""

import ctypes
import ctypes.util
from pathlib import Path

import pytest

from eval.base.errors import InputError
from eval.rouge155 import Rouge155, perl_average, read_rouge_config, read_see
from eval.rouge155.perl_average import perl_resample_indices
from eval.rouge155.porter import stem
from eval.rouge155.text import (
    TextOptions,
    file_lines,
    limited_sentences,
    limited_text,
    morph_stem,
    tokens,
)
from eval.types import Score

FIXTURES = Path(__file__).parent / "fixtures" / "rouge155"


def rpf(score: Score) -> tuple[float, float, float]:
    return (score.recall, score.precision, score.fmeasure)


# -- stemming ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word, expected",
    [
        ("caresses", "caress"),  # 1a: sses -> ss
        ("ponies", "poni"),  # 1a: ies -> i
        ("says", "sai"),  # 1a then 1c (y -> i after a vowel)
        ("agreed", "agre"),  # 1b: eed with m>0 -> ee, then 5 drops e
        ("hopping", "hop"),  # 1b: ing, double consonant undone
        ("yelling", "yell"),  # initial y is a consonant ("Yell"), ll kept at m=1
        ("relational", "relat"),  # 2: ational -> ate, 5 drops e
        ("generalizations", "gener"),  # 1a, 2 (ization), 3 (alize), 4 (al)
        ("adjustment", "adjust"),  # 4: ment
        ("government", "govern"),
        ("agreement", "agreem"),  # Lin's step-4 change: -ement/-ment fail, then -ent applies
        ("at", "at"),  # shorter than 3: untouched
    ],
)
def test_porter_as_rouge155_runs_it(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize(
    "token, expected",
    [
        ("were", "be"),  # WordNet verb exceptions win over Porter
        ("been", "be"),
        ("children", "child"),
        ("better", "good"),  # adj.exc read after adv.exc ("well"), as the Perl outputs show
        ("running", "run"),  # not an exception: Porter
    ],
)
def test_morph_stem_uses_wordnet_exceptions_first(token, expected):
    assert morph_stem(token) == expected


# -- tokenization --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lines, options, expected",
    [
        (
            ["U.S.-led strike's aftermath"],
            TextOptions(),
            ["u", "s", "led", "strike", "s", "aftermath"],
        ),
        (["Café naïve"], TextOptions(), ["caf", "na", "ve"]),  # each non-ASCII byte is a space
        (["The cat and THE dog"], TextOptions(remove_stopwords=True), ["cat", "dog"]),
        (["Cats were running"], TextOptions(stem=True), ["cat", "be", "run"]),
        (["the cats sat"], TextOptions(stem=True), ["the", "cat", "sat"]),  # <= 3 chars: no stem
        (["a b c", "", "d e f"], TextOptions(word_limit=4), ["a", "b", "c", "d"]),
        (["abcdef", "ghijkl"], TextOptions(byte_limit=8), ["abcdef", "gh"]),
        (["--- ..."], TextOptions(), []),
    ],
)
def test_joined_tokens(lines, options, expected):
    assert tokens(limited_text(file_lines(lines), options), options) == expected


@pytest.mark.parametrize(
    "lines, options, expected",
    [
        (["a b c", "d e f"], TextOptions(), ["a b c", "d e f"]),
        (["a b c", "d e f"], TextOptions(word_limit=4), ["a b c", "d"]),
        # The Perl's readText_LCS never advances its byte count: short sentences stay whole.
        (
            ["abcdef", "ghijkl", "mnopqrstu"],
            TextOptions(byte_limit=8),
            ["abcdef", "ghijkl", "mnopqrst"],
        ),
        (["one\ntwo"], TextOptions(), ["one", "two"]),  # a line break inside a line splits it
    ],
)
def test_sentences_for_lcs(lines, options, expected):
    assert limited_sentences(file_lines(lines), options) == expected


# -- scores --------------------------------------------------------------------------------

CASES = [
    # (args, peer lines, models, measure, (R, P, F)) -- each worked out by hand.
    # the/cats/sat vs the/cat/sat/on/the/mat: hits the, sat -> R 2/6, P 2/3
    (
        "-n 1",
        ["The cats sat ."],
        [["the cat sat on the mat ."]],
        "rouge1",
        (0.33333, 0.66667, 0.44444),
    ),
    # with -m "cats" -> "cat" ("cat" itself is too short to stem): 3 hits
    ("-n 1 -m", ["The cats sat ."], [["the cat sat on the mat ."]], "rouge1", (0.5, 1.0, 0.66667)),
    # bigrams the-cats, cats-sat vs 5 model bigrams; stemmed: the-cat, cat-sat hit
    ("-n 2 -m", ["The cats sat ."], [["the cat sat on the mat ."]], "rouge2", (0.4, 1.0, 0.57143)),
    # n-grams cross sentence boundaries: b-c spans the two peer lines
    ("-n 2", ["a b", "c"], [["a b c"]], "rouge2", (1.0, 1.0, 1.0)),
    # model average (-f A): hits 2+0 over model counts 2+2 and peer counts 2+2
    ("-n 1", ["a b"], [["a b"], ["c d"]], "rouge1", (0.5, 0.5, 0.5)),
    # best model (-f B)
    ("-n 1 -f B", ["a b"], [["a b"], ["c d"]], "rouge1", (1.0, 1.0, 1.0)),
    # -p 0.9: F = PR / (0.1 P + 0.9 R) = 0.5 / 0.55
    (
        "-n 1 -m -p 0.9",
        ["The cats sat ."],
        [["the cat sat on the mat ."]],
        "rouge1",
        (0.5, 1.0, 0.90909),
    ),
    # Lin's union-LCS example: r = a b c d e; c1 = a b f g h (LCS a b); c2 = a c h i e (LCS a c e)
    # union {a, b, c, e} = 4 hits; R 4/5, P 4/10
    ("", ["a b f g h", "a c h i e"], [["a b c d e"]], "rougeL", (0.8, 0.4, 0.53333)),
    # unigram clipping: "a" occurs once in the peer, so two model sentences cannot both hit it
    ("", ["a b"], [["a x", "a y"]], "rougeL", (0.25, 0.5, 0.33333)),
    # skip bigrams, no gap limit: model ab ac bc, peer ac ab cb -> 2 of 3
    ("-2 -1", ["a c b"], [["a b c"]], "rougeS*", (0.66667, 0.66667, 0.66667)),
    # plus unigrams of all but the last token: model a b, peer a c -> 3 of 5
    ("-2 -1 -u", ["a c b"], [["a b c"]], "rougeSU*", (0.6, 0.6, 0.6)),
    # gap 0: only adjacent pairs (ab bc vs ac cb): no hit
    ("-2 0 -U", ["a c b"], [["a b c"]], "rougeS0", (0.0, 0.0, 0.0)),
    # empty peer: zero, not an error
    ("-n 1", [""], [["a b"]], "rouge1", (0.0, 0.0, 0.0)),
]


@pytest.mark.parametrize("args, peer, models, measure, expected", CASES)
def test_scores_by_hand(args, peer, models, measure, expected):
    assert rpf(Rouge155(args).score(peer, models)[measure]) == expected


@pytest.mark.parametrize(
    "peer, model, hit, peer_len",
    [
        # Runs are read off the model side: a b _ d -> runs "a b" and "d".
        ("a b x d", "a b c d", 2**1.2 + 1, 4),
        # The peer's extra "x" does not break the run: all four model words are consecutive.
        ("a b x c d", "a b c d", 4**1.2, 5),
    ],
)
def test_rouge_w_as_the_perl(peer, model, hit, peer_len):
    # The Perl weights the model base twice ((len^1.2)^1.2) and the peer length once (len^1.2);
    # R and P are the inverse weight (x^(1/1.2)) of hit / base.
    w = 1.2
    recall = round((hit / (4**w) ** w) ** (1 / w), 5)
    precision = round((hit / peer_len**w) ** (1 / w), 5)
    got = Rouge155("-w 1.2").score([peer], [[model]])["rougeW"]
    assert (got.recall, got.precision) == (recall, precision)
    assert got.fmeasure == round(precision * recall / (0.5 * precision + 0.5 * recall), 5)


@pytest.mark.parametrize(
    "args, expected",
    [
        ("-n 2 -m", ["rouge1", "rouge2", "rougeL"]),
        (
            "-c 95 -r 1000 -n 4 -w 1.2 -2 4 -U -a",
            ["rouge1", "rouge2", "rouge3", "rouge4", "rougeL", "rougeW", "rougeS4", "rougeSU4"],
        ),
        ("-2 -1 -u -x", ["rougeSU*"]),
        ("-2 4", ["rougeL", "rougeS4"]),
        ("", ["rougeL"]),
    ],
)
def test_enabled_measures(args, expected):
    scorer = Rouge155(args)
    assert scorer.rouge_types == expected
    assert list(scorer.score(["a b c"], [["a b c"]])) == expected


@pytest.mark.parametrize(
    "args",
    [
        "-l 10 -b 75",
        "-3 HM",
        "-f C",
        "-n two",
        "-x",
        "-p 2",
        "-w 0",
        "-M",
        "-n 2 config.xml",
        "-t 1",
    ],
)
def test_bad_options_are_clear_errors(args):
    with pytest.raises(InputError):
        Rouge155(args)


def test_bad_inputs_are_clear_errors():
    scorer = Rouge155("-n 1")
    with pytest.raises(InputError, match="list of sentence strings"):
        scorer.score("a plain string", [["a"]])
    with pytest.raises(InputError, match="at least one model"):
        scorer.score(["a"], [])
    with pytest.raises(InputError, match="2 peer summaries but 1 model sets"):
        scorer.score_batch([["a"], ["b"]], [[["a"]]])
    with pytest.raises(InputError, match="line 2"):
        scorer.score_batch([["a"], ["b"]], [[["a"]], [[3]]])


def test_score_batch_matches_score_and_signature():
    scorer = Rouge155("-n 2 -m")
    peers = [["The cats sat ."], ["a b"]]
    models = [[["the cat sat on the mat ."]], [["a b"], ["c d"]]]
    assert scorer.score_batch(peers, models) == [scorer.score(p, m) for p, m in zip(peers, models)]
    assert str(scorer.signature()["rougeL"]).startswith("rougeL|impl:rouge155|args:-n 2 -m|v:")


# -- SEE input and the Perl's averages -----------------------------------------------------


def test_see_files_and_config():
    (ev,) = read_rouge_config(FIXTURES / "config.xml")
    assert ev.eval_id == "E1" and ev.input_format == "SEE"
    assert [m for m, _ in ev.models] == ["A", "B"]
    assert read_see(ev.models[0][1]) == ["The cat sat on the mat.", "Dogs barked loudly."]
    assert read_see(ev.peers["1"]) == ["The cats sat."]
    got = Rouge155("-n 1 -m").score(read_see(ev.peers["1"]), [read_see(p) for _, p in ev.models])
    # peer the/cat/sat; model A 9 tokens (hits the, cat, sat), model B a/dog/sat (hit sat): 4/12, 4/6
    assert rpf(got["rouge1"]) == (0.33333, 0.66667, 0.44444)


def test_resample_indices_follow_perl_drand48():
    # Perl >= 5.20 uses drand48 seeded as (seed << 16) + 0x330E, like glibc's srand48.
    libc_name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(libc_name) if libc_name else None
    if libc is None or not hasattr(libc, "srand48"):
        pytest.skip("no C library drand48 to compare with")
    libc.drand48.restype = ctypes.c_double
    indices = perl_resample_indices(7, 4)
    for seed in range(4):
        libc.srand48(seed)
        assert list(indices[seed]) == [int(libc.drand48() * 7) for _ in range(7)]


def test_perl_average_of_constant_scores_and_order_independence():
    same = [Score(0.5, 0.25, 0.33333)] * 5
    avg = perl_average(same, [f"{i}.1" for i in range(5)])
    assert avg.mid == avg.low == avg.high == Score(0.5, 0.25, 0.33333)
    scores = [Score(p / 10, p / 20, p / 30) for p in range(6)]
    ids = [f"E{i}.1" for i in range(6)]
    forward = perl_average(scores, ids, n_resamples=50)
    backward = perl_average(scores[::-1], ids[::-1], n_resamples=50)
    assert forward == backward  # instances are put in the Perl's sorted order first
    assert forward.low.recall <= forward.mid.recall <= forward.high.recall
