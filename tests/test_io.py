import json
import os
import subprocess
import sys

import pytest

from eval.errors import InputError
from eval.io import ResumableJsonl, read_jsonl, read_texts
from eval.signature import Signature


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


def test_resumable_jsonl_survives_sigkill(tmp_path):
    path = tmp_path / "out.jsonl"
    script = (
        "import sys, os, signal\n"
        "from eval.io import ResumableJsonl\n"
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
