"""What a cell may hold: amounts to the 分, within 10^12 元, signs per column, Excel error
values, units, table titles with a year, and messages that show the difference.

The corpus in test_bad_inputs.py asserts rule and cell for whole workbooks; these tests
pin the details (float noise, 万元 decimals, the text reported, the cells left alone).
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from conftest import EXAMPLE_WARNINGS, known
from export_fixture import xlsx_to_xls
from openpyxl import Workbook, load_workbook

from reportgen import check
from reportgen.checks import _eq, r63
from reportgen.inputs import Reader
from reportgen.sheets import Grid, load_grids


def _amount(raw, unit="元", budget=False):
    rd = Reader(Path("x.xlsx"))
    value = rd.amount(Grid("公开03表", [[raw]]), 0, 0, unit, budget=budget)
    return value, [(f.rule, f.where, f.found) for f in rd.findings]


# --- amounts: 分, limits, signs ----------------------------------------------------------


@pytest.mark.parametrize(
    "raw, unit, expected",
    [
        (0.30000000000000004, "元", D("0.30")),  # 0.1 + 0.2 in Excel
        (15433353.259999998, "元", D("15433353.26")),
        (1543.3353259999998, "万元", D("15433353.26")),
        (5.551115123125783e-17, "元", D("0.00")),  # 0.1 + 0.2 - 0.3
        (999999999999.99, "元", D("999999999999.99")),  # the largest amount, as a float
        (0.000001, "万元", D("0.01")),  # 万元 may have 6 decimals
        (1234.567891, "万元", D("12345678.91")),
        ("1,234.56", "元", D("1234.56")),
        (-1234.5, "元", D("-1234.5")),
    ],
)
def test_whole_cents_and_float_noise_read_without_findings(raw, unit, expected):
    value, findings = _amount(raw, unit)
    assert findings == [] and value == expected


@pytest.mark.parametrize(
    "raw, unit",
    [
        (1234.5678, "元"),
        ("1234.561", "元"),  # text is exact: no noise allowance
        ("1,234.567", "元"),
        (15433353.2567, "元"),  # the allowance never exceeds a tenth of a 分
        (1234.5678912, "万元"),
        (0.0000001, "万元"),
    ],
)
def test_fractions_of_a_cent_are_in15(raw, unit):
    value, findings = _amount(raw, unit)
    assert value is None and findings == [("IN-15", "公开03表!A1", str(raw))]


@pytest.mark.parametrize("raw", [1e15, -1e15, "1000000000000.01", 100000001, 1e300])
def test_amounts_beyond_ten_to_the_twelve_yuan_are_in16(raw):
    unit = "万元" if raw == 100000001 else "元"  # 100000001 万元 > 10^12 元
    value, findings = _amount(raw, unit)
    assert value is None and [f[0] for f in findings] == ["IN-16"]


def test_ten_to_the_twelve_itself_is_allowed():
    assert _amount(10**12) == (D(10**12), [])


def test_negative_budget_is_in17_and_negative_amount_is_read():
    assert _amount(-100, budget=True) == (None, [("IN-17", "公开03表!A1", "-100")])
    assert _amount(-100) == (D(-100), [])
    assert _amount(0, budget=True) == (D(0), [])


@pytest.fixture(scope="module")
def example_report(example_path):
    report, findings = check(example_path)
    assert known(findings) == EXAMPLE_WARNINGS
    return report


def test_negative_income_or_expense_warns_and_balances_may_be_negative(example_report):
    """R63 decides by the layout's sign flags: flows warn, balances do not."""
    import copy

    rep = copy.deepcopy(example_report)
    t01, t05, t09 = rep.tables["t01"], rep.tables["t05"], rep.tables["t09"]
    t01.items["R:close_balance"]["amount"] = D("-1")  # 年末结转和结余
    t01.items["R:surplus_distribution"]["amount"] = D("-1")  # 结余分配
    t01.items["open_balance"]["amount"] = D("-1")  # 年初结转和结余
    t05.total["close_total"] = D("-1")
    t05.rows[0].values["open_project"] = D("-1")
    assert r63(rep) == []
    t01.items["other"] = {"amount": D("-5")}  # 八、其他收入
    t01.item_cells["other"] = {"amount": t01.item_cells["gpb"]["amount"]}
    t05.total["exp_total"] = D("-2")
    t09.items["reception"]["actual"] = D("-3")
    found = {(f.rule, f.where, f.found) for f in r63(rep)}
    assert found == {
        ("R63", "公开01表!C7", "-5.00"),
        ("R63", "公开05表!K8", "-2.00"),
        ("R63", "公开09表!D12", "-3.00"),
    }
    assert all("请确认" in f.message for f in r63(rep))


# --- messages ---------------------------------------------------------------------------


def test_expected_and_found_print_enough_decimals_to_differ():
    f = _eq("R99", "m", "x", D("6464930.83"), D("6464930.8312"))[0]
    assert (f.expected, f.found) == ("6,464,930.830", "6,464,930.831")
    f = _eq("R99", "m", "x", D("20433353.26"), D("20433353.27"))[0]
    assert (f.expected, f.found) == ("20,433,353.26", "20,433,353.27")
    f = _eq("R99", "m", "x", D("1"), D("1.000001"))[0]
    assert (f.expected, f.found) == ("1.000000", "1.000001")


def test_unknown_code_is_reported_as_typed(make_workbook):
    def mutate(data):
        rows = data.coded["t03"].rows
        rows[2] = ("20137O1", "行政运行", rows[2][2])  # letter O for zero

    _, findings = check(make_workbook(mutate))
    f = next(f for f in findings if f.rule == "IN-21")
    assert (f.where, f.found) == ("公开03表!A11", "20137O1")
    assert "20137O1" in f.message


# --- units ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line", ["金额单位：千元", "单位：百万元", "金额单位：美元", "金额单位：万美元"]
)
def test_unit_other_than_yuan_or_wan_names_the_cell(make_workbook, line):
    path = make_workbook()
    wb = load_workbook(path)
    wb["公开02表"]["L3"] = line
    wb.save(path)
    _, findings = check(path)
    errors = [(f.rule, f.where, f.found) for f in findings if f.is_error]
    assert errors == [("IN-14", "公开02表!L3", line)]


def test_unit_line_without_a_unit_is_missing(make_workbook):
    path = make_workbook()
    wb = load_workbook(path)
    wb["公开02表"]["L3"] = "金额单位："
    wb.save(path)
    _, findings = check(path)
    assert [(f.rule, f.where) for f in findings if f.is_error] == [("IN-04", "公开02表!A1")]


def test_unit_in_the_department_cell_or_the_next_cell_is_read(make_workbook):
    path = make_workbook()
    wb = load_workbook(path)
    ws = wb["公开03表"]
    ws["J3"] = None
    ws["A3"] = "编制单位：玉溪市互联网信息办公室  金额单位：元"
    ws2 = wb["公开09表"]
    ws2["C3"], ws2["D3"] = "金额单位：", "元"
    wb.save(path)
    report, findings = check(path)
    assert known(findings) == EXAMPLE_WARNINGS
    assert report.tables["t03"].unit == "元"


# --- Excel error values ------------------------------------------------------------------


def _with(path: Path, **cells) -> Path:
    """Put values into sheet!cell (keys "公开03表__E11"); "#…" strings as error values."""
    wb = load_workbook(path)
    for key, value in cells.items():
        sheet, ref = key.split("__")
        cell = wb[sheet][ref]
        cell.value = value
        if isinstance(value, str) and value.startswith("#"):
            cell.data_type = "e"
    wb.save(path)
    return path


ERROR_CELLS = {"公开03表__E11": "#REF!", "上年决算数__B4": "#DIV/0!", "公开12表__I16": "#N/A"}


def _in12(findings):
    return sorted((f.where, f.found) for f in findings if f.rule == "IN-12")


def test_error_values_are_reported_with_their_text(make_workbook):
    more = {"单位基本情况__B7": "#VALUE!", "公开09表__D21": "#NUM!", "公开12表__C4": "#NAME?"}
    _, findings = check(_with(make_workbook(), **ERROR_CELLS, **more))
    assert _in12(findings) == [
        ("上年决算数!B4", "#DIV/0!"),
        ("公开03表!E11", "#REF!"),
        ("公开09表!D21", "#NUM!"),  # a count
        ("公开12表!C4", "#NAME?"),  # a text read by the 绩效自评 reader
        ("公开12表!I16", "#N/A"),
        ("单位基本情况!B7", "#VALUE!"),  # a required text: not also reported as empty
    ]
    # the cell is reported once, as an error value, not also as text or as empty
    assert not [f for f in findings if f.rule in ("IN-10", "IN-32", "IN-40")]
    assert "实为 #REF!" in next(f.line() for f in findings if f.where == "公开03表!E11")


@pytest.mark.parametrize(
    "text", ["#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA"]
)
def test_every_kind_of_error_value(make_workbook, text):
    _, findings = check(_with(make_workbook(), 公开03表__F11=text))
    assert _in12(findings) == [("公开03表!F11", text)]


def test_error_values_in_cells_not_read_are_left_alone(make_workbook):
    path = _with(
        make_workbook(),
        填表说明__B2="#REF!",  # a sheet the tool does not read
        公开03表__A45="#REF!",  # below the table's 注
        上年决算数__D4="#N/A",  # the 填写说明 column
    )
    _, findings = check(path)
    assert known(findings) == EXAMPLE_WARNINGS


#: BIFF error codes (xlwt's own table of names is wrong for #VALUE! and #N/A)
BIFF_ERRORS = {
    "#NULL!": 0,
    "#DIV/0!": 7,
    "#VALUE!": 15,
    "#REF!": 23,
    "#NAME?": 29,
    "#NUM!": 36,
    "#N/A": 42,
}


@pytest.fixture
def xls_error_cells(monkeypatch):
    """xlsx_to_xls writes error values as BIFF error cells (xlwt alone writes them as text)."""
    import xlwt

    write = xlwt.Worksheet.write

    def write_or_error(self, r, c, label="", style=xlwt.Style.default_style):
        if isinstance(label, str) and label in BIFF_ERRORS:
            self.row(r).set_cell_error(c, BIFF_ERRORS[label], style)
        else:
            write(self, r, c, label, style)

    monkeypatch.setattr(xlwt.Worksheet, "write", write_or_error)


def test_error_values_in_a_legacy_xls(make_workbook, tmp_path, xls_error_cells):
    path = xlsx_to_xls(_with(make_workbook(), **ERROR_CELLS), tmp_path / "导出.xls")
    _, findings = check(path)
    assert _in12(findings) == [
        ("上年决算数!B4", "#DIV/0!"),
        ("公开03表!E11", "#REF!"),
        ("公开12表!I16", "#N/A"),
    ]


def test_cell_references_count_from_column_a_when_it_is_empty(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws["C3"], ws["D5"], ws["E5"] = "x", 1.5, "#REF!"
    wb.save(tmp_path / "b.xlsx")
    (g,), _ = load_grids(tmp_path / "b.xlsx")
    assert g.rows[2][2] == "x" and g.rows[4][3] == 1.5
    assert str(g.cell(4, 4)) == "表!E5" and g.text(4, 4) == "#REF!"


# --- table titles -------------------------------------------------------------------


def test_titles_with_a_year_or_unit_prefix_are_found(make_workbook, example_report):
    path = make_workbook()
    wb = load_workbook(path)
    wb["公开01表"]["A1"] = "玉溪市互联网信息办公室2021年度收入支出决算总表"
    wb["公开02表"]["A1"] = "2021年收入决算表"
    wb["公开03表"]["A1"] = "2021年度支出决算表（公开03表）"
    wb["公开04表"]["A1"] = "2021年度财政拨款收入支出决算总表"
    wb["公开06表"]["A1"] = "2021年一般公共预算财政拨款基本支出决算表"
    wb.save(path)
    report, findings = check(path)
    assert known(findings) == EXAMPLE_WARNINGS
    for key in ("t01", "t02", "t03", "t04", "t06"):
        ours, theirs = report.tables[key], example_report.tables[key]
        assert ours.layout is theirs.layout
        assert [(r.code, r.values) for r in ours.rows] == [(r.code, r.values) for r in theirs.rows]
        assert ours.items == theirs.items and ours.total == theirs.total


@pytest.mark.parametrize(
    "title",
    ["玉溪市互联网信息办公室收入决算表", "关于2021年收入决算表的说明", "收入决算表2021"],
)
def test_a_prefix_without_a_year_is_not_a_title(make_workbook, title):
    path = make_workbook()
    wb = load_workbook(path)
    wb["公开02表"]["A1"] = title
    wb.save(path)
    _, findings = check(path)
    assert ("IN-06", "mutated.xlsx") in known(findings)
