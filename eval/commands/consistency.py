"""Factual consistency of summaries against their articles, with unsupported spans.

Input: JSONL rows with `id`, `article`, `summary`. Output: one row per input row, in order:
`id`, `consistency` (score in [0, 1], higher = more consistent), `consistent` (at the
checker's threshold, fitted on dev data), `verdict` and `evidence` (backends that tell),
`unsupported_spans` (start/end character offsets in the summary, text, reason), `support` (best
article evidence per summary sentence), `backend_scores` and `signature`. The input fields
(article, summary...) are not copied unless `--echo-inputs` is given. A row that cannot be scored (missing or empty field, bad
JSON) keeps its place with an `error` and null scores; articles over 20,000 characters are cut
(the row's `warnings` says so). The output is written as it goes; rerunning the same command
after a kill resumes after the last complete row (a rerun whose checker signature differs from
the rows' is refused).

examples:
  python -m eval consistency --input pairs.jsonl --output scored.jsonl
  python -m eval consistency --input pairs.jsonl --output scored.jsonl --backend ngram
  python -m eval consistency --input pairs.jsonl --output scored.jsonl --echo-inputs
"""

from __future__ import annotations

import argparse
import logging

from eval.base.io import ResumableJsonl
from eval.consistency import BACKENDS as BACKEND_NAMES
from eval.consistency import DEFAULT_BACKENDS, KINDS
from eval.consistency.rows import check_resume, check_signature, read_rows, score_batch

log = logging.getLogger(__name__)
BACKENDS = tuple(BACKEND_NAMES)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--input", required=True, help="JSONL with id, article, summary")
    parser.add_argument("--output", required=True, help="JSONL written row by row (resumable)")
    parser.add_argument(
        "--backend",
        choices=BACKENDS,
        help=f"default: {DEFAULT_BACKENDS['summary']} for summaries, {DEFAULT_BACKENDS['headline']} for headlines",
    )
    parser.add_argument(
        "--kind",
        choices=KINDS,
        default="summary",
        help="what the `summary` field holds; picks the default backend and its threshold",
    )
    parser.add_argument(
        "--model",
        help="model of the nli, lm, align or support backend: folder, hub id (local cache), or all-mpnet-base-v2 for align",
    )
    parser.add_argument("--threshold", type=float, help="override the dev-fitted threshold")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument(
        "--echo-inputs",
        action="store_true",
        help="copy every input field (article, summary...) into the output rows",
    )
    parser.add_argument("--no-progress", action="store_true")
    from eval.distributed import add_ray_arguments

    add_ray_arguments(parser)


def run(args) -> int:
    from tqdm import tqdm

    from eval.consistency import ConsistencyChecker

    options = {"model": args.model} if args.model else {}
    if args.ray:
        from eval.distributed import consistency_ray, ray_options

        return consistency_ray(
            read_rows(args.input),
            args.output,
            args.backend,
            args.threshold,
            args.kind,
            options,
            args.batch_size,
            not args.no_progress,
            echo_inputs=args.echo_inputs,
            **ray_options(args),
        )
    checker = ConsistencyChecker(args.backend, threshold=args.threshold, kind=args.kind, **options)
    rows = read_rows(args.input)
    signature = str(checker.signature)
    with ResumableJsonl(args.output, key="id") as out:
        done = len(out.rows)
        check_resume(out.rows, rows, args.output)
        check_signature(out.rows, signature, args.output)
        if done:
            log.info("resuming after %d rows already in %s", done, args.output)
        bar = tqdm(total=len(rows), initial=done, desc="consistency", disable=args.no_progress)
        for start in range(done, len(rows), args.batch_size):
            batch = rows[start : start + args.batch_size]
            for row in score_batch(checker, batch, signature, args.echo_inputs):
                out.write(row)
            bar.update(len(batch))
        bar.close()
    print(f"wrote {len(rows)} rows to {args.output}  {signature}")
    return 0
