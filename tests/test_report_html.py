"""Opens the generated report.html / compare.html in headless Chromium (Debian packages
chromium + chromium-driver; scripts/test.sh installs them) and checks plots and tables render,
offline: the page loads no network resource."""

import json
import shutil
from pathlib import Path

import pytest

from eval.pipeline import score_run

ARTICLE = "Harbor Freight Lines said on Tuesday it would cut 240 jobs at its Rotterdam depot."
CHROMEDRIVER = "/usr/bin/chromedriver"


def _rows(shift=0):
    return [{"id": f"r{i}", "prediction": f"Harbor Lines cuts {240 + shift * i} jobs in Antwerp",
             "reference": "Harbor Freight Lines to cut 240 jobs", "article": ARTICLE,
             "category": ["business", "tech", "sport"][i % 3]} for i in range(12)]


@pytest.fixture(scope="module")
def browser():
    webdriver = pytest.importorskip("selenium.webdriver")
    if not (Path(CHROMEDRIVER).exists() and shutil.which("chromium")):
        pytest.skip("chromium/chromium-driver not installed (scripts/test.sh installs them)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-extensions", "--no-first-run"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium")
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
        ".filter(n => !n.startsWith('file:') && !n.startsWith('data:'))")


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
    assert [r.find_elements(By.TAG_NAME, "td")[0].text for r in categories[1:]] == ["business", "sport", "tech"]
    scores = {r.find_elements(By.TAG_NAME, "td")[0].text for r in browser.find_elements(By.CSS_SELECTOR, "#scores tr")[1:]}
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
    assert compare.run(parser.parse_args([str(tmp_path / "A"), str(tmp_path / "B"), "--metric", "hl_absent_numbers"])) == 0
    browser.get((tmp_path / "B" / "compare" / "compare.html").as_uri())
    from selenium.webdriver.common.by import By

    rows = browser.find_elements(By.CSS_SELECTOR, "#differences tr")
    assert len(rows) > 5
    assert browser.find_element(By.CSS_SELECTOR, "#plots svg").size["width"] > 100
    assert len(browser.find_elements(By.CSS_SELECTOR, "#changed tr")) == 11  # header + top 10
    assert _external_resources(browser) == []
