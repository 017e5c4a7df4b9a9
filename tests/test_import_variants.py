"""Seed 001's tables written the ways real exports write them all read to the same figures.

Acceptance of issue 3: an export-like workbook (merged headers, 类/款/项 codes split or
sparse, continuation pages, year line, names with stray spaces, "—" placeholders, text
numbers with separators, 万元, one sheet for all tables) passes with zero errors, as
.xlsx and as legacy .xls, and every amount equals the bundled example's.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from conftest import EXAMPLE_WARNINGS, known
from export_fixture import xlsx_to_xls

from reportgen import check
from reportgen.layouts import SANGONG_COUNT_KEYS
from reportgen.money import round_half_up
from reportgen.workbook import ExportStyle


def amounts(report) -> dict[tuple, D]:
    """Every amount of every 公开表, keyed by table, row and column (zeros dropped)."""
    out = {}
    for key, t in report.tables.items():
        for r in t.rows:
            for col, v in r.values.items():
                out[(key, r.code, col)] = v
        for col, v in t.total.items():
            out[(key, "合计", col)] = v
        for item, vals in t.items.items():
            for col, v in vals.items():
                out[(key, item, col)] = v
    return {k: v for k, v in out.items() if v}


@pytest.fixture(scope="module")
def expected(example_path):
    report, findings = check(example_path)
    assert known(findings) == EXAMPLE_WARNINGS
    return amounts(report)


STYLES = {
    "export-split-continued": (
        "元",
        ExportStyle(codes="split", page_rows=12, year_line=True, padded_names=True, dashes=True),
    ),
    "sparse-codes-text-numbers": ("元", ExportStyle(codes="sparse", text_numbers=True)),
    "one-sheet-wan": ("万元", ExportStyle(one_sheet=True, year_line=True)),
}


def _write(make_workbook, unit, style, name):
    def mutate(data):
        data.unit = unit
        data.style = style

    return make_workbook(mutate, name=name)


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
@pytest.mark.parametrize("style_name", list(STYLES))
def test_export_variants_read_exactly(make_workbook, expected, tmp_path, style_name, fmt):
    unit, style = STYLES[style_name]
    path = _write(make_workbook, unit, style, f"{style_name}.xlsx")
    if fmt == "xls":
        path = xlsx_to_xls(path, tmp_path / f"{style_name}.xls")
    report, findings = check(path)
    assert known(findings) == EXAMPLE_WARNINGS, [f.line() for f in findings]
    assert amounts(report) == expected
    assert all(t.unit == unit for t in report.tables.values())


def test_wan_export_rounded_to_two_decimals_passes_within_rounding(make_workbook, expected):
    """A 万元 export prints 2 decimals; totals may differ from the sum of rounded parts."""
    style = ExportStyle(codes="split", decimals=2, year_line=True)
    report, findings = check(_write(make_workbook, "万元", style, "wan2.xlsx"))
    assert [f.line() for f in findings if f.is_error] == []
    got = amounts(report)
    for key, v in expected.items():
        if key[0] == "t09" and key[1] in SANGONG_COUNT_KEYS:
            continue  # counts are not amounts
        assert got.get(key, D(0)) == round_half_up(v / 10000, 2) * 10000, key
    t01 = report.tables["t01"]
    assert t01.item("grand_total") == D("20434200")  # 2043.42 万元


def test_renamed_xlsx_with_xls_suffix_still_reads(make_workbook, tmp_path, expected):
    path = make_workbook()
    renamed = tmp_path / "导出.xls"
    renamed.write_bytes(path.read_bytes())
    report, findings = check(renamed)
    assert known(findings) == EXAMPLE_WARNINGS and amounts(report) == expected


def test_integer_wan_totals_are_amounts_not_codes(make_workbook):
    """公开06表 in 万元 with 人员经费合计 647 (an integer): a number, not 经济分类 code 647."""
    from seed004_data import seed004_data

    from reportgen import codes
    from reportgen.workbook import write_workbook

    data = seed004_data()
    data.personnel_total = D("6470000")  # 647 万元 exactly
    path = make_workbook(name="wan-int.xlsx")
    write_workbook(path, data, names=codes.economic_name_map(2023))
    report, _ = check(path)
    assert report.tables["t06"].total_of("personnel") == D("6470000")
    assert "647" not in {r.code for r in report.tables["t06"].rows}
