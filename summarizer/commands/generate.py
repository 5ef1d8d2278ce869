"""Generate headlines or summaries for a file of articles (resumable).

Input: .jsonl (fields `id`, `article`; see --id-field/--text-field), .csv (same columns),
.txt (one article per line, id = line number), `-` for stdin (JSONL if it starts with `{`,
else one article per line), or --dataset NAME_OR_PATH through the `datasets` library.
Output: JSONL rows {id, prediction, task, model, truncated, hit_length_cap, repeated, error, ...}
(with --candidates K also the kept answer's consistency score and verdict),
written as each batch finishes. Running the same command again resumes: rows already in OUT
are skipped, so after a kill nothing is lost or duplicated. Rows are written longest article
first (less padding per batch); join on `id`.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from eval.base.errors import InputError
from eval.base.io import ResumableJsonl, load_yaml, open_lines, parse_jsonl

# Built-in defaults; a --config YAML overrides them and explicit flags override both.
DEFAULTS = {
    "task": "headline",
    "model": None,
    "batch_size": 16,
    "max_new_tokens": None,
    "max_input_tokens": None,
    "prompt": None,
    "casing": "as-is",
    "num_beams": 1,
    "seed": 0,
    "dtype": "auto",
    "engine": "auto",
    "quantize": None,
    "threads": 2,
    "chunked": False,
    "id_field": "id",
    "text_field": "article",
    "split": "test",
    "text_column": None,
    "id_column": None,
    # summary guards and candidate selection (None = the Summarizer's default for the task)
    "max_sentences": None,
    "max_words": None,
    "no_repeat_ngram_size": None,
    "trim_repeats": None,
    "candidates": 1,
    "candidate_checker": None,
}


def add_arguments(parser) -> None:
    a = parser.add_argument
    a("--input", help="articles: .jsonl, .csv, .txt or - (stdin)")
    a("--dataset", help="a `datasets` name or local file/folder instead of --input")
    a("--split", help="dataset split (default: test)")
    a("--text-column", help="dataset column holding the article")
    a("--id-column", help="dataset column holding the id (default: row number)")
    a("--output", required=True, help="OUT.jsonl (resumed if it exists)")
    a("--task", choices=("headline", "summary"))
    a("--model", help="hub id or local path (default: bundled Gemma-3-270M)")
    a("--config", help="YAML file with any of these options (flags win)")
    a("--batch-size", type=int)
    a("--max-new-tokens", type=int)
    a("--max-input-tokens", type=int, help="prompt budget; longer articles are cut and flagged")
    a("--prompt", help="prompt template name in configs/prompts or a YAML path (causal models)")
    a("--casing", choices=("as-is", "sentence", "title"), help="headline casing style")
    a("--num-beams", type=int)
    a("--seed", type=int)
    a("--dtype", choices=("auto", "bfloat16", "float32"))
    a(
        "--engine",
        choices=("auto", "transformers", "ctranslate2"),
        help="auto: CTranslate2 for causal LMs when installed (same greedy output, faster)",
    )
    a(
        "--quantize",
        choices=("none", "int8"),
        help="int8 weights (ctranslate2 engine; changes some outputs)",
    )
    a("--threads", type=int, help="torch CPU threads (default 2)")
    a("--chunked", action="store_true", default=None, help="map-reduce long articles (summaries)")
    a("--max-sentences", type=int, help="summary length target in sentences (default 3; 0 = none)")
    a("--max-words", type=int, help="summary length target in words (whole sentences are kept)")
    a(
        "--no-repeat-ngram-size",
        type=int,
        help="block repeated n-grams in the answer (summaries: 3; 0 = off)",
    )
    a(
        "--trim-repeats",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="cut a summary before a sentence that repeats an earlier one (default: on for summaries)",
    )
    a(
        "--candidates",
        type=int,
        help="generate K answers and keep the one the consistency checker rates best",
    )
    a(
        "--candidate-checker",
        help="consistency backend for --candidates (default: the checker's default)",
    )
    a("--id-field", help="input id field/column (default: id)")
    a("--text-field", help="input article field/column (default: article)")
    from eval.distributed import add_ray_arguments  # --ray/--workers: docs/ray.md

    add_ray_arguments(parser, unit="articles")


def _options(args) -> dict:
    options = dict(DEFAULTS)
    if args.config:
        path = Path(args.config)
        loaded = load_yaml(path)
        for key, value in loaded.items():
            key = key.replace("-", "_")
            if key not in DEFAULTS:
                raise InputError(
                    f"unknown option (known: {', '.join(sorted(DEFAULTS))})", path=path, field=key
                )
            options[key] = value
    options.update({k: v for k, v in vars(args).items() if k in DEFAULTS and v is not None})
    if options["quantize"] == "none":
        options["quantize"] = None
    return options


def read_articles(
    path: str, id_field: str = "id", text_field: str = "article"
) -> list[tuple[str, str]]:
    """(id, article) pairs; malformed rows raise InputError naming file, line and field."""
    if path != "-" and not Path(path).exists():
        raise InputError("no such file", path=path)
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return _from_csv(path, id_field, text_field)
    lines = list(open_lines(path))
    first = next((line for _, line in lines if line.strip()), "")
    if suffix == ".jsonl" or (path == "-" and first.lstrip().startswith("{")):
        return _from_json_lines(lines, path, id_field, text_field)
    if suffix not in (".txt", "") and path != "-":
        raise InputError("unsupported input type (use .jsonl, .csv, .txt or -)", path=path)
    if not lines:
        raise InputError("file is empty", path=path)
    # Plain text: one article per line; a blank line is an empty article (reported, not dropped).
    return [(str(number), line) for number, line in lines]


def _check(
    rows: list[tuple[int, object, object]], path, id_field, text_field
) -> list[tuple[str, str]]:
    out, seen = [], {}
    for number, row_id, text in rows:
        if row_id is None or row_id == "":
            raise InputError("missing id", path=path, line=number, field=id_field)
        if text is None:
            raise InputError("missing", path=path, line=number, field=text_field)
        if not isinstance(text, str):
            raise InputError(
                f"expected a string, got {type(text).__name__}",
                path=path,
                line=number,
                field=text_field,
            )
        key = str(row_id)
        if key in seen:  # the output is keyed by id, so duplicates would be silently merged
            raise InputError(
                f"duplicate id {key!r} (first on line {seen[key]})",
                path=path,
                line=number,
                field=id_field,
            )
        seen[key] = number
        out.append((key, text))
    if not out:
        raise InputError("file is empty", path=path)
    return out


def _from_json_lines(lines, path, id_field, text_field):
    rows = [
        (number, row.get(id_field), row.get(text_field)) for number, row in parse_jsonl(lines, path)
    ]
    return _check(rows, path, id_field, text_field)


def _from_csv(path, id_field, text_field):
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for name in (id_field, text_field):
            if reader.fieldnames is None or name not in reader.fieldnames:
                raise InputError(
                    f"no such column (columns: {reader.fieldnames})", path=path, line=1, field=name
                )
        # Line numbers count the header as line 1 (quoted multi-line cells shift them).
        rows = [(number, row[id_field], row[text_field]) for number, row in enumerate(reader, 2)]
    return _check(rows, path, id_field, text_field)


def read_dataset(
    name: str, split: str, text_column: str | None, id_column: str | None
) -> list[tuple[str, str]]:
    import datasets

    path = Path(name)
    if path.is_dir() and (path / "dataset_info.json").exists():
        data = datasets.load_from_disk(str(path))
        data = data[split] if isinstance(data, datasets.DatasetDict) else data
    elif path.is_file():
        kind = {".jsonl": "json", ".json": "json", ".csv": "csv", ".parquet": "parquet"}.get(
            path.suffix
        )
        if kind is None:
            raise InputError("unsupported dataset file type", path=path)
        data = datasets.load_dataset(kind, data_files={split: str(path)}, split=split)
    else:  # a hub data set: the id, or its cached copy offline; neither -> one InputError line (eval.base.hub)
        from eval.base.hub import resolve

        data = datasets.load_dataset(resolve(name, repo_type="dataset"), split=split)
    text_column = text_column or next(
        (c for c in ("article", "document", "text") if c in data.column_names), None
    )
    if text_column not in data.column_names:
        raise InputError(
            f"no such column (columns: {data.column_names})",
            path=name,
            field=text_column or "--text-column",
        )
    if id_column and id_column not in data.column_names:
        raise InputError(
            f"no such column (columns: {data.column_names})", path=name, field=id_column
        )
    ids = data[id_column] if id_column else range(len(data))
    rows = [(n + 1, row_id, text) for n, (row_id, text) in enumerate(zip(ids, data[text_column]))]
    return _check(rows, name, id_column or "row number", text_column)


def run(args) -> int:
    options = _options(args)
    if bool(args.input) == bool(args.dataset):
        raise InputError("give exactly one of --input or --dataset")
    if args.dataset:
        articles = read_dataset(
            args.dataset, options["split"], options["text_column"], options["id_column"]
        )
    else:
        articles = read_articles(args.input, options["id_field"], options["text_field"])
    if args.ray:  # the same rows from actors on a Ray cluster (eval/distributed.py)
        from eval.distributed import generate_ray_command

        return generate_ray_command(args, options, articles)

    from tqdm import tqdm

    from summarizer.generate import Summarizer, default_model_name, generate_rows, load_options
    from summarizer.result import check_same_run

    model_name = options["model"] or default_model_name(options["task"])
    with ResumableJsonl(args.output, key="id") as out:
        check_same_run(out.rows, model_name, options["task"], args.output)
        todo = [(i, text) for i, text in articles if i not in out.done]
        if not todo:
            print(f"{args.output}: all {len(articles)} rows already done")
            return 0
        try:
            summarizer = Summarizer.from_pretrained(**load_options(options))
        except InputError:
            raise
        except (
            ValueError
        ) as err:  # incompatible options, e.g. --quantize int8 --engine transformers
            raise InputError(str(err)) from None
        signature = str(summarizer.signature)
        # Longest first: batches of similar length waste little on padding.
        todo.sort(key=lambda item: -len(item[1]))
        size = options["batch_size"]
        with tqdm(
            total=len(articles),
            initial=len(articles) - len(todo),
            unit="row",
            desc={"summary": "summaries"}.get(options["task"], f"{options['task']}s"),
            dynamic_ncols=True,
        ) as bar:
            for row_id, result in generate_rows(summarizer, todo, size, options["seed"]):
                out.write(result.as_row(row_id, options["task"], model_name, signature))
                bar.update(1)
    errors = sum(1 for row in out.rows if row.get("error"))
    truncated = sum(1 for row in out.rows if row.get("truncated"))
    print(
        f"{args.output}: {len(out.rows)} rows ({errors} with errors, {truncated} truncated); {signature}"
    )
    return 0
