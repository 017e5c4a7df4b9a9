"""Whatever happens to the cells of a workbook, ``check`` and ``build`` end in a document
or in findings, never in a traceback (issue 13).

Hypothesis mutates cells of the bundled example the way files get damaged: a value
deleted, a number typed as text, a date or a boolean where an amount stands, an Excel
error value, a huge, negative or over-precise number, a whole row cleared. The number
of examples is fixed and small so the test is bounded in time (about a minute).
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path

import pytest
from conftest import EXAMPLE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from reportgen import build, check
from reportgen.findings import InputError, has_errors


@cache
def _cells() -> tuple[tuple[str, str], ...]:
    """(sheet, coordinate) of every non-empty cell of the example."""
    wb = load_workbook(EXAMPLE)
    return tuple(
        (ws.title, c.coordinate)
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.value not in (None, "")
    )


@cache
def _example_bytes() -> bytes:
    return Path(EXAMPLE).read_bytes()


VALUES = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["#REF!", "#DIV/0!", "#N/A", "—", "5,26", "1,234.56", "千元", "=A1+1"]),
    st.integers(min_value=-(10**16), max_value=10**16),
    st.floats(allow_nan=True, allow_infinity=True, width=64),
    st.decimals(places=4, min_value=-(10**9), max_value=10**9, allow_nan=False).map(float),
    st.booleans(),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)),
)
MUTATION = st.tuples(st.sampled_from(["set", "clear_row"]), st.integers(0, 10**6), VALUES)


def _mutated(mutations, folder: Path) -> Path:
    wb = load_workbook(io.BytesIO(_example_bytes()))
    cells = _cells()
    for kind, pick, value in mutations:
        sheet, coord = cells[pick % len(cells)]
        ws = wb[sheet]
        if kind == "clear_row":
            for c in ws[ws[coord].row]:
                if type(c).__name__ != "MergedCell":
                    c.value = None
        elif type(ws[coord]).__name__ != "MergedCell":
            try:
                ws[coord].value = value
            except (ValueError, TypeError):  # a value openpyxl itself refuses to store
                ws[coord].value = str(value)
    path = folder / "mutated.xlsx"
    wb.save(path)
    return path


@settings(
    max_examples=20,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutations=st.lists(MUTATION, min_size=1, max_size=4))
def test_mutated_example_ends_in_a_document_or_findings(mutations, tmp_path_factory):
    folder = tmp_path_factory.mktemp("mut")
    path = _mutated(mutations, folder)
    report, findings = check(path)  # must not raise
    assert all(f.rule and f.message for f in findings)
    out = folder / "out"
    if report is None or has_errors(findings):
        with pytest.raises(InputError) as err:
            build(path, out)
        assert has_errors(err.value.findings)
        assert not out.exists() or not any(out.iterdir())
        return
    result = build(path, out)
    assert result.path.is_file() and result.path.stat().st_size > 10_000


def test_a_project_name_with_digits_does_not_fuse_with_its_score(tmp_path):
    """Found by the property above: a project typed as "5,26" is printed right before its
    score, "5,26" + "90.00分"; the self-audit read "2690.00" and refused a valid unit."""
    wb = load_workbook(io.BytesIO(_example_bytes()))
    ws = wb["公开12表"]
    label = [c for row in ws.iter_rows() for c in row if c.value == "项目名称"][-1]
    ws.cell(label.row, 3).value = "5,26"
    path = tmp_path / "digits.xlsx"
    wb.save(path)
    result = build(path, tmp_path / "out")
    import docx

    text = "\n".join(p.text for p in docx.Document(str(result.path)).paragraphs)
    assert "；5,2690.00分（优）。" in text
