"""Issue 15 bug 7: offline must mean offline. A hub id that is neither cached nor reachable fails
at once with one line naming it (never a hang or a traceback), wherever a name reaches a loader:
encoders, the nli/lm/align backends, BERTScore, generation models and `--dataset` hub ids. Users
with the hub keep passing hub ids. No test here touches the network: offline is HF_HUB_OFFLINE=1
or a hub client whose request fails, and the cache is a temporary folder."""

from __future__ import annotations

import time

import pytest

from eval.base import hub
from eval.base.errors import InputError

MADE_UP = "made-up-org/no-such-model-7f3a"


@pytest.fixture
def no_network(monkeypatch, tmp_path):
    """Offline as users set it, with an empty hub cache (the real cache is left alone)."""
    import huggingface_hub.constants

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    return tmp_path / "hub-cache"


def _cache(cache, repo_id, repo_type="model", files=("config.json",)):
    """A hub cache entry as huggingface_hub writes it: refs/main -> snapshots/<commit>/files."""
    folder = cache / f"{repo_type}s--{repo_id.replace('/', '--')}"
    commit = "0" * 40
    (folder / "refs").mkdir(parents=True)
    (folder / "refs" / "main").write_text(commit)
    snapshot = folder / "snapshots" / commit
    snapshot.mkdir(parents=True)
    for name in files:
        (snapshot / name).write_text("{}")
    return snapshot


def _one_line(err: Exception, *needles: str) -> None:
    text = str(err)
    assert "\n" not in text.strip()
    for needle in needles:
        assert needle in text, (needle, text)


def _load_nli(name):
    from eval.consistency.nli import NliScorer

    NliScorer(name)


def _load_lm(name):
    from eval.consistency.lm import LMBackend

    LMBackend(model=name)


def _load_align(name):
    from eval.consistency.align import EmbeddingScorer

    EmbeddingScorer(name)


def _load_bertscore(name):
    pytest.importorskip("bert_score")
    from eval.bertscore import BertScore

    BertScore(model=name, layer=4)


def _load_generator(name):
    from summarizer import models

    models.load(name)


def _load_encoder(name):
    from eval.base.assets import encoder_dir

    encoder_dir(name)


def _load_dataset(name):
    pytest.importorskip("datasets")
    from summarizer.commands.generate import read_dataset

    read_dataset(name, "test", None, None)


@pytest.mark.parametrize(
    "load, what",
    [
        (lambda name: hub.resolve(name), "model"),
        (lambda name: hub.resolve(name, repo_type="dataset"), "dataset"),
        (_load_encoder, "encoder"),
        (_load_align, "encoder"),
        (_load_bertscore, "encoder"),
        (_load_nli, "model"),
        (_load_lm, "model"),
        (_load_generator, "model"),
        (_load_dataset, "dataset"),
    ],
)
def test_offline_hub_id_fails_at_once_in_one_line(no_network, load, what):
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        load(MADE_UP)
    assert time.perf_counter() - started < 5  # no request, no retry
    _one_line(
        err.value,
        f"{what} '{MADE_UP}'",
        "not available offline",
        "cannot be reached",
        "HF_HUB_OFFLINE",
    )


@pytest.mark.parametrize("repo_type", ["model", "dataset"])
def test_offline_hub_id_in_the_local_cache_is_used(no_network, repo_type):
    snapshot = _cache(no_network, MADE_UP, repo_type)
    assert hub.resolve(MADE_UP, repo_type=repo_type) == str(snapshot)


@pytest.mark.parametrize(
    "name, needle",
    [
        ("./no/such/folder", "no such folder"),
        ("/no/such/folder", "no such folder"),
        ("a/b/c", "no such folder"),
    ],
)
def test_missing_local_paths_are_not_sent_to_the_hub(monkeypatch, name, needle):
    import huggingface_hub

    monkeypatch.setattr(
        huggingface_hub.HfApi, "repo_info", lambda *a, **k: pytest.fail("asked the hub")
    )
    with pytest.raises(InputError) as err:
        hub.resolve(name)
    _one_line(err.value, needle, repr(name))


def test_local_folder_is_used_as_is(tmp_path, monkeypatch):
    import huggingface_hub

    monkeypatch.setattr(
        huggingface_hub.HfApi, "repo_info", lambda *a, **k: pytest.fail("asked the hub")
    )
    assert hub.resolve(str(tmp_path)) == str(tmp_path)


@pytest.mark.parametrize(
    "raised",
    [
        ConnectionError("[Errno -2] Name or service not known"),
        TimeoutError("timed out"),
        type("TransportError", (Exception,), {})("connect failed"),
    ],
)
def test_unreachable_hub_fails_in_one_line_without_hf_hub_offline(monkeypatch, tmp_path, raised):
    import huggingface_hub.constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path))
    asked = []

    def repo_info(self, repo_id, repo_type=None, timeout=None, **kwargs):
        asked.append(timeout)
        raise raised

    monkeypatch.setattr(huggingface_hub.HfApi, "repo_info", repo_info)
    with pytest.raises(InputError) as err:
        hub.resolve(MADE_UP)
    _one_line(err.value, f"model '{MADE_UP}'", "cannot be reached", type(raised).__name__)
    assert asked == [hub.HUB_TIMEOUT]  # one request, with a timeout
    snapshot = _cache(tmp_path, MADE_UP)  # ... and the cached copy when there is one
    assert hub.resolve(MADE_UP) == str(snapshot)


def test_users_with_the_hub_keep_passing_hub_ids(monkeypatch):
    import huggingface_hub.constants

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr(
        huggingface_hub.HfApi, "repo_info", lambda self, repo_id, **kwargs: object()
    )
    assert (
        hub.resolve("facebook/bart-large-cnn") == "facebook/bart-large-cnn"
    )  # the loader downloads it


def test_a_repository_the_hub_does_not_have_is_named(monkeypatch):
    import huggingface_hub.constants
    from huggingface_hub.errors import RepositoryNotFoundError

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)

    def repo_info(
        self, repo_id, **kwargs
    ):  # as the client raises it on a 404 (no HTTP response needed)
        err = RepositoryNotFoundError.__new__(RepositoryNotFoundError)
        Exception.__init__(err, "404 Repository Not Found")
        raise err

    monkeypatch.setattr(huggingface_hub.HfApi, "repo_info", repo_info)
    with pytest.raises(InputError) as err:
        hub.resolve(MADE_UP)
    _one_line(err.value, f"model '{MADE_UP}'", "has no such repository")


@pytest.mark.parametrize(
    "argv",
    [
        ["consistency", "--backend", "nli", "--model", MADE_UP],
        ["consistency", "--backend", "align", "--model", MADE_UP],
    ],
)
def test_cli_offline_hub_id_is_one_error_line(no_network, tmp_path, capsys, argv):
    import json

    from eval.cli import main

    src = tmp_path / "in.jsonl"
    src.write_text(
        json.dumps({"id": "a", "article": "The council met.", "summary": "It met."}) + "\n"
    )
    code = main(
        [*argv, "--input", str(src), "--output", str(tmp_path / "out.jsonl"), "--no-progress"]
    )
    err = capsys.readouterr().err
    assert code == 2
    [line] = [x for x in err.splitlines() if x.startswith("error:")]
    assert MADE_UP in line and "not available offline" in line and "Traceback" not in err
