"""Training pairs (premise chunk, claim, label 1 = consistent) for the `trained` backend.

Synthetic pairs come from real articles (train splits of eval.headline_data only):
- positives: an article sentence (as is, or compressed) against the chunk holding it, and the
  article's real headline against its lead chunk (abstractive, so the model does not learn
  "verbatim copy = consistent");
- negatives: the same claims corrupted (entity swap within the article, number/date change,
  negation, pronoun swap, splicing two sentences), plus an article sentence against a chunk
  of the same article that does not contain it and shares few words with it.
Human pairs come from the "train" part of eval.consistency.datasets (never dev_fit/dev_eval).
"""

from __future__ import annotations

import logging
import random
from collections import Counter
from typing import NamedTuple

from eval.consistency.text import content_words, sentences
from eval.consistency.trained import chunk_article, top_chunks
from eval.consistency.training.corruptions import compress, corrupt, entities_in

log = logging.getLogger(__name__)


class Pair(NamedTuple):
    premise: str
    claim: str
    label: int  # 1 = consistent
    kind: str  # which rule made it (for the model card's counts)
    source: str  # article / document id


def article_pairs(
    article_id: str,
    article: str,
    headline: str | None,
    nlp,
    rng: random.Random,
    chunk_words: int = 80,
    claims_per_article: int = 2,
) -> list[Pair]:
    """Synthetic pairs from one article: about half positive, half negative."""
    chunks = chunk_article(article, chunk_words)[:3]  # leads: where summaries draw from
    if not chunks:
        return []
    docs = list(nlp.pipe(chunks + ([headline] if headline else [])))
    pool: dict[str, list[str]] = {}
    for doc in docs:
        for ent in doc.ents:
            pool.setdefault(ent.label_, []).append(ent.text)
    # (sentence, its entities, index of its chunk)
    candidates = []
    for c, (chunk, doc) in enumerate(zip(chunks, docs)):
        for start, end, sentence in sentences(chunk):
            if 6 <= len(sentence.split()) <= 45:
                candidates.append((sentence, entities_in(doc, start, end), c))
    all_sentences = [s for s, _, _ in candidates]
    pairs = []
    for sentence, ents, c in rng.sample(candidates, min(claims_per_article, len(candidates))):
        positive = compress(sentence) if rng.random() < 0.5 else None
        pairs.append(
            Pair(
                chunks[c],
                positive or sentence,
                1,
                "compressed" if positive else "extracted",
                article_id,
            )
        )
        corrupted = corrupt(sentence, ents, pool, all_sentences, rng)
        if corrupted:
            pairs.append(Pair(chunks[c], corrupted[0], 0, corrupted[1], article_id))
        # Unsupported by this chunk: a sentence from another chunk that shares few words.
        others = [i for i in range(len(chunks)) if i != c]
        if others and rng.random() < 0.3:
            other = chunks[rng.choice(others)]
            words = content_words(sentence)
            if words and len(words & content_words(other)) / len(words) < 0.3:
                pairs.append(Pair(other, sentence, 0, "other-chunk", article_id))
    if headline and len(headline.split()) >= 3:
        doc = docs[-1]
        pairs.append(Pair(chunks[0], headline, 1, "headline", article_id))
        corrupted = corrupt(headline, entities_in(doc, 0, len(headline)), pool, [], rng)
        if corrupted:
            pairs.append(Pair(chunks[0], corrupted[0], 0, "headline-" + corrupted[1], article_id))
    return pairs


def synthetic_pairs(
    articles: list[dict],
    nlp,
    seed: int,
    chunk_words: int = 80,
    claims_per_article: int = 2,
    progress: bool = True,
) -> list[Pair]:
    """`articles`: rows {"id", "article", "headline"} (train splits only)."""
    from tqdm import tqdm

    rng = random.Random(seed)
    pairs = []
    for row in tqdm(articles, desc="synthetic pairs", disable=not progress):
        pairs += article_pairs(
            row["id"],
            row["article"],
            row.get("headline"),
            nlp,
            rng,
            chunk_words,
            claims_per_article,
        )
    return pairs


def human_pairs(
    rows: list[dict], seed: int, chunk_words: int = 80, max_claim_words: int = 60
) -> list[Pair]:
    """Labelled (article, summary) rows -> pairs. Summary-level labels do not say which
    sentence is wrong, so each summary is one claim (cut to `max_claim_words`) against the
    chunk that shares most words with it, the chunk its support would come from."""
    pairs = []
    for row in rows:
        if row.get("split") != "train":
            raise ValueError(
                f"row {row.get('id')} is from split {row.get('split')!r}; train on 'train' only"
            )
        claim = " ".join(row["summary"].split()[:max_claim_words])
        chunks = chunk_article(row["article"], chunk_words)
        if not claim or not chunks:
            continue
        best = top_chunks(chunks, claim, 1)[0]
        pairs.append(
            Pair(chunks[best], claim, int(row["label"]), "human-" + row["source"], row["id"])
        )
    random.Random(seed).shuffle(pairs)
    return pairs


def describe(pairs: list[Pair]) -> dict[str, int]:
    """Counts per kind and label, for logs and the model card."""
    counts = Counter(f"{p.kind}:{p.label}" for p in pairs)
    return dict(sorted(counts.items()))
