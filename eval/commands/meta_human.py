"""Are the metrics any good? Kendall tau and Spearman rho of every metric against every human
dimension, at summary level (per document across systems, averaged over documents) and at
system level (per-system means across documents), with document-bootstrap intervals.

    python -m eval meta-human --dataset summeval|realsumm [--metrics ...] [--output-dir DIR]

Data (read in place from $SUMM_DATA_DIR/human_judgments, never copied):
- SummEval: 100 CNN/DM docs x 16 systems; coherence, consistency, fluency, relevance (1-5,
  mean of 3 experts). The file has the article but NO reference summaries, so ROUGE and
  BERTScore are computed against the ARTICLE (fields suffixed `@src`), as reference-free proxies.
- REALSumm: 100 CNN/DM docs x 25 systems (14 abstractive + 11 extractive); LitePyramid recall.
  References but no articles: source-based checks (copy rate, consistency) do not apply.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from eval.data import data_path
from eval.io import atomic_write_json, atomic_write_text

DATASETS = {
    "summeval": {"dims": ["coherence", "consistency", "fluency", "relevance"],
                 "metrics": ["rouge", "bertscore", "headline", "consistency"]},
    "realsumm": {"dims": ["litepyramid_recall"], "metrics": ["rouge", "bertscore", "headline"]},
}
FIELDS = ["rouge1", "rouge2", "rougeL", "rouge1_r", "rouge2_r", "bertscore_f", "bertscore_p", "bertscore_r",
          "consistency", "hl_copy_rate", "hl_novel_2gram", "hl_compression", "hl_words"]
# ROUGE without stemming (as rouge-score's default); consistency falls back to ngram while the
# ensemble is not fitted.
OPTIONS = {"consistency": {"backend": ["ensemble", "ngram"]}}
_TAG_RE = re.compile(r"\s*</?t>\s*")


def add_arguments(parser) -> None:
    parser.add_argument("--dataset", required=True, choices=sorted(DATASETS))
    parser.add_argument("--metrics", help="comma-separated (default: all that apply to the dataset)")
    parser.add_argument("--config", help="metric options from a configs/eval/*.yaml (default: OPTIONS below)")
    parser.add_argument("--output-dir", help="default runs/meta_human/DATASET")
    parser.add_argument("--n-resamples", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=12345)
    parser.add_argument("--limit-docs", type=int, help="first N documents only (quick look)")
    parser.add_argument("--no-progress", action="store_true")


def load_summeval() -> list[dict]:
    rows = []
    with open(data_path("human_judgments", "summeval.jsonl"), encoding="utf-8") as handle:
        for line in handle:
            r = json.loads(line)
            rows.append({"doc": r["article_id"], "system": r["summary_id"], "prediction": r["summary"],
                         "article": r["article"], "references": [r["article"]],
                         "human": {d: r[d] for d in DATASETS["summeval"]["dims"]}})
    return rows


def _sentences(text: str) -> str:
    # REALSumm marks sentences with <t> ... </t>; rougeLsum-style newline separation instead.
    return "\n".join(s.strip() for s in _TAG_RE.split(text) if s.strip())


def load_realsumm() -> list[dict]:
    rows = []
    for kind in ("abs", "ext"):
        with open(data_path("human_judgments", "realsumm", f"scores_{kind}.json"), encoding="utf-8") as handle:
            docs = json.load(handle)
        for doc_id, doc in docs.items():
            for system, entry in doc["system_summaries"].items():
                rows.append({"doc": str(doc_id), "system": f"{kind}:{system}", "article": None,
                             "prediction": _sentences(entry["system_summary"]),
                             "references": [_sentences(doc["ref_summ"])],
                             "human": {"litepyramid_recall": entry["scores"]["litepyramid_recall"]}})
    return rows


def matrix(rows, value, docs, systems) -> np.ndarray:
    """docs x systems array of value(row); NaN where a pair is missing or None."""
    m = np.full((len(docs), len(systems)), np.nan)
    d_index, s_index = {d: i for i, d in enumerate(docs)}, {s: i for i, s in enumerate(systems)}
    for row in rows:
        v = value(row)
        if v is not None:
            m[d_index[row["doc"]], s_index[row["system"]]] = float(v)
    return m


def _corr(x, y, kind: str) -> float:
    from scipy.stats import kendalltau, spearmanr

    ok = ~(np.isnan(x) | np.isnan(y))
    if ok.sum() < 3 or np.ptp(x[ok]) == 0 or np.ptp(y[ok]) == 0:
        return np.nan
    return float((kendalltau if kind == "kendall" else spearmanr)(x[ok], y[ok])[0])


def correlations(metric: np.ndarray, human: np.ndarray, n_resamples=1000, seed=12345, confidence=0.95) -> dict:
    """Summary- and system-level Kendall/Spearman with percentile intervals from resampling documents."""
    from eval.stats import bootstrap_ci

    out = {}
    alpha = (1 - confidence) / 2
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, metric.shape[0], size=(n_resamples, metric.shape[0]))
    for kind in ("kendall", "spearman"):
        per_doc = np.array([_corr(metric[i], human[i], kind) for i in range(metric.shape[0])])
        per_doc = per_doc[~np.isnan(per_doc)]
        if len(per_doc) >= 2:
            ci = bootstrap_ci(per_doc, n_resamples=n_resamples, seed=seed, confidence=confidence)
            out[f"summary_{kind}"] = [float(ci.mean), float(ci.low), float(ci.high)]
        system = _corr(np.nanmean(metric, axis=0), np.nanmean(human, axis=0), kind)
        boots = [_corr(np.nanmean(metric[d], axis=0), np.nanmean(human[d], axis=0), kind) for d in draws]
        boots = np.array(boots)[~np.isnan(boots)]
        low, high = (np.quantile(boots, [alpha, 1 - alpha]) if len(boots) else (np.nan, np.nan))
        out[f"system_{kind}"] = [system, float(low), float(high)]
    return out


def run(args) -> int:
    from eval.cache import ScoreCache
    from eval.pipeline import load_metrics, score_rows
    from eval.signature import Signature

    spec = DATASETS[args.dataset]
    rows = load_summeval() if args.dataset == "summeval" else load_realsumm()
    docs = list(dict.fromkeys(r["doc"] for r in rows))
    if args.limit_docs:
        docs = docs[: args.limit_docs]
        rows = [r for r in rows if r["doc"] in set(docs)]
    systems = list(dict.fromkeys(r["system"] for r in rows))
    out_dir = Path(args.output_dir or Path("runs") / "meta_human" / args.dataset)
    from eval.commands.score import load_eval_config

    options = load_eval_config(args.config).get("options", {}) if args.config else OPTIONS
    metrics, info = load_metrics(args.metrics.split(",") if args.metrics else spec["metrics"], options)
    with ScoreCache(out_dir / ".cache" / "scores.sqlite") as cache:
        score_rows(rows, metrics, cache, batch_size=128, progress=not args.no_progress)
    suffix = "@src" if args.dataset == "summeval" else ""
    fields = [f for f in FIELDS if any(r["scores"].get(f) is not None for r in rows)]
    table = {}
    for field in fields:
        name = f"{field}{suffix}" if field.startswith(("rouge", "bertscore")) else field
        m = matrix(rows, lambda r, f=field: r["scores"].get(f), docs, systems)
        table[name] = {dim: correlations(m, matrix(rows, lambda r, d=dim: r["human"][d], docs, systems),
                                         args.n_resamples, args.seed) for dim in spec["dims"]}
    signature = Signature.make(f"meta-human-{args.dataset}", docs=len(docs), systems=len(systems),
                               boot=args.n_resamples, resample="documents", seed=args.seed)
    result = {"dataset": args.dataset, "signature": str(signature), "metrics": info, "table": table,
              "n_docs": len(docs), "n_systems": len(systems), "n_rows": len(rows)}
    atomic_write_json(out_dir / "meta.json", result)
    text = render_markdown(result)
    atomic_write_text(out_dir / "meta.md", text)
    print(text)
    return 0


def render_markdown(result) -> str:
    lines = [f"### {result['dataset']}: {result['n_docs']} documents x {result['n_systems']} systems",
             "", f"`{result['signature']}`", ""]
    for name, m in result["metrics"].items():
        lines.append(f"- {name}: `{m.get('signature') or 'SKIPPED: ' + m.get('reason', '')}`")
    lines += ["", "Kendall tau (Spearman rho in the second table), mean [95% interval] over document resamples.", ""]
    dims = list(next(iter(result["table"].values())).keys()) if result["table"] else []
    for kind in ("kendall", "spearman"):
        header = "| metric | " + " | ".join(f"{d} {lvl}" for d in dims for lvl in ("summary", "system")) + " |"
        lines += [f"**{kind}**", "", header, "|---|" + "---:|" * (2 * len(dims))]
        for name, per_dim in result["table"].items():
            cells = []
            for d in dims:
                for lvl in ("summary", "system"):
                    v = per_dim[d].get(f"{lvl}_{kind}")
                    cells.append("–" if v is None or np.isnan(v[0]) else f"{v[0]:.3f} [{v[1]:.2f}, {v[2]:.2f}]")
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
