"""Scale out on Ray: `eval score` (and `summarizer generate`) with the same results as one machine.

The driver reads and validates the input exactly as the local path does (eval.rows.read_rows),
cuts the rows into shards of `shard_rows` consecutive rows and hands them to Ray Data, which
maps them through a pool of `workers` actors (ray.data.ActorPoolStrategy). Each actor loads its
metrics (or Summarizer) once and keeps them; Ray restarts an actor that dies and retries its
shard. The driver appends every finished shard to DIR/ray/shards.jsonl (one fsynced line per
shard, eval.base.io.ResumableJsonl), so a driver killed with kill -9 and started again skips the
shards already there. Aggregation (bootstrap, summary, report) then runs once on the driver with
the local code (eval.aggregate.summarize), so means and intervals are equal by construction;
each shard also brings its metrics' signatures over its rows, which the driver combines into
those of all rows (Signatures.combine), as the local run works them out. Nothing here runs
unless `--ray` is given; ray is imported inside functions only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import time
from pathlib import Path

from eval.base.errors import InputError
from eval.base.io import ResumableJsonl, atomic_write_json
from eval.base.signature import Signature, Signatures

log = logging.getLogger(__name__)
DEFAULT_SHARD_ROWS = 1000
SCORE_FIELDS = ("scores", "details", "errors", "warnings", "metric_warnings")
SHARD_FORMAT = 2  # of a shards.jsonl record (2: signatures per metric); in the fingerprint, so
# a folder of older records is refused as another run's, not read with fields missing


def add_ray_arguments(parser, unit: str = "rows") -> None:
    """--ray/--workers and the per-actor resources, shared by every command that scales out."""
    group = parser.add_argument_group("Ray (pip install 'headline-eval[ray]')")
    group.add_argument(
        "--ray",
        metavar="ADDRESS",
        help="run on Ray: `local` starts a cluster on this machine; `auto` or ray://host:10001 joins one",
    )
    group.add_argument(
        "--workers", type=int, default=2, help="actors (model replicas) at once (default 2)"
    )
    group.add_argument(
        "--cpus-per-worker", type=float, default=1.0, help="CPUs (and threads) per actor"
    )
    group.add_argument("--gpus-per-worker", type=float, default=0.0)
    group.add_argument(
        "--shard-rows", type=int, help=f"{unit} per shard (the unit of retry and resume)"
    )


def ray_options(args) -> dict:
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, got {args.workers}")
    cpus = args.cpus_per_worker
    if cpus <= 0:
        raise InputError(f"--cpus-per-worker must be positive, got {cpus}")
    return {
        "address": args.ray,
        "workers": args.workers,
        "cpus_per_worker": float(cpus),
        "gpus_per_worker": args.gpus_per_worker,
        **({"shard_rows": args.shard_rows} if args.shard_rows else {}),
    }


def connect(address: str | None, workers: int = 1, cpus_per_worker: float = 1.0) -> bool:
    """Start (`local`) or join (`auto`, `ray://host:10001`, a GCS address) a Ray cluster; returns
    whether this call started the connection, so the caller knows to shut it down. A cluster
    already connected in this process (ray.init before the call) is reused."""
    try:
        import ray
    except ImportError:
        raise InputError("--ray needs the ray extra: pip install 'headline-eval[ray]'") from None
    if ray.is_initialized():
        return False
    if address in (None, "local"):
        # Enough CPU slots for the requested actors even on a smaller machine (they then share cores).
        cpus = max(os.cpu_count() or 1, math.ceil(workers * cpus_per_worker))
        ray.init(num_cpus=cpus, include_dashboard=False, logging_level=logging.WARNING)
    else:
        ray.init(address=address, logging_level=logging.WARNING)
    return True


def map_shards(
    items: list[dict],
    actor_class,
    constructor_kwargs: dict,
    workers: int,
    cpus_per_worker: float = 1.0,
    gpus_per_worker: float = 0.0,
):
    """Yields each item's result dict (any order) from a pool of `workers` actors of
    `actor_class`; each item is one shard ({"shard": i, "payload": json text})."""
    import ray

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # the driver shows rows done and rows/s itself
    dataset = ray.data.from_items(items, override_num_blocks=max(1, len(items)))
    mapped = dataset.map_batches(
        actor_class,
        batch_size=1,
        batch_format="pandas",
        compute=ray.data.ActorPoolStrategy(size=workers),
        fn_constructor_kwargs=constructor_kwargs,
        num_cpus=cpus_per_worker,
        num_gpus=gpus_per_worker or None,
    )  # Ray Data's actor defaults: a dead actor is restarted (max_restarts=-1), its shard retried
    try:
        yield from mapped.iter_rows()
    except Exception as err:  # a worker's own error (bad model path, ...): one line, not 600
        raise InputError(
            f"a Ray worker failed: {_root_cause(err)} (full trace in the worker logs, "
            "/tmp/ray/session_latest/logs)"
        ) from None


def _root_cause(err: BaseException) -> str:
    """The last `SomeError: message` line of the first exception in the chain that has one (Ray
    puts the worker's traceback in the message of ActorDiedError / RayTaskError)."""
    while err is not None:
        lines = [
            line
            for line in str(err).splitlines()
            if re.match(r"^[\w.]*(Error|Exception)\b.*:", line)
        ]
        if lines:  # "eval.base.errors.InputError: ..." -> "InputError: ..."
            return re.sub(r"^(?:\w+\.)+(?=\w*(?:Error|Exception))", "", lines[-1])
        err = err.__cause__ or err.__context__
    return "unknown error"


def fingerprint(*parts) -> str:
    """Identity of a run's input and settings: shards of another run are never mixed in."""
    digest = hashlib.sha256()
    for part in parts:
        if isinstance(part, (str, Path)) and Path(part).is_file():
            with open(part, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        else:
            digest.update(json.dumps(part, sort_keys=True, default=str).encode())
        digest.update(b"\0")
    return digest.hexdigest()


def open_shard_log(folder: Path, manifest: dict) -> ResumableJsonl:
    """DIR/manifest.json + DIR/shards.jsonl; refuses a folder that holds another run's shards."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "manifest.json"
    if path.exists():
        old = json.loads(path.read_text(encoding="utf-8"))
        if (
            old.get("fingerprint") != manifest["fingerprint"]
            or old.get("shard_rows") != manifest["shard_rows"]
        ):
            raise InputError(
                "holds shards of another input, settings or shard size; remove it to start over",
                path=folder,
            )
    else:
        atomic_write_json(path, manifest)
    return ResumableJsonl(folder / "shards.jsonl", key="shard")


def input_files(spec) -> list[Path]:
    """A file, a directory (its *.jsonl and *.parquet files) or a glob, in sorted order."""
    import glob

    path = Path(spec)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in (".jsonl", ".parquet"))
    elif path.is_file():
        files = [path]
    else:
        files = sorted(
            Path(p) for p in glob.glob(str(spec)) if Path(p).suffix in (".jsonl", ".parquet")
        )
    if not files:
        raise InputError("no such file, and no .jsonl or .parquet files match", path=spec)
    return files


def _as_jsonl(path: Path, folder: Path) -> Path:
    """A parquet shard as JSONL (row by row, so line numbers are row numbers) for read_rows."""
    if path.suffix != ".parquet":
        return path
    import pyarrow.parquet as pq

    target = folder / (path.name + ".jsonl")
    with open(target, "w", encoding="utf-8") as handle:
        for batch in pq.ParquetFile(path).iter_batches():
            for row in batch.to_pylist():
                handle.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    return target


def _materialized(data, folder: Path):
    """A `ray.data.Dataset` or `datasets.Dataset` of rows as DIR/ray/input.jsonl (validated like
    a file; its content is what the manifest fingerprints). Paths and globs pass through."""
    if isinstance(data, (str, Path)):
        return data
    rows = data.iter_rows() if hasattr(data, "iter_rows") else iter(data)
    target = folder / "input.jsonl"
    with open(target, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(dict(row), ensure_ascii=False, default=_plain) + "\n")
    return target


def _plain(value):
    """numpy scalars and arrays (Ray Data rows) as JSON values."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


def read_inputs(spec, references=None, scratch: Path | None = None):
    """eval.rows.read_rows over every input file, as one run: ids must be unique across files
    (a duplicate is an error naming both places); rows keep their file in `file` when there are
    several files."""
    from eval.rows import Problems, read_rows

    files = input_files(spec)
    if len(files) == 1 and files[0].suffix == ".jsonl":
        return read_rows(files[0], references)
    rows, problems, first = [], Problems(), {}
    for path in files:
        part, found = read_rows(_as_jsonl(path, scratch or path.parent), references)
        problems.errors += found.errors
        problems.warnings += found.warnings
        problems.kinds.update(found.kinds)
        for row in part:
            row["file"] = str(path)
            if row["id"] is not None and row["id"] in first and "error" not in row:
                where = f"{path} line {row['line']} (id {row['id']!r})"
                problems.error("duplicate_id", where, f"duplicate id (first in {first[row['id']]})")
                row["error"] = problems.errors[-1]
            first.setdefault(row["id"], f"{path} line {row['line']}")
        rows += part
    return rows, problems


class ScoreActor:
    """One metric set per actor, loaded once; scores a shard of validated rows per call."""

    def __init__(self, metrics, metric_options, batch_size=256, crash_once=None, threads=1):
        from eval.scoring import load_metrics

        self.metrics, self.info = load_metrics(metrics, metric_options)
        _use_threads(threads)
        self.batch_size = batch_size
        self.crash_once = crash_once  # tests: (marker file, shard) -> die once on that shard

    def __call__(self, batch):
        from eval.scoring import score_rows

        out = []
        for shard, first, payload in zip(batch["shard"], batch["first"], batch["payload"]):
            if (
                self.crash_once
                and int(shard) == self.crash_once[1]
                and not os.path.exists(self.crash_once[0])
            ):
                Path(self.crash_once[0]).touch()
                os._exit(1)
            rows = json.loads(payload)
            score_rows(
                rows,
                self.metrics,
                cache=None,
                batch_size=self.batch_size,
                progress=False,
                first_index=int(first),
            )
            out.append(
                json.dumps(
                    {
                        "shard": int(shard),
                        "rows": [{k: r[k] for k in SCORE_FIELDS} for r in rows],
                        "info": self.info,
                        "signatures": _shard_signatures(self.metrics, rows),
                    },
                    ensure_ascii=False,
                )
            )
        return {"result": out}


def _use_threads(threads) -> None:
    """An actor computes with the CPUs Ray gave it: model backends set their own thread count
    when they load (the support checker takes 2), and two such actors on two cores would
    otherwise run four threads that wait on each other."""
    import torch

    torch.set_num_threads(max(1, int(threads)))


def _shard_signatures(metrics, rows) -> dict:
    """Per metric, its signature without inputs (`every`) and that of the shard's rows it scored
    (`used`, as eval.scoring.used_signatures; None when it scored none), as part -> string."""
    from eval.scoring import metric_inputs, scorable

    out = {}
    for metric in metrics:
        scored = [r for r in rows if scorable(r, metric)]
        every = metric.signature()
        used = _as_strings(metric.signature(**metric_inputs(scored))) if scored else None
        out[metric.name] = {"sep": every.sep, "every": _as_strings(every), "used": used}
    return out


def _as_strings(signatures) -> dict[str, str]:
    return {part: str(signature) for part, signature in signatures.items()}


def _used_signatures(records: list[dict], info: dict) -> None:
    """eval.scoring.used_signatures over all rows, from the shards' (Signatures.combine)."""

    def parsed(strings: dict, sep: str) -> Signatures:
        return Signatures({part: Signature.parse(text) for part, text in strings.items()}, sep)

    for name, first in records[0]["signatures"].items():
        shards = [r["signatures"][name] for r in records]
        used = [parsed(s["used"], first["sep"]) for s in shards if s["used"]]
        try:
            info[name]["signature"] = str(parsed(first["every"], first["sep"]).combine(used))
        except ValueError as err:  # e.g. a worker without a backend the others have
            raise InputError(f"{name}: the workers scored with different settings: {err}") from None


def whole_batches(shard_rows: int, batch_size: int) -> int:
    """`shard_rows` rounded up to whole batches: each batch a shard's actor scores or generates is
    then the batch the local path makes (models that pad a batch give the same numbers)."""
    if shard_rows < 1:
        raise InputError(f"shard rows must be at least 1, got {shard_rows}")
    return math.ceil(shard_rows / batch_size) * batch_size


def shard_ranges(n: int, shard_rows: int) -> list[tuple[int, int]]:
    if shard_rows < 1:
        raise InputError(f"shard rows must be at least 1, got {shard_rows}")
    return [(start, min(n, start + shard_rows)) for start in range(0, n, shard_rows)]


def score_run_ray(
    input_path,
    output_dir,
    metrics,
    metric_options=None,
    references=None,
    keep_going=False,
    n_resamples=1000,
    seed=12345,
    confidence=0.95,
    report=True,
    progress=True,
    batch_size=256,
    method="multinomial",
    address="local",
    workers=2,
    cpus_per_worker=1.0,
    gpus_per_worker=0.0,
    shard_rows=DEFAULT_SHARD_ROWS,
    _crash_once=None,
) -> dict:
    """eval.pipeline.score_run on a Ray cluster: same files, same numbers."""
    from tqdm import tqdm

    from eval import aggregate, pipeline

    out = Path(output_dir)
    (out / "ray").mkdir(parents=True, exist_ok=True)
    input_path = _materialized(input_path, out / "ray")
    files = input_files(input_path)
    rows, problems = read_inputs(input_path, references, scratch=out / "ray")
    if problems.errors and not keep_going:
        problems.stop()
    shard_rows = whole_batches(shard_rows, batch_size)
    ranges = shard_ranges(len(rows), shard_rows)
    manifest = {
        "command": "eval score",
        "input": str(input_path),
        "references": references and str(references),
        "files": [str(f) for f in files],
        "fingerprint": fingerprint(
            SHARD_FORMAT, *files, references, list(metrics), metric_options or {}
        ),
        "shard_rows": shard_rows,
        "n_rows": len(rows),
        "n_shards": len(ranges),
    }
    started = False
    with open_shard_log(out / "ray", manifest) as shard_log:
        done = {int(k) for k in shard_log.done}
        todo = [i for i in range(len(ranges)) if i not in done]
        if done:
            log.info(
                "resuming: %d of %d shards already in %s", len(done), len(ranges), shard_log.path
            )
        t0 = time.perf_counter()
        if todo:
            started = connect(address, workers, cpus_per_worker)
            start_seconds = time.perf_counter() - t0
            items = [
                {
                    "shard": i,
                    "first": ranges[i][0],
                    "payload": json.dumps(rows[slice(*ranges[i])], ensure_ascii=False),
                }
                for i in todo
            ]
            kwargs = {
                "metrics": list(metrics),
                "metric_options": metric_options or {},
                "batch_size": batch_size,
                "crash_once": _crash_once,
                "threads": cpus_per_worker,
            }
            try:
                with tqdm(
                    total=len(rows),
                    initial=len(rows) - sum(ranges[i][1] - ranges[i][0] for i in todo),
                    unit="row",
                    desc="score (ray)",
                    disable=not progress,
                ) as bar:
                    for item in map_shards(
                        items, ScoreActor, kwargs, workers, cpus_per_worker, gpus_per_worker
                    ):
                        record = json.loads(item["result"])
                        shard_log.write(record)
                        bar.update(len(record["rows"]))
            finally:
                if started:
                    import ray

                    ray.shutdown()
        else:
            start_seconds = 0.0
        records = {int(r["shard"]): r for r in shard_log.rows}
    missing = [i for i in range(len(ranges)) if i not in records]
    if missing:  # Ray returned without these: never silently drop rows
        raise RuntimeError(
            f"shards {missing[:10]} never came back from the workers; run again to resume"
        )
    for i, (start, stop) in enumerate(ranges):
        for row, scored in zip(rows[start:stop], records[i]["rows"]):
            row.update(scored)
    info = records[0]["info"]
    _used_signatures([records[i] for i in range(len(ranges))], info)
    summary = aggregate.summarize(rows, info, problems, n_resamples, seed, confidence, method)
    summary["input"] = str(input_path)
    summary["ray"] = {
        "address": address,
        "workers": workers,
        "shard_rows": shard_rows,
        "shards": len(ranges),
        "shards_resumed": len(done),
        "start_seconds": round(start_seconds, 3),
    }
    pipeline.write_outputs(out, rows, summary, problems, report)
    return summary


def _ordered_rows(results, first: int):
    """Re-orders shard results ({"shard", "rows"}) arriving in any order into rows in shard
    order, starting at shard `first`; later shards wait in memory until their turn."""
    waiting, following = {}, first
    for record in results:
        waiting[record["shard"]] = record["rows"]
        while following in waiting:
            yield from waiting.pop(following)
            following += 1


class ConsistencyActor:
    """One ConsistencyChecker per actor (its model loaded once); a shard is several batches."""

    def __init__(self, backend, threshold, kind, options, batch_size, echo_inputs=False, threads=1):
        from eval.consistency import ConsistencyChecker

        self.checker = ConsistencyChecker(backend, threshold=threshold, kind=kind, **options)
        _use_threads(threads)
        self.signature, self.batch_size = str(self.checker.signature), batch_size
        self.echo_inputs = echo_inputs

    def __call__(self, batch):
        from eval.consistency.rows import score_batch

        out = []
        for shard, payload in zip(batch["shard"], batch["payload"]):
            rows = json.loads(payload)
            scored = [
                r
                for s in range(0, len(rows), self.batch_size)
                for r in score_batch(
                    self.checker, rows[s : s + self.batch_size], self.signature, self.echo_inputs
                )
            ]
            out.append(json.dumps({"shard": int(shard), "rows": scored}, ensure_ascii=False))
        return {"result": out}


def consistency_ray(
    rows,
    output,
    backend,
    threshold,
    kind,
    options,
    batch_size=32,
    progress=True,
    address="local",
    workers=2,
    cpus_per_worker=1.0,
    gpus_per_worker=0.0,
    shard_rows=DEFAULT_SHARD_ROWS,
    echo_inputs=False,
) -> int:
    """`eval consistency --ray`: the same output file, rows in input order, written as the
    shards come back in order (so a rerun after a kill resumes after the last written row)."""
    from tqdm import tqdm

    # shards start where the output stops, so every batch the checker sees is a local one
    shard_rows = whole_batches(shard_rows, batch_size)
    from eval.consistency.rows import check_resume, check_signature

    with ResumableJsonl(output, key="id") as out:
        done = len(out.rows)
        check_resume(out.rows, rows, output)
        if done:
            log.info("resuming after %d rows already in %s", done, output)
        checked = None  # the actors' signature, once checked against the rows already written
        items = [
            {
                "shard": i,
                "payload": json.dumps(rows[start : start + shard_rows], ensure_ascii=False),
            }
            for i, start in enumerate(range(done, len(rows), shard_rows))
        ]
        if items:
            started = connect(address, workers, cpus_per_worker)
            kwargs = {
                "backend": backend,
                "threshold": threshold,
                "kind": kind,
                "options": options,
                "batch_size": batch_size,
                "echo_inputs": echo_inputs,
                "threads": cpus_per_worker,
            }
            try:
                results = (
                    json.loads(item["result"])
                    for item in map_shards(
                        items, ConsistencyActor, kwargs, workers, cpus_per_worker, gpus_per_worker
                    )
                )
                with tqdm(
                    total=len(rows), initial=done, desc="consistency (ray)", disable=not progress
                ) as bar:
                    for row in _ordered_rows(results, 0):
                        if row.get("signature") and row["signature"] != checked:
                            check_signature(out.rows, row["signature"], output)
                            checked = row["signature"]
                        out.write(row)
                        bar.update(1)
            finally:
                if started:
                    import ray

                    ray.shutdown()
        if len(out.rows) != len(rows):
            raise RuntimeError(
                f"{len(rows) - len(out.rows)} rows never came back from the workers; run again to resume"
            )
        signature = next((r["signature"] for r in out.rows if r.get("signature")), "")
    print(f"wrote {len(rows)} rows to {output}  {signature}")
    return 0


class GenerateActor:
    """One Summarizer per actor (loaded once, kept); a shard is whole local-size batches."""

    def __init__(self, load_kwargs, batch_size, seed):
        from summarizer.generate import Summarizer

        self.summarizer = Summarizer.from_pretrained(**load_kwargs)
        self.batch_size, self.seed = batch_size, seed

    def __call__(self, batch):
        from dataclasses import asdict

        out = []
        for shard, payload in zip(batch["shard"], batch["payload"]):
            items, results = json.loads(payload), []
            for start in range(0, len(items), self.batch_size):
                part = items[start : start + self.batch_size]
                results += self.summarizer.generate(
                    [text for _, text in part], batch_size=self.batch_size, seed=self.seed
                )
            out.append(
                json.dumps(
                    {
                        "shard": int(shard),
                        "ids": [i for i, _ in items],
                        "results": [asdict(r) for r in results],
                        "model": self.summarizer.model_name,
                        "signature": str(self.summarizer.signature),
                    },
                    ensure_ascii=False,
                )
            )
        return {"result": out}


def map_generation(
    todo,
    load_kwargs: dict,
    batch_size: int,
    seed: int,
    shard_rows=None,
    address="local",
    workers=2,
    cpus_per_worker=1.0,
    gpus_per_worker=0.0,
):
    """Yields (id, GenerationResult, model name, signature) for every (id, article) in `todo`, in
    the order shards finish. Shards are whole batches of `todo` in its order, so every batch the
    model sees is the batch the local loop over `todo` would give it."""
    from summarizer.result import GenerationResult

    shard_rows = whole_batches(shard_rows or 8 * batch_size, batch_size)
    items = [
        {"shard": n, "payload": json.dumps(todo[start : start + shard_rows], ensure_ascii=False)}
        for n, start in enumerate(range(0, len(todo), shard_rows))
    ]
    started = connect(address, workers, cpus_per_worker)
    try:
        kwargs = {"load_kwargs": load_kwargs, "batch_size": batch_size, "seed": seed}
        for item in map_shards(
            items, GenerateActor, kwargs, workers, cpus_per_worker, gpus_per_worker
        ):
            record = json.loads(item["result"])
            for row_id, result in zip(record["ids"], record["results"]):
                yield row_id, GenerationResult(**result), record["model"], record["signature"]
    finally:
        if started:
            import ray

            ray.shutdown()


def generate_ray(
    articles,
    output,
    options: dict,
    progress=True,
    address="local",
    workers=2,
    cpus_per_worker=1.0,
    gpus_per_worker=0.0,
    shard_rows=None,
) -> int:
    """`summarizer generate --ray`: (id, article) pairs -> OUT.jsonl keyed by id, as locally.

    The rows to do are sorted longest first and cut into the local path's batches; a shard is
    `shard_rows` rows rounded up to whole batches, so each batch the model sees is a local
    one. Rows are appended as shards finish (any order); a rerun skips ids already in OUT.
    """
    from tqdm import tqdm

    from summarizer.generate import default_model_name, load_options
    from summarizer.result import check_same_run

    model_name = options["model"] or default_model_name(options["task"])
    size = options["batch_size"]
    with ResumableJsonl(output, key="id") as out:
        check_same_run(out.rows, model_name, options["task"], output)
        todo = sorted(
            ((i, text) for i, text in articles if i not in out.done), key=lambda item: -len(item[1])
        )
        if not todo:
            print(f"{output}: all {len(articles)} rows already done")
            return 0
        with tqdm(
            total=len(articles),
            initial=len(articles) - len(todo),
            unit="row",
            desc=f"{options['task']}s (ray)",
            disable=not progress,
        ) as bar:
            for row_id, result, _, signature in map_generation(
                todo,
                load_options(options),
                size,
                options["seed"],
                shard_rows,
                address,
                workers,
                cpus_per_worker,
                gpus_per_worker,
            ):
                out.write(result.as_row(row_id, options["task"], model_name, signature))
                bar.update(1)
        missing = {i for i, _ in articles} - out.done
        if missing:
            raise RuntimeError(
                f"{len(missing)} rows never came back from the workers; run again to resume"
            )
        errors = sum(1 for row in out.rows if row.get("error"))
        signature = next((r["signature"] for r in out.rows if r.get("signature")), "")
    print(f"{output}: {len(out.rows)} rows ({errors} with errors); {signature}")
    return 0


def generate_ray_command(args, options: dict, articles) -> int:
    """The `summarizer generate --ray` entry point (flags from add_ray_arguments)."""
    opts = ray_options(args)
    return generate_ray(
        articles, args.output, options, shard_rows=opts.pop("shard_rows", None), **opts
    )
