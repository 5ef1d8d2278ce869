"""The character-level tokenizer for scripts written without spaces (`tokenizer="char"`):
tokens and ROUGE scores on Chinese, Japanese and Thai pairs written for these tests."""

from fractions import Fraction

import pytest

from eval.rouge import RougeScorer
from eval.tokenize import CharTokenizer, UnicodeTokenizer


@pytest.mark.parametrize(
    "text, tokens",
    [
        ("北京今天下雨", ["北", "京", "今", "天", "下", "雨"]),
        ("東京で地震が発生", ["東", "京", "で", "地", "震", "が", "発", "生"]),
        ("コーヒー", ["コ", "ー", "ヒ", "ー"]),  # the long-vowel mark is a kana character
        ("人々", ["人", "々"]),
        ("ที่นี่", ["ที่", "นี่"]),  # Thai: a consonant keeps its vowel and tone marks
        ("แมวกินปลา", ["แ", "ม", "ว", "กิ", "น", "ป", "ล", "า"]),
        ("iPhone 15 発売", ["iphone", "15", "発", "売"]),  # other scripts keep whole words
        ("ＡＢＣ 北京", ["abc", "北", "京"]),  # NFKC, case-folded, as the unicode tokenizer
        ("서울 날씨", ["서울", "날씨"]),  # Korean writes spaces: words, not syllables
        ("。、！", []),
    ],
)
def test_char_tokens(text, tokens):
    assert CharTokenizer().tokenize(text) == tokens


def _f(p, r):
    return float(2 * p * r / (p + r))


# (prediction, reference, expected ROUGE-1 F under char, expected under unicode)
PAIRS = [
    # 6 of 6 predicted characters in the 7-character reference: P 1, R 6/7
    ("北京今天下雨", "今天北京下大雨", _f(Fraction(1), Fraction(6, 7)), 0.0),
    # 東京で地震 shared: 5 of 8 on both sides
    ("東京で地震が発生", "東京で大きな地震", 5 / 8, 0.0),
    # all 8 graphemes of แมวกินปลา ("cat eats fish") are in แมวชอบกินปลา (11 graphemes)
    ("แมวกินปลา", "แมวชอบกินปลา", _f(Fraction(1), Fraction(8, 11)), 0.0),
    ("東京", "東京", 1.0, 1.0),
]


@pytest.mark.parametrize("prediction, reference, char_f, unicode_f", PAIRS)
def test_rouge1_on_pairs(prediction, reference, char_f, unicode_f):
    char = RougeScorer(["rouge1"], tokenizer="char").score(reference, prediction)["rouge1"]
    uni = RougeScorer(["rouge1"], tokenizer="unicode").score(reference, prediction)["rouge1"]
    assert char.fmeasure == pytest.approx(char_f)
    assert uni.fmeasure == pytest.approx(unicode_f)


def test_rouge_l_follows_character_order():
    # LCS of 北京今天下雨 and 今天北京下大雨 is 今天下雨 (4): P 4/6, R 4/7
    score = RougeScorer(["rougeL"], tokenizer="char").score("今天北京下大雨", "北京今天下雨")[
        "rougeL"
    ]
    assert (score.precision, score.recall) == pytest.approx((4 / 6, 4 / 7))


def test_char_is_named_in_the_signature():
    scorer = RougeScorer(["rouge1"], tokenizer="char")
    assert "|tok:char|" in str(scorer.signature()["rouge1"])
    assert "|tok:char|" in str(
        scorer.corpus_score(["北京"], ["北京"], bootstrap=10, seed=1)["rouge1"].signature
    )


def test_char_stems_latin_only():
    assert CharTokenizer(use_stemmer=True).tokenize("running 下雨") == ["run", "下", "雨"]
    assert UnicodeTokenizer().tokenize("北京今天下雨") == ["北京今天下雨"]  # why char exists


def test_cli_accepts_char(tmp_path, capsys):
    from eval.cli import main

    (tmp_path / "p.txt").write_text("北京今天下雨\n", encoding="utf-8")
    (tmp_path / "r.txt").write_text("今天北京下大雨\n", encoding="utf-8")
    assert (
        main(
            [
                "rouge",
                "--predictions",
                str(tmp_path / "p.txt"),
                "--references",
                str(tmp_path / "r.txt"),
                "--tokenizer",
                "char",
                "--rouge-types",
                "rouge1",
            ]
        )
        == 0
    )
    assert "tok:char" in capsys.readouterr().out


def test_score_pipeline_takes_char_from_the_eval_config():
    from eval.metrics import load_metric

    metric = load_metric("rouge", rouge_types=["rouge1"], tokenizer="char")
    assert "|tok:char|" in str(metric.signature())
    [result] = metric.sentence_scores(["東京で地震が発生"], [["東京で大きな地震"]])
    assert result["scores"]["rouge1"] == pytest.approx(5 / 8)
