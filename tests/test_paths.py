"""Issue 15 bug 13: one path scheme, two environment variables, nothing relative to the working
directory (eval/base/paths.py)."""

from pathlib import Path

import pytest

from eval.base import paths

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SUMM_DATA_DIR": "/data/x"}, Path("/data/x")),
        ({"SUMM_DATA_DIR": "~/d"}, Path("~/d").expanduser()),
        ({}, ROOT.parent / "shared" / "data"),
    ],
)
def test_data_dir(monkeypatch, tmp_path, env, expected):
    monkeypatch.delenv("SUMM_DATA_DIR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)  # the working directory does not matter
    assert paths.data_dir() == expected


@pytest.mark.parametrize(
    ("env", "parts", "expected"),
    [
        ({"SUMM_CACHE_DIR": "/c"}, (), Path("/c")),
        ({"SUMM_CACHE_DIR": "/c"}, ("consistency",), Path("/c/consistency")),
        ({"XDG_CACHE_HOME": "/x"}, ("calibration",), Path("/x/headline-eval/calibration")),
        ({}, (), Path("~/.cache/headline-eval").expanduser()),
    ],
)
def test_cache_dir(monkeypatch, tmp_path, env, parts, expected):
    for key in ("SUMM_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    assert paths.cache_dir(*parts) == expected


def test_missing_data_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("SUMM_DATA_DIR", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="SUMM_DATA_DIR"):
        paths.data_path("headlines", "nope.jsonl")


def test_no_other_path_variables_in_the_code():
    """Only the two documented variables name a place on disk."""
    import re

    names = set()
    for path in [*ROOT.glob("eval/**/*.py"), *ROOT.glob("summarizer/**/*.py")]:
        names |= set(
            re.findall(
                r"environ(?:\.get)?[\[(]\s*\"(\w*(?:DIR|CACHE|PATH|HOME)\w*)\"", path.read_text()
            )
        )
    assert "XDG_CACHE_HOME" in names  # the scan reads the code
    assert names <= {"SUMM_DATA_DIR", "SUMM_CACHE_DIR", "XDG_CACHE_HOME"}, names
