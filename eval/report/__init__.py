"""report.md and one offline report.html for a scored run, and the same pair for a comparison
of two runs.

The HTML is one file: inline SVG plots, inline CSS and one inline script (no CDN, no server)
that sorts, filters and opens the per-example table. Untrusted text (articles, predictions,
references, ids, categories) reaches the page only as JSON in a non-executed
`<script type="application/json">` block with `<`, `>` and `&` escaped, and the script puts it
into the page with `textContent`, never as HTML. A Content-Security-Policy allows that one
script (by its hash) and nothing else to run.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import math
from pathlib import Path

from eval.base.io import atomic_write_text

TEMPLATES = Path(__file__).parent  # *_template.{html,md}: shipped as package data
REPORT_EXTRA = "pip install 'headline-eval[report]'"


class ReportUnavailable(ImportError):
    """A dependency of the report (the `report` extra: matplotlib, jinja2) is not installed."""


def require_report_dependencies() -> None:
    """Raises ReportUnavailable, one line naming the missing package and what to install."""
    for module in ("matplotlib", "jinja2"):
        try:
            __import__(module)
        except ImportError:
            raise ReportUnavailable(
                f"no report: {module} is not installed; install the report extra "
                f"with {REPORT_EXTRA} (or pass --no-report)"
            ) from None


# Fields plotted and ranked first when present (the rest are still in the tables).
MAIN_FIELDS = (
    "rougeL",
    "rouge1",
    "rouge2",
    "bertscore_f",
    "consistency",
    "hl_copy_rate",
    "hl_novel_2gram",
    "hl_words",
    "hl_compression",
)


def main_fields(summary) -> list[str]:
    present = [f for f in MAIN_FIELDS if f in summary["scores"]]
    return present or list(summary["scores"])[:6]


def histogram_svg(values, title: str, other=None, labels=("A", "B")) -> str:
    require_report_dependencies()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.6, 2.4), dpi=80)
    ax.hist(
        values, bins=20, alpha=0.7, color="#3465a4", label=labels[0] if other is not None else None
    )
    if other is not None:
        ax.hist(other, bins=20, alpha=0.5, color="#cc0000", label=labels[1])
        ax.legend(fontsize=7)
    ax.set_title(title, fontsize=9)
    ax.tick_params(labelsize=7)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg") :]  # drop the XML prolog and DOCTYPE: inline SVG in HTML


def merge_spans(spans) -> list[list]:
    """[start, end, reason] spans sorted, overlapping ones merged (the first reason kept)."""
    merged = []
    for start, end, *rest in sorted((s[0], s[1], *s[2:]) for s in spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, rest[-1] if rest else ""])
    return merged


def highlight(text: str, spans) -> str:
    """HTML of `text` with [start, end) spans wrapped in <mark> (overlaps merged)."""
    out, pos = [], 0
    for start, end, reason in merge_spans(spans):
        out.append(html.escape(text[pos:start]))
        out.append(
            f'<mark title="{html.escape(str(reason))}">{html.escape(text[start:end])}</mark>'
        )
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def row_spans(row) -> list:
    details = row.get("details", {})
    spans = [
        (s["start"], s["end"], s.get("reason", "unsupported"))
        for s in details.get("consistency", {}).get("unsupported_spans", [])
    ]
    spans += [
        (a[0], a[1], f"{a[3]} absent from article")
        for a in details.get("headline", {}).get("absent", [])
    ]
    return spans


def worst_rows(rows, field: str, k: int = 10) -> list[dict]:
    scored = [r for r in rows if r.get("scores", {}).get(field) is not None]
    return sorted(scored, key=lambda r: r["scores"][field])[:k]


def _fmt(v) -> str:
    if v is None:
        return "–"
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def _env(autoescape: bool = True):
    require_report_dependencies()
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=autoescape,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["fmt"] = _fmt
    return env


def render_template(name: str, **context) -> str:
    """An HTML template of this folder, rendered with autoescaping."""
    return _env().get_template(name).render(**context)


def support_spans(article: str, prediction: str) -> list[list]:
    """[start, end, why] of the article sentence sharing most content words with each sentence
    of the prediction: the support evidence of the ngram consistency backend."""
    from eval.consistency.ngram import ArticleIndex
    from eval.consistency.text import STOPWORDS, sentences, tokens

    index = ArticleIndex(article)
    offsets = sentences(article)  # the same split, with offsets, as index.sentences
    found = {}
    for _, _, sentence in sentences(prediction):
        best, overlap = index.best_sentence({t for _, _, t in tokens(sentence)} - STOPWORDS)
        if best and overlap > 0:
            start, end, _ = offsets[index.sentences.index(best)]
            found[start] = [
                start,
                end,
                f"supports: {sentence[:80]} ({overlap:.0%} of its content words)",
            ]
    return sorted(found.values())


def _utf16(text: str, spans) -> list[list]:
    """Spans with JavaScript's string offsets (UTF-16 code units) instead of Python's."""

    def at(i):
        return len(text[:i].encode("utf-16-le")) // 2

    return [[at(s), at(e), why] for s, e, why in spans]


def _finite(v) -> bool:
    """A score the page can show: JSON has no NaN or infinity (JSON.parse would fail)."""
    return v is not None and (isinstance(v, bool) or math.isfinite(v))


def _number(v):
    return int(v) if isinstance(v, bool) else v


def example_data(rows, summary) -> dict:
    """Per-example data of the interactive table: scores, flags, spans, article and reference."""
    fields = [f for f, s in summary["scores"].items() if s.get("n")]
    out = []
    for row in rows:
        scores = row.get("scores", {})
        prediction, article = row.get("prediction") or "", row.get("article") or ""
        cap = row.get("hit_length_cap")
        out.append(
            {
                "id": str(row.get("id")),
                "line": row.get("line"),
                "category": row.get("category") or "",
                "prediction": prediction,
                "article": article,
                "references": row.get("references") or [],
                "scores": {f: _number(scores[f]) for f in fields if _finite(scores.get(f))},
                "flags": {
                    "cap": bool(cap if cap is not None else scores.get("hl_hit_length_cap")),
                    "inconsistent": scores.get("consistent") is False,
                    "absent_names": bool(scores.get("hl_absent_names")),
                    "absent_numbers": bool(scores.get("hl_absent_numbers")),
                },
                "spans": _utf16(prediction, merge_spans(row_spans(row))),
                "support": _utf16(article, support_spans(article, prediction))
                if article and prediction
                else [],
                "problem": "; ".join(
                    filter(
                        None,
                        [
                            row.get("error"),
                            *row.get("warnings", []),
                            *(f"{m}: {e}" for m, e in row.get("errors", {}).items()),
                        ],
                    )
                ),
            }
        )
    return {"fields": fields, "rows": out}


def _json_for_html(obj) -> str:
    """JSON that cannot end its <script> element or open a comment, whatever the text holds."""
    return (
        json.dumps(obj, ensure_ascii=False, allow_nan=False)
        .replace("&", "\\u0026")
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _script(name: str) -> tuple[str, str]:
    """(inline script, its CSP hash source)."""
    code = (TEMPLATES / name).read_text(encoding="utf-8")
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode()
    return code, f"'sha256-{digest}'"


def write_report(out_dir, rows, summary, worst_field: str | None = None) -> None:
    require_report_dependencies()
    out_dir = Path(out_dir)
    fields = main_fields(summary)
    from eval.aggregate import field_values

    plots = [(f, histogram_svg(field_values(rows, f), f)) for f in fields if field_values(rows, f)]
    worst_field = worst_field or next(
        (f for f in ("consistency", "rougeL", "bertscore_f") if f in summary["scores"]),
        fields[0] if fields else None,
    )
    worst = [
        {
            "row": r,
            "html": highlight(r.get("prediction") or "", row_spans(r)),
            "spans": row_spans(r),
        }
        for r in (worst_rows(rows, worst_field) if worst_field else [])
    ]
    problems = [r for r in rows if r.get("error") or r.get("warnings") or r.get("errors")]
    context = dict(
        summary=summary,
        fields=fields,
        plots=plots,
        worst=worst,
        worst_field=worst_field,
        problems=problems[:50],
        title=f"Scores: {summary.get('input', '')}",
    )
    script, script_hash = _script("report.js")
    data = example_data(rows, summary)
    data["columns"], data["sort"] = fields, worst_field
    html_context = dict(
        context, data_json=_json_for_html(data), script=script, script_hash=script_hash
    )
    atomic_write_text(
        out_dir / "report.html", _env().get_template("report_template.html").render(**html_context)
    )
    atomic_write_text(
        out_dir / "report.md", _env(False).get_template("report_template.md").render(**context)
    )


def write_compare_report(
    out_dir, comparison: dict, plots: list, examples: dict | None = None
) -> None:
    """`examples`: {"fields": [...], "metric": default field, "rows": [{id, prediction_a,
    prediction_b, reference, a: {field: score}, b: {...}}]} for the side-by-side table."""
    out_dir = Path(out_dir)
    script, script_hash = _script("compare.js")
    examples = examples or {"fields": [], "metric": None, "rows": []}
    page = (
        _env()
        .get_template("compare_template.html")
        .render(
            c=comparison,
            plots=plots,
            data_json=_json_for_html(examples),
            script=script,
            script_hash=script_hash,
        )
    )
    atomic_write_text(out_dir / "compare.html", page)
    atomic_write_text(
        out_dir / "compare.md", _env(False).get_template("compare_template.md").render(c=comparison)
    )
