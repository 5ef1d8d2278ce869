"""Reading user files with errors that name the file and line (JSONL, YAML, plain text), and
writing results that survive a kill: atomic files and folders, resumable append-only JSONL."""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from eval.base.errors import InputError

# In plain-text summary files a summary is one line; ` <n> ` separates its sentences
# (the convention of the CNN/DM preprocessing scripts).
_SENTENCE_MARK_RE = re.compile(r"\s*<n>\s*")


def open_lines(path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without newline), decoding strictly so bad bytes are reported.
    `-` is stdin; a `.gz` file is read through gzip."""
    if str(path) == "-":
        stream = sys.stdin.buffer
    else:
        stream = gzip.open(path, "rb") if str(path).endswith(".gz") else open(path, "rb")
    try:
        for number, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise InputError(
                    f"invalid UTF-8 at byte {err.start}", path=path, line=number
                ) from None
            yield number, line.rstrip("\n").rstrip("\r")
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def parse_line(line: str | bytes) -> tuple[dict | None, str | None]:
    """One line of JSONL -> (object, None) or (None, what is wrong with it): the one JSONL parser.
    Blank lines are problems too (they usually mean a broken export)."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
    except UnicodeDecodeError as err:
        return None, f"invalid UTF-8 at byte {err.start}"
    if not text.strip():
        return None, "blank line (expected one JSON object per line)"
    try:
        row = json.loads(text)
    except json.JSONDecodeError as err:
        return None, f"invalid JSON: {err.msg} at column {err.colno}"
    if not isinstance(row, dict):
        return None, f"expected a JSON object, got {type(row).__name__}"
    return row, None


def parse_jsonl(lines: Iterable[tuple[int, str]], path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for numbered lines of JSONL; the first bad line is an InputError."""
    for number, line in lines:
        row, problem = parse_line(line)
        if problem:
            raise InputError(problem, path=path, line=number)
        yield number, row


def jsonl_records(path) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, object or None, problem or None) for every line, bad ones included: for
    readers that keep a bad line as an error row instead of stopping."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, 1):
            yield number, *parse_line(raw.rstrip(b"\r\n"))


def iter_jsonl(path) -> Iterator[dict]:
    """The objects of a JSONL file (plain or .gz), one by one; errors name the file and line."""
    for _, row in parse_jsonl(open_lines(path), path):
        yield row


def read_jsonl(path) -> list[dict]:
    """All rows of a JSONL file."""
    rows = [row for _, row in parse_jsonl(open_lines(path), path)]
    if not rows:
        raise InputError("file is empty", path=path)
    return rows


def read_texts(path, field: str = "text") -> list[str]:
    """Summaries from plain text (one per line, ` <n> ` between sentences) or `.jsonl` with a
    `field` (newlines inside it separate sentences). Sentences come back newline-separated."""
    if str(path).endswith(".jsonl"):
        texts = []
        for number, row in enumerate(read_jsonl(path), 1):
            if field not in row:
                raise InputError("missing", path=path, line=number, field=field)
            value = row[field]
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                value = "\n".join(value)
            if not isinstance(value, str):
                raise InputError(
                    f"expected a string, got {type(value).__name__}",
                    path=path,
                    line=number,
                    field=field,
                )
            texts.append(value)
        return texts
    texts = [_SENTENCE_MARK_RE.sub("\n", line) for _, line in open_lines(path)]
    if not texts:
        raise InputError("file is empty", path=path)
    return texts


@contextmanager
def atomic_file(path) -> Iterator[Path]:
    """Yields a private temporary path beside `path`; when the block ends without error the file
    written there (fsynced) replaces `path` in one rename, else it is removed. A kill leaves
    either the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        tmp.chmod(0o666 & ~_umask())  # mkstemp's 0600 is for the temporary name only
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(path, text: str) -> None:
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


@contextmanager
def atomic_dir(target) -> Iterator[Path]:
    """Build a folder and put it in place of `target` whole: yields a private staging folder
    beside `target`; when the block ends without error the old `target` is moved aside, the new
    one renamed into place and the old one removed; on error the staging folder is removed.
    `target` is never deleted before its replacement is complete (a kill between the two
    renames leaves the old folder aside, and the next call or `recover_dir` puts it back)."""
    target = Path(target)
    recover_dir(target)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"))
    try:
        yield work
        work.chmod(0o777 & ~_umask())  # mkdtemp's 0700 is for the staging name only
        aside = target.with_name(f".{target.name}.old")
        if target.exists():
            os.replace(target, aside)
        os.replace(work, target)
        shutil.rmtree(aside, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _umask() -> int:
    global _UMASK
    if _UMASK is None:  # read once: os.umask can only be read by setting it (process-wide)
        _UMASK = os.umask(0o022)
        os.umask(_UMASK)
    return _UMASK


_UMASK: int | None = None


def recover_dir(target) -> None:
    """After a kill inside `atomic_dir`: put a folder left aside back when `target` is missing."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    aside = target.with_name(f".{target.name}.old")
    if aside.exists():
        if target.exists():
            shutil.rmtree(aside, ignore_errors=True)
        else:
            os.replace(aside, target)


def load_yaml(path) -> dict:
    """A YAML file holding a mapping ({} when empty); bad YAML is an InputError naming the file."""
    import yaml

    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:  # one line: what is wrong and where
        mark = getattr(err, "problem_mark", None)
        where = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise InputError(
            f"invalid YAML: {getattr(err, 'problem', None) or err}{where}", path=path
        ) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(f"expected a mapping of settings, got {type(data).__name__}", path=path)
    return data


def atomic_write_json(path, obj) -> None:
    atomic_write_text(path, json.dumps(obj, indent=1, ensure_ascii=False) + "\n")


def write_jsonl(path, rows: Iterable[dict]) -> None:
    atomic_write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


class ResumableJsonl:
    """Append-only JSONL output that a killed job can resume.

    On open, complete rows already in the file are kept and a torn last line (a kill in the
    middle of a write: no newline at its end) is cut off with an atomic rewrite; `done` holds
    the keys of kept rows. A bad complete line is not a kill's doing: it stops with an
    InputError naming the file and line. Each `write` appends one line and fsyncs, so at most
    the row in flight is redone.
    """

    def __init__(self, path, key: str = "id"):
        self.path = Path(path)
        self.key = key
        self.rows: list[dict] = []
        if self.path.exists():
            lines = self.path.read_bytes().split(b"\n")
            complete, torn = lines[:-1], lines[-1]
            for number, raw in enumerate(complete, 1):
                if raw.strip():
                    self.rows.append(self._row(raw, number))
            if torn:
                write_jsonl(self.path, self.rows)
        self.done = {str(row[key]) for row in self.rows if key in row}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = open(self.path, "a", encoding="utf-8")

    def _row(self, raw: bytes, number: int) -> dict:
        row, problem = parse_line(raw)
        if problem:
            raise InputError(
                f"{problem} in a complete row; fix or remove that line, or remove the file to "
                "start over",
                path=self.path,
                line=number,
            )
        return row

    def write(self, row: dict) -> None:
        self._handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self.done.add(str(row.get(self.key)))
        self.rows.append(row)

    def close(self) -> None:
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
