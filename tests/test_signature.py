"""Signatures: a metric's signature, one Signature per part, shown as one line."""

import pytest

from eval import __version__
from eval.base.signature import Signature, Signatures

ROUGE1 = Signature.make("rouge1", tok="default", refs=1)
ROUGEL = Signature.make("rougeL", tok="default", refs=1)


@pytest.mark.parametrize(
    "signatures, text",
    [
        (Signatures.one(ROUGE1), str(ROUGE1)),
        (Signatures({"rouge1": ROUGE1, "rougeL": ROUGEL}), f"{ROUGE1} {ROUGEL}"),
        (Signatures({"summary": ROUGE1, "headline": ROUGEL}, sep=" ; "), f"{ROUGE1} ; {ROUGEL}"),
    ],
)
def test_one_line_in_part_order(signatures, text):
    assert str(signatures) == text
    assert [Signature.parse(part) for part in text.split(signatures.sep)] == list(
        signatures.values()
    )


@pytest.mark.parametrize(
    "bootstrap, seed, added",
    [
        (None, 7, ""),
        (0, 7, "|boot:0"),  # no resamples: no seed either
        (1000, 7, "|boot:1000|seed:7"),
    ],
)
def test_with_bootstrap_names_the_interval_in_every_part(bootstrap, seed, added):
    signatures = Signatures({"a": ROUGE1, "b": ROUGEL}, sep=" ; ").with_bootstrap(bootstrap, seed)
    assert signatures.sep == " ; "
    v = f"v:{__version__}"
    assert (
        str(signatures)
        == f"rouge1|tok:default|refs:1{added}|{v} ; rougeL|tok:default|refs:1{added}|{v}"
    )


def test_parts_by_name():
    signatures = Signatures({"rouge1": ROUGE1, "rougeL": ROUGEL})
    assert (
        signatures["rougeL"] is ROUGEL
        and list(signatures) == ["rouge1", "rougeL"]
        and len(signatures) == 2
    )
    assert signatures == Signatures({"rouge1": ROUGE1, "rougeL": ROUGEL})
    with pytest.raises(KeyError):
        signatures["rouge2"]


def rouge(refs):
    return Signatures({"rouge1": ROUGE1.replace(refs=refs), "rougeL": ROUGEL.replace(refs=refs)})


SUMMARY = Signature.make("consistency", backend="ngram", kind="summary")
HEADLINE = Signature.make("consistency", backend="ngram", kind="headline")


def kinds(*parts):
    return Signatures({p: {"summary": SUMMARY, "headline": HEADLINE}[p] for p in parts}, sep=" ; ")


@pytest.mark.parametrize(
    "every, subsets, combined",
    [
        (rouge(1), [], rouge(1)),  # nothing scored: the signature without inputs
        (rouge(1), [rouge(1), rouge(3), rouge(2)], rouge(3)),  # refs: the most of one example
        (kinds("summary", "headline"), [kinds("headline")], kinds("headline")),
        (
            kinds("summary", "headline"),
            [kinds("headline"), kinds("summary")],
            kinds("summary", "headline"),
        ),
        (kinds("summary", "headline"), [], kinds("summary", "headline")),
    ],
)
def test_combine_gives_the_signature_of_all_inputs(every, subsets, combined):
    """The --ray driver's signature from its shards' (eval.distributed)."""
    result = every.combine(subsets)
    assert str(result) == str(combined) and result.sep == combined.sep


@pytest.mark.parametrize(
    "every, subsets, message",
    [
        (kinds("summary"), [kinds("headline")], r"parts \['headline'\] are not in"),
        (
            kinds("headline"),
            [kinds("headline"), Signatures({"headline": HEADLINE.replace(backend="support")})],
            "setting backend differs: ngram, support",
        ),
        (
            rouge(1),
            [rouge(1), Signatures({"rouge1": ROUGE1.replace(stem="porter"), "rougeL": ROUGEL})],
            "signatures differ",
        ),
    ],
)
def test_combine_refuses_subsets_that_disagree(every, subsets, message):
    with pytest.raises(ValueError, match=message):
        every.combine(subsets)
