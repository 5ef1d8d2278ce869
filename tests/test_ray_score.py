"""eval score on a local Ray cluster (num_cpus=2, started once for this module): the same
scores.jsonl and summary.json as the local path, an actor killed mid-run loses and duplicates
nothing, a driver killed with kill -9 resumes from its finished shards."""

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
            row = {"id": f"r{i}", "prediction": " ".join(rng.choices(WORDS, k=8)),
                   "reference": " ".join(rng.choices(WORDS, k=9)), "category": rng.choice("ab"),
                   "article": " ".join(rng.choices(WORDS, k=60)) + "."}
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
    summary = score_run(source, folder / "out", metrics=METRICS, keep_going=True, use_cache=False,
                        report=False, progress=False)
    return source, folder / "out", summary


def shard_counts(out_dir):
    lines = (out_dir / "ray" / "shards.jsonl").read_text().splitlines()
    return [json.loads(line)["shard"] for line in lines]


@pytest.mark.parametrize("workers, shard_rows", [(2, 30), (1, 1000)])
def test_same_files_and_numbers_as_local(cluster, local_run, tmp_path, workers, shard_rows):
    source, local_out, local_summary = local_run
    summary = score_run_ray(source, tmp_path, METRICS, keep_going=True, report=False, progress=False,
                            workers=workers, shard_rows=shard_rows)
    assert (tmp_path / "scores.jsonl").read_bytes() == (local_out / "scores.jsonl").read_bytes()
    assert comparable(summary) == comparable(local_summary)
    assert comparable(json.loads((tmp_path / "summary.json").read_text())) == comparable(local_summary)
    assert sorted(shard_counts(tmp_path)) == list(range(summary["ray"]["shards"]))


def test_an_actor_killed_mid_run_gives_every_row_once(cluster, local_run, tmp_path):
    source, local_out, _ = local_run
    marker = tmp_path / "crashed"
    score_run_ray(source, tmp_path / "out", METRICS, keep_going=True, report=False, progress=False,
                  workers=2, shard_rows=20, _crash_once=(str(marker), 3))
    assert marker.exists()  # the actor did die on shard 3
    assert sorted(shard_counts(tmp_path / "out")) == list(range(10))
    assert (tmp_path / "out" / "scores.jsonl").read_bytes() == (local_out / "scores.jsonl").read_bytes()


def test_shards_of_another_input_are_refused(cluster, local_run, tmp_path):
    source, _, _ = local_run
    score_run_ray(source, tmp_path, METRICS, keep_going=True, report=False, progress=False, shard_rows=100)
    other = write_rows(tmp_path / "other.jsonl", 10)
    with pytest.raises(ValueError, match="holds shards of another input"):
        score_run_ray(other, tmp_path, METRICS, report=False, progress=False, shard_rows=100)


def test_a_driver_killed_with_kill_9_resumes_without_repeating(cluster, tmp_path):
    source = write_rows(tmp_path / "in.jsonl", 1200)
    local = score_run(source, tmp_path / "local", metrics=METRICS, use_cache=False, report=False,
                      progress=False)
    command = [sys.executable, "-m", "eval", "score", "--input", str(source), "--output-dir",
               str(tmp_path / "out"), "--metrics", ",".join(METRICS), "--no-report",
               "--ray", cluster, "--workers", "2", "--shard-rows", "10"]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    driver = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    assert (tmp_path / "out" / "scores.jsonl").read_bytes() == (tmp_path / "local" / "scores.jsonl").read_bytes()
    assert comparable(summary) == comparable(local)


def test_without_ray_the_flag_fails_with_one_clear_line(monkeypatch):
    from eval import distributed

    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    with pytest.raises(ValueError, match=r"pip install 'headline-eval\[ray\]'"):
        distributed.connect("local")


def test_default_path_does_not_import_ray():
    code = ("import sys, eval.pipeline, eval.commands.score, eval.commands.consistency, eval.commands.run, "
            "eval.distributed; print('ray' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
