"""The bureau portal's whole review loop in a real browser (issue 17, item 6).

`reportgen serve --accounts` runs in a subprocess on 127.0.0.1 and a free port (as
tests/test_web_browser.py starts the local page); Debian's chromium, driven by selenium,
goes through the loop as the three roles do:

admin imports the unit tree and the accounts and sets the year → unit A uploads a
workbook with an error and reads the finding, uploads the fixed one, submits → the
reviewer sees 已提交, comments and returns it → unit A reads the comment, edits 主要职能
on /unit/texts (the downloaded workbook holds the new text), resubmits, opens the diff
of 第 1 版 → 第 2 版 → the reviewer approves → the dashboard says 已通过 and the bureau
downloads the .zip of approved documents.

Every page visited is saved as tests/artifacts/portal/NN-name.png (git-ignored) for a
person to look at. CI sets REPORTGEN_REQUIRE_BROWSER=1: a missing browser fails there.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import docx
import httpx
import openpyxl
import pytest
from conftest import EXAMPLE_WARNINGS, example_factory

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "portal"
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

BUREAU, BUREAU_SUB, UNIT_A, UNIT_B = (
    "某某区财政局",
    "某某区文化和旅游局",
    "某某区文化馆",
    "某某区图书馆",
)
UNITS_CSV = (
    "单位名称,上级单位,单位性质,联系人,联系电话\n"
    f"{BUREAU},,行政单位,张三,0877-1234567\n"
    f"{BUREAU_SUB},{BUREAU},行政单位,李四,0877-2345678\n"
    f"{UNIT_A},{BUREAU_SUB},事业单位,王五,0877-3456789\n"
    f"{UNIT_B},{BUREAU_SUB},事业单位,赵六,0877-4567890\n"
)
PASSWORDS = {
    "admin": "admin-口令-2021",
    "shenhe": "审核员口令-2021",
    "wenhuaguan": "文化馆口令-2021",
}
USERS = [
    ("登录名", "角色", "单位名称", "初始密码"),
    ("shenhe", "审核员", BUREAU, PASSWORDS["shenhe"]),
    ("wenhuaguan", "单位", UNIT_A, PASSWORDS["wenhuaguan"]),
    ("tushuguan", "单位", UNIT_B, "图书馆口令-2021"),
]
DOCX = "2021年度玉溪市互联网信息办公室部门决算公开.docx"
#: the sentence unit A writes into 主要职能 after the reviewer returns 第 1 版
NEW_DUTY = "某某区文化馆的主要职能：组织开展群众文化活动，辅导基层文化工作。"
COMMENT = "主要职能请按本单位“三定”方案填写。"
RETURN_NOTE = "请修改后重新提交。"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env() -> dict[str, str]:
    """The subprocesses import the reportgen this test imports (the checkout under
    `python -m pytest`, else the installed package)."""
    import reportgen

    here = str(Path(reportgen.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}


def _cli(*args: str, stdin: str = "", cwd: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "reportgen.cli", *args],
        input=stdin,
        text=True,
        cwd=cwd,
        env=_env(),
        check=True,
        capture_output=True,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`reportgen serve --accounts` with one admin account made by `reportgen users add`."""
    port = _free_port()
    work = tmp_path_factory.mktemp("portal-serve")
    data = work / "data"
    _cli(
        "users",
        "add",
        "admin",
        "--role",
        "admin",
        "--password-stdin",
        "--data-dir",
        str(data),
        stdin=PASSWORDS["admin"] + "\n",
        cwd=work,
    )
    log = (work / "serve.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "reportgen.cli", "serve", "--accounts"]
        + ["--port", str(port), "--data-dir", str(data), "-j", "2"],
        cwd=work,
        env=_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
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
        pytest.fail(
            "reportgen serve --accounts did not start:\n" + (work / "serve.log").read_text()
        )
    yield url
    os.killpg(proc.pid, 15)
    proc.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path_factory.mktemp("portal-downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1600"):
        opts.add_argument(arg)
    opts.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    driver.downloads = downloads
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    yield driver
    driver.quit()


def _gone(old):
    """``staleness_of(old)`` that also takes chromium's answer for an element of a page
    it is leaving ("Node with given id does not belong to the document", seen under load
    in CI) as the page being gone, instead of failing the test."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    def check(_driver) -> bool:
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc) or "No node with given id" in str(exc):
                return True
            raise
        return False

    return check


class Pages:
    """The browser with the few moves the test repeats: go, click and wait for the next
    page, read texts, save the numbered screenshot of each page."""

    def __init__(self, driver, url: str):
        self.d, self.url, self.shots = driver, url, 0

    def find(self, css: str):
        from selenium.webdriver.common.by import By

        return self.d.find_element(By.CSS_SELECTOR, css)

    def all(self, css: str) -> list:
        from selenium.webdriver.common.by import By

        return self.d.find_elements(By.CSS_SELECTOR, css)

    def click_link(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        old = self.find("html")
        self.d.find_element(By.LINK_TEXT, text).click()
        self._loaded(old, 60)

    def text(self, css: str) -> str:
        return self.find(css).text

    def go(self, path: str) -> None:
        self.d.get(self.url + path)

    def click(self, css: str, timeout: float = 120) -> None:
        """Click and wait until the next page has loaded (forms post and redirect)."""
        old = self.find("html")
        self.find(css).click()
        self._loaded(old, timeout)

    def _loaded(self, old, timeout: float) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        WebDriverWait(self.d, timeout).until(_gone(old))
        WebDriverWait(self.d, timeout).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def shot(self, name: str) -> None:
        self.shots += 1
        self.d.save_screenshot(str(ARTIFACTS / f"{self.shots:02d}-{name}.png"))

    def path(self) -> str:
        return self.d.current_url.removeprefix(self.url).split("#")[0]

    def rows(self, css: str) -> list[list[str]]:
        from selenium.webdriver.common.by import By

        return [
            [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
            for tr in self.all(f"{css} tbody tr")
        ]

    def login(self, login: str) -> None:
        self.go("/login")
        self.find("#username").send_keys(login)
        self.find("#password").send_keys(PASSWORDS[login])
        self.click("#login")

    def logout(self) -> None:
        self.click("#logout")
        assert self.path() == "/login"

    def upload(self, form: str, path: Path) -> None:
        self.find(f"{form} input[type=file]").send_keys(str(path))
        self.click(f"{form} button[type=submit]")

    def download(self, css: str, suffix: str, timeout: float = 60) -> Path:
        """Click a download link; the finished file (the folder emptied first)."""
        for old in self.d.downloads.iterdir():
            old.unlink()
        self.find(css).click()
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = list(self.d.downloads.glob(f"*{suffix}"))
            if done and not list(self.d.downloads.glob("*.crdownload")):
                return done[0]
            time.sleep(0.2)
        raise AssertionError(f"no {suffix} downloaded from {css}")


def _cell(workbook: Path, sheet: str, ref: str) -> str:
    wb = openpyxl.load_workbook(workbook, read_only=True)
    try:
        return wb[sheet][ref].value
    finally:
        wb.close()


def _admin_sets_up_the_bureau(p: Pages, tmp_path: Path) -> None:
    p.go("/")
    assert p.path() == "/login?next=/"
    assert p.text("h1") == "登录"
    p.shot("login")
    p.login("admin")
    assert p.path() == "/bureau"
    assert p.text("header form.logout span") == "admin（管理员）"
    assert p.text("#counts") == "共 0 个单位：未提交 0，已提交 0，退回修改 0，已通过 0，已公开 0"

    units = tmp_path / "单位树.csv"
    units.write_text(UNITS_CSV, encoding="utf-8")
    p.go("/admin/units")
    p.upload("#units-import-form", units)
    assert p.text("#import-report") == "导入：新增 4 个，更新 0 个。"
    assert not p.all("#import-errors")
    names = [
        [
            i.get_attribute("value")
            for i in tr.find_elements("css selector", "input:not([type=hidden])")
        ]
        for tr in p.all("#units tbody tr")
    ]
    assert names == [
        [BUREAU, "", "行政单位", "张三", "0877-1234567"],
        [BUREAU_SUB, BUREAU, "行政单位", "李四", "0877-2345678"],
        [UNIT_A, BUREAU_SUB, "事业单位", "王五", "0877-3456789"],
        [UNIT_B, BUREAU_SUB, "事业单位", "赵六", "0877-4567890"],
    ]
    p.shot("admin-units-imported")

    users = tmp_path / "账户.xlsx"  # the tree came as .csv, the accounts come as .xlsx
    book = openpyxl.Workbook()
    for row in USERS:
        book.active.append(row)
    book.save(users)
    p.go("/admin/users")
    p.upload("#users-import-form", users)
    assert p.text("#import-report") == "导入：新增 3 个，更新 0 个。"
    assert [r[:4] for r in p.rows("#users")] == [
        ["admin", "管理员", "", "启用"],
        ["shenhe", "审核员", BUREAU, "启用"],
        ["wenhuaguan", "单位", UNIT_A, "启用"],
        ["tushuguan", "单位", UNIT_B, "启用"],
    ]
    p.shot("admin-users-imported")

    p.go("/admin/settings")
    year = p.find("#settings-form input[name=year]")
    year.clear()
    year.send_keys("2021")
    p.click("#settings-form button[type=submit]")
    assert p.path() == "/admin/settings?saved=1"
    assert p.text("#saved") == "已保存。"
    assert p.find("#settings-form input[name=year]").get_attribute("value") == "2021"
    p.shot("admin-settings-2021")
    p.logout()


def test_the_whole_review_loop(server, browser, tmp_path):
    p = Pages(browser, server)
    _admin_sets_up_the_bureau(p, tmp_path)
    make = example_factory(tmp_path)

    def broken(data):
        """公开01表 其他收入 changed: 收入合计 no longer adds up (R01 at 公开01表!C33)."""
        data.summary_items["t01"].setdefault("other", {})["amount"] = Decimal("100")

    bad = make(broken, name="文化馆2021年决算（有错误）.xlsx")
    good = make(None, name="文化馆2021年决算.xlsx")

    # --- unit A: the error, the fix, the first submission
    p.login("wenhuaguan")
    assert p.path() == "/unit"
    assert p.text("h1") == f"{UNIT_A} · 2021 年度决算公开"
    assert p.text("#case-status") == "未提交"
    assert "尚未提交。" in [e.text for e in p.all("p.hint")]
    p.shot("unit-home")

    p.upload("#upload-form", bad)
    assert p.text("#result h2") == f"审核结果（{bad.name}）：有错误"
    findings = p.rows("#result table.findings")
    # errors first: R01 where the total no longer adds up, R06 where 公开02表 disagrees
    assert findings[:2] == [
        ["错误", "R01", "公开01表!C33", "公开01表 本年收入合计不等于各项收入之和。"]
        + ["20,433,453.26", "20,433,353.26"],
        ["错误", "R06", "公开02表!L8", "公开02表 合计行的其他收入与公开01表不一致。"]
        + ["100.00", "0.00"],
    ]
    assert {(r[1], r[2]) for r in findings[2:]} == EXAMPLE_WARNINGS
    assert p.text("#result p.error") == "有 2 个错误，未生成文档。请按下表修改工作簿后重新上传。"
    assert [a.text for a in p.all("#result a.button")] == ["审核结果.txt"]  # no document
    assert not p.all("#submit")
    p.shot("unit-finding-R01")

    p.upload("#upload-form", good)
    assert p.text("#result h2") == f"审核结果（{good.name}）：有警告"
    assert not p.all("#result p.error")
    assert {(r[0], r[1], r[2]) for r in p.rows("#result table.findings")} == {
        ("警告", rule, where) for rule, where in EXAMPLE_WARNINGS
    }
    assert [a.text for a in p.all("#result a.button")] == [
        DOCX,
        "2021年度玉溪市互联网信息办公室部门决算公开审核结果.txt",
    ]
    preview = p.text("#preview")
    assert "2021年度收、支总计均为2043.42万元。" in preview
    p.shot("unit-built-with-preview")

    p.click("#submit")
    assert p.path().startswith("/versions/")
    v1 = p.path()
    assert p.text("h1") == f"{UNIT_A} · 2021 年度 · 第 1 版"
    assert p.text("#version-status") == "已提交" and p.text("#case-status") == "已提交"
    assert not p.all("#comment-form") and not p.all("#decision-form")  # a unit only reads
    p.shot("unit-version-1-submitted")
    p.logout()

    # --- reviewer: 已提交 on the dashboard, comment and return
    p.login("shenhe")
    assert p.path() == "/bureau"
    assert p.text("#counts") == "共 4 个单位：未提交 3，已提交 1，退回修改 0，已通过 0，已公开 0"
    rows = p.rows("#dashboard")
    assert [r[1] for r in rows] == [BUREAU, BUREAU_SUB, UNIT_A, UNIT_B]  # tree order
    assert rows[2][:7] == ["", UNIT_A, "已提交", "第 1 版", "0/11", "0", "wenhuaguan"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[2][7])
    assert rows[3] == ["", UNIT_B, "未提交", "—", "—", "0", "", ""]
    p.shot("bureau-dashboard-submitted")

    p.go(v1)
    assert p.text("#comments .hint") == "暂无审核意见。"
    p.shot("reviewer-version-1")
    from selenium.webdriver.support.ui import Select

    sections = Select(p.find("#comment-section"))
    assert sections.first_selected_option.text == "（全文）"
    section = next(o.text for o in sections.options if "职能" in o.text)
    sections.select_by_visible_text(section)
    p.find("#comment-body").send_keys(COMMENT)
    p.click("#add-comment")
    assert p.path() == v1
    assert p.text("#comments .comment-body") == COMMENT
    p.find("#decision-comment").send_keys(RETURN_NOTE)
    p.click("#return")
    assert p.text("#version-status") == "退回修改" and p.text("#case-status") == "退回修改"
    assert [c.text for c in p.all("#comments .comment-body")] == [COMMENT, RETURN_NOTE]
    assert not p.all("#decision-form")
    p.shot("reviewer-version-1-returned")
    p.go("/bureau?status=returned")
    assert [r[1:6] for r in p.rows("#dashboard")] == [
        [UNIT_A, "退回修改", "第 1 版", "0/11", "2"]  # two open comments
    ]
    p.shot("bureau-dashboard-returned")
    p.logout()

    # --- unit A: the comments, the edited text, the second submission and the diff
    p.login("wenhuaguan")
    assert p.text("#case-status") == "退回修改"
    assert p.text("section.returned h2") == "审核意见（第 1 版，退回修改）"
    assert [c.text for c in p.all("section.returned .comment-body")] == [COMMENT, RETURN_NOTE]
    assert "shenhe" in p.text("section.returned li")
    assert f" · {section}" in p.text("section.returned li")
    p.shot("unit-sees-comments")

    p.click("#edit-texts")
    assert p.path() == "/unit/texts"
    duty = p.find("textarea[name='t:单位基本情况/主要职能']")
    old_duty = duty.get_attribute("value")
    assert old_duty.startswith(
        "玉溪市互联网信息办公室（中共玉溪市委网络安全和信息化委员会办公室）的主要职能"
    )
    p.shot("unit-texts")
    duty.clear()
    duty.send_keys(NEW_DUTY)
    p.click("#save-texts")
    assert p.path() == "/unit"
    assert NEW_DUTY in p.text("#preview")
    workbook = p.download("#download-workbook", ".xlsx")
    assert workbook.name == f"{UNIT_A}.xlsx"
    assert _cell(workbook, "单位基本情况", "B7") == NEW_DUTY
    p.shot("unit-after-edit")

    p.click("#submit")
    v2 = p.path()
    assert v2 != v1
    assert p.text("h1") == f"{UNIT_A} · 2021 年度 · 第 2 版"
    assert p.text("#version-status") == "已提交" and p.text("#case-status") == "已提交"
    assert p.text("#diff") == "与第 1 版比较"
    p.shot("unit-version-2-submitted")
    p.click("#diff")
    assert p.path() == v2 + "/diff"
    assert p.text("h1") == f"{UNIT_A}：第 1 版 → 第 2 版"
    assert [h.text for h in p.all("#diff-body h3")] == [
        "第一部分 部门概况 › 一、基本职能及主要工作 › （一）主要职能。"
    ]
    assert [e.text for e in p.all("#diff-body del")] == [old_duty]
    assert [e.text for e in p.all("#diff-body ins")] == [NEW_DUTY]
    p.shot("unit-diff-v1-v2")
    p.go("/unit")
    assert [r[0] for r in p.rows("#versions")] == ["第 2 版", "第 1 版"]
    assert [r[2] for r in p.rows("#versions")] == ["已提交", "退回修改"]
    assert not p.all("section.returned")  # 第 2 版 awaits review: no 退回 box any more
    assert p.text("#case-status") == "已提交"
    p.logout()

    # --- reviewer: approve; the dashboard and the .zip
    p.login("shenhe")
    p.go(v2)
    p.shot("reviewer-version-2")
    p.click("#approve")
    assert p.text("#version-status") == "已通过" and p.text("#case-status") == "已通过"
    p.shot("reviewer-version-2-approved")
    p.go("/bureau")
    assert p.text("#counts") == "共 4 个单位：未提交 3，已提交 0，退回修改 0，已通过 1，已公开 0"
    rows = {r[1]: r for r in p.rows("#dashboard")}
    assert rows[UNIT_A][2:6] == ["已通过", "第 2 版", "0/11", "0"]
    p.shot("bureau-dashboard-approved")
    p.click_link(UNIT_A)
    assert p.text("h1") == f"{UNIT_A} · 2021 年度"
    assert p.text("#case-status") == "已通过"
    versions = p.rows("#versions")  # newest first
    assert [[r[0], r[1], r[3], r[4]] for r in versions] == [
        ["第 2 版", "wenhuaguan", "已通过", "0/11"],
        ["第 1 版", "wenhuaguan", "退回修改", "0/11"],
    ]
    p.shot("bureau-unit-versions")
    p.go("/bureau")
    archive = p.download("#approved-zip", ".zip")
    assert archive.name == "2021年度决算公开（已通过）.zip"
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as z:
        sheet = openpyxl.load_workbook(io.BytesIO(z.read("汇总.xlsx"))).active
        summary = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
        assert summary[UNIT_A][1:7] == (BUREAU_SUB, "已通过", 2, 0, 11, 0)
        assert summary[UNIT_B][2] == "未提交"
        # the approved 第 2 版's document, with the text unit A wrote
        assert sorted(z.namelist()) == sorted([f"{UNIT_A}/{DOCX}", "汇总.xlsx"])
        document = docx.Document(io.BytesIO(z.read(f"{UNIT_A}/{DOCX}")))
        assert NEW_DUTY in [para.text for para in document.paragraphs]
