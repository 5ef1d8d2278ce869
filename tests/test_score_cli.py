"""`eval score --config`: a bad eval config is one error line naming the file."""

import json

import pytest

from eval.cli import main


@pytest.mark.parametrize(
    "config, error",
    [
        (None, "file not found"),  # a traceback before the one YAML loader (eval.base.io.load_yaml)
        ("- rouge\n", "expected a mapping of settings, got list"),
        ("metrics: [rouge\n", "invalid YAML"),
        ("metric: [rouge]\n", "unknown keys ['metric']"),
    ],
)
def test_bad_eval_config_is_one_line(tmp_path, capsys, config, error):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "a", "prediction": "x y", "reference": "x"}) + "\n")
    path = tmp_path / "eval.yaml"
    if config is not None:
        path.write_text(config)
    assert (
        main(
            [
                "score",
                "--input",
                str(src),
                "--output-dir",
                str(tmp_path / "out"),
                "--config",
                str(path),
            ]
        )
        == 2
    )
    line = capsys.readouterr().err.strip().splitlines()[0]  # PyYAML's message adds the place below
    assert line.startswith(f"error: {path}") and error in line
