"""Where calibrations go and come from (issue 15 bug 5): a fit writes to the user's cache folder
or an explicit --output, never into the installed package; the checker reads the user's fit
before the shipped one; a member that cannot be scored stops the fit with its name; writes are
atomic."""

from __future__ import annotations

import json
import pathlib

import pytest

from eval.consistency import ConsistencyChecker, calibration, load_thresholds
from eval.consistency import datasets as ds

SHIPPED = {
    name: (calibration.SHIPPED_DIR / name).read_bytes()
    for name in (calibration.THRESHOLDS_FILE, calibration.WEIGHTS_FILE)
}


@pytest.fixture
def user_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("SUMM_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "calibration"


def _shipped(key):
    return {k: float(v) for k, v in json.loads(SHIPPED[calibration.THRESHOLDS_FILE])[key].items()}


def test_without_a_user_fit_the_shipped_thresholds_are_used(user_dir):
    assert load_thresholds("summary") == _shipped("thresholds")
    assert load_thresholds("headline") == _shipped("headline_thresholds")


@pytest.mark.parametrize(
    "user, kind, expected",
    [
        # a user threshold replaces the shipped one for its backend only
        ({"thresholds": {"ngram": 0.123}}, "summary", {**_shipped("thresholds"), "ngram": 0.123}),
        ({"thresholds": {"ngram": 0.123}}, "headline", _shipped("headline_thresholds")),
        (
            {"headline_thresholds": {"mine": 0.2}},
            "headline",
            {**_shipped("headline_thresholds"), "mine": 0.2},
        ),
    ],
)
def test_the_user_fit_comes_before_the_shipped_one(user_dir, user, kind, expected):
    user_dir.mkdir(parents=True)
    (user_dir / "calibration.json").write_text(json.dumps(user))
    assert load_thresholds(kind) == expected


def test_the_checker_takes_the_user_threshold(user_dir):
    user_dir.mkdir(parents=True)
    (user_dir / "calibration.json").write_text(json.dumps({"thresholds": {"ngram": 0.123}}))
    checker = ConsistencyChecker("ngram")
    assert checker.threshold == 0.123 and "threshold:0.1230|thr_from:dev-summary" in str(
        checker.signature
    )


def test_user_ensemble_weights_replace_the_shipped_ones(user_dir):
    from eval.consistency.ensemble import EnsembleBackend, load_weights

    weights = {
        "features": ["ngram"],
        "weights": [1.0],
        "bias": 0.0,
        "mean": [0.5],
        "std": [0.25],
        "fitted_on": "mine",
    }
    assert load_weights()["fitted_on"] != "mine"
    user_dir.mkdir(parents=True)
    (user_dir / "ensemble.json").write_text(json.dumps(weights))
    assert load_weights() == weights
    assert list(EnsembleBackend().members) == ["ngram"]


def test_a_broken_user_file_is_one_error_naming_it(user_dir):
    from eval.base.errors import InputError

    user_dir.mkdir(parents=True)
    (user_dir / "calibration.json").write_text("{")
    with pytest.raises(InputError, match="calibration.json: invalid JSON"):
        load_thresholds()


# --- python -m eval.consistency.calibrate ---------------------------------------------------------

ARTICLE = (
    "The council approved a budget of 1.8 million dollars on Tuesday. Mayor Jane Doe said the "
    "money will repair roads in Springfield. Work starts in May."
)
CONSISTENT = [
    "The council approved a budget.",
    "The money will repair roads.",
    "Work starts in May.",
    "Jane Doe said the money will repair roads.",
]
INCONSISTENT = [
    "The mayor resigned in Paris.",
    "Cats fly over the ocean.",
    "Profits fell sharply in Tokyo.",
    "A storm closed every school in Leeds.",
]


def _labelled_rows(split, sources=None):
    rows = []
    for source in ("frank", "xsumfaith"):
        for i, (good, bad) in enumerate(zip(CONSISTENT, INCONSISTENT)):
            rows += [
                {
                    "id": f"{source}{i}g",
                    "source": source,
                    "article": ARTICLE,
                    "summary": good,
                    "label": 1,
                },
                {
                    "id": f"{source}{i}b",
                    "source": source,
                    "article": ARTICLE,
                    "summary": bad,
                    "label": 0,
                },
            ]
    return [r for r in rows if sources is None or r["source"] in sources]


def test_calibrate_writes_to_the_user_folder_and_the_checker_reads_it(
    user_dir, monkeypatch, capsys
):
    from eval.consistency import calibrate

    monkeypatch.setattr(ds, "load_all", _labelled_rows)
    assert calibrate.main(["--members", "ngram"]) == 0
    assert sorted(p.name for p in user_dir.iterdir()) == ["calibration.json", "ensemble.json"]
    fitted = json.loads((user_dir / "calibration.json").read_text())
    assert set(fitted["thresholds"]) == {"ngram", "ensemble"}
    assert ConsistencyChecker("ngram").threshold == fitted["thresholds"]["ngram"]
    assert f"wrote {user_dir / 'ensemble.json'}" in capsys.readouterr().out
    assert SHIPPED == {
        n: (calibration.SHIPPED_DIR / n).read_bytes() for n in SHIPPED
    }  # package untouched


def test_calibrate_writes_to_an_explicit_output(user_dir, tmp_path, monkeypatch):
    from eval.consistency import calibrate

    monkeypatch.setattr(ds, "load_all", _labelled_rows)
    out = tmp_path / "mine"
    out.mkdir()
    (out / "calibration.json").write_text(
        json.dumps({"headline_thresholds": {"ngram": 0.3}, "note": "kept"})
    )
    assert calibrate.main(["--members", "ngram", "--output", str(out)]) == 0
    written = json.loads((out / "calibration.json").read_text())
    assert (
        written["headline_thresholds"] == {"ngram": 0.3} and written["note"] == "kept"
    )  # other keys stay
    assert set(written["thresholds"]) == {"ngram", "ensemble"} and (out / "ensemble.json").exists()
    assert not user_dir.exists()
    assert SHIPPED == {n: (calibration.SHIPPED_DIR / n).read_bytes() for n in SHIPPED}


@pytest.mark.parametrize(
    "members, message",
    [
        (
            ["ngram", "ghost"],
            "backend 'ghost' is not installed here (No module named 'no_such_module')",
        ),
        (["ngram", "nonsense"], "unknown consistency backend 'nonsense'"),
        (["trained"], "trained: trained on the train split"),
    ],
)
def test_calibrate_stops_on_a_member_it_cannot_score(
    user_dir, monkeypatch, capsys, members, message
):
    from eval.consistency import calibrate, registry

    monkeypatch.setitem(registry.MEMBERS, "ghost", "no_such_module:Backend")
    monkeypatch.setattr(ds, "load_all", _labelled_rows)
    with pytest.raises(SystemExit) as stop:
        calibrate.main(["--members", *members])
    assert stop.value.code == 2 and message in capsys.readouterr().err
    assert not user_dir.exists()


# --- atomic writes --------------------------------------------------------------------------------


def _die_half_way(monkeypatch):
    """Every Path.write_text writes half its text, then fails (a kill or a full disk)."""

    def write_half(self, text, *args, **kwargs):
        with open(self, "w", encoding="utf-8") as handle:
            handle.write(text[: len(text) // 2])
        raise OSError("disk full")

    monkeypatch.setattr(pathlib.Path, "write_text", write_half)


def test_a_calibration_write_that_dies_keeps_the_old_file(tmp_path, monkeypatch):
    (tmp_path / "calibration.json").write_text(json.dumps({"thresholds": {"ngram": 0.5}}))
    before = (tmp_path / "calibration.json").read_bytes()
    _die_half_way(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        calibration.update(tmp_path, "thresholds", {"ngram": 0.7})
    assert [p.name for p in tmp_path.iterdir()] == ["calibration.json"]
    assert (tmp_path / "calibration.json").read_bytes() == before
