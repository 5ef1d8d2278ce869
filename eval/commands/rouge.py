"""ROUGE of predictions against one or more references, with bootstrap intervals and signatures.

Input files: plain text with one summary per line (` <n> ` separates its sentences) or `.jsonl`
with a `text` field (newlines inside it separate sentences; sentences matter for rougeLsum).
Repeat --references for several references per prediction (line i of each file belongs to
prediction i). Prints one line per metric: the mean of precision, recall and F (x100) with
its bootstrap interval, then the signature of every setting.

examples:
  python -m eval rouge --predictions preds.txt --references refs.txt --stem
  python -m eval rouge --predictions p.jsonl --references r1.jsonl --references r2.jsonl \\
      --multiref jackknife --per-example scores.jsonl --bootstrap 1000 --seed 12345
  python -m eval rouge --predictions p.txt --references r.txt --rouge155 --rouge155-args "-n 2 -m"
"""

from __future__ import annotations

import argparse

from eval.base.errors import InputError
from eval.base.io import atomic_write_json, read_texts, write_jsonl

ROUGE_TYPES = "rouge1,rouge2,rougeL,rougeLsum"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--predictions", required=True, metavar="P", help="system summaries (.txt or .jsonl)"
    )
    parser.add_argument(
        "--references",
        required=True,
        action="append",
        metavar="R",
        help="reference summaries, same line count as P; repeat for several references",
    )
    parser.add_argument(
        "--field", default="text", help="text field of .jsonl inputs (default: text)"
    )
    parser.add_argument(
        "--stem",
        action="store_true",
        help="Porter stemming (rouge-score's; in --rouge155 mode adds -m)",
    )
    parser.add_argument(
        "--rouge-types",
        default=ROUGE_TYPES,
        help="comma-separated: rouge1..rouge9, rougeL, rougeLsum (default: %(default)s)",
    )
    parser.add_argument(
        "--tokenizer",
        choices=("default", "unicode", "char"),
        default="default",
        help="default: rouge-score's ([a-z0-9] only; other scripts yield no tokens); "
        "unicode: letters and digits of any script, case-folded (a Chinese or Japanese run is "
        "one token); char: as unicode, but one token per character in scripts written "
        "without spaces (Chinese, Japanese, Thai, Lao, Khmer, Myanmar), as Chinese ROUGE does",
    )
    parser.add_argument(
        "--split-summaries",
        action="store_true",
        help="rougeLsum: find sentences with NLTK instead of newlines (needs NLTK's punkt_tab)",
    )
    parser.add_argument(
        "--multiref",
        choices=("max", "jackknife"),
        default="max",
        help="several references: best F per type (rouge-score) or ROUGE-1.5.5's jackknife average",
    )
    parser.add_argument(
        "--backend",
        choices=("auto", "rouge-score-rs", "rouge-score"),
        default="auto",
        help="auto: rouge-score-rs when installed (same numbers, ~50x faster), else rouge-score",
    )
    parser.add_argument(
        "--rouge155",
        action="store_true",
        help="ROUGE-1.5.5 mode: Perl tokenization, stemming, stopwords, ROUGE-W/S/SU (no Perl needed)",
    )
    parser.add_argument(
        "--rouge155-args",
        default="-n 2",
        metavar="ARGS",
        help='ROUGE-1.5.5 options with --rouge155, e.g. "-n 4 -w 1.2 -2 4 -U -m -s" (default: %(default)s)',
    )
    parser.add_argument(
        "--per-example",
        metavar="OUT.jsonl",
        help="write one row of P/R/F per type for each input line, in order "
        "(signatures go to OUT.jsonl.signature.json)",
    )
    parser.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        metavar="N",
        help="bootstrap resamples; 0: no interval (default: 1000)",
    )
    parser.add_argument("--seed", type=int, default=12345, help="bootstrap seed (default: 12345)")
    parser.add_argument(
        "--confidence", type=float, default=0.95, help="interval confidence (default: 0.95)"
    )


def run(args: argparse.Namespace) -> int:
    if args.bootstrap < 0:
        raise InputError("must be 0 or more", field="--bootstrap")
    if not 0 < args.confidence < 1:
        raise InputError("must be between 0 and 1", field="--confidence")
    predictions = read_texts(args.predictions, field=args.field)
    reference_sets = [read_texts(path, field=args.field) for path in args.references]
    for path, refs in zip(args.references, reference_sets):
        if len(refs) != len(predictions):
            raise InputError(
                f"has {len(refs)} lines but predictions {args.predictions} has {len(predictions)}; "
                "line i of every file must belong to the same example",
                path=path,
            )
    references = [list(row) for row in zip(*reference_sets)]

    # Either mode is a Metric (eval.base.metric): the rest does not depend on which.
    metric = _rouge155(args) if args.rouge155 else _rouge(args)
    try:
        results = metric.sentence_scores(predictions, references)
    except RuntimeError as err:  # split_summaries without NLTK's sentence model
        raise InputError(str(err), field="--split-summaries") from None
    corpus = metric.corpus_score(
        predictions,
        references,
        bootstrap=args.bootstrap,
        seed=args.seed,
        confidence=args.confidence,
        results=results,
    )
    for rouge_type, score in corpus.items():
        fields = "  ".join(
            f"{name} {100 * m:5.2f} [{100 * lo:.2f}, {100 * hi:.2f}]"
            for name, m, lo, hi in zip("PRF", score.mid, score.low, score.high)
        )
        print(f"{rouge_type:<10} {fields}  {score.signature}")

    if args.per_example:
        from eval.rouge import field_scores

        write_jsonl(
            args.per_example,
            (
                {t: s._asdict() for t, s in field_scores(r["scores"], corpus).items()}
                for r in results
            ),
        )
        signature = metric.signature(predictions=predictions, references=references)
        atomic_write_json(
            args.per_example + ".signature.json", {t: str(s) for t, s in signature.items()}
        )
    return 0


def _rouge(args):
    from eval.rouge import RougeScorer

    types = [t.strip() for t in args.rouge_types.split(",") if t.strip()]
    try:
        return RougeScorer(
            types,
            use_stemmer=args.stem,
            split_summaries=args.split_summaries,
            tokenizer=args.tokenizer,
            multiref=args.multiref,
            backend=args.backend,
        )
    except ValueError as err:
        raise InputError(str(err), field="options") from None


def _rouge155(args):
    from eval.rouge155 import Rouge155

    # Options of the rouge-score mode mean nothing to the Perl scorer: refuse rather than ignore.
    for option, value, default in (
        ("--tokenizer", args.tokenizer, "default"),
        ("--split-summaries", args.split_summaries, False),
        ("--multiref", args.multiref, "max"),
        ("--backend", args.backend, "auto"),
        ("--rouge-types", args.rouge_types, ROUGE_TYPES),
    ):
        if value != default:
            raise InputError(
                "does not apply with --rouge155; choose measures and multi-reference handling "
                'with --rouge155-args (e.g. "-n 4 -w 1.2 -2 4 -U -f A")',
                field=option,
            )
    options = args.rouge155_args
    if args.stem and "-m" not in options.split():
        options += " -m"
    return Rouge155(options)
