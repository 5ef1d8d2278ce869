import json
import os
import subprocess
import sys

import pytest

from eval.base.errors import InputError
from eval.base.io import ResumableJsonl, read_jsonl, read_texts
from eval.base.signature import Signature


def test_read_texts_plain_splits_sentences_on_n_marker(tmp_path):
    path = tmp_path / "p.txt"
    path.write_text("first sentence . <n> second one .\nonly one\n", encoding="utf-8")
    assert read_texts(path) == ["first sentence .\nsecond one .", "only one"]


def test_read_texts_jsonl_field_and_list(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"text": "a b"}\n{"text": ["s1", "s2"]}\n', encoding="utf-8")
    assert read_texts(path) == ["a b", "s1\ns2"]


@pytest.mark.parametrize(
    "content, message",
    [
        (b'{"text": "ok"}\n{"txt": "x"}\n', 'line 2 field "text": missing'),
        (b'{"text": "ok"}\n{bad json\n', "line 2: invalid JSON"),
        (b'{"text": 3}\n', 'line 1 field "text": expected a string'),
        (b"", "file is empty"),
        (b'{"text": "ok"}\n\n', "line 2: blank line"),
    ],
)
def test_read_texts_jsonl_errors_name_line_and_field(tmp_path, content, message):
    path = tmp_path / "p.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        read_texts(path)


def test_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "p.txt"
    path.write_bytes(b"fine\nbad \xff byte\n")
    with pytest.raises(InputError, match=r"line 2: invalid UTF-8"):
        read_texts(path)


def test_resumable_jsonl_cuts_torn_line_and_keeps_complete_rows(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b"}\n{"id": "c", "pre', encoding="utf-8")
    with ResumableJsonl(path) as out:
        assert out.done == {"a", "b"}
        out.write({"id": "c"})
    assert [r["id"] for r in read_jsonl(path)] == ["a", "b", "c"]


@pytest.mark.parametrize(
    "content, kept",
    [
        (b'{"id": "a"}\n{"id": "b"}\n', ["a", "b"]),
        (
            b'{"id": "a"}\n{"id": "b"}\n{"id": "c", "pre',
            ["a", "b"],
        ),  # torn last line: cut, as after a kill
        (b'{"id": "a"}\n{"id": "b"}', ["a"]),  # a last line without newline is torn too
        (b'{"id": "a"}\n{"id": "b", "x": "\xc3', ["a"]),  # torn inside a UTF-8 character
        (b'{"id": "a"}\r\n{"id": "b"}\r\n', ["a", "b"]),
        (b'{"id": "a"}\n\n{"id": "b"}\n', ["a", "b"]),  # blank lines are skipped, as before
        (b"", []),
    ],
)
def test_resumable_jsonl_keeps_complete_rows(tmp_path, content, kept):
    path = tmp_path / "out.jsonl"
    path.write_bytes(content)
    with ResumableJsonl(path) as out:
        assert [r["id"] for r in out.rows] == kept
    assert path.read_bytes().endswith(b"\n") or not kept


@pytest.mark.parametrize(
    "content, message",
    [
        (
            b'{"id": "a"}\n{"id": "b", "pre\n{"id": "c"}\n',
            r"line 2: invalid JSON: Unterminated string .* in a complete row",
        ),
        (
            b'{"id": "a"}\n{"id": "b"}\n{oops}\n{"id": "d", "to',
            r"line 3: invalid JSON: .* in a complete row",
        ),
        (b'{"id": "a"}\n[1, 2]\n', r"line 2: expected a JSON object, got list"),
        (b'{"id": "a"}\n{"id": "\xff"}\n', r"line 2: invalid UTF-8 at byte 8"),
    ],
)
def test_resumable_jsonl_corrupt_line_in_the_middle_is_one_clear_error(tmp_path, content, message):
    """Issue 15 bug 9: a corrupt complete line raised a raw JSONDecodeError; the file is left as it was."""
    path = tmp_path / "out.jsonl"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as err:
        ResumableJsonl(path)
    assert str(err.value).startswith(f"{path} line ") and "\n" not in str(err.value)
    assert path.read_bytes() == content


def test_corrupt_output_is_one_error_line_from_the_cli(tmp_path, capsys):
    from eval.cli import main

    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "article": "The council met.", "summary": "The council met."}) + "\n"
    )
    out = tmp_path / "out.jsonl"
    out.write_text('{"id": "a", "cons\n{"id": "b"}\n')
    assert (
        main(
            [
                "consistency",
                "--input",
                str(src),
                "--output",
                str(out),
                "--backend",
                "ngram",
                "--no-progress",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert (
        f"error: {out} line 1: invalid JSON: " in err
        and "in a complete row" in err
        and "Traceback" not in err
    )


def test_resumable_jsonl_survives_sigkill(tmp_path):
    path = tmp_path / "out.jsonl"
    script = (
        "import sys, os, signal\n"
        "from eval.base.io import ResumableJsonl\n"
        f"out = ResumableJsonl({str(path)!r})\n"
        "for i in range(5):\n"
        "    out.write({'id': str(i)})\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=os.getcwd())
    with ResumableJsonl(path) as out:
        assert out.done == {str(i) for i in range(5)}
    assert len(path.read_text().splitlines()) == 5
    assert all(json.loads(line) for line in path.read_text().splitlines())


def test_signature_orders_settings_and_appends_version():
    sig = Signature.make("rouge1", tok="default", stem="porter", boot=1000)
    text = str(sig)
    assert text.startswith("rouge1|tok:default|stem:porter|boot:1000|v:")
    assert Signature.parse(text) == sig
    assert str(sig.replace(boot=0)).startswith("rouge1|tok:default|stem:porter|boot:0|v:")


def test_atomic_outputs_get_normal_permissions(tmp_path):
    """mkstemp/mkdtemp make 0600/0700 temporaries; the published file and folder follow the
    umask like any other file (a checkpoint or best/ that only its owner can read is a surprise)."""
    import os

    from eval.base.io import atomic_dir, atomic_write_text

    mask = os.umask(0o022)
    try:
        atomic_write_text(tmp_path / "a.json", "{}")
        with atomic_dir(tmp_path / "best") as work:
            (work / "w").write_text("1")
    finally:
        os.umask(mask)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "best").stat().st_mode & 0o777 == 0o755
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "best"]  # no temporaries left


def test_atomic_dir_keeps_the_old_folder_when_the_build_fails(tmp_path):
    import pytest

    from eval.base.io import atomic_dir

    with atomic_dir(tmp_path / "best") as work:
        (work / "v").write_text("old")
    with pytest.raises(RuntimeError), atomic_dir(tmp_path / "best") as work:
        (work / "v").write_text("half")
        raise RuntimeError("killed mid-save")
    assert (tmp_path / "best" / "v").read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["best"]


def test_recover_dir_puts_back_a_folder_left_aside_by_a_kill(tmp_path):
    from eval.base.io import recover_dir

    (tmp_path / ".best.old").mkdir()
    (tmp_path / ".best.old" / "v").write_text("old")
    recover_dir(tmp_path / "best")  # the kill came between the two renames
    assert (tmp_path / "best" / "v").read_text() == "old"
    assert not (tmp_path / ".best.old").exists()


def test_bad_yaml_is_one_line_naming_file_line_and_column(tmp_path):
    import pytest

    from eval.base.errors import InputError
    from eval.base.io import load_yaml

    path = tmp_path / "c.yaml"
    path.write_text("a: b: c\n")
    with pytest.raises(InputError) as err:
        load_yaml(path)
    assert (
        str(err.value)
        == f"{path}: invalid YAML: mapping values are not allowed here (line 1, column 5)"
    )


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ({"prediction": "p", "references": ["r"]}, {"prediction": "p", "references": ["r"]}, True),
        ({"prediction": "p"}, {"prediction": "p", "task": "summary"}, False),
        (
            {"prediction": "p", "hit_length_cap": False},
            {"prediction": "p", "hit_length_cap": True},
            False,
        ),
        ({"prediction": "p"}, {"prediction": "p", "hit_length_cap": None}, True),
    ],
)
def test_cache_key_holds_what_changes_a_score(a, b, same):
    """A row whose length cap changed must not read hl_hit_length_cap from the cache."""
    from eval.base.cache import example_key

    assert (example_key("sig", a) == example_key("sig", b)) is same
