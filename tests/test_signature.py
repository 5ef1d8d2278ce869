"""Signatures: a metric's signature, one Signature per part, shown as one line."""

import pytest

from eval import __version__
from eval.base.signature import Signature, Signatures

ROUGE1 = Signature.make("rouge1", tok="default", refs=1)
ROUGEL = Signature.make("rougeL", tok="default", refs=1)


@pytest.mark.parametrize("signatures, text", [
    (Signatures.one(ROUGE1), str(ROUGE1)),
    (Signatures({"rouge1": ROUGE1, "rougeL": ROUGEL}), f"{ROUGE1} {ROUGEL}"),
    (Signatures({"summary": ROUGE1, "headline": ROUGEL}, sep=" ; "), f"{ROUGE1} ; {ROUGEL}"),
])
def test_one_line_in_part_order(signatures, text):
    assert str(signatures) == text
    assert [Signature.parse(part) for part in text.split(signatures.sep)] == list(signatures.values())


@pytest.mark.parametrize("bootstrap, seed, added", [
    (None, 7, ""),
    (0, 7, "|boot:0"),  # no resamples: no seed either
    (1000, 7, "|boot:1000|seed:7"),
])
def test_with_bootstrap_names_the_interval_in_every_part(bootstrap, seed, added):
    signatures = Signatures({"a": ROUGE1, "b": ROUGEL}, sep=" ; ").with_bootstrap(bootstrap, seed)
    assert signatures.sep == " ; "
    v = f"v:{__version__}"
    assert str(signatures) == f"rouge1|tok:default|refs:1{added}|{v} ; rougeL|tok:default|refs:1{added}|{v}"


def test_parts_by_name():
    signatures = Signatures({"rouge1": ROUGE1, "rougeL": ROUGEL})
    assert signatures["rougeL"] is ROUGEL and list(signatures) == ["rouge1", "rougeL"] and len(signatures) == 2
    assert signatures == Signatures({"rouge1": ROUGE1, "rougeL": ROUGEL})
    with pytest.raises(KeyError):
        signatures["rouge2"]
