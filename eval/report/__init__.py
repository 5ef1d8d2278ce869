"""report.md and one static, offline report.html (inline SVG plots, no scripts, no CDN) for a
scored run, and the same pair for a comparison of two runs."""

from __future__ import annotations

import html
import io
from pathlib import Path

from eval.io import atomic_write_text

TEMPLATES = Path(__file__).parent  # *_template.{html,md}: shipped as package data
# Fields plotted and ranked first when present (the rest are still in the tables).
MAIN_FIELDS = ("rougeL", "rouge1", "rouge2", "bertscore_f", "consistency", "hl_copy_rate",
               "hl_novel_2gram", "hl_words", "hl_compression")


def main_fields(summary) -> list[str]:
    present = [f for f in MAIN_FIELDS if f in summary["scores"]]
    return present or list(summary["scores"])[:6]


def histogram_svg(values, title: str, other=None, labels=("A", "B")) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(3.6, 2.4), dpi=80)
    ax.hist(values, bins=20, alpha=0.7, color="#3465a4", label=labels[0] if other is not None else None)
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
    return svg[svg.index("<svg"):]  # drop the XML prolog and DOCTYPE: inline SVG in HTML


def highlight(text: str, spans) -> str:
    """HTML of `text` with [start, end) spans wrapped in <mark> (overlaps merged)."""
    merged = []
    for start, end, *rest in sorted((s[0], s[1], *s[2:]) for s in spans):
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, rest[-1] if rest else ""])
    out, pos = [], 0
    for start, end, reason in merged:
        out.append(html.escape(text[pos:start]))
        out.append(f'<mark title="{html.escape(str(reason))}">{html.escape(text[start:end])}</mark>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def row_spans(row) -> list:
    details = row.get("details", {})
    spans = [(s["start"], s["end"], s.get("reason", "unsupported"))
             for s in details.get("consistency", {}).get("unsupported_spans", [])]
    spans += [(a[0], a[1], f"{a[3]} absent from article") for a in details.get("headline", {}).get("absent", [])]
    return spans


def worst_rows(rows, field: str, k: int = 10) -> list[dict]:
    scored = [r for r in rows if r.get("scores", {}).get(field) is not None]
    return sorted(scored, key=lambda r: r["scores"][field])[:k]


def _fmt(v) -> str:
    if v is None:
        return "–"
    return f"{v:.4f}" if isinstance(v, float) else str(v)


def _env(autoescape: bool = True):
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=autoescape,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters["fmt"] = _fmt
    return env


def render_template(name: str, **context) -> str:
    """An HTML template of this folder, rendered with autoescaping."""
    return _env().get_template(name).render(**context)


def write_report(out_dir, rows, summary, worst_field: str | None = None) -> None:
    out_dir = Path(out_dir)
    fields = main_fields(summary)
    from eval.pipeline import field_values

    plots = [(f, histogram_svg(field_values(rows, f), f)) for f in fields if field_values(rows, f)]
    worst_field = worst_field or next((f for f in ("consistency", "rougeL", "bertscore_f") if f in summary["scores"]),
                                      fields[0] if fields else None)
    worst = [{"row": r, "html": highlight(r.get("prediction") or "", row_spans(r)), "spans": row_spans(r)}
             for r in (worst_rows(rows, worst_field) if worst_field else [])]
    problems = [r for r in rows if r.get("error") or r.get("warnings") or r.get("errors")]
    context = dict(summary=summary, fields=fields, plots=plots, worst=worst, worst_field=worst_field,
                   problems=problems[:50], title=f"Scores: {summary.get('input', '')}")
    atomic_write_text(out_dir / "report.html", _env().get_template("report_template.html").render(**context))
    atomic_write_text(out_dir / "report.md", _env(False).get_template("report_template.md").render(**context))


def write_compare_report(out_dir, comparison: dict, plots: list) -> None:
    out_dir = Path(out_dir)
    atomic_write_text(out_dir / "compare.html", _env().get_template("compare_template.html").render(c=comparison, plots=plots))
    atomic_write_text(out_dir / "compare.md", _env(False).get_template("compare_template.md").render(c=comparison))
