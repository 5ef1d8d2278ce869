"""Opens the generated report.html / compare.html in headless Chromium (Debian packages
chromium + chromium-driver; scripts/test.sh installs them) and checks plots and tables render,
offline: the page loads no network resource; the per-example tables sort, filter and open a
row; untrusted text with <script> and onerror= payloads is shown, never run."""

import json
import shutil
from pathlib import Path

import pytest

from eval.pipeline import score_run

ARTICLE = "Harbor Freight Lines said on Tuesday it would cut 240 jobs at its Rotterdam depot."
CHROMEDRIVER = "/usr/bin/chromedriver"


def _rows(shift=0):
    return [
        {
            "id": f"r{i}",
            "prediction": f"Harbor Lines cuts {240 + shift * i} jobs in Antwerp",
            "reference": "Harbor Freight Lines to cut 240 jobs",
            "article": ARTICLE,
            "category": ["business", "tech", "sport"][i % 3],
        }
        for i in range(12)
    ]


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (Path(CHROMEDRIVER).exists() and shutil.which("chromium")):
        pytest.skip("chromium/chromium-driver not installed (scripts/test.sh installs them)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-extensions",
        "--no-first-run",
    ):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def _write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _external_resources(driver) -> list[str]:
    return driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(n => !n.startsWith('file:') && !n.startsWith('data:'))"
    )


def test_report_renders_plots_tables_and_highlights(tmp_path, browser):
    src = _write(tmp_path, "in.jsonl", _rows(shift=5))
    score_run(src, tmp_path / "run", metrics=["rouge", "headline"], progress=False)
    browser.get((tmp_path / "run" / "report.html").as_uri())
    from selenium.webdriver.common.by import By

    svgs = browser.find_elements(By.CSS_SELECTOR, "#plots svg")
    assert len(svgs) >= 3
    for svg in svgs:  # each plot is laid out with a real size and has drawn paths (bars)
        assert svg.size["width"] > 100 and svg.size["height"] > 100
        assert len(svg.find_elements(By.CSS_SELECTOR, "path")) > 5
    categories = browser.find_elements(By.CSS_SELECTOR, "#categories tr")
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in categories[1:]] == [
        "business",
        "sport",
        "tech",
    ]
    scores = {
        r.find_elements(By.TAG_NAME, "td")[0].text
        for r in browser.find_elements(By.CSS_SELECTOR, "#scores tr")[1:]
    }
    assert {"rouge1", "rougeL", "hl_copy_rate"} <= scores
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#worst mark")]
    assert "Antwerp" in marks  # a name absent from the article is highlighted
    assert _external_resources(browser) == []


def test_compare_report_renders(tmp_path, browser):
    from eval.commands import compare

    a = _write(tmp_path, "a.jsonl", _rows(shift=0))
    b = _write(tmp_path, "b.jsonl", _rows(shift=1))
    score_run(a, tmp_path / "A", metrics=["headline"], report=False, progress=False)
    score_run(b, tmp_path / "B", metrics=["headline"], report=False, progress=False)
    import argparse

    parser = argparse.ArgumentParser()
    compare.add_arguments(parser)
    assert (
        compare.run(
            parser.parse_args(
                [str(tmp_path / "A"), str(tmp_path / "B"), "--metric", "hl_absent_numbers"]
            )
        )
        == 0
    )
    browser.get((tmp_path / "B" / "compare" / "compare.html").as_uri())
    from selenium.webdriver.common.by import By

    rows = browser.find_elements(By.CSS_SELECTOR, "#differences tr")
    assert len(rows) > 5
    assert browser.find_element(By.CSS_SELECTOR, "#plots svg").size["width"] > 100
    assert len(browser.find_elements(By.CSS_SELECTOR, "#changed tr")) == 11  # header + top 10
    assert _external_resources(browser) == []


LONG_ARTICLE = (
    "Harbor Freight Lines said on Tuesday it would cut 240 jobs at its Rotterdam depot. "
    "The company blamed falling trade volumes. Unions called a strike for Friday."
)
# (id, prediction, category, hit_length_cap)
EXAMPLES = [
    ("e0", "Harbor Lines cuts 240 jobs in Antwerp", "business", False),
    ("e1", "Unions call strike at Harbor Freight", "labour", False),
    ("e2", "Harbor Freight blames falling trade volumes", "business", True),
    ("e3", "Company cuts 300 jobs", "labour", False),
    ("e4", "Harbor Freight Lines to cut 240 jobs", "business", False),
]
# Payloads that would run if any text reached the page as HTML, or ended the JSON's <script>.
PAYLOADS = {
    "id": 'x</script><script>window.__pwned="id"</script>',
    "prediction": "<img src=x onerror=\"window.__pwned='prediction'\"> Harbor cuts jobs",
    "reference": '<script>window.__pwned="reference"</script>',
    "article": LONG_ARTICLE + " <img src=x onerror=\"window.__pwned='article'\">",
    "category": "<svg onload=\"window.__pwned='category'\"></svg>",
}


def _example_rows(evil=False, changed=False):
    rows = [
        {
            "id": i,
            "prediction": p.replace("Antwerp", "Rotterdam") if changed else p,
            "reference": "Harbor Freight Lines to cut 240 jobs",
            "article": LONG_ARTICLE,
            "category": c,
            "hit_length_cap": cap,
        }
        for i, p, c, cap in EXAMPLES
    ]
    if evil:
        rows.append(
            {
                "id": PAYLOADS["id"],
                "prediction": PAYLOADS["prediction"],
                "reference": PAYLOADS["reference"],
                "article": PAYLOADS["article"],
                "category": PAYLOADS["category"],
            }
        )
    return rows


def _scored_report(tmp_path, name, rows, report=True):
    score_run(
        _write(tmp_path, f"{name}.jsonl", rows),
        tmp_path / name,
        metrics=["rouge", "headline", "consistency"],
        metric_options={"consistency": {"backend": "ngram"}},
        report=report,
        progress=False,
    )
    return tmp_path / name


def _shown_ids(driver, body="#examples-body"):
    from selenium.webdriver.common.by import By

    return [r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, f"{body} tr")]


def _column(driver, key, body="examples"):
    """Cell texts of the column whose header has data-key `key`, top to bottom."""
    from selenium.webdriver.common.by import By

    heads = [
        h.get_attribute("data-key")
        for h in driver.find_elements(By.CSS_SELECTOR, f"#{body}-head th")
    ]
    k = heads.index(key)
    return [
        r.find_elements(By.TAG_NAME, "td")[k].text
        for r in driver.find_elements(By.CSS_SELECTOR, f"#{body}-body tr")
    ]


def _severe_console_errors(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_examples_table_sorts_filters_and_opens_a_row(tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    run = _scored_report(tmp_path, "run", _example_rows())
    scores = {r["id"]: r["scores"] for r in map(json.loads, open(run / "scores.jsonl"))}
    browser.get((run / "report.html").as_uri())
    assert browser.find_element(By.ID, "shown-count").text == "5 of 5 rows"
    # sort: click the rouge1 header, ascending; again, descending
    browser.find_element(By.CSS_SELECTOR, '#examples-head th[data-key="rouge1"]').click()
    ascending = sorted(scores, key=lambda i: (scores[i]["rouge1"], i))
    assert _shown_ids(browser) == ascending
    assert _column(browser, "rouge1") == [
        f"{scores[i]['rouge1']:.4f}".rstrip("0").rstrip(".")
        if scores[i]["rouge1"] in (0, 1)
        else f"{scores[i]['rouge1']:.4f}"
        for i in ascending
    ]
    browser.find_element(By.CSS_SELECTOR, '#examples-head th[data-key="rouge1"]').click()
    assert _shown_ids(browser)[0] == "e4"  # the reference itself: rouge1 = 1
    # any field from the select, e.g. hl_words
    Select(browser.find_element(By.ID, "sort-field")).select_by_value("hl_words")
    assert [scores[i]["hl_words"] for i in _shown_ids(browser)] == sorted(
        s["hl_words"] for s in scores.values()
    )
    # filters: text, category, flags
    box = browser.find_element(By.ID, "filter-text")
    box.send_keys("strike")
    assert _shown_ids(browser) == ["e1"]
    box.clear()
    box.send_keys(" ")  # clear() sends no input event; a space trims to "" and does
    Select(browser.find_element(By.ID, "filter-category")).select_by_value("labour")
    assert sorted(_shown_ids(browser)) == ["e1", "e3"]
    Select(browser.find_element(By.ID, "filter-category")).select_by_value("")
    browser.find_element(By.ID, "flag-cap").click()
    assert _shown_ids(browser) == ["e2"]
    browser.find_element(By.ID, "flag-cap").click()
    browser.find_element(By.ID, "flag-absent_names").click()
    assert _shown_ids(browser) == ["e0"]  # Antwerp is not in the article
    browser.find_element(By.ID, "flag-absent_names").click()
    browser.find_element(By.ID, "flag-inconsistent").click()
    assert set(_shown_ids(browser)) == {i for i, s in scores.items() if s["consistent"] is False}
    browser.find_element(By.ID, "flag-inconsistent").click()
    # open a row: its prediction with the unsupported span, the article with the supporting
    # sentence, the reference
    browser.find_element(By.CSS_SELECTOR, '#examples-body tr[data-id="e0"]').click()
    detail = browser.find_element(By.ID, "detail")
    assert detail.is_displayed() and "Example e0 (business)" in detail.text
    assert "Antwerp" in [m.text for m in detail.find_elements(By.CSS_SELECTOR, ".prediction mark")]
    assert [m.text for m in detail.find_elements(By.CSS_SELECTOR, ".article mark.support")] == [
        "Harbor Freight Lines said on Tuesday it would cut 240 jobs at its Rotterdam depot."
    ]
    assert detail.find_element(By.CSS_SELECTOR, ".article").text == LONG_ARTICLE
    assert (
        detail.find_element(By.CSS_SELECTOR, ".reference").text
        == "Harbor Freight Lines to cut 240 jobs"
    )
    assert _external_resources(browser) == [] and _severe_console_errors(browser) == []


def test_compare_side_by_side_sorts_by_difference(tmp_path, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from eval.commands.compare import run as compare_run

    _scored_report(tmp_path, "A", _example_rows(), report=False)
    _scored_report(tmp_path, "B", _example_rows(changed=True), report=False)
    import argparse

    from eval.commands import compare

    parser = argparse.ArgumentParser()
    compare.add_arguments(parser)
    assert (
        compare_run(
            parser.parse_args(
                [
                    str(tmp_path / "A"),
                    str(tmp_path / "B"),
                    "--metric",
                    "hl_absent_names",
                    "--n-resamples",
                    "50",
                    "--n-trials",
                    "50",
                ]
            )
        )
        == 0
    )
    browser.get((tmp_path / "B" / "compare" / "compare.html").as_uri())
    assert browser.find_element(By.ID, "shown-count").text == "5 of 5 examples"
    # default: the chosen metric, largest change first: only e0 lost its absent name
    assert _shown_ids(browser, "#side-body")[0] == "e0"
    assert (
        _column(browser, "b", body="side")[0] == "0"
        and _column(browser, "a", body="side")[0] == "1"
    )
    Select(browser.find_element(By.ID, "compare-field")).select_by_value("rouge1")
    browser.find_element(
        By.CSS_SELECTOR, '#side-head th[data-key="diff"]'
    ).click()  # B - A, descending
    diffs = [float(x) for x in _column(browser, "diff", body="side")]
    assert diffs == sorted(diffs, reverse=True)
    row = browser.find_element(By.CSS_SELECTOR, '#side-body tr[data-id="e0"]').text
    assert "Antwerp" in row and "Rotterdam" in row  # both predictions side by side
    browser.find_element(By.ID, "filter-text").send_keys("strike")
    assert _shown_ids(browser, "#side-body") == ["e1"]
    assert _external_resources(browser) == [] and _severe_console_errors(browser) == []


def test_untrusted_text_is_shown_never_run(tmp_path, browser):
    from selenium.webdriver.common.by import By

    run = _scored_report(tmp_path, "run", _example_rows(evil=True))
    browser.get((run / "report.html").as_uri())
    assert browser.find_element(By.ID, "shown-count").text == "6 of 6 rows"
    browser.find_element(By.ID, "filter-text").send_keys(
        "onerror"
    )  # the evil row: its prediction and article
    rows = browser.find_elements(By.CSS_SELECTOR, "#examples-body tr")
    assert [r.get_attribute("data-id") for r in rows] == [PAYLOADS["id"]]
    cells = rows[0].find_elements(By.TAG_NAME, "td")
    assert cells[0].text == PAYLOADS["id"] and cells[2].text == PAYLOADS["prediction"]
    rows[0].click()
    detail = browser.find_element(By.ID, "detail")
    assert detail.find_element(By.CSS_SELECTOR, ".article").text == PAYLOADS["article"]
    assert detail.find_element(By.CSS_SELECTOR, ".reference").text == PAYLOADS["reference"]
    # the server-rendered tables show the category and the worst examples as text too
    assert PAYLOADS["category"] in browser.find_element(By.ID, "categories").text
    assert browser.execute_script("return window.__pwned") is None
    assert (
        browser.find_elements(
            By.CSS_SELECTOR, "img, #examples-table svg, #detail svg, #categories svg"
        )
        == []
    )
    # the same rows in a comparison
    _scored_report(tmp_path, "B", _example_rows(evil=True, changed=True), report=False)
    import argparse

    from eval.commands import compare

    parser = argparse.ArgumentParser()
    compare.add_arguments(parser)
    assert (
        compare.run(
            parser.parse_args(
                [str(run), str(tmp_path / "B"), "--n-resamples", "20", "--n-trials", "20"]
            )
        )
        == 0
    )
    browser.get((tmp_path / "B" / "compare" / "compare.html").as_uri())
    row = browser.find_element(By.CSS_SELECTOR, "#side-body").find_elements(By.TAG_NAME, "tr")
    texts = [r.text for r in row]
    assert any(PAYLOADS["prediction"] in t and PAYLOADS["reference"] in t for t in texts)
    assert PAYLOADS["id"] in browser.find_element(By.ID, "changed").text + " ".join(texts)
    assert browser.execute_script("return window.__pwned") is None
    assert browser.find_elements(By.CSS_SELECTOR, "img") == []
    assert _severe_console_errors(browser) == []
