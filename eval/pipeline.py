"""Score a run end to end: read and validate rows, score them with the chosen metrics (through
the per-example cache), then write DIR/scores.jsonl (one row per input row, same order) and
DIR/summary.json (means, seeded bootstrap intervals, signatures, problem counts).

Input rows: `id`, `prediction` (or `text`, as `python -m summarizer generate` writes),
`reference` (string or list; or `references`), optional `article`, `category`,
`hit_length_cap`. References/articles may come from a separate file joined by id.
Row errors (bad JSON, no id, duplicate id, id absent from the references, no prediction) stop
the run with every problem listed, unless keep_going: then the row stays in scores.jsonl with
its error and no scores. Row warnings (empty prediction, no reference, no article) never stop
it; metrics that need the missing field leave that row's fields null. Nothing is dropped.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from eval.base.cache import ScoreCache, example_key
from eval.base.errors import InputError
from eval.base.io import atomic_write_json, write_jsonl
from eval.aggregate import summarize
from eval.metrics import MetricUnavailable, load_metric

log = logging.getLogger(__name__)
DEFAULT_METRICS = ("rouge", "headline", "bertscore", "consistency")
NO_CATEGORY = "(none)"


@dataclass
class Problems:
    """Every problem found, each naming its file and line/id; `kinds` counts them by kind."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    kinds: Counter = field(default_factory=Counter)

    def error(self, kind: str, where: str, message: str):
        self.errors.append(f"{where}: {message}")
        self.kinds[kind] += 1

    def warn(self, kind: str, where: str, message: str):
        self.warnings.append(f"{where}: {message}")
        self.kinds[kind] += 1

    def as_dict(self) -> dict:
        return {"errors": len(self.errors), "warnings": len(self.warnings), "by_kind": dict(self.kinds),
                "first_errors": self.errors[:20], "first_warnings": self.warnings[:20]}


def _jsonl_objects(path, problems: Problems):
    """(line number, object or None) for every line; bad lines are recorded, never skipped silently."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            where = f"{path} line {number}"
            try:
                text = raw.decode("utf-8").strip()
                obj = json.loads(text) if text else None
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                problems.error("invalid_json", where, f"invalid JSON ({err.__class__.__name__}: {err})")
                yield number, None
                continue
            if text and not isinstance(obj, dict):
                problems.error("invalid_json", where, "expected a JSON object")
                yield number, None
            elif obj is not None:
                yield number, obj
            else:
                problems.error("invalid_json", where, "blank line")
                yield number, None


def _references(value, where, problems: Problems):
    if value is None:
        return None
    refs = [value] if isinstance(value, str) else value
    if not isinstance(refs, list) or not refs or not all(isinstance(r, str) for r in refs):
        problems.error("bad_reference", where, 'field "reference" must be a string or a non-empty list of strings')
        return None
    if not any(r.strip() for r in refs):
        problems.warn("empty_reference", where, "empty reference")
    return refs


def read_references(path, problems: Problems) -> dict[str, dict]:
    by_id: dict[str, dict] = {}
    for number, obj in _jsonl_objects(path, problems):
        where = f"{path} line {number}"
        if obj is None:
            continue
        if "id" not in obj:
            problems.error("missing_id", where, 'missing field "id"')
            continue
        key = str(obj["id"])
        if key in by_id:
            problems.error("duplicate_id", where, f"duplicate id {key!r}")
            continue
        ref = next((obj[f] for f in ("reference", "references", "headline", "summary") if f in obj), None)
        by_id[key] = {"references": _references(ref, where, problems),
                      "article": obj.get("article"), "category": obj.get("category")}
    return by_id


def read_rows(path, references_path=None) -> tuple[list[dict], Problems]:
    """Validated rows (one per input line, bad ones carry `error`) and the problems found."""
    problems = Problems()
    refs = read_references(references_path, problems) if references_path else None
    rows, first_line = [], {}
    for number, obj in _jsonl_objects(path, problems):
        where = f"{path} line {number}"
        row = {"line": number, "id": None, "prediction": None, "references": None,
               "article": None, "category": NO_CATEGORY, "hit_length_cap": None, "warnings": []}
        rows.append(row)
        n_errors = len(problems.errors)
        if obj is None:
            row["error"] = problems.errors[-1]
            continue
        if "id" not in obj or not isinstance(obj["id"], (str, int)) or isinstance(obj["id"], bool):
            problems.error("missing_id", where, 'missing or non-scalar field "id"')
        else:
            row["id"] = key = str(obj["id"])
            where = f"{where} (id {key!r})"
            if key in first_line:
                problems.error("duplicate_id", where, f"duplicate id (first on line {first_line[key]})")
            first_line.setdefault(key, number)
        pred = obj.get("prediction", obj.get("text"))
        if pred is None:
            problems.error("missing_prediction", where, 'missing field "prediction"')
        elif not isinstance(pred, str):
            problems.error("bad_prediction", where, f'field "prediction" must be a string, got {type(pred).__name__}')
        else:
            row["prediction"] = pred
            if not pred.strip():
                note = "empty prediction (scored as it is: ROUGE/BERTScore 0)"
                if obj.get("error"):
                    note = f"empty prediction; generation error: {obj['error']}"
                problems.warn("empty_prediction", where, note)
                row["warnings"].append(note)
        joined = {}
        if refs is not None and row["id"] is not None:
            if row["id"] not in refs:
                problems.error("id_not_in_references", where, f"id absent from {references_path}")
            else:
                joined = refs[row["id"]]
        ref_value = obj.get("reference", obj.get("references"))
        row["references"] = _references(ref_value, where, problems) if ref_value is not None else joined.get("references")
        row["article"] = obj.get("article") or joined.get("article")
        row["category"] = str(obj.get("category") or joined.get("category") or NO_CATEGORY)
        task = obj.get("task")
        if task is not None and task not in ("headline", "summary"):
            problems.error("bad_task", where, f'field "task" must be "headline" or "summary", got {task!r}')
        elif task:
            row["task"] = task
        if isinstance(obj.get("hit_length_cap"), bool):
            row["hit_length_cap"] = obj["hit_length_cap"]
        for name, missing in (("reference", row["references"] is None), ("article", not row["article"])):
            if missing and len(problems.errors) == n_errors:
                note = f"no {name}: metrics that need it leave this row null"
                problems.warn(f"missing_{name}", where, note)
                row["warnings"].append(note)
        if len(problems.errors) > n_errors:
            row["error"] = "; ".join(problems.errors[n_errors:])
    if not rows:
        raise InputError("file is empty", path=path)
    return rows, problems


def _has(row, need) -> bool:
    value = row.get(need)
    return bool(value) and (need != "references" or any(r.strip() for r in value))


def score_rows(rows, metrics, cache: ScoreCache | None = None, batch_size: int = 256, progress: bool = True,
               first_index: int = 0):
    """Adds `scores`, `details` and `errors` to every scorable row, metric by metric, batch by
    batch; cached examples are not recomputed, new ones are cached as each batch finishes.
    A batch holds the rows of one window of `batch_size` input positions (`first_index` is the
    position of rows[0]), so a shard that starts on a window gets the batches the whole input
    would: model backends that pad a batch give bit-identical numbers either way."""
    import itertools

    from tqdm import tqdm

    for row in rows:
        row.setdefault("scores", {})
        row.setdefault("details", {})
        row.setdefault("errors", {})
        row.setdefault("warnings", [])
        row.setdefault("metric_warnings", {})  # metric -> its warnings (counted in the summary)
    window = {id(r): (first_index + i) // batch_size for i, r in enumerate(rows)}
    for metric in metrics:
        signature = str(metric.signature)
        todo = [r for r in rows if "error" not in r and all(_has(r, n) for n in metric.needs)]
        keys = [example_key(signature, r) for r in todo]
        cached = cache.get_many(keys) if cache else {}
        missing = [(r, k) for r, k in zip(todo, keys) if k not in cached]
        bar = tqdm(total=len(missing), desc=metric.name, unit="row", disable=not progress or not missing)
        for _, group in itertools.groupby(missing, key=lambda pair: window[id(pair[0])]):
            batch = list(group)
            results = metric.score([r for r, _ in batch])
            fresh = {k: res for (_, k), res in zip(batch, results)}
            if cache:
                cache.put_many(fresh)
            cached.update(fresh)
            bar.update(len(batch))
        bar.close()
        for row, key in zip(todo, keys):
            result = cached[key]
            row["scores"].update(result.get("scores", {}))
            if result.get("details"):
                row["details"][metric.name] = result["details"]
            if result.get("error"):
                row["errors"][metric.name] = result["error"]
            if result.get("warnings"):  # e.g. ROUGE: a text with zero tokens scores 0
                row["metric_warnings"][metric.name] = list(result["warnings"])
                row["warnings"] += [f"{metric.name}: {w}" for w in result["warnings"]]
    return rows


def load_metrics(names, options: dict | None = None) -> tuple[list, dict]:
    """Metric objects for `names`, plus info per name (signature, or skipped and why)."""
    metrics, info = [], {}
    for name in names:
        try:
            metric = load_metric(name, **(options or {}).get(name, {}))
        except MetricUnavailable as err:
            log.warning("skipping %s", err)
            info[name] = {"status": "skipped", "reason": str(err)}
            continue
        metrics.append(metric)
        info[name] = {"status": "ok", "signature": str(metric.signature)}
        if getattr(metric, "fallback_reasons", None):  # e.g. consistency fell back to another backend
            info[name]["fallback_from"] = metric.fallback_reasons
            log.warning("%s: fell back: %s", name, "; ".join(metric.fallback_reasons))
    return metrics, info


def used_signatures(metrics, rows, info: dict) -> None:
    """Replaces each metric's signature in `info` (taken when it was loaded) by what scoring
    `rows` used: ROUGE's number of references, the consistency kinds the rows were."""
    for metric in metrics:
        if hasattr(metric, "signature_for"):
            info[metric.name]["signature"] = metric.signature_for(rows)
        elif hasattr(metric, "used_signature"):
            info[metric.name]["signature"] = metric.used_signature


def output_row(row) -> dict:
    keep = ("id", "file", "line", "category", "prediction", "references", "hit_length_cap", "scores", "details",
            "errors", "warnings", "error")
    return {k: row[k] for k in keep if k in row and row[k] not in (None, {}, [])}


def score_run(input_path, output_dir, metrics=DEFAULT_METRICS, metric_options=None, references=None,
              keep_going=False, n_resamples=1000, seed=12345, confidence=0.95, use_cache=True,
              report=True, progress=True, batch_size=256, method="multinomial") -> dict:
    rows, problems = read_rows(input_path, references)
    if problems.errors and not keep_going:
        shown = "\n  ".join(problems.errors[:20])
        more = f"\n  ... and {len(problems.errors) - 20} more" if len(problems.errors) > 20 else ""
        raise InputError(f"{len(problems.errors)} bad row(s) (use --keep-going to score the rest "
                         f"and keep them as error rows):\n  {shown}{more}")
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
    write_jsonl(out / "scores.jsonl", [output_row(r) for r in rows])
    atomic_write_json(out / "summary.json", summary)
    if report:
        write_report_if_possible(out, rows, summary)
    _log_problems(problems, summary)
    return summary


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
    log.info("%d rows, %d scored; %d errors, %d warnings %s; metric errors %s", summary["n_rows"],
             summary["n_scored"], p["errors"], p["warnings"], p["by_kind"] or "", p["metric_errors"] or "none")
    for line in (problems.errors + problems.warnings)[:10]:
        log.info("  %s", line)
