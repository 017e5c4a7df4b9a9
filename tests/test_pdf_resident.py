"""The resident LibreOffice: reused across documents, restarted when killed or after N
conversions, killed on a timeout, never left running, and replaced by a fresh soffice
when it cannot start.

soffice starts are counted with a wrapper (REPORTGEN_SOFFICE) that logs its arguments
before running the real soffice; leftover processes are found by their profile folder in
/proc. Like tests/test_pdf.py, these need LibreOffice (CI installs it).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.pdf import NO_UNO, Converter, PdfError, find_soffice, fonts, toc

SOFFICE = find_soffice()
pytestmark = pytest.mark.skipif(
    SOFFICE is None and os.environ.get("REPORTGEN_REQUIRE_PDF") != "1",
    reason="LibreOffice not installed",
)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def counted(tmp_path, monkeypatch) -> Path:
    """REPORTGEN_SOFFICE is a wrapper that appends each start's arguments to the log."""
    log = tmp_path / "soffice-starts.log"
    wrapper = tmp_path / "soffice"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{SOFFICE}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("REPORTGEN_SOFFICE", str(wrapper))
    log.touch()
    return log


def starts(log: Path) -> dict[str, int]:
    lines = log.read_text().splitlines()
    return {
        "resident": sum("--accept=" in line for line in lines),
        "fresh": sum("--convert-to" in line for line in lines),
    }


def profiles(log: Path) -> set[str]:
    """The -env:UserInstallation folders of every soffice started."""
    return {
        arg.split("file://", 1)[1]
        for line in log.read_text().splitlines()
        for arg in line.split()
        if arg.startswith("-env:UserInstallation=")
    }


def running_with(markers: set[str]) -> list[str]:
    """Command lines of live (not zombie) processes that mention one of ``markers``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and any(m in cmd for m in markers):
            found.append(cmd)
    return found


@pytest.fixture
def copies(built, tmp_path):
    """Fresh copies of the example .docx (its 目录 not numbered yet)."""

    def make(n: int) -> list[Path]:
        out = []
        for i in range(n):
            d = tmp_path / f"doc{i}" / built.path.name
            d.parent.mkdir()
            shutil.copyfile(built.path, d)
            out.append(d)
        return out

    return make


def numbered(docx: Path) -> bool:
    entries = toc.cached_entries(docx.read_bytes())
    return len(entries) == 17 and all(page.isdigit() for _, page in entries)


def test_converter_survives_a_killed_soffice(counted, copies):
    a, b = copies(2)
    with Converter() as conv:
        first = conv.convert(a)
        assert first.numbered and first.fallback is None and numbered(a)
        (group,) = conv.soffice_groups()
        os.killpg(group, signal.SIGKILL)  # LibreOffice crashes between two documents
        second = conv.convert(b)
        assert second.numbered and second.fallback is None and numbered(b)
        assert b.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
        assert conv.starts == 2
    assert starts(counted) == {"resident": 2, "fresh": 0}
    assert running_with(profiles(counted)) == []


def test_converter_restarts_after_n_conversions(counted, copies):
    a, b, c = copies(3)
    with Converter(recycle=2) as conv:
        for d in (a, b, c):
            assert conv.convert(d).numbered
        assert conv.starts == 2  # a and b on the first instance, c on a new one
    assert starts(counted) == {"resident": 2, "fresh": 0}
    assert running_with(profiles(counted)) == []


def test_a_timeout_kills_the_instance_and_the_next_document_converts(counted, copies):
    a, b = copies(2)
    before = a.read_bytes()
    with Converter(timeout=0.5) as conv:
        with pytest.raises(PdfError, match=r"^LibreOffice 转换超时（0.5 秒），未生成 PDF。$"):
            conv.convert(a)
        assert not a.with_suffix(".pdf").exists() and a.read_bytes() == before
        assert running_with(profiles(counted)) == []  # killed at once, not at the end
        conv.timeout = 240
        assert conv.convert(b).numbered
    assert running_with(profiles(counted)) == []


def test_without_uno_a_fresh_soffice_makes_the_pdf(counted, copies, monkeypatch):
    (a,) = copies(1)
    before = a.read_bytes()
    monkeypatch.setenv("REPORTGEN_UNO_PYTHON", sys.executable)  # a Python without uno
    with Converter() as conv:
        made = conv.convert(a)
    assert made.fallback == NO_UNO and not made.numbered
    assert a.with_suffix(".pdf").read_bytes().startswith(b"%PDF")
    assert a.read_bytes() == before  # the 目录 not numbered: Word is still asked to update
    assert made.notes()[-1] == (
        f"未能使用常驻 LibreOffice（{NO_UNO}），PDF 由单次转换生成，其目录没有页码；"
        "Word 打开文档时会提示更新目录。"
    )
    assert starts(counted) == {"resident": 0, "fresh": 1}
    assert running_with(profiles(counted)) == []


def test_a_batch_of_five_with_pdf_reuses_one_soffice(counted, example_path, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTGEN_PDF_INSTANCES", "1")
    units = tmp_path / "units"
    units.mkdir()
    for i in range(5):
        shutil.copyfile(example_path, units / f"单位{i}.xlsx")
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["batch", str(units), "-o", str(out), "-j", "2", "--pdf"])
    assert res.exit_code == 0, res.output
    pdfs = sorted(out.glob("*/*.pdf"))
    assert len(pdfs) == 5
    assert all(numbered(p.with_suffix(".docx")) for p in pdfs)
    assert starts(counted) == {"resident": 1, "fresh": 0}
    assert running_with(profiles(counted)) == []
    note = fonts.note(fonts.plan(fonts.installed_families() or []))
    if note:  # CI lacks the 公文 fonts: the stand-ins are named once for the batch
        assert res.output.count(note) == 1, res.output


def test_no_soffice_is_left_after_the_build_command(counted, example_path, tmp_path):
    env = {**os.environ, "REPORTGEN_SOFFICE": str(counted.parent / "soffice")}
    proc = subprocess.run(
        [sys.executable, "-m", "reportgen.cli", "build", str(example_path), "-o", str(tmp_path)]
        + ["--pdf"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-2].startswith("PDF：")
    assert starts(counted) == {"resident": 1, "fresh": 0}
    (profile,) = profiles(counted)
    assert running_with({profile}) == []
    assert not Path(profile).exists()  # the instance's folder is removed


def test_the_web_server_shares_one_soffice_and_leaves_none(counted, example_path, tmp_path):
    from starlette.testclient import TestClient
    from test_web import XLSX, wait

    from reportgen.web.app import create_app

    with TestClient(create_app(tmp_path / "data", jobs=2, allowed_hosts=["testserver"])) as c:
        for _ in range(2):  # two jobs, one LibreOffice
            r = c.post(
                "/api/jobs",
                files={"file": (example_path.name, example_path.read_bytes(), XLSX)},
                data={"pdf": "on"},
            )
            (unit,) = wait(c, r.json()["id"], timeout=300)["units"]
            assert unit["status"] in ("成功", "有警告") and not unit["message"], unit
            labels = [f["label"] for f in unit["files"]]
            assert any(label.endswith(".pdf") for label in labels), labels
        assert starts(counted) == {"resident": 1, "fresh": 0}
        docs = sorted((tmp_path / "data").rglob("*.docx"))
        assert len(docs) == 2 and all(numbered(d) for d in docs)
    assert running_with(profiles(counted)) == []  # the server's shutdown stopped it
