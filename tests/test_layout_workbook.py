"""Writing every profile's tables and sheets (issue 15): the Shanghai 2024 blank and filled
workbooks laid out from the table files, and the default (云南) workbook unchanged.

The written cells are checked directly (titles, header cells, merged ranges, the unit line,
no 栏次 row, dropdowns, 填表说明); then the written workbooks are read back by the
importer, blank ones after typing into them as a person would.
"""

from __future__ import annotations

import re
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest

from reportgen import codes
from reportgen.inputs import read_report
from reportgen.narrative import load_pack
from reportgen.workbook import (
    CodedData,
    WorkbookData,
    instruction_lines,
    write_blank_workbook,
    write_workbook,
)

DEPT = "上海市某某区文化和旅游局"
NAMES = codes.economic_name_map(2024)
UNIT_CHOICES = '"单位：元,单位：万元"'
SHANGHAI_SHEETS = [
    "填表说明",
    "单位基本情况",
    "决算单位构成",
    "上年决算数",
    "项目预算",
    "变动原因",
    "三公经费补充",
    "机关运行经费",
    "政府采购",
    "国有资产",
    "预算绩效管理",
    "名词解释补充",
]


@pytest.fixture(scope="module")
def pack():
    return load_pack("shanghai-2024")


@pytest.fixture(scope="module")
def blank(pack, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sh") / "空白.xlsx"
    write_blank_workbook(path, pack, names=NAMES)
    return path


@pytest.fixture(scope="module")
def book(blank):
    return openpyxl.load_workbook(blank)


def merges(ws) -> set[str]:
    return {str(m) for m in ws.merged_cells.ranges}


def validations(ws) -> dict[str, str]:
    return {str(d.sqref): d.formula1 for d in ws.data_validations.dataValidation}


def values(cells) -> list:
    """Cell values, numbers as Decimal (openpyxl reads them back as float or int)."""
    return [D(str(c.value)) if isinstance(c.value, float | int) else c.value for c in cells]


def texts(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


# --- the default workbook is today's ---------------------------------------------------


def dump(path: Path) -> list:
    """Everything a reader or a person sees: values, formats, fonts, merges, dropdowns."""
    wb = openpyxl.load_workbook(path)
    out = []
    for ws in wb.worksheets:
        out.append((ws.title, sorted(merges(ws)), sorted(validations(ws).items())))
        out.append(sorted((k, v.width) for k, v in ws.column_dimensions.items()))
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None or c.has_style:
                    out.append((c.coordinate, c.value, c.number_format, c.font.b, c.font.i))
    return out


@pytest.mark.parametrize("name", ["yunnan-2021", "sichuan-2021"])
def test_the_yunnan_profile_writes_the_default_workbook(tmp_path, name):
    default, profiled = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(default, None, names=NAMES)
    write_blank_workbook(profiled, load_pack(name), names=NAMES)
    assert dump(default) == dump(profiled)
    assert instruction_lines((1, 30)) == instruction_lines((1, 30), load_pack(name))


def test_default_instructions_keep_their_wording():
    lines = instruction_lines((1, 30))
    assert (
        "· 公开01表 收入支出决算总表：决算软件导出的公开表，金额单位见表头“金额单位：”一行。"
        in lines
    )
    assert (
        "· 公开01表–公开09表：以各表表头“金额单位：元”或“金额单位：万元”为准（空白表为元，"
        "可从下拉列表改为万元）；决算软件导出的表可直接粘贴，本工具按表名（如“收入支出决算总表”）"
        "查找，不依赖工作表名称或位置。"
    ) in lines
    assert "· 以万元填写：公开10表、公开11表、公开12表（项目资金）。" in lines
    assert (
        "2. 带下拉箭头的单元格（单位性质、是/否、指标性质、自评等级、金额单位）请从下拉列表中选择。"
        in lines
    )
    assert lines[-3].startswith(
        "5. 增加项目（公开12表）：每个项目一张项目支出绩效自评表。选中公开12表第1行至第30行"
    )


# --- Shanghai blank: the tables --------------------------------------------------------


def test_sheets_are_the_profiles(book, pack):
    assert book.sheetnames == SHANGHAI_SHEETS + [lay.title for lay in pack.tables]
    assert not any(name.startswith("公开") for name in book.sheetnames)


def test_title_and_unit_line_of_every_table(book, pack):
    for lay in pack.tables:
        ws = book[lay.title]
        last = openpyxl.utils.get_column_letter(lay.width)
        assert ws["A1"].value == lay.title
        assert f"A1:{last}1" in merges(ws)
        # the unit line is the second row: no 公开NN表 row, no 部门 line (the meta has none)
        assert [c.value for c in ws[2]] == [None] * (lay.width - 1) + ["单位：万元"]
        assert validations(ws) == {f"{last}2": UNIT_CHOICES}, lay.title
        assert not {"栏次", "行次"} & set(texts(ws)), lay.title


def test_header_cells_where_the_layout_puts_them(book, pack):
    for lay in pack.tables:
        ws = book[lay.title]
        for h in lay.header:
            assert ws.cell(row=3 + h.row, column=1 + h.col).value == h.text, (lay.title, h)


def test_summary_rows(book):
    ws = book["收入支出决算总表"]
    assert merges(ws) == {"A1:D1", "A3:B3", "C3:D3"}
    assert [c.value for c in ws[4]] == ["项目", "决算数", "项目", "决算数"]
    assert [c.value for c in ws[5]] == [
        "一、一般公共预算财政拨款收入",
        None,
        "一、一般公共服务支出",
        None,
    ]
    assert [c.value for c in ws[13]] == [None, None, "九、卫生健康支出", None]
    assert ws["C28"].value == "二十四、抗疫特别国债安排的支出"
    assert [ws[f"A{r}"].value for r in range(29, 33)] == [
        "本年收入合计",
        "使用非财政拨款结余",
        "年初结转和结余",
        "总计",
    ]
    assert ws["C32"].value == "总计" and ws["B5"].number_format == "#,##0.00"
    assert ws["A36"].value == (
        "示例：本年收到一般公共预算财政拨款 123.45 万元，在左栏“一、一般公共预算财政拨款收入”"
        "一行的决算数栏填 123.45；右栏按支出功能分类（类）填各类支出。"
    )
    ws = book["财政拨款收入支出决算总表"]
    # 年初 in three rows on the left, 年末 in one on the right: both 总计 on the last row
    assert [(ws[f"A{r}"].value, ws[f"C{r}"].value) for r in range(29, 35)] == [
        ("本年收入合计", "本年支出合计"),
        ("年初财政拨款结转和结余", "年末财政拨款结转和结余"),
        ("一、一般公共预算财政拨款", None),
        ("二、政府性基金预算财政拨款", None),
        ("三、国有资本经营预算财政拨款", None),
        ("总计", "总计"),
    ]
    assert ws["G31"].border.left.style == "thin"  # the empty right side is ruled


def test_coded_one_code_column_total_top_and_bottom(book):
    ws = book["收入决算表"]
    assert merges(ws) == {"A1:I1", "A3:B3", "A5:B5"} | {f"{c}3:{c}4" for c in "CDEFGHI"}
    assert (ws["A4"].value, ws["B4"].value) == ("功能分类科目编码", "科目名称")
    assert ws["A5"].value == "合计"
    assert values(ws[6])[:3] == ["示例：2070109", "群众文化", D("12.35")]
    assert ws["A7"].number_format == "@" and ws["B7"].number_format == "General"
    assert ws["C7"].number_format == "#,##0.00"
    assert ws["A18"].value == "注：本表反映部门本年度取得的各项收入情况。"
    ws = book["一般公共预算财政拨款支出决算表"]
    # the example row right under the header, ten empty rows, then 合计
    assert ws["A5"].value == "示例：2070109" and ws["A6"].value is None
    assert ws["A16"].value == "合计" and "A16:B16" in merges(ws)
    assert ws["C16"].number_format == "#,##0.00" and ws["C16"].font.b


def test_economic_two_groups(book):
    ws = book["一般公共预算财政拨款基本支出决算表"]
    assert [c.value for c in ws[3]] == ["经济分类科目编码", "科目名称", "决算数"] * 2
    assert [c.value for c in ws[4]] == ["301", "工资福利支出", None, "302", "商品和服务支出", None]
    assert [c.value for c in ws[30]][:2] == ["30399", "其他个人和家庭的补助支出"]
    assert [c.value for c in ws[31]] == [None, None, None, "30299", "其他商品和服务支出", None]
    assert [c.value for c in ws[41]][3:5] == ["31099", "其他资本性支出"]
    assert [c.value for c in ws[42]] == ["人员经费合计", None, None, "公用经费合计", None, None]
    assert {"A42:B42", "D42:E42"} <= merges(ws) and len(merges(ws)) == 3
    assert ws["C42"].font.b and ws["F42"].number_format == "#,##0.00"


def test_pairs_table(book):
    ws = book["财政拨款“三公”经费支出决算表"]
    assert merges(ws) == {
        "A1:L1",
        "A3:L3",
        "A4:B5",
        "C4:D5",
        "E4:J4",
        "E5:F5",
        "G5:H5",
        "I5:J5",
        "K4:L5",
    }
    assert [c.value for c in ws[6]] == ["预算数", "决算数"] * 6
    assert all(c.value is None and c.number_format == "#,##0.00" for c in ws[7])
    assert ws["A9"].value == "注：本表反映部门本年度“三公”经费支出预决算情况。"
    assert ws["A11"].value == (
        "示例：“合计”预算 12.00 万元、决算 10.50 万元：在“合计”下的预算数栏填 12，"
        "决算数栏填 10.5；其余各项同样成对填写。"
    )


# --- Shanghai blank: the sheets and 填表说明 ----------------------------------------------


def test_supplementary_sheets_from_sheets_toml(book):
    ws = book["上年决算数"]
    assert ws["A1"].value == "上年决算数（金额单位：万元）"
    assert (ws["A4"].value, ws["A5"].value) == ("本年新成立单位", "收入支出总计")
    assert validations(ws) == {"B4": '"是,否"'}
    assert ws["E5"].value == "示例：8562.33"
    ws = book["项目预算"]
    assert [c.value for c in ws[3]] == [
        "资金性质",
        "科目编码",
        "科目名称",
        "主要用于",
        "年初预算数",
        "调整预算数",
        "决算数与预算数差异原因",
    ]
    assert validations(ws) == {"A5:A16": '"一般公共预算,政府性基金,国有资本经营"'}
    # the code column is text (not the first one here), money formatted, an empty
    # example cell stays empty
    assert ws["B5"].number_format == "@" and ws["A5"].number_format == "General"
    assert ws["E5"].number_format == "#,##0.00"
    assert values(ws[4]) == [
        "示例：一般公共预算",
        "2050205",
        "高等教育",
        "用于……",
        D("400"),
        None,
        "部分项目延期实施",
    ]
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    assert widths == {"A": 16, "B": 16, "C": 36, "D": 36, "E": 18, "F": 18, "G": 50}
    assert validations(book["单位基本情况"]) == {"B6": validations(book["单位基本情况"])["B6"]}


def test_instructions_list_the_profiles_tables_and_sheets(book, pack):
    lines = [r[0].value or "" for r in book["填表说明"].iter_rows()]
    assert lines == instruction_lines(None, pack)
    assert "· 收入支出决算总表：决算软件导出的公开表，金额单位见表头“单位：”一行。" in lines
    assert (
        "· 财政拨款“三公”经费支出决算表：决算软件导出的公开表，金额单位见表头“单位：”一行。"
        in lines
    )
    assert "· 上年决算数（金额单位：万元）：" + pack.sheets[2].purpose in lines
    assert (
        "· 以万元填写：上年决算数、项目预算、三公经费补充、机关运行经费、政府采购、预算绩效管理。"
        in lines
    )
    assert (
        "· 各决算表：以各表表头“单位：元”或“单位：万元”为准（空白表为万元，可从下拉列表改为元）；"
        "决算软件导出的表可直接粘贴，本工具按表名（如“收入支出决算总表”）查找，不依赖工作表名称或位置。"
    ) in lines
    assert (
        "2. 带下拉箭头的单元格（单位性质、是/否、资金性质、金额单位）请从下拉列表中选择。" in lines
    )
    assert lines[-2:] == [
        "5. 必填项为空、金额单元格填写了文字、合计与明细不符等问题，运行 reportgen check 时会列出"
        "工作表和单元格。",
        "6. 文字项可在单元格内换行分段；生成的文档按段落排版。",
    ]
    assert not [line for line in lines if re.search(r"公开\d\d表", line)]
    assert not [line for line in lines if "以元填写" in line]


# --- Shanghai filled: amounts in 万元, read back ---------------------------------------


def shanghai_data() -> WorkbookData:
    data = WorkbookData(department=DEPT, year=2024, unit="万元")
    data.kv["单位基本情况"] = {
        "部门名称": DEPT,
        "年度": 2024,
        "单位性质": "行政单位",
        "主要职能": "负责全区文化和旅游工作。",
        "机构设置": "内设办公室等5个科室。",
    }
    edu = {"total": D("11000000.01"), "fiscal": D("10500000.01"), "business": D("500000")}
    data.coded["t02"] = CodedData(
        [("205", "教育支出", edu), ("20502", "普通教育", edu), ("2050205", "高等教育", edu)]
    )
    gpb = {"exp_total": D("10500000"), "exp_basic": D("8000000"), "exp_project": D("2500000")}
    data.coded["t05"] = CodedData([("205", "教育支出", gpb), ("2050205", "高等教育", gpb)])
    data.summary_items["t01"] = {
        "gpb": {"amount": D("12345678.90")},
        "income_total": {"amount": D("12345678.90")},
        "grand_total": {"amount": D("12345678.90")},
        "R:expense_total": {"amount": D("11000000")},
        "R:close_balance": {"amount": D("1345678.90")},
        "R:grand_total": {"amount": D("12345678.90")},
    }
    data.summary_classes["t01"] = {"205": {"amount": D("11000000")}}
    data.summary_items["t04"] = {
        "R:close_fiscal": {"total": D("1845678.90"), "gpb": D("1845678.90")}
    }
    data.economic = {"301": D("6000000"), "30101": D("2345678.91"), "310": D("100000")}
    data.personnel_total, data.public_total = D("6000000"), D("2000000")
    data.sangong = {
        "sg_total": (D("200000"), D("185432.10")),
        "car_total": (D("150000"), D("140000")),
        "car_operation": (D("150000"), D("140000")),
        "reception": (D("50000"), D("45432.10")),
    }
    return data


@pytest.fixture(scope="module")
def filled(pack, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sh") / "filled.xlsx"
    write_workbook(path, shanghai_data(), names=NAMES, pack=pack)
    return path


def test_filled_cells_in_wan_yuan(filled):
    wb = openpyxl.load_workbook(filled)
    ws = wb["收入决算表"]
    assert values(ws[5])[:4] == ["合计", None, D("1100.000001"), D("1050.000001")]
    assert values(ws[8])[:3] == ["2050205", "高等教育", D("1100.000001")]
    ws = wb["一般公共预算财政拨款支出决算表"]
    assert values(ws[7]) == ["合计", None, D(1050), D(800), D(250)]
    ws = wb["政府性基金预算财政拨款收入支出决算表"]
    assert ws["A5"].value == "合计"
    assert ws["A9"].value == (
        "说明：上海市某某区文化和旅游局本年度没有政府性基金预算财政拨款收入和支出，故本表无数据。"
    )
    ws = wb["财政拨款“三公”经费支出决算表"]
    assert values(ws[7]) == [D(20), D("18.54321"), None, None, D(15), D(14), None, None] + [
        D(15),
        D(14),
        D(5),
        D("4.54321"),
    ]


def test_filled_workbook_reads_back_to_the_same_amounts(filled, pack):
    report, findings = read_report(filled, pack)
    assert findings == []
    t = report.tables
    assert {k: str(v) for k, v in t["t02"].total.items() if v} == {
        "total": "11000000.010000",
        "fiscal": "10500000.010000",
        "business": "500000",
    }
    assert [r.code for r in t["t02"].rows] == ["205", "20502", "2050205"]
    assert t["t05"].total["exp_basic"] == D("8000000")
    assert t["t01"].items["gpb"]["amount"] == D("12345678.90")
    assert t["t01"].items["R:close_balance"]["amount"] == D("1345678.90")
    assert t["t04"].items["R:close_fiscal"] == {
        "total": D("1845678.90"),
        "gpb": D("1845678.90"),
        "gov_fund": None,
        "state_capital": None,
    }
    assert {r.code: r.values["amount"] for r in t["t06"].rows if r.values["amount"]} == {
        "301": D("6000000"),
        "30101": D("2345678.91"),
        "310": D("100000"),
    }
    assert (t["t06"].total["personnel"], t["t06"].total["public"]) == (D("6000000"), D("2000000"))
    assert t["t09"].items["reception"] == {"budget": D("50000"), "actual": D("45432.10")}
    assert t["t07"].is_empty and t["t08"].is_empty


def test_blank_workbook_typed_into_reads_back(blank, pack, tmp_path):
    """A person fills the blank Shanghai workbook: the example rows stay, amounts go into
    the empty rows (万元), the 合计 row at the bottom of 一般公共预算财政拨款支出决算表."""
    wb = openpyxl.load_workbook(blank)
    ws = wb["单位基本情况"]
    for ref, value in {
        "B4": DEPT,
        "B5": "2024年度",
        "B6": "行政单位",
        "B7": "…",
        "B9": "…",
    }.items():
        ws[ref] = value
    ws = wb["一般公共预算财政拨款支出决算表"]
    for r, row in (
        (6, ("205", "教育支出", 1050, 800, 250)),
        (7, ("2050205", "高等教育", 1050, 800, 250)),
    ):
        for c, v in enumerate(row, 1):
            ws.cell(row=r, column=c, value=v)
    for c, v in enumerate((1050, 800, 250), 3):
        ws.cell(row=16, column=c, value=v)
    ws = wb["财政拨款“三公”经费支出决算表"]
    for c, v in enumerate((20, 18.54, None, None, 15, 14, None, None, 15, 14, 5, 4.54), 1):
        ws.cell(row=7, column=c, value=v)
    wb["收入支出决算总表"]["B5"] = 1234.57
    path = tmp_path / "typed.xlsx"
    wb.save(path)
    report, findings = read_report(path, pack)
    assert [f for f in findings if f.level == "error" and f.rule.startswith("IN")] == []
    t05 = report.tables["t05"]
    assert [(r.code, r.values["exp_total"]) for r in t05.rows] == [
        ("205", D("10500000")),
        ("2050205", D("10500000")),
    ]
    assert t05.total["exp_project"] == D("2500000")
    assert report.tables["t09"].items["sg_total"] == {"budget": D("200000"), "actual": D("185400")}
    assert report.tables["t01"].items["gpb"]["amount"] == D("12345700")
    assert report.tables["t02"].rows == []  # the 示例 row is not data
