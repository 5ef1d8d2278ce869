import pytest

from eval.headline_data import clean_reuters_body, hash_split, load_headlines, truecase_title


@pytest.mark.parametrize(
    "title, article, expected",
    [
        (
            "U.S. TELLS JAPAN TO ACT <TCH>",
            "The U.S. said Japan must act. U.S. officials agreed.",
            "U.S. tells Japan to act",
        ),
        ("BAHIA COCOA REVIEW", "Rain fell in the Bahia cocoa zone.", "Bahia cocoa review"),
        (
            "U.S.-JAPAN RIFT WIDENS",
            "Ties between the U.S. and Japan worsened.",
            "U.S.-Japan rift widens",
        ),
        # a word seen only at a sentence start is not trusted to be a proper noun
        ("SHARES RISE", "Shares rose on Monday.", "Shares rise"),
        ("XYZ NET", "Net 3,500,000 vs 2,500,000\nNet income rose.", "Xyz net"),
    ],
)
def test_truecase_title(title, article, expected):
    assert truecase_title(title, article) == expected


def test_clean_reuters_body_joins_wraps_and_drops_brackets():
    body = "<Phoenix Steel Corp> said a group\nof investors offered.\n    The offer\nstands.\n Reuter\n"
    assert (
        clean_reuters_body(body)
        == "Phoenix Steel Corp said a group of investors offered.\nThe offer stands."
    )


def test_hash_split_is_stable_and_proportional():
    keys = [f"article {i}" for i in range(3000)]
    splits = [hash_split(k) for k in keys]
    assert splits == [hash_split(k) for k in keys]
    assert 0.65 < splits.count("train") / 3000 < 0.75
    assert 0.12 < splits.count("dev") / 3000 < 0.18


def test_unknown_source_or_split_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown source"):
        load_headlines("cnn", "train")
    with pytest.raises(ValueError, match="unknown split"):
        load_headlines("bbc", "validation")


@pytest.mark.parametrize(
    "headline, title_cased",
    [
        ("Nasa Confirms Earth Will Experience 6 Days of Total Darkness", True),
        ("Small meteorite strikes in Nicaragua's capital city of Managua", False),
        ("ISIS Video Shows Beheading", True),
        ("US and UK talk", False),  # too few long words to tell
    ],
)
def test_looks_title_cased(headline, title_cased):
    from eval.headline_data import looks_title_cased

    assert looks_title_cased(headline) == title_cased


@pytest.mark.parametrize(
    "article, table",
    [
        ("Shr 12 cts vs 10 cts\nNet 1,234,000 vs 1,000,000", True),
        ("Qtly div 15 cts vs 15 cts prior", True),
        ("Oper shr loss two cts vs profit 11 cts", True),
        ("Shares of Acme rose 5 pct after it said net income rose.", False),
        ("Network operator Acme said it would buy Beta.", False),  # "Net" only as a whole word
    ],
)
def test_is_table_item(article, table):
    from eval.headline_data import is_table_item

    assert is_table_item(article) == table


def test_financial_halves_are_stable_disjoint_and_balanced():
    from eval.headline_data import financial_half

    headlines = [f"Company {i} shares rise on results" for i in range(2000)]
    halves = [financial_half(h) for h in headlines]
    assert halves == [financial_half(h) for h in headlines]
    assert set(halves) == {"selection", "report"} and 0.45 < halves.count("selection") / 2000 < 0.55


def test_financial_set_has_no_train_split():
    with pytest.raises(ValueError, match="no train split"):
        load_headlines("financial", "train")


@pytest.mark.parametrize(
    "tokenized, plain",
    [
        (
            "spain 's colonial posts #.## billion euro loss",
            "spain's colonial posts #.## billion euro loss",
        ),
        ("the group -lrb- ltd -rrb- said , on monday .", "the group (ltd) said, on monday."),
        ("its `` typical '' brinkmanship", 'its "typical" brinkmanship'),
        ("shares fell # % ; they do n't know", "shares fell #%; they don't know"),
    ],
)
def test_detokenize_ptb(tokenized, plain):
    from eval.headline_data import detokenize_ptb

    assert detokenize_ptb(tokenized) == plain
