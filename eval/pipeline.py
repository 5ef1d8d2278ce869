"""Score a run end to end: read and validate rows (eval.rows), score them with the chosen
metrics through the per-example cache (eval.scoring), then write DIR/scores.jsonl (one row per
input row, same order), DIR/summary.json (means, seeded bootstrap intervals, signatures, problem
counts: eval.aggregate) and the report.

Row errors stop the run with every problem listed, unless keep_going: then the row stays in
scores.jsonl with its error and no scores. Row warnings never stop it; metrics that need a
missing field leave that row's fields null. Nothing is dropped.
"""

from __future__ import annotations

import logging
from pathlib import Path

from eval.aggregate import summarize
from eval.base.cache import ScoreCache
from eval.base.io import atomic_write_json, write_jsonl
from eval.rows import Problems, read_rows
from eval.scoring import load_metrics, score_rows, used_signatures

log = logging.getLogger(__name__)
DEFAULT_METRICS = ("rouge", "headline", "bertscore", "consistency")


def output_row(row) -> dict:
    keep = (
        "id",
        "file",
        "line",
        "category",
        "prediction",
        "references",
        "hit_length_cap",
        "scores",
        "details",
        "errors",
        "warnings",
        "error",
    )
    return {k: row[k] for k in keep if k in row and row[k] not in (None, {}, [])}


def score_run(
    input_path,
    output_dir,
    metrics=DEFAULT_METRICS,
    metric_options=None,
    references=None,
    keep_going=False,
    n_resamples=1000,
    seed=12345,
    confidence=0.95,
    use_cache=True,
    report=True,
    progress=True,
    batch_size=256,
    method="multinomial",
) -> dict:
    rows, problems = read_rows(input_path, references)
    if problems.errors and not keep_going:
        problems.stop()
    metric_objs, info = load_metrics(metrics, metric_options)
    out = Path(output_dir)
    cache = ScoreCache(out / ".cache" / "scores.sqlite") if use_cache else None
    try:
        score_rows(rows, metric_objs, cache, batch_size=batch_size, progress=progress)
    finally:
        if cache:
            cache.close()
    used_signatures(metric_objs, rows, info)
    summary = summarize(rows, info, problems, n_resamples, seed, confidence, method)
    summary["input"] = str(input_path)
    if cache:
        summary["cache"] = {"hits": cache.hits, "misses": cache.misses}
    write_outputs(out, rows, summary, problems, report)
    return summary


def write_outputs(out: Path, rows, summary: dict, problems: Problems, report: bool) -> None:
    """DIR/scores.jsonl, DIR/summary.json and, with `report`, the report; then the problem
    counts on the log (the same for a local and a --ray run)."""
    write_jsonl(out / "scores.jsonl", [output_row(r) for r in rows])
    atomic_write_json(out / "summary.json", summary)
    if report:
        write_report_if_possible(out, rows, summary)
    _log_problems(problems, summary)


def write_report_if_possible(out, rows, summary) -> bool:
    """report.md/report.html; without the report extra, one warning line saying what to install
    (scores.jsonl and summary.json are written already)."""
    from eval.report import ReportUnavailable, write_report

    try:
        write_report(out, rows, summary)
    except ReportUnavailable as err:
        log.warning("%s", err)
        return False
    return True


def _log_problems(problems: Problems, summary: dict) -> None:
    p = summary["problems"]
    log.info(
        "%d rows, %d scored; %d errors, %d warnings %s; metric errors %s",
        summary["n_rows"],
        summary["n_scored"],
        p["errors"],
        p["warnings"],
        p["by_kind"] or "",
        p["metric_errors"] or "none",
    )
    for line in (problems.errors + problems.warnings)[:10]:
        log.info("  %s", line)
