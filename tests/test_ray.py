"""--ray on a local Ray cluster (num_cpus=2, started once for this module): eval score gives the
same scores.jsonl and summary.json as the local path, an actor killed mid-run loses and duplicates
nothing, a driver killed with kill -9 resumes from its finished shards; eval consistency gives the
same rows in input order; summarizer generate gives the same predictions on a tiny Gemma3."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

ray = pytest.importorskip("ray")

from eval.distributed import score_run_ray  # noqa: E402
from eval.pipeline import score_run  # noqa: E402

METRICS = ["rouge", "headline"]  # cheap: the Ray plumbing is under test, not the models
WORDS = "the bank said profits rose in March while shares fell after Acme raised rates by 25 points".split()


def write_rows(path, n, bad_line=None):
    rng = random.Random(n)
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            row = {
                "id": f"r{i}",
                "prediction": " ".join(rng.choices(WORDS, k=8)),
                "reference": " ".join(rng.choices(WORDS, k=9)),
                "category": rng.choice("ab"),
                "article": " ".join(rng.choices(WORDS, k=60)) + ".",
            }
            if i == bad_line:
                row["prediction"] = 7  # an error row, kept in place with --keep-going
            handle.write(json.dumps(row) + "\n")
    return path


@pytest.fixture(scope="module")
def cluster():
    ray.init(num_cpus=2, include_dashboard=False, logging_level="WARNING")
    yield ray.get_runtime_context().gcs_address
    ray.shutdown()


def comparable(summary):
    return {k: v for k, v in summary.items() if k not in ("ray", "cache")}


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("local")
    source = write_rows(folder / "in.jsonl", 200, bad_line=17)
    summary = score_run(
        source,
        folder / "out",
        metrics=METRICS,
        keep_going=True,
        use_cache=False,
        report=False,
        progress=False,
    )
    return source, folder / "out", summary


def shard_counts(out_dir):
    lines = (out_dir / "ray" / "shards.jsonl").read_text().splitlines()
    return [json.loads(line)["shard"] for line in lines]


@pytest.mark.parametrize("workers, shard_rows", [(2, 30), (1, 1000)])
def test_same_files_and_numbers_as_local(cluster, local_run, tmp_path, workers, shard_rows):
    source, local_out, local_summary = local_run
    summary = score_run_ray(
        source,
        tmp_path,
        METRICS,
        keep_going=True,
        report=False,
        progress=False,
        workers=workers,
        shard_rows=shard_rows,
        batch_size=10,
    )
    assert (tmp_path / "scores.jsonl").read_bytes() == (local_out / "scores.jsonl").read_bytes()
    assert comparable(summary) == comparable(local_summary)
    assert comparable(json.loads((tmp_path / "summary.json").read_text())) == comparable(
        local_summary
    )
    assert sorted(shard_counts(tmp_path)) == list(range(summary["ray"]["shards"]))


def test_signatures_depending_on_the_rows_are_those_of_the_local_run(cluster, tmp_path):
    """Each shard scores other kinds and numbers of references; summary.json names what all rows
    used (Signatures.combine of the shards'), as the local run does: ROUGE's most references,
    every consistency kind judged, and a shard with nothing to judge adds nothing."""
    rng = random.Random(5)

    def row(i):
        part = i // 20  # shard 0: headlines, 1 reference; 1: no article, 3; 2: summaries, 2
        words = rng.choices(WORDS, k=6 if part == 0 else 30)
        return {
            "id": f"s{i}",
            "task": ("headline", "summary", "summary")[part],
            "prediction": " ".join(words)
            if part == 0
            else ". ".join([" ".join(words[:15]), " ".join(words[15:])]),
            "reference": [" ".join(rng.choices(WORDS, k=9)) for _ in range((1, 3, 2)[part])],
            **({"article": " ".join(rng.choices(WORDS, k=60)) + "."} if part != 1 else {}),
        }

    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(row(i)) + "\n" for i in range(60)))
    metrics, options = ["rouge", "consistency"], {"consistency": {"backend": "ngram"}}
    local = score_run(
        source,
        tmp_path / "local",
        metrics=metrics,
        metric_options=options,
        use_cache=False,
        report=False,
        progress=False,
    )
    summary = score_run_ray(
        source,
        tmp_path / "ray",
        metrics,
        metric_options=options,
        report=False,
        progress=False,
        workers=2,
        shard_rows=20,
        batch_size=10,
    )
    assert comparable(summary) == comparable(local)
    assert (tmp_path / "ray" / "scores.jsonl").read_bytes() == (
        tmp_path / "local" / "scores.jsonl"
    ).read_bytes()
    signatures = {name: m["signature"] for name, m in summary["metrics"].items()}
    assert signatures["rouge"].count("|refs:3|") == 3
    assert [
        part.split("|kind:")[1].split("|")[0] for part in signatures["consistency"].split(" ; ")
    ] == ["summary", "headline"]


def test_workers_that_scored_with_other_settings_stop_the_run():
    """e.g. one worker fell back to another consistency backend: never one shard's signature."""
    from eval.distributed import _used_signatures

    def record(backend):
        part = f"consistency|backend:{backend}|kind:summary|v:0"
        return {
            "signatures": {
                "consistency": {"sep": " ; ", "every": {"summary": part}, "used": {"summary": part}}
            }
        }

    info = {
        "consistency": {"status": "ok", "signature": "consistency|backend:support|kind:summary|v:0"}
    }
    with pytest.raises(
        ValueError,
        match="^consistency: the workers scored with different settings: .*ngram, support",
    ):
        _used_signatures([record("support"), record("ngram")], info)


def test_an_actor_killed_mid_run_gives_every_row_once(cluster, local_run, tmp_path):
    source, local_out, _ = local_run
    marker = tmp_path / "crashed"
    score_run_ray(
        source,
        tmp_path / "out",
        METRICS,
        keep_going=True,
        report=False,
        progress=False,
        workers=2,
        shard_rows=20,
        batch_size=10,
        _crash_once=(str(marker), 3),
    )
    assert marker.exists()  # the actor did die on shard 3
    assert sorted(shard_counts(tmp_path / "out")) == list(range(10))
    assert (tmp_path / "out" / "scores.jsonl").read_bytes() == (
        local_out / "scores.jsonl"
    ).read_bytes()


def test_shards_of_another_input_are_refused(cluster, local_run, tmp_path):
    source, _, _ = local_run
    score_run_ray(
        source,
        tmp_path,
        METRICS,
        keep_going=True,
        report=False,
        progress=False,
        shard_rows=100,
        batch_size=10,
    )
    other = write_rows(tmp_path / "other.jsonl", 10)
    with pytest.raises(ValueError, match="holds shards of another input"):
        score_run_ray(
            other, tmp_path, METRICS, report=False, progress=False, shard_rows=100, batch_size=10
        )


def test_a_driver_killed_with_kill_9_resumes_without_repeating(cluster, tmp_path):
    source = write_rows(tmp_path / "in.jsonl", 1200)
    local = score_run(
        source, tmp_path / "local", metrics=METRICS, use_cache=False, report=False, progress=False
    )
    command = [
        sys.executable,
        "-m",
        "eval",
        "score",
        "--input",
        str(source),
        "--output-dir",
        str(tmp_path / "out"),
        "--metrics",
        ",".join(METRICS),
        "--no-report",
        "--ray",
        cluster,
        "--workers",
        "2",
        "--shard-rows",
        "10",
        "--batch-size",
        "10",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    driver = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    log = tmp_path / "out" / "ray" / "shards.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and driver.poll() is None:
        if log.exists() and len(log.read_text().splitlines()) >= 3:
            break
        time.sleep(0.05)
    assert driver.poll() is None, "the driver finished before it could be killed"
    os.kill(driver.pid, signal.SIGKILL)
    driver.wait()
    before = len(shard_counts(tmp_path / "out"))
    assert 3 <= before < 120
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["ray"]["shards_resumed"] >= before
    assert sorted(shard_counts(tmp_path / "out")) == list(range(120))  # each shard exactly once
    assert (tmp_path / "out" / "scores.jsonl").read_bytes() == (
        tmp_path / "local" / "scores.jsonl"
    ).read_bytes()
    assert comparable(summary) == comparable(local)


def test_without_ray_the_flag_fails_with_one_clear_line(monkeypatch):
    from eval import distributed

    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    with pytest.raises(ValueError, match=r"pip install 'headline-eval\[ray\]'"):
        distributed.connect("local")


def test_default_path_does_not_import_ray():
    code = (
        "import sys, eval.pipeline, eval.commands.score, eval.commands.consistency, eval.commands.run, "
        "eval.distributed; print('ray' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# --- eval consistency --ray -----------------------------------------------------------------------


def consistency_args(source, output, **extra):
    import argparse

    from eval.commands import consistency

    parser = argparse.ArgumentParser()
    consistency.add_arguments(parser)
    flags = [
        "--input",
        str(source),
        "--output",
        str(output),
        "--backend",
        "ngram",
        "--no-progress",
        "--batch-size",
        "8",
    ]
    for key, value in extra.items():
        flags += [f"--{key.replace('_', '-')}", str(value)]
    return parser.parse_args(flags)


def test_consistency_same_rows_in_input_order(cluster, tmp_path):
    from eval.commands import consistency

    rng = random.Random(3)
    lines = [
        json.dumps(
            {
                "id": i,
                "article": " ".join(rng.choices(WORDS, k=50)) + ".",
                "summary": " ".join(rng.choices(WORDS, k=10)) + ".",
            }
        )
        for i in range(90)
    ]
    lines[5] = "not json"  # an error row keeps its place
    source = tmp_path / "pairs.jsonl"
    source.write_text("\n".join(lines) + "\n")
    consistency.run(consistency_args(source, tmp_path / "local.jsonl"))
    consistency.run(
        consistency_args(source, tmp_path / "ray.jsonl", ray="local", workers=2, shard_rows=20)
    )
    assert (tmp_path / "ray.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()
    # resume: a file cut after 30 rows is completed, not restarted
    kept = (tmp_path / "local.jsonl").read_text().splitlines(keepends=True)
    (tmp_path / "resumed.jsonl").write_text("".join(kept[:30]))
    consistency.run(
        consistency_args(source, tmp_path / "resumed.jsonl", ray="local", workers=2, shard_rows=20)
    )
    assert (tmp_path / "resumed.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes()


# --- summarizer generate --ray --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_gemma(tmp_path_factory):
    from _tiny_models import build_model

    return build_model("gemma3", tmp_path_factory.mktemp("gemma3"))


def test_generate_same_predictions_as_local(cluster, tmp_path, tiny_gemma):
    from eval.distributed import generate_ray
    from summarizer.commands.generate import DEFAULTS

    model = tiny_gemma
    articles = [
        (f"g{i}", " ".join(WORDS[(i * 5 + k) % len(WORDS)] for k in range(4 + i % 11)) + ".")
        for i in range(24)
    ]
    source = tmp_path / "articles.jsonl"
    source.write_text("".join(json.dumps({"id": i, "article": a}) + "\n" for i, a in articles))
    local = tmp_path / "local.jsonl"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    common = [
        "--model",
        str(model),
        "--prompt",
        "headline-zero-shot",
        "--max-new-tokens",
        "4",
        "--batch-size",
        "4",
        "--threads",
        "1",
    ]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "summarizer",
            "generate",
            "--input",
            str(source),
            "--output",
            str(local),
            *common,
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    options = {
        **DEFAULTS,
        "model": str(model),
        "prompt": "headline-zero-shot",
        "max_new_tokens": 4,
        "batch_size": 4,
        "threads": 1,
    }
    out = tmp_path / "ray.jsonl"
    generate_ray(articles, out, options, progress=False, workers=2, shard_rows=8)
    drop = ("seconds",)  # wall time per row differs by nature

    def by_id(path):
        return {
            r["id"]: {k: v for k, v in r.items() if k not in drop}
            for r in map(json.loads, path.read_text().splitlines())
        }

    assert by_id(out) == by_id(local) and len(by_id(out)) == len(articles)
    assert len(out.read_text().splitlines()) == len(articles)  # each id once
    from summarizer.cli import main  # the command, on the cluster already started

    assert (
        main(
            [
                "generate",
                "--input",
                str(source),
                "--output",
                str(tmp_path / "cli.jsonl"),
                *common,
                "--ray",
                "local",
                "--workers",
                "2",
                "--shard-rows",
                "8",
            ]
        )
        == 0
    )
    assert by_id(tmp_path / "cli.jsonl") == by_id(local)


def test_eval_run_same_outputs_as_local(cluster, tmp_path, tiny_gemma):
    from eval.cli import main

    data = tmp_path / "data.jsonl"
    data.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"d{i}",
                    "article": " ".join(WORDS[i:] + WORDS[:i]) + ".",
                    "headline": " ".join(WORDS[i : i + 6]),
                    "category": "ab"[i % 2],
                }
            )
            + "\n"
            for i in range(12)
        )
    )
    config = tmp_path / "run.yaml"
    config.write_text(
        json.dumps(
            {  # JSON is YAML
                "name": "t",
                "data": {"path": str(data)},
                "model": {
                    "name_or_path": str(tiny_gemma),
                    "task": "headline",
                    "options": {
                        "max_new_tokens": 4,
                        "prompt": "headline-zero-shot",
                        "num_threads": 1,
                    },
                },
                "generate": {"batch_size": 4, "seed": 0},
                "eval": {"metrics": METRICS, "bootstrap": {"n_resamples": 200, "seed": 1}},
            }
        )
    )
    assert (
        main(
            [
                "run",
                "--config",
                str(config),
                "--output-dir",
                str(tmp_path / "local"),
                "--no-progress",
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "run",
                "--config",
                str(config),
                "--output-dir",
                str(tmp_path / "ray"),
                "--no-progress",
                "--ray",
                "local",
                "--workers",
                "2",
                "--shard-rows",
                "4",
            ]
        )
        == 0
    )
    for name in ("predictions.jsonl", "scores.jsonl"):
        assert (tmp_path / "ray" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()
    local, distributed = (
        json.loads((tmp_path / d / "summary.json").read_text()) for d in ("local", "ray")
    )
    assert {k: v for k, v in distributed.items() if k not in ("ray", "cache", "input")} == {
        k: v for k, v in local.items() if k not in ("ray", "cache", "input")
    }


def test_a_folder_of_jsonl_and_parquet_shards_scores_like_one_file(cluster, local_run, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    source, local_out, local_summary = local_run
    lines = source.read_text().splitlines(keepends=True)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text("".join(lines[:80]))
    (folder / "b.jsonl").write_text("".join(lines[80:150]))
    good = [
        json.loads(line) for line in lines[150:]
    ]  # no bad rows in this part: parquet needs one type per column
    pq.write_table(pa.Table.from_pylist(good), folder / "c.parquet")
    summary = score_run_ray(
        folder,
        tmp_path / "out",
        METRICS,
        keep_going=True,
        report=False,
        progress=False,
        shard_rows=40,
        batch_size=10,
    )

    def by_id(path):  # the bad row's error names its own file: compare it after the file name
        rows = map(json.loads, path.read_text().splitlines())
        return {
            r["id"]: {
                k: (v.split(" line ", 1)[1] if k == "error" else v)
                for k, v in r.items()
                if k not in ("file", "line")
            }
            for r in rows
        }

    assert by_id(tmp_path / "out" / "scores.jsonl") == by_id(local_out / "scores.jsonl")
    assert summary["scores"] == local_summary["scores"]
    files = {
        json.loads(line)["file"]
        for line in (tmp_path / "out" / "scores.jsonl").read_text().splitlines()
    }
    assert files == {str(folder / name) for name in ("a.jsonl", "b.jsonl", "c.parquet")}


def test_an_id_in_two_shards_is_an_error_naming_both(cluster, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    write_rows(folder / "a.jsonl", 3)
    write_rows(folder / "b.jsonl", 3)  # the same ids r0..r2
    with pytest.raises(
        ValueError, match=r"b.jsonl line 1 \(id 'r0'\): duplicate id \(first in .*a.jsonl line 1\)"
    ):
        score_run_ray(
            str(folder / "*.jsonl"), tmp_path / "out", METRICS, report=False, progress=False
        )


def test_a_worker_error_is_one_clear_line(cluster, tmp_path):
    from eval.commands import consistency

    source = tmp_path / "pairs.jsonl"
    source.write_text('{"id": 1, "article": "Oil rose.", "summary": "Oil rose."}\n')
    args = consistency_args(source, tmp_path / "out.jsonl", ray="local", workers=1)
    args.backend, args.model = "align", str(tmp_path / "no-such-model")
    with pytest.raises(
        ValueError, match=r"^a Ray worker failed: \w*Error: .*no-such-model"
    ) as caught:
        consistency.run(args)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("kind", ["ray", "datasets"])
def test_a_dataset_scores_like_its_file(cluster, tmp_path, kind):
    import datasets

    source = write_rows(tmp_path / "in.jsonl", 60)
    rows = [json.loads(line) for line in source.read_text().splitlines()]
    data = ray.data.from_items(rows) if kind == "ray" else datasets.Dataset.from_list(rows)
    from_file = score_run(
        source, tmp_path / "file", metrics=METRICS, use_cache=False, report=False, progress=False
    )
    from_data = score_run_ray(
        data, tmp_path / "data", METRICS, report=False, progress=False, shard_rows=25, batch_size=5
    )
    assert from_data["scores"] == from_file["scores"]
    assert (tmp_path / "data" / "scores.jsonl").read_bytes() == (
        tmp_path / "file" / "scores.jsonl"
    ).read_bytes()


@pytest.mark.parametrize(
    "argv, cpus",
    [
        (["--ray", "local", "--workers", "2"], 1.0),
        (["--ray", "local", "--cpus-per-worker", "0.5"], 0.5),
    ],
)
def test_cpus_per_worker(argv, cpus):
    import argparse

    from eval import distributed

    parser = argparse.ArgumentParser()
    distributed.add_ray_arguments(parser)
    assert distributed.ray_options(parser.parse_args(argv))["cpus_per_worker"] == cpus


def test_bad_cpus_per_worker_is_one_clear_error():
    import argparse

    from eval import distributed

    parser = argparse.ArgumentParser()
    distributed.add_ray_arguments(parser)
    with pytest.raises(ValueError, match="--cpus-per-worker must be positive"):
        distributed.ray_options(parser.parse_args(["--ray", "local", "--cpus-per-worker", "0"]))
