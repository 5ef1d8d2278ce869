"""Summaries on news nobody tuned on: lead-3, the extractive selector and the abstractive
default before and after the decoding guards (and with candidate selection), on the same dev
articles of $SUMM_DATA_DIR/summaries, CNN/DM and XSum reported apart.

Split by article: each article's id is hashed (sha1) into the `select` part (used to choose
settings and defaults) or the `report` part (the figures quoted); the first N of each part by
hash are used. Per variant and source: ROUGE-1/2/Lsum F (stemmed, 1,000-sample bootstrap
interval on ROUGE-1), the share of summaries repeating a sentence, the share that hit the token
cap, mean words, the share the project's consistency checker flags, and seconds per summary
(wall time of generate() divided by rows, on this machine as it was). Each variant is paired
with lead-3 (paired bootstrap of per-article ROUGE-1 and of the flag rate).

  python benchmarks/bench_summary.py --n 25 --n-select 15 --n-old 4 --n-cand 8 --lead-weights 0.3,1,3 --out runs/bench/summary

Generations are written as they go to <out>/<part>/<variant>.jsonl (ResumableJsonl): a killed
run resumes; pass --fresh to generate again.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SOURCES = {"cnndm": "cnndm_validation_1000.jsonl", "xsum": "xsum_test_sample.jsonl"}
ALL_VARIANTS = (
    "lead-1",
    "lead-3",
    "extractive",
    "abstractive-old",
    "abstractive",
    "abstractive+cand3",
)
BASELINE = "lead-3"


def split_rows(n_report: int, n_select: int) -> dict[str, dict[str, list[dict]]]:
    """{part: {source: rows}}: eval.summary_data's splits by article, in hash order: select =
    the first n of dev, report = the first n of test (never trained or tuned on)."""
    from eval.summary_data import SOURCES as SUMMARY_SOURCES
    from eval.summary_data import load_summaries

    return {
        "select": {s: load_summaries(s, "dev")[:n_select] for s in SUMMARY_SOURCES},
        "report": {s: load_summaries(s, "test")[:n_report] for s in SUMMARY_SOURCES},
    }


def make_variant(
    name: str, loaded, threads: int, lead_weight: float | None, adapters: dict[str, str]
):
    """A variant by name; a "+1sent" suffix asks any abstractive variant for one sentence (the
    XSum-style setting, configs/generate/summary-one-sentence.yaml)."""
    from summarizer.extractive import ExtractiveSummarizer
    from summarizer.generate import Summarizer

    base, one_sentence = name.removesuffix("+1sent"), name.endswith("+1sent")
    length = {"max_sentences": 1} if one_sentence else {}
    if base.startswith("lead-"):
        return ExtractiveSummarizer("lead", int(base.split("-")[1]))
    if base == "extractive":
        kwargs = {} if lead_weight is None else {"lead_weight": lead_weight}
        return ExtractiveSummarizer("extractive", 3, threads=threads, **kwargs)
    if base == "abstractive-old":  # the decoding before the guards: 1024-token prompt, no guards
        return Summarizer(
            loaded(),
            task="summary",
            max_input_tokens=1024,
            max_sentences=None,
            max_words=None,
            trim_repeats=False,
            no_repeat_ngram_size=0,
        )
    if base == "abstractive":
        return Summarizer(loaded(), task="summary", **length)
    if base.startswith("abstractive+cand"):
        return Summarizer(
            loaded(),
            task="summary",
            candidates=int(base.removeprefix("abstractive+cand")),
            **length,
        )
    if base in adapters:  # a trained summary adapter: from_pretrained reads its prompt.yaml
        return Summarizer.from_pretrained(
            adapters[base], task="summary", dtype="float32", num_threads=threads, **length
        )
    raise ValueError(
        f"unknown variant {name!r}; known: {', '.join([*ALL_VARIANTS, *adapters])} (+1sent)"
    )


def generate(summarizer, rows: list[dict], path: Path, batch_size: int) -> list[dict]:
    """Rows {id, prediction, hit_length_cap, repeated, seconds, ...} in the order of `rows`."""
    from tqdm import tqdm

    from eval.base.io import ResumableJsonl
    from summarizer.generate import generate_rows

    with ResumableJsonl(path) as out:
        todo = [(r["id"], r["article"]) for r in rows if r["id"] not in out.done]
        signature = str(summarizer.signature)
        for row_id, result in tqdm(
            generate_rows(summarizer, todo, batch_size, seed=0),
            total=len(todo),
            desc=f"{path.parent.name}/{path.stem}",
            unit="row",
        ):
            out.write(result.as_row(row_id, summarizer.task, summarizer.model_name, signature))
        by_id = {r["id"]: r for r in out.rows}
    return [by_id[r["id"]] for r in rows]


def repeats_a_sentence(text: str) -> bool:
    """The same detector the guard uses, applied to every variant's output."""
    from summarizer.postprocess import first_repeat, sentence_texts

    return first_repeat(sentence_texts(text)) is not None


def score(rows: list[dict], outputs: list[dict], scorer, checker, boot: int, seed: int) -> dict:
    import numpy as np

    from eval.stats import bootstrap_ci
    from summarizer.postprocess import sentence_texts

    preds = [o["prediction"] or "" for o in outputs]
    # ROUGE-Lsum reads sentences from newlines: one predicted sentence per line
    per = scorer.score_batch(
        ["\n".join(sentence_texts(p)) for p in preds], [r["summary"] for r in rows]
    )
    r1 = np.array([s["rouge1"].fmeasure for s in per]) * 100
    verdicts = checker.score([r["article"] for r in rows], [p or " " for p in preds])
    flagged = np.array([0.0 if v.consistent else 1.0 for v in verdicts])
    ci = bootstrap_ci(r1, n_resamples=boot, seed=seed)
    return {
        "n": len(rows),
        "rouge1": float(r1.mean()),
        "rouge1_ci": [float(ci.low), float(ci.high)],
        "rouge2": 100 * statistics.mean(s["rouge2"].fmeasure for s in per),
        "rougeLsum": 100 * statistics.mean(s["rougeLsum"].fmeasure for s in per),
        "repeated_rate": statistics.mean(repeats_a_sentence(p) for p in preds),
        "cap_rate": statistics.mean(bool(o.get("hit_length_cap")) for o in outputs),
        "mean_words": statistics.mean(len(p.split()) for p in preds),
        "flagged_rate": float(flagged.mean()),
        "seconds": statistics.mean(o["seconds"] for o in outputs),
        "errors": sum(1 for o in outputs if o.get("error")),
        "_r1": r1,
        "_flagged": flagged,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default=os.environ.get("SUMM_DATA_DIR", "../shared/data"))
    parser.add_argument("--n", type=int, default=30, help="report articles per source")
    parser.add_argument("--n-select", type=int, default=15, help="select articles per source")
    parser.add_argument(
        "--n-old",
        type=int,
        default=4,
        help="report articles per source for abstractive-old (1024-token prompts on "
        "transformers, to the token cap: about 2 minutes a summary on a busy 2-core machine)",
    )
    parser.add_argument(
        "--n-cand",
        type=int,
        default=8,
        help="report articles per source for the candidate variants (about 1 minute a summary there)",
    )
    parser.add_argument(
        "--report-variants",
        default="lead-1,lead-3,extractive,abstractive-old,abstractive,abstractive+cand3",
        help="variants run on the report part",
    )
    parser.add_argument(
        "--select-variants",
        default="lead-3,extractive,abstractive,abstractive+cand3",
        help="variants also run on the select part (where defaults are chosen)",
    )
    parser.add_argument(
        "--lead-weights",
        default="",
        help="comma list: tune the extractive selector's lead weight on the select part",
    )
    parser.add_argument(
        "--adapter",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="a trained summary adapter as variant NAME (repeatable)",
    )
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--bootstrap", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--out", default="runs/bench/summary")
    parser.add_argument(
        "--fresh", action="store_true", help="ignore generations saved by an earlier run"
    )
    args = parser.parse_args(argv)

    import torch

    from eval.consistency import ConsistencyChecker
    from eval.rouge import RougeScorer
    from eval.stats import paired_bootstrap
    from summarizer import models

    torch.set_num_threads(args.threads)
    out = Path(args.out)
    os.environ["SUMM_DATA_DIR"] = args.data_dir
    parts = split_rows(args.n, args.n_select)
    adapters = dict(spec.split("=", 1) for spec in args.adapter)
    scorer = RougeScorer(("rouge1", "rouge2", "rougeLsum"), use_stemmer=True)
    checker = ConsistencyChecker(kind="summary")
    cache = {}

    def loaded():
        if "model" not in cache:
            cache["model"] = models.load(None, num_threads=args.threads)
        return cache["model"]

    report: dict = {
        "signature_rouge": str(
            scorer.signature(bootstrap=args.bootstrap, seed=args.seed)["rouge1"]
        ),
        "signature_checker": str(checker.signature),
        "parts": {},
        "variants": {},
    }

    lead_weight = None
    if args.lead_weights:  # choose the extractive selector's lead prior on the select part
        from summarizer.extractive import ExtractiveSummarizer

        tuning_cache: dict = {}
        tuning = {}
        system = ExtractiveSummarizer("extractive", 3, threads=args.threads)
        for weight in [float(w) for w in args.lead_weights.split(",")]:
            system.lead_weight = weight
            r1 = []
            for rows in parts["select"].values():
                predictions = []
                for (
                    row
                ) in rows:  # one article at a time, so the embedding cache serves every weight
                    system._vectors = tuning_cache.setdefault(row["id"], {})
                    predictions.append(system.generate(row["article"]).text)
                per = scorer.score_batch(predictions, [row["summary"] for row in rows])
                r1.append(100 * statistics.mean(s["rouge1"].fmeasure for s in per))
            tuning[weight] = statistics.mean(r1)
            print(
                f"extractive lead_weight={weight}: select mean ROUGE-1 over sources {tuning[weight]:.2f}"
            )
        lead_weight = max(tuning, key=tuning.get)
        report["extractive_lead_weight"] = {"chosen": lead_weight, "select_rouge1": tuning}

    for part in ("select", "report"):
        names = (args.report_variants if part == "report" else args.select_variants).split(",")
        if BASELINE not in names:
            names = [BASELINE, *names]
        report["parts"][part] = {}
        for source, rows in parts[part].items():
            results = {}
            for name in names:
                system = make_variant(name, loaded, args.threads, lead_weight, adapters)
                path = out / part / f"{source}-{name}.jsonl"
                if args.fresh and path.exists():
                    path.unlink()
                path.parent.mkdir(parents=True, exist_ok=True)
                mine = (
                    rows[: args.n_old]
                    if name == "abstractive-old"
                    else rows[: args.n_cand]
                    if "+cand" in name and part == "report"
                    else rows
                )
                outputs = generate(system, mine, path, args.batch_size)
                results[name] = score(mine, outputs, scorer, checker, args.bootstrap, args.seed)
                report["variants"][name] = str(system.signature)
            base = results[BASELINE]
            for name, res in results.items():
                if (
                    name != BASELINE
                ):  # on the rows both have (abstractive-old, candidates: the first --n-old, --n-cand)
                    n = res["n"]
                    t = paired_bootstrap(
                        base["_r1"][:n], res["_r1"], n_resamples=args.bootstrap, seed=args.seed
                    )
                    f = paired_bootstrap(
                        base["_flagged"][:n],
                        res["_flagged"],
                        n_resamples=args.bootstrap,
                        seed=args.seed,
                    )
                    res["rouge1_minus_lead3"] = [
                        float(t.diff),
                        float(t.low),
                        float(t.high),
                        float(t.p_value),
                    ]
                    res["flagged_minus_lead3"] = [
                        float(f.diff),
                        float(f.low),
                        float(f.high),
                        float(f.p_value),
                    ]
            report["parts"][part][source] = {
                n: {k: v for k, v in r.items() if not k.startswith("_")} for n, r in results.items()
            }
            print_table(part, source, report["parts"][part][source])
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=1))
    print(f"\n{report['signature_rouge']}\n{report['signature_checker']}")
    for name, sig in report["variants"].items():
        print(f"{name}: {sig}")
    print(f"wrote {out / 'report.json'}")
    return 0


def print_table(part: str, source: str, results: dict) -> None:
    print(f"\n## {part} / {source} (n={next(iter(results.values()))['n']})")
    print(
        "| variant | R-1 [95% CI] | R-2 | R-Lsum | R-1 minus lead-3 [CI] p | repeated | capped | words "
        "| flagged | flagged minus lead-3 | s/summary |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        d = r.get("rouge1_minus_lead3")
        f = r.get("flagged_minus_lead3")
        diff = f"{d[0]:+.2f} [{d[1]:+.2f}, {d[2]:+.2f}] p={d[3]:.3f}" if d else ""
        fdiff = f"{100 * f[0]:+.1f} [{100 * f[1]:+.1f}, {100 * f[2]:+.1f}]" if f else ""
        print(
            f"| {name} | {r['rouge1']:.2f} [{r['rouge1_ci'][0]:.2f}, {r['rouge1_ci'][1]:.2f}] | {r['rouge2']:.2f} "
            f"| {r['rougeLsum']:.2f} | {diff} | {100 * r['repeated_rate']:.0f}% | {100 * r['cap_rate']:.0f}% "
            f"| {r['mean_words']:.1f} | {100 * r['flagged_rate']:.0f}% | {fdiff} | {r['seconds']:.3f} |"
        )


if __name__ == "__main__":
    sys.exit(main())
