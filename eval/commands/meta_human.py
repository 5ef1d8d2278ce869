"""Are the metrics any good? Kendall tau and Spearman rho of every metric against every human
dimension, at summary level (per document across systems, averaged over documents) and at
system level (per-system means across documents), with document-bootstrap intervals.

    python -m eval meta-human --dataset summeval|realsumm [--metrics ...] [--output-dir DIR]
    python -m eval meta-human --input FILE.jsonl|.csv --prediction-field F --human-fields a,b
        --doc-field F [--system-field F] [--reference-field F] [--article-field F] [--output-dir D]
    python -m eval meta-human --input PAIRS.jsonl|.csv --pairwise [--reference-field F] [--article-field F]

Your own ratings (`--input`): the same table, plus a pooled level (all rated predictions
together, resampling documents), written to D/meta_human.{json,md,html}. Without a system
field there is no system level; the summary level then compares the predictions of each
document. Pairwise preferences (`--pairwise`: id, prediction_a, prediction_b, preferred = a, b
or tie): each metric's agreement with the raters (accuracy; a metric tie only agrees with a
rater tie) with a document-bootstrap interval.

Data (read in place from $SUMM_DATA_DIR/human_judgments, never copied):
- SummEval: 100 CNN/DM docs x 16 systems; coherence, consistency, fluency, relevance (1-5,
  mean of 3 experts). The file has the article but NO reference summaries, so ROUGE and
  BERTScore are computed against the ARTICLE (fields suffixed `@src`), as reference-free proxies.
  Your own files without a reference field get the same treatment when they have an article.
- REALSumm: 100 CNN/DM docs x 25 systems (14 abstractive + 11 extractive); LitePyramid recall.
  References but no articles: source-based checks (copy rate, consistency) do not apply.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from eval.base.errors import InputError
from eval.base.io import atomic_write_json, atomic_write_text
from eval.correlation import LEVELS, correlation_table, pairwise_agreement
from eval.human_judgments import SUMMEVAL_DIMS, load_realsumm, load_summeval

log = logging.getLogger(__name__)

DATASETS = {
    "summeval": {
        "dims": SUMMEVAL_DIMS,
        "metrics": ["rouge", "bertscore", "headline", "consistency"],
    },
    "realsumm": {"dims": ["litepyramid_recall"], "metrics": ["rouge", "bertscore", "headline"]},
}
FIELDS = [
    "rouge1",
    "rouge2",
    "rougeL",
    "rouge1_r",
    "rouge2_r",
    "bertscore_f",
    "bertscore_p",
    "bertscore_r",
    "consistency",
    "hl_copy_rate",
    "hl_novel_2gram",
    "hl_compression",
    "hl_words",
]
# ROUGE without stemming (as rouge-score's default); consistency uses the fitted ensemble and falls
# back to ngram only where the ensemble cannot load (its members' extras not installed).
OPTIONS = {"consistency": {"backend": ["ensemble", "ngram"]}}


def add_arguments(parser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--dataset", choices=sorted(DATASETS), help="a built-in set of human judgments"
    )
    source.add_argument("--input", help="your own judgments: .jsonl or .csv/.tsv with a header row")
    parser.add_argument(
        "--prediction-field",
        default="prediction",
        help="--input: the rated text (default: %(default)s)",
    )
    parser.add_argument(
        "--human-fields",
        help="--input: comma-separated numeric rating fields, e.g. fluency,accuracy",
    )
    parser.add_argument(
        "--doc-field", help="--input: document (article) id; with --pairwise default: the id field"
    )
    parser.add_argument("--system-field", help="--input: system name (adds the system level)")
    parser.add_argument(
        "--reference-field",
        help="--input: reference text (string or list); without it ROUGE and "
        "BERTScore use the article, named @src",
    )
    parser.add_argument(
        "--article-field", help="--input: article text (copy rate, consistency, @src scores)"
    )
    parser.add_argument(
        "--pairwise",
        action="store_true",
        help="--input holds A/B preferences: fields --id-field, prediction_a, prediction_b, preferred",
    )
    parser.add_argument(
        "--id-field", default="id", help="--pairwise: pair id (default: %(default)s)"
    )
    parser.add_argument(
        "--preferred-field",
        default="preferred",
        help="--pairwise: a, b or tie (default: %(default)s)",
    )
    parser.add_argument(
        "--metrics", help="comma-separated (default: all that apply to the dataset)"
    )
    parser.add_argument(
        "--config", help="metric options from a configs/eval/*.yaml (default: OPTIONS below)"
    )
    parser.add_argument(
        "--output-dir", help="default runs/meta_human/DATASET (or the input file's name)"
    )
    parser.add_argument("--n-resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--limit-docs", type=int, help="first N documents only (quick look)")
    parser.add_argument("--no-progress", action="store_true")


def _score(rows, metric_names, args, out_dir) -> dict:
    from eval.base.cache import ScoreCache
    from eval.commands.score import load_eval_config
    from eval.scoring import load_metrics, score_rows, used_signatures

    options = load_eval_config(args.config).get("options", {}) if args.config else OPTIONS
    metrics, info = load_metrics(metric_names, options)
    with ScoreCache(out_dir / ".cache" / "scores.sqlite") as cache:
        score_rows(rows, metrics, cache, batch_size=128, progress=not args.no_progress)
    used_signatures(metrics, rows, info)
    return info


def run(args) -> int:
    if args.input:
        return run_pairwise(args) if args.pairwise else run_ratings(args)
    from eval.base.signature import Signature

    spec = DATASETS[args.dataset]
    rows = load_summeval() if args.dataset == "summeval" else load_realsumm()
    docs = list(dict.fromkeys(r["doc"] for r in rows))
    if args.limit_docs:
        docs = docs[: args.limit_docs]
        rows = [r for r in rows if r["doc"] in set(docs)]
    systems = list(dict.fromkeys(r["system"] for r in rows))
    out_dir = Path(args.output_dir or Path("runs") / "meta_human" / args.dataset)
    info = _score(rows, args.metrics.split(",") if args.metrics else spec["metrics"], args, out_dir)
    suffix = "@src" if args.dataset == "summeval" else ""
    table = correlation_table(
        rows, FIELDS, docs, systems, spec["dims"], suffix, args.n_resamples, args.seed
    )
    signature = Signature.make(
        f"meta-human-{args.dataset}",
        docs=len(docs),
        systems=len(systems),
        boot=args.n_resamples,
        resample="documents",
        seed=args.seed,
    )
    result = {
        "dataset": args.dataset,
        "signature": str(signature),
        "metrics": info,
        "table": table,
        "n_docs": len(docs),
        "n_systems": len(systems),
        "n_rows": len(rows),
    }
    atomic_write_json(out_dir / "meta.json", result)
    text = render_markdown(result)
    atomic_write_text(out_dir / "meta.md", text)
    print(text)
    return 0


def _user_options(args) -> tuple[Path, list[str]]:
    if args.limit_docs:
        raise InputError("applies to --dataset only", field="--limit-docs")
    out_dir = Path(args.output_dir or Path("runs") / "meta_human" / Path(args.input).stem)
    default = ["rouge", "bertscore", "headline"] + (["consistency"] if args.article_field else [])
    return out_dir, args.metrics.split(",") if args.metrics else default


def _write_user_result(out_dir: Path, result: dict) -> None:
    from eval.report import render_template

    for line in result["warnings"]:
        log.warning("%s", line)
    atomic_write_json(out_dir / "meta_human.json", result)
    text = render_markdown(result)
    atomic_write_text(out_dir / "meta_human.md", text)
    atomic_write_text(
        out_dir / "meta_human.html",
        render_template("meta_human_template.html", r=result, markdown=text),
    )
    print(text)
    print(f"written: {out_dir}/meta_human.json, meta_human.md, meta_human.html")


def run_ratings(args) -> int:
    from eval.base.signature import Signature
    from eval.human_judgments import load_ratings

    if not args.human_fields or not args.doc_field:
        raise InputError("--input needs --human-fields and --doc-field (or --pairwise)")
    dims = [d.strip() for d in args.human_fields.split(",") if d.strip()]
    out_dir, metric_names = _user_options(args)
    loaded = load_ratings(
        args.input,
        args.prediction_field,
        dims,
        args.doc_field,
        args.system_field,
        args.reference_field,
        args.article_field,
    )
    rows = loaded.rows
    docs = list(dict.fromkeys(r["doc"] for r in rows))
    systems = list(dict.fromkeys(r["system"] for r in rows))
    levels = [
        lvl
        for lvl, ok in (
            ("summary", len(systems) >= 2),
            ("system", bool(args.system_field)),
            ("pooled", True),
        )
        if ok
    ]
    if args.system_field and len(systems) < 3:
        loaded.warnings.append(
            f"only {len(systems)} system(s): system-level correlation needs 3 or more"
        )
    info = _score(rows, metric_names, args, out_dir)
    suffix = "@src" if not args.reference_field and args.article_field else ""
    table = correlation_table(
        rows, FIELDS, docs, systems, dims, suffix, args.n_resamples, args.seed, levels
    )
    signature = Signature.make(
        "meta-human-file",
        docs=len(docs),
        systems=len(systems) if args.system_field else 0,
        rows=len(rows),
        boot=args.n_resamples,
        resample="documents",
        seed=args.seed,
    )
    result = {
        "dataset": Path(args.input).name,
        "input": str(args.input),
        "signature": str(signature),
        "metrics": info,
        "levels": levels,
        "table": table,
        "n_docs": len(docs),
        "n_systems": len(systems) if args.system_field else None,
        "n_rows": len(rows),
        "notes": loaded.notes,
        "warnings": loaded.warnings,
    }
    _write_user_result(out_dir, result)
    return 0


def run_pairwise(args) -> int:
    from eval.base.signature import Signature
    from eval.human_judgments import load_pairwise

    out_dir, metric_names = _user_options(args)
    loaded = load_pairwise(
        args.input,
        args.id_field,
        "prediction_a",
        "prediction_b",
        args.preferred_field,
        args.doc_field,
        args.reference_field,
        args.article_field,
    )
    pairs = loaded.rows
    rows = [
        {
            "id": f"{p['id']}\t{side}",
            "prediction": p[side],
            "references": p["references"],
            "article": p["article"],
        }
        for p in pairs
        for side in ("a", "b")
    ]
    info = _score(rows, metric_names, args, out_dir)
    suffix = "@src" if not args.reference_field and args.article_field else ""
    preferred = [p["preferred"] for p in pairs]
    groups = [p["doc"] for p in pairs]
    table = {}
    for field in [f for f in FIELDS if any(r["scores"].get(f) is not None for r in rows)]:
        values = np.array(
            [np.nan if (v := r["scores"].get(field)) is None else float(v) for r in rows]
        )
        name = f"{field}{suffix}" if field.startswith(("rouge", "bertscore")) else field
        table[name] = pairwise_agreement(
            values[0::2], values[1::2], preferred, groups, args.n_resamples, args.seed
        )
    signature = Signature.make(
        "meta-human-pairwise",
        pairs=len(pairs),
        docs=len(set(groups)),
        ties="exact",
        boot=args.n_resamples,
        resample="documents",
        seed=args.seed,
    )
    counts = {k: preferred.count(k) for k in ("a", "b", "tie")}
    result = {
        "dataset": Path(args.input).name,
        "input": str(args.input),
        "signature": str(signature),
        "metrics": info,
        "pairwise": table,
        "n_pairs": len(pairs),
        "n_docs": len(set(groups)),
        "preferred": counts,
        "notes": loaded.notes,
        "warnings": loaded.warnings,
    }
    _write_user_result(out_dir, result)
    return 0


def _cell(v) -> str:
    return "–" if v is None or np.isnan(v[0]) else f"{v[0]:.3f} [{v[1]:.2f}, {v[2]:.2f}]"


def render_markdown(result) -> str:
    if "pairwise" in result:
        head = f"### {result['dataset']}: {result['n_pairs']} pairs, {result['n_docs']} documents"
    else:
        systems = f" x {result['n_systems']} systems" if result.get("n_systems") else ""
        head = f"### {result['dataset']}: {result['n_docs']} documents{systems}"
    lines = [head, "", f"`{result['signature']}`", ""]
    for name, m in result["metrics"].items():
        lines.append(f"- {name}: `{m.get('signature') or 'SKIPPED: ' + m.get('reason', '')}`")
    lines += [f"- note: {n}" for n in result.get("notes", [])]
    if result.get("warnings"):
        lines.append(f"- {len(result['warnings'])} warning(s), first: {result['warnings'][0]}")
    if "pairwise" in result:
        p = result["preferred"]
        lines += [
            "",
            f"Raters preferred A {p['a']}, B {p['b']}, tie {p['tie']} times. Agreement: the share of "
            "pairs where the metric's higher score is the preferred one (equal scores: a tie, right "
            "only when the raters tied), mean [95% interval] over document resamples.",
            "",
            "| metric | agreement | metric ties | pairs | unscored |",
            "|---|---:|---:|---:|---:|",
        ]
        for name, r in result["pairwise"].items():
            lines.append(
                f"| {name} | {_cell(r['accuracy'])} | {r['metric_ties']} | {r['n']} | {r['unscored']} |"
            )
        return "\n".join(lines + [""])
    levels = result.get("levels", LEVELS)
    lines += [
        "",
        "Kendall tau (Spearman rho in the second table), mean [95% interval] over document resamples.",
        "",
    ]
    dims = list(next(iter(result["table"].values())).keys()) if result["table"] else []
    for kind in ("kendall", "spearman"):
        header = "| metric | " + " | ".join(f"{d} {lvl}" for d in dims for lvl in levels) + " |"
        lines += [f"**{kind}**", "", header, "|---|" + "---:|" * (len(levels) * len(dims))]
        for name, per_dim in result["table"].items():
            cells = [_cell(per_dim[d].get(f"{lvl}_{kind}")) for d in dims for lvl in levels]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
