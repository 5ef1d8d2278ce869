"""`python -m summarizer generate`: input formats, clear errors, and resume after kill -9
(a real subprocess killed mid-run), on a tiny random Gemma3 model built here."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _tiny_models import build_model

from eval.base.errors import InputError
from summarizer.commands.generate import read_articles

ROOT = Path(__file__).resolve().parent.parent


def _env():
    """Read at call time, so the subprocess sees the private cache conftest sets per test."""
    return {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}


WORDS = "oil prices council bridge river snow schools flights shares foods profit talks".split()


@pytest.fixture(scope="module")
def tiny_gemma(tmp_path_factory):
    return build_model("gemma3", tmp_path_factory.mktemp("gemma3"))


def _cli(*args, check=True, **kwargs):
    proc = subprocess.run(
        [sys.executable, "-m", "summarizer", "generate", "--threads", "1", *map(str, args)],
        env=_env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        **kwargs,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _articles(n):
    return [
        " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(5 + i % 9)) + "." for i in range(n)
    ]


def _rows(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


@pytest.mark.parametrize(
    "name, content, expected",
    [
        (
            "a.jsonl",
            '{"id": 1, "article": "Oil rose."}\n{"id": "x", "article": ""}\n',
            [("1", "Oil rose."), ("x", "")],
        ),
        (
            "a.csv",
            'id,article\n7,"Oil rose, again."\n8,Talks end.\n',
            [("7", "Oil rose, again."), ("8", "Talks end.")],
        ),
        (
            "a.txt",
            "Oil rose.\n\nTalks end.\n",
            [("1", "Oil rose."), ("2", ""), ("3", "Talks end.")],
        ),
    ],
)
def test_read_articles_formats(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_text(content)
    assert read_articles(str(path)) == expected


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("a.jsonl", '{"id": 1, "article": "x"}\n{"id": 2}\n', 'line 2 field "article": missing'),
        (
            "a.jsonl",
            '{"id": 1, "article": 5}\n',
            'line 1 field "article": expected a string, got int',
        ),
        (
            "a.jsonl",
            '{"id": 1, "article": "x"}\n{"id": 1, "article": "y"}\n',
            'line 2 field "id": duplicate id',
        ),
        ("a.jsonl", '{"article": "x"}\n', 'line 1 field "id": missing id'),
        ("a.jsonl", '{"id": 1, "article": "x"\n', "line 1: invalid JSON"),
        ("a.csv", "id,text\n1,x\n", 'field "article": no such column'),
        ("a.pdf", "x", "unsupported input type"),
    ],
)
def test_bad_input_names_row_and_field(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        read_articles(str(path))


def test_cli_bad_input_is_one_line_exit_2(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "text": "x"}\n')
    proc = _cli("--input", path, "--output", tmp_path / "out.jsonl", check=False)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert 'in.jsonl line 1 field "article": missing' in proc.stderr


def test_cli_rows_fields_errors_stdin_and_config(tmp_path, tiny_gemma):
    config = tmp_path / "c.yaml"
    config.write_text("prompt: headline-zero-shot\nmax_new_tokens: 5\nbatch_size: 2\n")
    out = tmp_path / "out.jsonl"
    text = "".join(
        json.dumps({"doc": f"d{i}", "body": a}) + "\n"
        for i, a in enumerate(["Oil rose.", "", "Talks end."])
    )
    _cli(
        "--input",
        "-",
        "--output",
        out,
        "--model",
        tiny_gemma,
        "--config",
        config,
        "--id-field",
        "doc",
        "--text-field",
        "body",
        input=text,
    )
    rows = {r["id"]: r for r in _rows(out)}
    assert set(rows) == {"d0", "d1", "d2"}
    assert rows["d1"]["error"] == "empty article" and rows["d1"]["prediction"] == ""
    for row in rows.values():
        assert {
            "id",
            "prediction",
            "task",
            "model",
            "truncated",
            "hit_length_cap",
            "error",
        } <= row.keys()
        assert row["task"] == "headline" and row["model"] == str(tiny_gemma)
        assert row["output_tokens"] <= 5 and "max_new:5" in row["signature"]
    # Same output, other model: refused instead of mixing two runs in one file.
    proc = _cli(
        "--input",
        "-",
        "--output",
        out,
        "--model",
        tmp_path / "other",
        "--config",
        config,
        "--id-field",
        "doc",
        "--text-field",
        "body",
        input=text,
        check=False,
    )
    assert proc.returncode == 2 and "use another --output" in proc.stderr


def test_cli_incompatible_engine_options_are_one_line_exit_2(tmp_path, tiny_gemma):
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": 1, "article": "Oil rose."}\n')
    proc = _cli(
        "--input",
        path,
        "--output",
        tmp_path / "out.jsonl",
        "--model",
        tiny_gemma,
        "--prompt",
        "headline-zero-shot",
        "--engine",
        "transformers",
        "--quantize",
        "int8",
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "quantize='int8' needs the ctranslate2 engine" in proc.stderr


def test_cli_datasets_local_file(tmp_path, tiny_gemma):
    data = tmp_path / "d.jsonl"
    data.write_text("".join(json.dumps({"document": a}) + "\n" for a in _articles(3)))
    out = tmp_path / "out.jsonl"
    _cli(
        "--dataset",
        data,
        "--split",
        "validation",
        "--output",
        out,
        "--model",
        tiny_gemma,
        "--prompt",
        "headline-zero-shot",
        "--max-new-tokens",
        "3",
    )
    assert sorted(r["id"] for r in _rows(out)) == ["0", "1", "2"]


def test_resume_after_kill_loses_and_duplicates_nothing(tmp_path, tiny_gemma):
    articles = _articles(60)
    src = tmp_path / "in.jsonl"
    src.write_text(
        "".join(json.dumps({"id": f"r{i}", "article": a}) + "\n" for i, a in enumerate(articles))
    )
    args = [
        "--input",
        src,
        "--model",
        tiny_gemma,
        "--prompt",
        "headline-zero-shot",
        "--max-new-tokens",
        "4",
        "--batch-size",
        "1",
    ]

    out = tmp_path / "killed.jsonl"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "summarizer",
            "generate",
            "--threads",
            "1",
            "--output",
            str(out),
            *map(str, args),
        ],
        env=_env(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or len(out.read_text().splitlines()) < 5):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = len(out.read_text().splitlines())
    assert 5 <= before < len(articles), "the kill must land mid-run"

    _cli("--output", out, *args)
    resumed = _rows(out)
    ids = [r["id"] for r in resumed]
    assert len(ids) == len(set(ids)) == len(articles)  # nothing lost, nothing twice

    clean = tmp_path / "clean.jsonl"
    _cli("--output", clean, *args)
    by_id = {r["id"]: r["prediction"] for r in _rows(clean)}
    assert {r["id"]: r["prediction"] for r in resumed} == by_id
