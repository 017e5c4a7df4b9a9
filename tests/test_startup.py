"""Start-up of a command (issue 16, item 5): each command imports only what it needs, and
a one-document build draws its charts in a helper process beside the rest.

Checked in fresh interpreters (``sys.modules`` after the command), not by timing: no test
here asserts on a duration (bench/run.py prints those).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reportgen import charts, check
from reportgen.charts import chart_specs
from reportgen.computed import compute

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "example" / "2021年度玉溪市互联网信息办公室.xlsx"

#: runs a reportgen command in this interpreter and prints which heavy modules it loaded
PROBE = """
import json, sys
from reportgen.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    print(json.dumps(sorted(m for m in ("matplotlib", "openpyxl", "numpy", "pptx",
        "docxtpl", "reportgen.pipeline") if m in sys.modules)))
"""


def _loaded(*args: str, env: dict | None = None) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", **(env or {})},
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_importing_reportgen_loads_nothing_else():
    code = "import sys, reportgen; print(sorted(m for m in sys.modules if 'reportgen' in m))"
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "['reportgen']"
    from reportgen import build  # the public names still resolve (PEP 562)

    assert build.__module__ == "reportgen.pipeline"
    with pytest.raises(AttributeError):
        _ = __import__("reportgen").no_such_name


def test_a_native_build_never_imports_matplotlib(tmp_path):
    """Nor openpyxl or numpy: the workbook is read with calamine."""
    loaded = _loaded("build", str(EXAMPLE), "-o", str(tmp_path), "--charts", "native")
    assert loaded == ["docxtpl", "pptx", "reportgen.pipeline"]
    (docx,) = tmp_path.glob("*.docx")
    with zipfile.ZipFile(docx) as z:
        assert len([n for n in z.namelist() if n.startswith("word/charts/chart")]) == 7


def test_a_matplotlib_build_imports_matplotlib_only_in_its_helper(tmp_path):
    """The helper (a forked child) imports matplotlib and draws; the command's own
    process never loads it. With the helper disabled, the process draws itself."""
    assert "matplotlib" not in _loaded("build", str(EXAMPLE), "-o", str(tmp_path / "a"))
    alone = _loaded(
        "build", str(EXAMPLE), "-o", str(tmp_path / "b"), env={"REPORTGEN_CHART_HELPER": "0"}
    )
    assert "matplotlib" in alone
    (a,), (b,) = (tmp_path / "a").glob("*.docx"), (tmp_path / "b").glob("*.docx")
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.namelist() == zb.namelist()
        assert all(za.read(n) == zb.read(n) for n in za.namelist())  # the same document


def test_check_and_init_import_no_drawing_or_workbook_writer(tmp_path):
    assert "matplotlib" not in _loaded("check", str(EXAMPLE))
    assert not {"matplotlib", "reportgen.pipeline"} & set(_loaded("init", str(tmp_path / "x.xlsx")))


@pytest.fixture(scope="module")
def specs():
    report, _ = check(EXAMPLE)
    return {r: s for r, s in chart_specs(compute(report), 2).items() if s.available}


def test_helper_draws_the_same_bytes(specs):
    local = {ref: charts.draw(s) for ref, s in specs.items()}
    helper = charts._Helper()
    helper.send(specs)
    assert helper.receive() == local


def test_a_failing_helper_leaves_the_drawing_to_the_build(specs, monkeypatch):
    """A helper that dies (here: it cannot draw) is replaced by drawing in the process."""
    monkeypatch.setattr(charts, "_serve", lambda r, w: 3)
    helper = charts._Helper()
    drawn = charts._Drawn(specs, helper)
    helper.send(specs)
    assert drawn["fig1"] == charts.draw(specs["fig1"])
    assert set(drawn) == set(specs)


def test_no_helper_inside_a_thread_or_a_worker(monkeypatch):
    """Never forked from a threaded process (fork copies only the calling thread) nor
    from a pool's worker (the batch already uses every core), nor when disabled."""
    import multiprocessing
    import threading

    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert charts.start_helper() is False
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object())
    assert charts.start_helper() is False
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: None)
    monkeypatch.setenv("REPORTGEN_CHART_HELPER", "0")
    assert charts.start_helper() is False
    assert charts._helper is None


def test_a_profile_without_charts_ends_the_helper_at_once():
    """Shanghai draws no chart: the helper is stopped (and reaped), nothing is drawn."""
    import os

    charts._helper = helper = charts._Helper()
    assert charts.draw_all({}) == {}
    assert charts._helper is None
    with pytest.raises(ChildProcessError):
        os.waitpid(helper.pid, os.WNOHANG)
