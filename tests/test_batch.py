"""`reportgen batch`: isolation, summary, resumability, SIGKILL, plain progress lines."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from seed002_data import seed002_data
from seed004_data import seed004_data
from test_bad_inputs import ERRORS, _make

from reportgen import batch, codes
from reportgen.workbook import write_workbook

#: bad units for the acceptance corpus: 20 cases of the bad-input corpus (rule, cell)
BAD = [name for name in ERRORS if ERRORS[name].make is None][:18] + [
    "IN-02 改了扩展名的文本文件",
    "IN-09 空工作簿",
]


def _good(folder: Path, n: int = 2) -> list[Path]:
    out = []
    for i in range(n):
        data, year = (seed002_data(), 2021) if i % 2 == 0 else (seed004_data(), 2023)
        p = folder / f"good{i + 1:02d}.xlsx"
        write_workbook(p, data, names=codes.economic_name_map(year))
        out.append(p)
    return out


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, example_path):
    """The example, two more good units, and 20 broken ones."""
    from conftest import EXAMPLE, example_factory

    folder = tmp_path_factory.mktemp("corpus")
    shutil.copy(EXAMPLE, folder / "example.xlsx")
    _good(folder)
    work = tmp_path_factory.mktemp("bad-work")
    for i, name in enumerate(BAD):
        case = ERRORS[name]
        case_dir = work / f"c{i}"
        case_dir.mkdir()

        path = _make(case, example_factory(case_dir), case_dir, example_path)
        shutil.copy(path, folder / f"bad{i + 1:02d}{path.suffix}")
    return folder


@pytest.fixture(scope="module")
def ran(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    stream = io.StringIO()
    summary = batch.run_batch(corpus, out, jobs=2, progress_stream=stream)
    return summary, out, stream.getvalue()


def test_every_good_unit_gets_its_document_and_every_bad_unit_its_findings(ran):
    summary, out, _ = ran
    assert summary.exit_code == 2
    by_unit = {r.unit: r for r in summary.results}
    assert len(by_unit) == 23
    for unit in ("example.xlsx", "good01.xlsx", "good02.xlsx"):
        r = by_unit[unit]
        assert r.ok, (unit, r.status, r.message)
        doc = next(f for f in r.files if f.endswith(".docx"))
        assert docx.Document(str(out / doc)).paragraphs
    assert by_unit["example.xlsx"].status == "有警告"  # seed 001's first 绩效自评表
    wb = load_workbook(out / "汇总.xlsx")
    rows = {r[1]: r for r in wb["汇总"].iter_rows(min_row=2, values_only=True) if r[1]}
    problems = [r for r in wb["问题清单"].iter_rows(min_row=2, values_only=True)]
    for i, name in enumerate(BAD):
        case = ERRORS[name]
        unit = next(u for u in by_unit if u.startswith(f"bad{i + 1:02d}"))
        assert by_unit[unit].status == "有错误", (name, by_unit[unit].message)
        assert rows[unit][4] == "有错误"
        where = case.where if case.make is None else unit  # file-level errors name the file
        assert (unit, "错误", case.rule, where) in {(p[0], p[2], p[3], p[4]) for p in problems}, (
            name
        )
        assert not list((out / Path(unit).with_suffix("")).glob("*.docx"))
    report = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    assert report["units"] == 23 and report["failed"] == 20


def test_summary_links_point_at_the_files(ran):
    _, out, _ = ran
    ws = load_workbook(out / "汇总.xlsx")["汇总"]
    links = [c.hyperlink.target for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink]
    assert links and all((out / target).exists() for target in links)


def test_progress_degrades_to_plain_lines(ran):
    _, _, progress = ran
    lines = progress.strip().splitlines()
    assert len(lines) == 23 and lines[-1].startswith("[23/23] ")
    assert all("预计剩余" in line for line in lines)


def test_rerun_skips_what_is_done_and_redoes_what_changed(ran, corpus, tmp_path):
    summary, out, _ = ran
    again = batch.run_batch(corpus, out, jobs=2, progress_stream=io.StringIO())
    assert all(r.skipped for r in again.results)
    assert [r.status for r in again.results] == [r.status for r in summary.results]
    # a changed workbook is generated again; the others are not
    changed = tmp_path / "corpus"
    shutil.copytree(corpus, changed)
    write_workbook(changed / "good01.xlsx", seed004_data(), names=codes.economic_name_map(2023))
    third = batch.run_batch(changed, out, jobs=2, progress_stream=io.StringIO())
    redone = [r.unit for r in third.results if not r.skipped]
    assert redone == ["good01.xlsx"]


_ORIGINAL_RUN_UNIT = batch.run_unit


def _dying_run_unit(src, unit, *args):
    """run_unit, except that the worker is killed on units named crash* (module level:
    the pool sends the function to the workers by reference)."""
    if unit.startswith("crash"):
        os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
    return _ORIGINAL_RUN_UNIT(src, unit, *args)


def test_a_worker_that_dies_fails_only_its_unit(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    good = _good(folder, 2)
    shutil.copy(good[0], folder / "crash.xlsx")
    monkeypatch.setattr(batch, "run_unit", _dying_run_unit)  # inherited by forked workers
    summary = batch.run_batch(folder, tmp_path / "out", jobs=2, progress_stream=io.StringIO())
    status = {r.unit: r.status for r in summary.results}
    assert status == {"crash.xlsx": "异常", "good01.xlsx": "成功", "good02.xlsx": "成功"}
    assert "工作进程意外退出" in next(r.message for r in summary.results if r.unit == "crash.xlsx")
    assert summary.exit_code == 2


def test_sigkill_leaves_only_whole_documents_and_the_rerun_finishes(tmp_path):
    folder, seeds = tmp_path / "in", tmp_path / "seeds"
    folder.mkdir()
    seeds.mkdir()
    for p in _good(seeds, 2):
        for k in range(5):
            shutil.copy(p, folder / f"{p.stem}-{k}.xlsx")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "reportgen.cli", "batch", str(folder), "-o", str(out), "-j", "2"]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.rglob("*.docx"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    docs = list(out.rglob("*.docx"))
    assert 3 <= len(docs) < 10, "the batch must be killed part-way"
    for d in docs:
        assert docx.Document(str(d)).paragraphs  # every document left behind opens
    recorded = json.loads((out / batch.MANIFEST).read_text(encoding="utf-8"))
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    report = json.loads((out / "汇总.json").read_text(encoding="utf-8"))
    assert report["units"] == 10 and report["failed"] == 0
    skipped = {r["unit"] for r in report["results"] if r["skipped"]}
    assert skipped == set(recorded)  # what was recorded before the kill is not redone
    assert len(list(out.rglob("*.docx"))) == 10
    assert not list(out.rglob(".*.tmp"))


def test_ctrl_c_stops_and_leaves_no_temporary_files(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    _good(folder, 2)
    out = tmp_path / "out"
    out.mkdir()
    (out / ".half-written.docx.tmp").write_bytes(b"partial")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch, "wait", interrupted)
    with pytest.raises(KeyboardInterrupt):
        batch.run_batch(folder, out, jobs=2, progress_stream=io.StringIO())
    assert not list(out.rglob(".*.tmp"))
