"""End to end in a real browser: Debian's chromium driven by selenium against `reportgen serve`.

Uploads the example, waits for the preview, downloads the .docx and opens it; uploads a
broken workbook and reads the findings table; runs a 3-unit batch and sees the progress
reach 100%. Screenshots of every page go to tests/artifacts/ (git-ignored) for a person
to look at. CI installs chromium and chromium-driver (.ci/run) and sets
REPORTGEN_REQUIRE_BROWSER=1, so there the test cannot be skipped.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import docx
import httpx
import pytest

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
HAVE_BROWSER = bool(shutil.which("chromium") and shutil.which("chromedriver"))
try:
    import selenium  # noqa: F401
except ImportError:
    HAVE_BROWSER = False
if os.environ.get("REPORTGEN_REQUIRE_BROWSER") == "1" and not HAVE_BROWSER:
    raise RuntimeError("REPORTGEN_REQUIRE_BROWSER=1 but chromium/chromedriver/selenium are missing")
pytestmark = pytest.mark.skipif(
    not HAVE_BROWSER, reason="chromium, chromedriver or selenium missing"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`reportgen serve` as a user starts it, on 127.0.0.1 and a free port."""
    port = _free_port()
    work = tmp_path_factory.mktemp("serve")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reportgen.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(work / "data"),
            "-j",
            "2",
        ],
        cwd=work,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("reportgen serve did not start")
    yield url
    os.killpg(proc.pid, 15)
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,2000"):
        opts.add_argument(arg)
    opts.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    driver.downloads = downloads
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def _wait(driver, css: str, timeout: float = 180):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, css))
    )


def _upload(driver, url: str, page: str, field: str, paths: list[Path]) -> None:
    from selenium.webdriver.common.by import By

    driver.get(url + page)
    names = driver.find_element(By.CSS_SELECTOR, ".file-picker .file-names")
    assert names.text == "未选择文件"  # the page's own words, not the browser's
    driver.find_element(By.NAME, field).send_keys("\n".join(str(p) for p in paths))
    chosen = "、".join(p.name for p in paths)
    assert names.text == (
        f"已选择：{chosen}" if len(paths) == 1 else f"已选择 {len(paths)} 个文件：{chosen}"
    )
    driver.find_element(By.CSS_SELECTOR, "form.upload button[type=submit]").click()


def test_example_preview_and_download(server, browser, example_path):
    from selenium.webdriver.common.by import By

    _upload(browser, server, "/", "file", [example_path])
    _wait(browser, "#preview .document h3")
    browser.save_screenshot(str(ARTIFACTS / "1-unit-result-and-preview.png"))
    text = browser.find_element(By.CSS_SELECTOR, "#preview").text
    assert "一、收入支出决算总体情况说明" in text and "2021年度收、支总计均为2043.42万元。" in text
    assert len(browser.find_elements(By.CSS_SELECTOR, "#preview img")) == 7
    link = next(
        a for a in browser.find_elements(By.CSS_SELECTOR, "a.button") if a.text.endswith(".docx")
    )
    link.click()
    deadline = time.time() + 60
    target = None
    while time.time() < deadline and target is None:
        done = [p for p in browser.downloads.glob("*.docx") if not p.name.endswith(".crdownload")]
        target = done[0] if done else None
        time.sleep(0.2)
    assert target is not None and target.name == "2021年度玉溪市互联网信息办公室部门决算公开.docx"
    assert docx.Document(str(target)).paragraphs[0].text == "玉溪市互联网信息办公室2021年度部门决算"


def test_broken_workbook_shows_findings_table(server, browser, make_workbook):
    from decimal import Decimal

    from selenium.webdriver.common.by import By

    def mutate(data):
        data.summary_items["t01"]["other"] = {"amount": Decimal("100")}

    path = make_workbook(mutate, name="有错误的工作簿.xlsx")
    _upload(browser, server, "/", "file", [path])
    _wait(browser, "table.findings tbody tr")
    browser.save_screenshot(str(ARTIFACTS / "2-broken-workbook-findings.png"))
    rows = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in browser.find_elements(By.CSS_SELECTOR, "table.findings tbody tr")
    ]
    assert rows[0][0] == "错误"
    assert ["错误", "R01", "公开01表!C33"] in [r[:3] for r in rows]
    assert "未生成文档" in browser.find_element(By.CSS_SELECTOR, ".unit").text
    assert not [
        a for a in browser.find_elements(By.CSS_SELECTOR, "a.button") if a.text.endswith(".docx")
    ]


def test_three_unit_batch_reaches_100_percent(server, browser, tmp_path):
    from seed002_data import seed002_data
    from seed004_data import seed004_data
    from selenium.webdriver.common.by import By

    from reportgen import codes
    from reportgen.workbook import write_workbook

    paths = []
    for i, (data, year) in enumerate(
        [(seed002_data(), 2021), (seed004_data(), 2023), (seed002_data(), 2021)]
    ):
        p = tmp_path / f"单位{i + 1}.xlsx"
        write_workbook(p, data, names=codes.economic_name_map(year))
        paths.append(p)
    _upload(browser, server, "/batch", "files", paths)
    _wait(browser, "#job-progress")
    browser.save_screenshot(str(ARTIFACTS / "3-batch-progress.png"))
    _wait(browser, "#job[data-finished=yes]")
    bar = browser.find_element(By.CSS_SELECTOR, "#job-progress")
    assert bar.get_attribute("value") == bar.get_attribute("max") == "3"
    assert "已处理 3 / 3：成功 3，失败 0，剩余 0" in browser.find_element(By.ID, "job-counts").text
    browser.save_screenshot(str(ARTIFACTS / "4-batch-done.png"))
    for page, name in (
        ("/packs", "5-packs.png"),
        ("/batch", "6-batch-page.png"),
        ("/", "7-unit-page.png"),
    ):
        browser.get(server + page)
        browser.save_screenshot(str(ARTIFACTS / name))
