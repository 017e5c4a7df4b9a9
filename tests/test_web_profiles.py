"""The web pages with profiles: a Shanghai workbook recognised on upload, and every
profile's 模板 preview (a layout without words of its own previews its default wording)."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from test_web import HOSTS, XLSX, wait

from reportgen.web.app import create_app

SHANGHAI = (
    Path(__file__).resolve().parent / "fixtures" / "shanghai-2024" / "shanghai-2024-whole.xlsx"
)


@pytest.fixture
def client(tmp_path):
    from starlette.testclient import TestClient

    with TestClient(create_app(tmp_path / "data", jobs=1, allowed_hosts=HOSTS)) as c:
        yield c


def _upload(client, pack: str) -> dict:
    r = client.post(
        "/api/jobs",
        files={"file": (SHANGHAI.name, SHANGHAI.read_bytes(), XLSX)},
        data={"pack": pack},
    )
    assert r.status_code == 202, r.text
    return wait(client, r.json()["id"])


def test_a_shanghai_workbook_is_recognised_when_no_pack_is_chosen(client):
    job = _upload(client, "")
    (unit,) = job["units"]
    assert unit["status"] == "成功", unit
    doc = next(f for f in unit["files"] if f["label"].endswith(".docx"))
    paras = [p.text for p in docx.Document(io.BytesIO(client.get(doc["url"]).content)).paragraphs]
    assert "第三部分 上海市某某区文化和旅游局2024年度部门决算情况说明" in paras
    assert "十一、其他重要事项的情况说明" in paras


def test_a_wording_of_the_other_layout_is_refused_with_its_reason(client):
    job = _upload(client, "sichuan-2021")
    (unit,) = job["units"]
    assert unit["status"] == "有错误"
    assert [f["rule"] for f in unit["findings"]] == ["IN-40"]


def test_every_profile_previews_its_narrative(client):
    page = client.get("/packs/shanghai-2024").text
    assert "<h2>第三部分 上海市某某区文化和旅游局2024年度部门决算情况说明</h2>" in page
    assert "本年收入合计11090.31万元，其中：财政拨款收入10662.68万元，占96.14%；" in page
    assert 'class="error"' not in page
    yunnan = client.get("/packs/yunnan-2021").text
    assert "<h2>第二部分 2021年度部门决算情况说明</h2>" in yunnan
    form = client.get("/").text
    assert '<option value="" selected>自动识别' in form
    assert '<option value="shanghai-2024">' in form
