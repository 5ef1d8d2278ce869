"""FNC-1 headline/body pairs with human stance labels ($SUMM_DATA_DIR/headline_support), the
training and dev data of the `support` backend.

Labels: agree = the body asserts the headline's claim (supported); disagree = the body refutes it
(contradicted); discuss = the body reports the claim without asserting it (not asserted);
unrelated = a random pairing.

Split by CLAIM, not by row: headlines and bodies about the same claim form one connected
component of the graph of related (non-unrelated) pairs, and each component goes whole to
"train" (70%), "dev_fit" (15%) or "dev_eval" (15%) by a hash of its smallest body id. A split
by body alone would still put the same headline (each is paired with ~30 bodies) and the same
story in train and dev; the split by claim implies the split by body the data asks for, and is
closer to a test on news nobody trained on.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict

from eval.base.io import read_jsonl
from eval.base.paths import data_path

SPLITS = ("train", "dev_fit", "dev_eval")
STANCES = ("unrelated", "discuss", "disagree", "agree")  # class index = position


def _claim_ids(stances: list[dict], body_ids) -> dict[int, int]:
    """body id -> smallest body id of its claim (union-find over related pairs)."""
    parent: dict = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for row in stances:
        if row["stance"] != "unrelated":
            a, b = find(("body", row["body_id"])), find(("headline", row["headline"]))
            if a != b:
                parent[a] = b
    smallest: dict = defaultdict(lambda: float("inf"))
    for body_id in body_ids:
        root = find(("body", body_id))
        smallest[root] = min(smallest[root], body_id)
    return {body_id: smallest[find(("body", body_id))] for body_id in body_ids}


def split_of_claim(claim_id: int) -> str:
    bucket = int(hashlib.sha256(str(claim_id).encode()).hexdigest()[:8], 16) % 100
    return "train" if bucket < 70 else "dev_fit" if bucket < 85 else "dev_eval"


def load(split: str | None = None) -> list[dict]:
    """Rows {id, headline, article, body_id, claim, stance, label, split}; `label` is the
    stance's index in STANCES. Order is the file's."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    folder = data_path("headline_support")
    bodies = {row["body_id"]: row["article"] for row in read_jsonl(folder / "train_bodies.jsonl")}
    stances = read_jsonl(folder / "train_stances.jsonl")
    claims = _claim_ids(stances, bodies)
    rows = []
    for i, row in enumerate(stances):
        part = split_of_claim(claims[row["body_id"]])
        if split is None or part == split:
            rows.append(
                {
                    "id": f"fnc1-{i}",
                    "headline": row["headline"],
                    "article": bodies[row["body_id"]],
                    "body_id": row["body_id"],
                    "claim": claims[row["body_id"]],
                    "stance": row["stance"],
                    "label": STANCES.index(row["stance"]),
                    "split": part,
                }
            )
    return rows
