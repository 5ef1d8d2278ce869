"""Screenshots of the explorable reports for docs/ (headless Chromium via selenium, as the tests).

    python scripts/report_screenshots.py RUN_DIR COMPARE_DIR OUT_DIR [--open ID]

RUN_DIR holds report.html (`python -m eval score`), COMPARE_DIR compare.html (`python -m eval
compare`). Writes OUT_DIR/report_examples.png (sorted by consistency, one row opened) and
OUT_DIR/compare_side_by_side.png (sorted by the difference).
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path


def browser(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        f"--window-size={width},{height}",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium")
    return webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)


def main(argv=None) -> int:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("run_dir")
    parser.add_argument("compare_dir")
    parser.add_argument("out_dir")
    parser.add_argument("--open", help="id of the row to open (default: the first after sorting)")
    parser.add_argument(
        "--sort", default="consistency", help="report field to sort by (default: %(default)s)"
    )
    parser.add_argument("--compare-field", default="rougeL")
    args = parser.parse_args(argv)
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    driver = browser(1280, 1000)
    try:
        driver.get((Path(args.run_dir).resolve() / "report.html").as_uri())
        Select(driver.find_element(By.ID, "sort-field")).select_by_value(args.sort)
        rows = driver.find_elements(By.CSS_SELECTOR, "#examples-body tr")
        target = next((r for r in rows if r.get_attribute("data-id") == args.open), rows[0])
        target.click()
        driver.execute_script(
            "document.getElementById('controls').previousElementSibling.scrollIntoView()"
        )
        driver.save_screenshot(str(out / "report_examples.png"))
        driver.get((Path(args.compare_dir).resolve() / "compare.html").as_uri())
        Select(driver.find_element(By.ID, "compare-field")).select_by_value(args.compare_field)
        driver.find_element(By.CSS_SELECTOR, '#side-head th[data-key="diff"]').click()
        driver.execute_script(
            "document.getElementById('controls').previousElementSibling.scrollIntoView()"
        )
        driver.save_screenshot(str(out / "compare_side_by_side.png"))
    finally:
        driver.quit()
    print(f"written: {out}/report_examples.png, {out}/compare_side_by_side.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
