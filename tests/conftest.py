import os

import pytest

# Tests never reach the Hugging Face hub: everything is built from configs or bundled packages.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")


@pytest.fixture(scope="session")
def _session_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("summarizer-cache")


@pytest.fixture(autouse=True)
def _tests_leave_user_cache_alone(request, _session_cache, monkeypatch):
    """Fast tests build tiny models whose CTranslate2 conversions would pile up in the user's
    cache, so they get a private one. Slow tests read the real cache (the dequantized Gemma)."""
    if request.node.get_closest_marker("slow") is None:
        monkeypatch.setenv("SUMM_CACHE_DIR", str(_session_cache))
