"""The web application (issue 9) through Starlette's TestClient, with a fresh data dir.

Jobs run in forked worker processes, so every test that starts one polls its status
with a timeout.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import time
import warnings
import zipfile
from decimal import Decimal as D
from urllib.parse import quote

import pytest

from reportgen.web.app import create_app

with warnings.catch_warnings():  # Starlette ≥1.x suggests httpx2; httpx still works
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

DOCX = "2021年度玉溪市互联网信息办公室部门决算公开.docx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
HOSTS = ["testserver"]  # the TestClient's Host header


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def client(data_dir):
    with TestClient(create_app(data_dir, jobs=2, allowed_hosts=HOSTS)) as c:
        yield c


def broken(data):
    """公开01表 其他收入 changed: 收入合计 no longer adds up (R01 at 公开01表!C33)."""
    data.summary_items["t01"].setdefault("other", {})["amount"] = D("100")


def post(client, files, pack="sichuan-2021", **headers):
    return client.post("/api/jobs", files=files, data={"pack": pack}, headers=headers)


def wait(client, job_id: str, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["finished"]:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not finished in {timeout} s")


def run(client, files) -> dict:
    r = post(client, files)
    assert r.status_code == 202, r.text
    return wait(client, r.json()["id"])


def nothing_left(data_dir) -> None:
    assert not any((data_dir / "jobs").iterdir())
    assert not (data_dir / "staging").exists()  # the upload's staging folder is gone too
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM jobs").fetchone()[0] == 0


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_healthz_and_pages(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    for path in ("/", "/batch", "/packs"):
        r = client.get(path)
        assert r.status_code == 200
        assert r.headers["content-security-policy"] == "default-src 'self'; img-src 'self' data:"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert "<script>" not in r.text  # no inline script
    assert "sichuan-2023" in client.get("/packs").text
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/").status_code == 404  # no directory listing
    names = [p["name"] for p in client.get("/api/packs").json()["packs"]]
    assert "sichuan-2021" in names


def test_example_builds_and_downloads_with_rfc5987_name(client, example_path):
    job = run(client, {"file": (example_path.name, example_path.read_bytes(), XLSX)})
    assert job["status"] == "done" and job["kind"] == "single"
    (unit,) = job["units"]
    assert unit["status"] == "有警告"  # the example's 4 known 公开12表 warnings
    assert {f["where"] for f in unit["findings"]} >= {"公开12表!H23"}
    docx = next(f for f in unit["files"] if f["label"] == DOCX)
    r = client.get(docx["url"])
    assert r.status_code == 200
    assert r.content.startswith(b"PK")
    assert f"filename*=UTF-8''{quote(DOCX)}" in r.headers["content-disposition"]
    assert r.headers["content-disposition"].startswith("attachment;")
    page = client.get(f"/jobs/{job['id']}").text
    assert "审核结果" in page and "公开12表!H23" in page
    # the document itself, previewed in the page: headings, sentences, figures, tables
    assert "<h2>文档预览</h2>" in page
    assert "<h3>一、收入支出决算总体情况说明</h3>" in page
    assert "2021年度收、支总计均为2043.42万元。" in page
    assert page.count('src="data:image/png;base64,') == 7
    assert "收入支出决算总表" in page and "20,434,183.26" in page
    archive = client.get(f"/api/jobs/{job['id']}/archive")
    assert archive.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert any(n.endswith(DOCX) for n in names) and not any("/." in n for n in names)


def test_broken_workbook_returns_findings_and_no_document(client, make_workbook):
    path = make_workbook(broken, name="坏的.xlsx")
    job = run(client, {"file": (path.name, path.read_bytes(), XLSX)})
    (unit,) = job["units"]
    assert unit["status"] == "有错误"
    assert unit["findings"][0]["severity"] == "错误"  # errors first
    assert ("R01", "公开01表!C33") in {(f["rule"], f["where"]) for f in unit["findings"]}
    assert not [f for f in unit["files"] if f["label"].endswith(".docx")]
    page = client.get(f"/jobs/{job['id']}").text
    assert "公开01表!C33" in page and "未生成文档" in page
    # the status never contradicts the findings: no "已完成" over a unit that failed
    assert '<strong id="job-status">未生成文档（见下方审核结果）</strong>' in page
    assert "已处理 1 / 1：成功 0，失败 1，剩余 0" in page
    assert 'class="has-failures"' in page and "未发现问题" not in page


def test_a_pack_problem_is_not_reported_as_no_problem(client, example_path, tmp_path):
    """A unit refused by the wording pack (not by its data) says so instead of 未发现问题:
    the outcome comes from batch.run_unit, the page from the job's record."""
    from reportgen.batch import run_unit
    from reportgen.web.store import DONE

    pack = tmp_path / "packs" / "typo"
    pack.mkdir(parents=True)
    (pack / "pack.toml").write_text('name = "typo"\nextends = "sichuan-2021"\n')
    (pack / "sections").mkdir()
    (pack / "sections" / "part2_01_total.j2").write_text("<p>完成预算76.58%。</p>\n")
    outcome = run_unit(
        str(example_path), "u.xlsx", str(tmp_path / "out"), "typo", str(tmp_path / "packs"), False
    )
    assert outcome["status"] == "有错误" and outcome["findings"] == []
    assert outcome["message"].startswith(
        "词句包（文档模板）有问题，未生成文档；工作簿本身无需修改。"
    )
    store = client.app.state.ctx.store
    store.create("f" * 32, "single", "typo", 1)
    store.progress("f" * 32, 1, 1, {"units": [outcome]})
    store.finish("f" * 32, DONE, {"units": [outcome]})
    page = client.get("/jobs/" + "f" * 32).text
    assert "未发现问题" not in page and "76.58" in page
    assert '<strong id="job-status">已完成</strong>' not in page


def test_zip_with_one_bad_unit_gives_the_others_documents(client, example_path, make_workbook):
    good = example_path.read_bytes()
    bad = make_workbook(broken, name="bad.xlsx").read_bytes()
    archive = zip_of(
        {"甲/单位一.xlsx": good, "乙/单位二.xlsx": good, "丙.xlsx": bad, "说明.txt": b"ignored"}
    )
    job = run(client, {"files": ("全部单位.zip", archive, "application/zip")})
    assert job["kind"] == "batch" and job["progress"] == {
        "done": 3,
        "failed": 1,
        "total": 3,
        "remaining": 0,
        "succeeded": 2,
    }
    units = {u["unit"]: u for u in job["units"]}
    assert set(units) == {"单位一.xlsx", "单位二.xlsx", "丙.xlsx"}
    for name in ("单位一.xlsx", "单位二.xlsx"):
        assert any(f["label"] == DOCX for f in units[name]["files"])
    assert ("R01", "公开01表!C33") in {
        (f["rule"], f["where"]) for f in units["丙.xlsx"]["findings"]
    }
    assert not any(f["label"].endswith(".docx") for f in units["丙.xlsx"]["files"])
    summary = {f["label"]: f["url"] for f in job["files"]}
    assert client.get(summary["汇总.xlsx"]).status_code == 200


def refused(client, data_dir, files, message: str, status: int, **headers) -> None:
    r = post(client, files, **headers)
    assert r.status_code == status, r.text
    assert message in r.json()["error"]
    nothing_left(data_dir)


def test_oversized_upload_is_refused(client, data_dir):
    big = b"PK\x03\x04" + bytes(50 * 1024 * 1024)
    refused(client, data_dir, {"file": ("大.xlsx", big, XLSX)}, "大于 50 MB", 413)


def test_zip_bomb_is_refused(client, data_dir):
    bomb = zip_of({"bomb.xlsx": bytes(20 * 1024 * 1024)})
    refused(client, data_dir, {"files": ("bomb.zip", bomb, "application/zip")}, "压缩炸弹", 413)


def test_dotdot_zip_entry_is_refused(client, data_dir, example_path):
    archive = zip_of({"../escape.xlsx": example_path.read_bytes()})
    refused(client, data_dir, {"files": ("x.zip", archive, "application/zip")}, "路径不安全", 400)
    assert not (data_dir / "escape.xlsx").exists()


def test_non_excel_file_is_refused(client, data_dir):
    files = {"file": ("假的.xlsx", "这不是工作簿".encode(), XLSX)}
    refused(client, data_dir, files, "不是 Excel 工作簿", 400)


def test_cross_site_post_is_refused(client, data_dir, example_path):
    files = {"file": (example_path.name, example_path.read_bytes(), XLSX)}
    refused(client, data_dir, files, "拒绝跨站提交", 403, origin="http://evil.example")
    page = client.post("/jobs", files=files, headers={"origin": "http://evil.example"})
    assert page.status_code == 403 and "拒绝跨站提交" in page.text
    assert page.headers["content-type"].startswith("text/html")
    nothing_left(data_dir)


def test_same_origin_page_post_redirects_to_the_job(client, example_path):
    files = {"file": (example_path.name, example_path.read_bytes(), XLSX)}
    r = client.post(
        "/jobs", files=files, headers={"origin": "http://testserver"}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/jobs/")
    wait(client, r.headers["location"].rsplit("/", 1)[1])


def test_unknown_pack_and_files_outside_the_job_are_refused(client, data_dir, example_path):
    files = {"file": (example_path.name, example_path.read_bytes(), XLSX)}
    refused(client, data_dir, files, "没有名为", 400, pack="../../etc")
    assert client.get("/api/jobs/" + "0" * 32).status_code == 404
    assert "找不到" in client.get("/api/jobs/nope").json()["error"]
    job = run(client, files)
    r = client.get(f"/api/jobs/{job['id']}/files/..%2F..%2Fjobs.sqlite3")
    assert r.status_code == 404
    r = client.get(f"/api/jobs/{job['id']}/files/../in/{quote(example_path.name)}")
    assert r.status_code == 404


def test_restart_keeps_finished_jobs_and_marks_interrupted(data_dir, example_path):
    files = {"file": (example_path.name, example_path.read_bytes(), XLSX)}
    with TestClient(create_app(data_dir, jobs=1, allowed_hosts=HOSTS)) as c:
        job = run(c, files)
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:
        db.execute(
            "INSERT INTO jobs (id, kind, status, pack, created, total) "
            "VALUES ('a' || hex(randomblob(15)) || 'b', 'single', 'running', 'sichuan-2021', ?, 1)",
            (time.time(),),
        )
    with TestClient(create_app(data_dir, jobs=1, allowed_hosts=HOSTS)) as c:
        again = c.get(f"/api/jobs/{job['id']}").json()
        assert again["status"] == "done" and again["units"] == job["units"]
        assert c.get(again["units"][0]["files"][0]["url"]).status_code == 200
    with sqlite3.connect(data_dir / "jobs.sqlite3") as db:
        statuses = sorted(s for (s,) in db.execute("SELECT status FROM jobs"))
    assert statuses == ["done", "interrupted"]


def test_old_jobs_are_deleted(data_dir, example_path):
    from reportgen.web.store import JobStore

    store = JobStore(data_dir)
    store.create("f" * 32, "single", "sichuan-2021", 1)
    (store.job_dir("f" * 32) / "in").mkdir(parents=True)
    assert store.purge(7, now=time.time() + 8 * 86400) == ["f" * 32]
    assert store.get("f" * 32) is None and not store.job_dir("f" * 32).exists()
    store.close()


def test_pack_page_previews_part_two_of_the_example_in_each_pack(client):
    page21 = client.get("/packs/sichuan-2021").text
    page23 = client.get("/packs/sichuan-2023").text
    assert "<h2>第二部分 2021年度部门决算情况说明</h2>" in page21
    assert "政府性基金预算财政拨款收入500.00万元，占24.47%。" in page21
    assert "政府性基金预算财政拨款收入500.00万元，占24.5%。" in page23  # 1 decimal
    assert "完成调整预算" in page23 and "完成全年预算" in page21
    assert "第三部分" not in page21
    assert "/packs/sichuan-2023" in client.get("/packs").text
    assert client.get("/packs/no-such-pack").status_code == 404


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice not installed")
def test_pdf_option_adds_a_pdf_download(client, example_path):
    r = client.post(
        "/api/jobs",
        files={"file": (example_path.name, example_path.read_bytes(), XLSX)},
        data={"pack": "sichuan-2021", "pdf": "on"},
    )
    job = wait(client, r.json()["id"], timeout=300)
    (unit,) = job["units"]
    pdf = next(f for f in unit["files"] if f["label"].endswith(".pdf"))
    got = client.get(pdf["url"])
    assert got.content.startswith(b"%PDF")
    assert "filename*=UTF-8''" in got.headers["content-disposition"]


def test_pack_preview_works_from_the_installed_package(tmp_path):
    """After a plain ``pip install .`` the example ships as a namespace package whose
    ``resources.files()`` is a MultiplexedPath; the 模板 page hung on it. Run outside the
    checkout so the installed copy is the one imported."""
    import subprocess
    import sys

    code = (
        "import reportgen, sys\n"
        "assert 'site-packages' in reportgen.__file__, reportgen.__file__\n"
        "from reportgen.web.preview import part_two_html\n"
        "sys.stdout.write(part_two_html('sichuan-2023'))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert "<h3>一、收入支出决算总体情况说明</h3>" in proc.stdout
    assert 'class="error"' not in proc.stdout


def test_upload_forms_speak_chinese_only(client):
    """The file picker's words are the page's (选择文件 / 未选择文件), not the browser's
    English "Choose File / No file chosen"; every visible label on the forms is Chinese."""
    import re

    from reportgen.narrative import available_packs

    for path, field in (("/", "file"), ("/batch", "files")):
        page = client.get(path).text
        picker = re.search(r'<div class="file-picker">.*?</div>', page, re.S).group(0)
        assert '<label class="button file-button">选择文件<input type="file"' in picker
        assert f'name="{field}"' in picker and "required" in picker
        assert '<span class="file-names" aria-live="polite">未选择文件</span>' in picker
        form = re.search(r"<form.*?</form>", page, re.S).group(0)
        visible = re.sub(r"<[^>]+>", " ", form).replace("LibreOffice", "").replace("PDF", "")
        for name in available_packs():  # the packs' names are identifiers, shown as such
            visible = visible.replace(name, "")
        assert not re.search(r"[A-Za-z]{3,}", visible), visible
