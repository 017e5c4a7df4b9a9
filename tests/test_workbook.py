"""The blank workbook of ``reportgen init`` (issue 14, item 9): what it offers a person who
fills it in by hand, and that what they type (and only that) is read.

A small 事业单位 (某某市文化馆, 2024, two 项目) is typed into the blank workbook cell by cell
the way an accountant would: into the empty rows under the grey 示例 rows, the second
项目支出绩效自评表 made by copying the first block as 填表说明 says. The same unit typed into
today's-format fixture (tests/fixtures/init-before-issue14.xlsx, written by ``reportgen init``
before this change) must build too.
"""

from __future__ import annotations

import copy
from decimal import Decimal as D
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from reportgen import build, schema
from reportgen.cli import main
from reportgen.findings import ERROR
from reportgen.inputs import read_report
from reportgen.layouts import normalize_label

FIXTURES = Path(__file__).parent / "fixtures"
OLD_BLANK = FIXTURES / "init-before-issue14.xlsx"

NATURES = (
    '"行政单位,参照公务员法管理的事业单位,公益一类事业单位,公益二类事业单位,'
    '公益三类事业单位,生产经营类事业单位,事业单位,其他"'
)
UNIT_LINE = '"金额单位：元,金额单位：万元"'


@pytest.fixture(scope="module")
def blank(tmp_path_factory) -> Path:
    """The workbook ``reportgen init`` writes."""
    path = tmp_path_factory.mktemp("init") / "空白.xlsx"
    res = CliRunner().invoke(main, ["init", str(path)])
    assert res.exit_code == 0, res.output
    return path


def validations(ws) -> dict[str, tuple[str, str]]:
    return {str(d.sqref): (d.formula1, d.errorStyle) for d in ws.data_validations.dataValidation}


# --- dropdowns ----------------------------------------------------------------------


def test_dropdowns_exact_lists_and_cells(blank):
    wb = openpyxl.load_workbook(blank)
    assert validations(wb["单位基本情况"]) == {"B6": (NATURES, "stop")}
    assert wb["单位基本情况"]["A6"].value == "单位性质"
    assert validations(wb["决算单位构成"]) == {"B5:B14": (NATURES, "stop")}
    assert validations(wb["预算绩效管理"]) == {"B9": ('"是,否"', "stop")}
    assert wb["预算绩效管理"]["A9"].value == "部门整体绩效自评"
    units = {
        "公开01表": "F3",
        "公开02表": "L3",
        "公开03表": "J3",
        "公开04表": "I3",
        "公开05表": "R3",
        "公开06表": "I3",
        "公开07表": "P3",
        "公开08表": "L3",
        "公开09表": "D3",
    }
    for sheet, ref in units.items():
        assert validations(wb[sheet]) == {ref: (UNIT_LINE, "stop")}, sheet
        assert wb[sheet][ref].value == "金额单位：元"
    natures = '"≥,≤,=,定性"'
    assert validations(wb["公开11表"]) == {"D13:D20": (natures, "warning")}
    assert wb["公开11表"]["D11"].value == "指标性质"
    assert validations(wb["公开12表"]) == {
        "D16:D23": (natures, "warning"),
        "J26": ('"优,良,中,差"', "stop"),
    }
    assert wb["公开12表"]["D14"].value == "指标性质"
    assert wb["公开12表"]["J25"].value == "自评等级"
    assert validations(wb["项目预算"]) == validations(wb["公开10表"]) == {}


def test_every_choice_field_of_a_kv_sheet_has_its_dropdown(blank):
    """Fields other developers add to the schema get their dropdown too, on their B cell."""
    wb = openpyxl.load_workbook(blank)
    for spec in schema.SHEETS:
        if spec.kind != "kv":
            continue
        ws = wb[spec.name]
        rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
        expected = {
            f"B{rows[f.label]}": ('"' + ",".join(f.choices) + '"', "stop")
            for f in spec.fields
            if f.choices and not f.legacy
        }
        assert validations(ws) == expected, spec.name


def test_sheets_and_empty_formatted_rows(blank):
    wb = openpyxl.load_workbook(blank)
    names = wb.sheetnames
    assert names[:3] == ["填表说明", "单位基本情况", "决算单位构成"]
    assert names[-3:] == ["公开10表", "公开11表", "公开12表"]
    assert {s.name for s in schema.SHEETS} <= set(names)
    budget = wb["项目预算"]
    assert [budget.cell(3, c).value for c in range(1, 6)] == [
        "科目编码",
        "科目名称",
        "年初预算数",
        "调整预算数",
        "决算数与预算数差异原因",
    ]
    for r in range(5, 17):  # 12 empty rows: borders, codes as text, amounts formatted
        assert all(budget.cell(r, c).value is None for c in range(1, 6))
        assert budget.cell(r, 1).border.left.style == "thin"
        assert budget.cell(r, 1).number_format == "@"
        assert budget.cell(r, 3).number_format == budget.cell(r, 4).number_format == "#,##0.00"
    assert budget.cell(17, 1).border.left.style is None
    t02 = wb["公开02表"]
    assert t02["A8"].value == "合计"
    for r in range(10, 20):
        assert t02.cell(r, 1).number_format == "@"
        assert t02.cell(r, 5).number_format == "#,##0.00"
    info = wb["单位基本情况"]
    assert [info.cell(r, 1).value for r in range(4, 10)] == [
        "部门名称",
        "年度",
        "单位性质",
        "主要职能",
        "重点工作完成情况",
        "机构设置",
    ]  # the old one-per-line 决算单位构成 is no longer offered
    prior = wb["上年决算数"]
    money = [r for r in range(4, prior.max_row + 1) if prior.cell(r, 1).value == "收入总计"]
    assert prior.cell(money[0], 2).number_format == "#,##0.00"
    assert wb["国有资产"]["B4"].number_format == "0"  # 车辆总数


def test_example_rows_are_grey_italic_and_marked(blank):
    wb = openpyxl.load_workbook(blank)
    cases = {
        "决算单位构成": ("A4", "示例：某某市文化和旅游局（本级）"),
        "项目预算": ("A4", "示例：2070109"),
        "整体绩效自评": ("A4", "示例：一、部门基本情况"),
        "公开02表": ("A9", "示例：2070109"),
        "公开10表": ("A4", "示例：一、部门基本情况"),
        "公开11表": ("A12", "示例：产出指标"),
        "公开12表": ("A15", "示例：产出指标"),
        "单位基本情况": ("E6", "示例：公益一类事业单位"),
        "公开09表": (
            "A34",
            "示例：公务接待费 决算 12,345.60 元，在“3. 公务接待费”一行的决算数栏填 12345.6；"
            "统计数（团组数、辆数、批次、人次）填整数。",
        ),
    }
    for sheet, (ref, text) in cases.items():
        cell = wb[sheet][ref]
        assert cell.value == text, sheet
        assert cell.font.italic and cell.font.color.rgb == "00808080", sheet


def test_every_sheet_but_the_instructions_has_an_example(blank):
    wb = openpyxl.load_workbook(blank)
    for ws in wb.worksheets[1:]:
        examples = [
            c
            for row in ws.iter_rows()
            for c in row
            if isinstance(c.value, str) and c.value.startswith("示例：")
        ]
        assert examples, ws.title
        assert all(c.font.italic for c in examples), ws.title


# --- 填表说明 --------------------------------------------------------------------------


def test_instructions_text(blank):
    ws = openpyxl.load_workbook(blank)["填表说明"]
    lines = [c.value for c in ws["A"]]
    assert lines[0] == "填表说明"
    assert "· 以元填写：上年决算数、项目预算、三公经费补充、政府采购、预算绩效管理。" in lines
    assert "· 以万元填写：公开10表、公开11表、公开12表（项目资金）。" in lines
    assert (
        "· 公开01表–公开09表：以各表表头“金额单位：元”或“金额单位：万元”为准（空白表为元，"
        "可从下拉列表改为万元）；决算软件导出的表可直接粘贴，本工具按表名（如“收入支出决算总表”）"
        "查找，不依赖工作表名称或位置。"
    ) in lines
    assert (
        "5. 增加项目（公开12表）：每个项目一张项目支出绩效自评表。选中公开12表第1行至第26行"
        "（从“项目支出绩效自评表”标题到“总分”下方一行）整行复制，粘贴到这张表下方（隔一个空行，"
        "即第28行起；再增加项目时粘贴到上一张表下方），再填写项目名称、项目资金、目标和指标；"
        "指标行不够时在指标区中间插入整行。表名前可加年度，如“2024年度项目支出绩效自评表”。"
        "没有项目时保持空表即可（项目名称为空的表不读入）。"
    ) in lines
    assert (
        "1. 灰色斜体、以“示例：”开头的行是填写示例，读入时忽略，可保留也可删除；请在其下方的空白行中填写。"
        "补充信息表的“示例”列只作参考，不读入。"
    ) in lines
    assert "3. 年度填四位数字，如 2024；写成“2024年”“2024年度”也可以。" in lines
    # what each sheet is for: one line per sheet, in workbook order
    purposes = [line for line in lines if line and line.startswith("· ") and "：" in line][:26]
    assert purposes[:4] == [
        "· 填表说明：本页。",
        "· 单位基本情况：部门名称、年度与第一部分 部门概况的文字。",
        "· 决算单位构成：纳入本部门决算编制范围的各单位及其单位性质，每行一个单位（本级在前）；"
        "第一部分 二、机构设置之后列出。只有一个单位的部门可不填。",
        "· 上年决算数（金额单位：元）：" + schema.PRIOR.purpose,
    ]
    assert (
        "· 公开12表 项目支出绩效自评表（金额单位：万元）：每个项目一张，项目资金、年度目标、"
        "绩效指标、总分和自评等级。"
    ) in lines
    for sheet in openpyxl.load_workbook(blank).sheetnames:
        assert any(line and line.startswith(f"· {sheet}") for line in lines), sheet


def test_the_block_named_in_the_instructions_is_the_whole_form(blank):
    ws = openpyxl.load_workbook(blank)["公开12表"]
    assert ws["A1"].value == "项目支出绩效自评表"
    assert ws["H25"].value == "总分值" and ws["A25"].value == "总分"
    assert ws.max_row == 26  # 总分 values are the last row of the block


# --- examples ignored ---------------------------------------------------------------


def _minimal(wb, year="2024", nature="公益一类事业单位") -> None:
    kv(wb, "单位基本情况", {"部门名称": "某某市文化馆", "年度": year, "单位性质": nature})
    kv(wb, "单位基本情况", {"主要职能": "组织群众文化活动。", "机构设置": "内设2个部门。"})


def test_example_rows_are_ignored_on_import(blank, tmp_path):
    wb = openpyxl.load_workbook(blank)
    _minimal(wb)
    wb.save(tmp_path / "a.xlsx")
    report, findings = read_report(tmp_path / "a.xlsx")
    # nothing of the examples is read and nothing about them is reported
    assert not [f for f in findings if f.rule.startswith("IN")], findings
    assert report.unit.units == [] and report.unit.member_units == []
    assert report.budgets == {}
    assert report.overall_performance == []
    assert report.projects == []
    assert report.evaluation.sections == [] and report.evaluation.indicators == []
    for key in ("t02", "t03", "t05", "t07", "t08"):
        assert report.tables[key].rows == [], key
    assert not any(report.tables["t06"].total.values())
    assert not any(r.values["amount"] for r in report.tables["t06"].rows)
    assert report.fact("政府采购", "政府采购货物支出") is None  # not the 示例 column's 34029.00


def test_without_the_mark_the_same_rows_are_data(blank, tmp_path):
    """Control: the 示例： mark, not the row's position, is what makes a row ignored."""
    wb = openpyxl.load_workbook(blank)
    _minimal(wb)
    wb["决算单位构成"]["A4"] = "某某市文化和旅游局（本级）"
    wb["项目预算"]["A4"] = "2070109"
    wb["整体绩效自评"]["A4"] = "一、部门基本情况"
    wb.save(tmp_path / "a.xlsx")
    report, findings = read_report(tmp_path / "a.xlsx")
    assert [(u.name, u.nature, str(u.where)) for u in report.unit.units] == [
        ("某某市文化和旅游局（本级）", "行政单位", "决算单位构成!A4")
    ]
    line = report.budgets["2070109"]
    assert (line.initial, line.adjusted) == (D("400000.00"), D("420000.00"))
    assert report.overall_performance == [("一、部门基本情况", "（一）部门概况。某某市文化馆……")]


def test_example_mark_variants():
    assert schema.is_example_row([None, " 示例：2070109", 1])
    assert schema.is_example_row(["示例:2070109"])  # half-width colon
    assert not schema.is_example_row(["2070109", "示例：群众文化"])  # only the first cell
    assert not schema.is_example_row([None, "", None])


# --- 年度 and 单位性质 ------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["2024年", "2024 年度", "２０２４", "2024年度", "2024", 2024])
def test_year_tolerant(blank, tmp_path, typed):
    wb = openpyxl.load_workbook(blank)
    _minimal(wb, year=typed)
    wb.save(tmp_path / "a.xlsx")
    report, findings = read_report(tmp_path / "a.xlsx")
    assert report.unit.year == 2024
    assert not [f for f in findings if f.rule.startswith("IN")]


def test_bad_year_is_one_error(blank, tmp_path):
    wb = openpyxl.load_workbook(blank)
    _minimal(wb, year="24年")
    wb.save(tmp_path / "a.xlsx")
    _report, findings = read_report(tmp_path / "a.xlsx")
    assert [(f.rule, f.where, f.message) for f in findings] == [
        ("IN-33", "单位基本情况!B5", "年度“24年”不是四位年份。")
    ]


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("公益一类事业单位", "公益一类事业单位"),
        ("公益二类事业单位", "公益二类事业单位"),
        ("生产经营类事业单位", "生产经营类事业单位"),
        ("其他", "其他"),
        (" 公益一类 ", "公益一类事业单位"),
        ("参照公务员法管理事业单位", "参照公务员法管理的事业单位"),
        # accepted before issue 14, still accepted as they were
        ("行政单位", "行政单位"),
        ("参照公务员法管理的事业单位", "参照公务员法管理的事业单位"),
        ("事业单位", "事业单位"),
    ],
)
def test_unit_natures_accepted(blank, tmp_path, typed, stored):
    wb = openpyxl.load_workbook(blank)
    _minimal(wb, nature=typed)
    wb.save(tmp_path / "a.xlsx")
    report, findings = read_report(tmp_path / "a.xlsx")
    assert report.unit.nature == stored
    assert not [f for f in findings if f.rule.startswith("IN")]


def test_unknown_nature_is_one_error(blank, tmp_path):
    wb = openpyxl.load_workbook(blank)
    _minimal(wb, nature="公司")
    wb["决算单位构成"]["A5"] = "某某剧团"
    wb["决算单位构成"]["B5"] = "剧团"
    wb["决算单位构成"]["A6"] = "某某站"
    wb.save(tmp_path / "a.xlsx")
    _report, findings = read_report(tmp_path / "a.xlsx")
    assert sorted((f.rule, f.where) for f in findings) == [
        ("IN-32", "决算单位构成!B6"),
        ("IN-34", "决算单位构成!B5"),
        ("IN-34", "单位基本情况!B6"),
    ]
    assert all(f.severity == ERROR for f in findings)


def test_department_nature_for_a_mixed_department():
    """机关运行经费 applies when any unit is 行政/参公; otherwise the department's own nature."""
    assert schema.department_nature("公益一类事业单位", ["公益一类事业单位", "行政单位"]) == (
        "行政单位"
    )
    assert schema.department_nature("行政单位", ["参照公务员法管理的事业单位"]) == "行政单位"
    assert schema.department_nature("公益一类事业单位", ["公益二类事业单位"]) == (
        "公益一类事业单位"
    )
    assert schema.department_nature("事业单位", []) == "事业单位"


# --- documents ------------------------------------------------------------------------


def paragraphs(path: Path) -> list[str]:
    return [
        p.text
        for p in docx.Document(str(path)).paragraphs
        if not p.style.name.lower().startswith("toc")
    ]


def after(paras: list[str], heading: str, n: int) -> list[str]:
    i = paras.index(heading)
    return paras[i + 1 : i + 1 + n]


def test_mixed_department_in_part1(make_workbook, tmp_path):
    def mutate(data):
        data.kv["单位基本情况"]["单位性质"] = "行政单位"
        del data.kv["单位基本情况"]["决算单位构成"]
        data.units = [
            ("玉溪市互联网信息办公室（本级）", "行政单位"),
            ("玉溪市网络安全应急指挥中心", "公益一类事业单位"),
            ("玉溪市信息化发展研究所", "公益二类事业单位"),
        ]

    result = build(make_workbook(mutate), tmp_path)
    paras = paragraphs(result.path)
    assert after(paras, "二、机构设置", 5)[1:] == [
        "纳入玉溪市互联网信息办公室2021年度部门决算编制范围的单位共3个，其中行政单位1个，"
        "参照公务员法管理的事业单位0个，其他事业单位2个，包括：",
        "1.玉溪市互联网信息办公室（本级）（行政单位）",
        "2.玉溪市网络安全应急指挥中心（公益一类事业单位）",
        "3.玉溪市信息化发展研究所（公益二类事业单位）",
    ]
    assert not [p for p in paras if "不适用机关运行经费" in p]


def test_mixed_department_led_by_an_institution_keeps_admin_cost(make_workbook, tmp_path):
    """本级 is a 事业单位 but the department includes a 参公 unit: 十、（一） still reports
    机关运行经费 (it is in 公开09表), and 第一部分 counts the 参公 unit."""

    def mutate(data):
        data.kv["单位基本情况"]["单位性质"] = "公益一类事业单位"
        data.units = [
            ("玉溪市互联网信息办公室（本级）", "公益一类事业单位"),
            ("玉溪市网络安全执法大队", "参照公务员法管理事业单位"),
            ("玉溪市网络文化协会", "其他"),
        ]

    result = build(make_workbook(mutate), tmp_path)
    paras = paragraphs(result.path)
    assert after(paras, "二、机构设置", 2)[1] == (
        "纳入玉溪市互联网信息办公室2021年度部门决算编制范围的单位共3个，其中行政单位0个，"
        "参照公务员法管理的事业单位1个，其他事业单位1个，其他单位1个，包括："
    )
    assert "2.玉溪市网络安全执法大队（参照公务员法管理的事业单位）" in paras
    # both the table and the old one-per-line field: the table is used, the field named
    assert [(f.rule, f.where) for f in result.findings if f.rule == "IN-39"] == [
        ("IN-39", "单位基本情况!B10")
    ]
    assert not [p for p in paras if "不适用机关运行经费" in p]
    assert any(p.startswith("2021年度，玉溪市互联网信息办公室机关运行经费支出") for p in paras)


def test_institution_department_is_not_applicable(make_workbook, tmp_path):
    def mutate(data):
        data.kv["单位基本情况"]["单位性质"] = "公益一类事业单位"

    paras = paragraphs(build(make_workbook(mutate), tmp_path).path)
    assert "玉溪市互联网信息办公室单位性质为公益一类事业单位，不适用机关运行经费情况说明。" in paras


def test_bundled_example_builds_with_its_unit_list(doc_paragraphs):
    assert after(doc_paragraphs, "二、机构设置", 3)[1:] == [
        "纳入玉溪市互联网信息办公室2021年度部门决算编制范围的单位包括：",
        "1.玉溪市互联网信息办公室（本级）",
    ]


# --- a small 事业单位 typed into the blank workbook -------------------------------------

UNIT = "某某市文化馆"

#: 公开02表: code, name, [本年收入合计, 财政拨款收入, 上级补助收入, 事业收入]
T02 = [
    ("207", "文化旅游体育与传媒支出", ["1600000", "1300000", "", "300000"]),
    ("20701", "文化和旅游", ["1600000", "1300000", "", "300000"]),
    ("2070109", "群众文化", ["1600000", "1300000", "", "300000"]),
    ("208", "社会保障和就业支出", ["200000", "200000"]),
    ("20805", "行政事业单位养老支出", ["200000", "200000"]),
    ("2080505", "机关事业单位基本养老保险缴费支出", ["200000", "200000"]),
]
T02_TOTAL = ["1800000", "1500000", "", "300000"]
#: 公开03表: [本年支出合计, 基本支出, 项目支出]
T03 = [
    ("207", "文化旅游体育与传媒支出", ["1600000", "1200000", "400000"]),
    ("20701", "文化和旅游", ["1600000", "1200000", "400000"]),
    ("2070109", "群众文化", ["1600000", "1200000", "400000"]),
    ("208", "社会保障和就业支出", ["200000", "200000"]),
    ("20805", "行政事业单位养老支出", ["200000", "200000"]),
    ("2080505", "机关事业单位基本养老保险缴费支出", ["200000", "200000"]),
]
T03_TOTAL = ["1800000", "1400000", "400000"]
#: 公开05表: 年初(3) | 本年收入 合计, 基本, 项目 | 本年支出 合计, 基本, 人员, 公用, 项目
_G207 = ["", "", "", "1300000", "900000", "400000", "1300000", "900000", "700000", "200000"]
_G207 += ["400000"]
_G208 = ["", "", "", "200000", "200000", "", "200000", "200000", "200000", "", ""]
T05 = [
    ("207", "文化旅游体育与传媒支出", _G207),
    ("20701", "文化和旅游", _G207),
    ("2070109", "群众文化", _G207),
    ("208", "社会保障和就业支出", _G208),
    ("20805", "行政事业单位养老支出", _G208),
    ("2080505", "机关事业单位基本养老保险缴费支出", _G208),
]
T05_TOTAL = ["", "", "", "1500000", "1100000", "400000", "1500000", "1100000", "900000"]
T05_TOTAL += ["200000", "400000"]
T06 = {
    "301": "900000",
    "30101": "500000",
    "30102": "200000",
    "30108": "200000",
    "302": "200000",
    "30201": "100000",
    "30211": "50000",
    "30299": "50000",
}
PRIOR = {
    "收入总计": "1700000",
    "支出总计": "1700000",
    "本年收入合计": "1700000",
    "本年支出合计": "1700000",
    "财政拨款收入总计": "1450000",
    "财政拨款支出总计": "1450000",
    "一般公共预算财政拨款支出": "1450000",
    "一般公共预算财政拨款基本支出": "1080000",
    "一般公共预算财政拨款项目支出": "370000",
    "“三公”经费支出合计": "0",
    "因公出国（境）费": "0",
    "公务用车购置费": "0",
    "公务用车运行维护费": "0",
    "公务接待费": "0",
}
#: two 项目支出绩效自评表 (万元)
PROJECTS = [
    {
        "name": "群众文化活动经费",
        "funds": {
            "年度资金总额": ["25.00", "25.00", "25.00", "10", "100.00", "10.00"],
            "其中：当年财政拨款": ["25.00", "25.00", "25.00"],
        },
        "goals": ("全年举办公益演出50场以上。", "全年举办公益演出56场。"),
        "indicators": [
            ("产出指标", "数量指标", "公益演出场次", "≥", "50", "场", "56", "50", "50", "无"),
            ("效益指标", "社会效益指标", "群众参与人次", "≥", "10000", "人次", "12000", "30", "30"),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90", "%", "95", "10", "10"),
        ],
        "total": ("100.00", "100.00", "优"),
    },
    {
        "name": "文化馆设施维护经费",
        "funds": {
            "年度资金总额": ["18.00", "18.00", "15.00", "10", "83.33", "8.33"],
            "其中：当年财政拨款": ["18.00", "18.00", "15.00"],
        },
        "goals": ("完成场馆设施维护。", "完成主要场馆设施维护，部分项目顺延。"),
        "indicators": [
            (
                "产出指标",
                "质量指标",
                "设施完好率",
                "≥",
                "95",
                "%",
                "92",
                "50",
                "42",
                "部分设备老化",
            ),
            ("效益指标", "社会效益指标", "全年开放天数", "≥", "300", "天", "290", "30", "25"),
            ("满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90", "%", "88", "10", "8"),
        ],
        "total": ("100.00", "83.33", "良"),
    },
]


def find(ws, text: str, col: int | None = None, from_row: int = 1):
    """The first cell whose text is ``text`` (in column ``col`` when given)."""
    want = normalize_label(text)
    for row in ws.iter_rows(min_row=from_row):
        for cell in row:
            if (col is None or cell.column == col) and normalize_label(cell.value) == want:
                return cell
    raise AssertionError(f"{ws.title}: {text} not found")


def num(text: str):
    return D(text) if text else None


def kv(wb, sheet: str, values: dict) -> None:
    ws = wb[sheet]
    for label, value in values.items():
        ws.cell(find(ws, label, col=1).row, 2, value)


def heading(ws) -> None:
    find(ws, "部门：").value = f"部门：{UNIT}"


def coded(ws, rows, total) -> None:
    """Type the 合计 line and the 科目 rows under it (into empty rows; rows are inserted
    only where the form has none, as in the old blank workbook)."""
    heading(ws)
    top = find(ws, "合计", col=1).row
    start = top + 1
    while str(ws.cell(start, 1).value or "").startswith("示例"):
        start += 1
    free = all(
        ws.cell(r, c).value is None for r in range(start, start + len(rows)) for c in range(1, 8)
    )
    if not free:
        ws.insert_rows(start, len(rows))
    for j, v in enumerate(total):
        ws.cell(top, 5 + j, num(v))
    for i, (code, name, vals) in enumerate(rows):
        ws.cell(start + i, 1, code)
        ws.cell(start + i, 4, name)
        for j, v in enumerate(vals):
            ws.cell(start + i, 5 + j, num(v))


def summary(ws, left: dict[str, str], right: dict[str, list[str]]) -> None:
    heading(ws)
    for label, v in left.items():
        ws.cell(find(ws, label, col=1).row, 3, num(v))
    for label, vals in right.items():
        r = find(ws, label, col=4).row
        for j, v in enumerate(vals):
            ws.cell(r, 6 + j, num(v))


def economic(ws) -> None:
    heading(ws)
    for code, v in T06.items():
        cell = find(ws, code)
        ws.cell(cell.row, cell.column + 2, num(v))
    row = find(ws, "人员经费合计", col=1).row
    ws.cell(row, 3, D("900000"))
    ws.cell(row, 9, D("200000"))


def project(ws, top: int, p: dict, indicators: bool = True) -> None:
    ws.cell(find(ws, "项目名称", col=1, from_row=top).row, 3, p["name"])
    ws.cell(find(ws, "主管部门", col=1, from_row=top).row, 3, UNIT)
    ws.cell(find(ws, "实施单位", col=6, from_row=top).row, 8, UNIT)
    for label, vals in p["funds"].items():
        r = find(ws, label, col=2, from_row=top).row
        for j, v in enumerate(vals):
            ws.cell(r, 4 + j, num(v))
    r = find(ws, "预期目标", col=2, from_row=top).row + 1
    ws.cell(r, 2, p["goals"][0])
    ws.cell(r, 6, p["goals"][1])
    if indicators:
        r = find(ws, "一级指标", col=1, from_row=top).row + 1
        while str(ws.cell(r, 1).value or "").startswith("示例"):
            r += 1
        for i, ind in enumerate(p["indicators"]):
            ind = list(ind) + [""] * (10 - len(ind))
            for j, v in enumerate(ind):
                ws.cell(r + i, 1 + j, num(v) if j in (7, 8) else (v or None))
    r = find(ws, "总分值", col=8, from_row=top).row + 1
    for j, v in enumerate(p["total"]):
        ws.cell(r, 8 + j, num(v) if j < 2 else v)


def copy_block(ws, first: int, last: int, to: int) -> None:
    """What a person does in Excel: copy whole rows first..last, paste at row ``to``."""
    off = to - first
    for r in range(first, last + 1):
        ws.row_dimensions[r + off].height = ws.row_dimensions[r].height
        for c in range(1, ws.max_column + 1):
            src, dst = ws.cell(r, c), ws.cell(r + off, c)
            dst.value = src.value
            dst._style = copy.copy(src._style)
    for rng in list(ws.merged_cells.ranges):
        if first <= rng.min_row and rng.max_row <= last:
            ws.merge_cells(
                start_row=rng.min_row + off,
                start_column=rng.min_col,
                end_row=rng.max_row + off,
                end_column=rng.max_col,
            )


def fill_unit(wb, *, old_format: bool) -> None:
    """The small 事业单位 typed in by hand (same figures in either workbook format)."""
    kv(
        wb,
        "单位基本情况",
        {
            "部门名称": UNIT,
            "年度": "2024年",
            "单位性质": "事业单位" if old_format else "公益一类事业单位",
            "主要职能": "组织开展全市群众文化活动，指导基层文化建设。",
            "机构设置": "某某市文化馆内设办公室、活动部2个部门。",
        },
    )
    if old_format:
        kv(wb, "单位基本情况", {"决算单位构成": UNIT})
    else:
        wb["决算单位构成"]["A5"] = UNIT
        wb["决算单位构成"]["B5"] = "公益一类事业单位"
    kv(wb, "上年决算数", {k: D(v) for k, v in PRIOR.items()})
    kv(
        wb,
        "变动原因",
        {"收支总计变动原因": "新增文化惠民演出项目", "财政拨款收支总计变动原因": "项目经费增加"},
    )
    kv(wb, "预算绩效管理", {"编制绩效目标项目数": 2, "开展绩效自评项目数": 2})
    budget = wb["项目预算"]
    first = 5 if not old_format else 4
    for i, row in enumerate(
        [("2070109", "群众文化", "1250000", "1300000"), ("2080505", "", "200000", "200000")]
    ):
        budget.cell(first + i, 1, row[0])
        budget.cell(first + i, 2, row[1] or None)
        budget.cell(first + i, 3, D(row[2]))
        budget.cell(first + i, 4, D(row[3]))
    summary(
        wb["公开01表"],
        {
            "一、一般公共预算财政拨款收入": "1500000",
            "五、事业收入": "300000",
            "本年收入合计": "1800000",
            "总计": "1800000",
        },
        {
            "七、文化旅游体育与传媒支出": ["1600000"],
            "八、社会保障和就业支出": ["200000"],
            "本年支出合计": ["1800000"],
            "总计": ["1800000"],
        },
    )
    summary(
        wb["公开04表"],
        {"一、一般公共预算财政拨款": "1500000", "本年收入合计": "1500000", "总计": "1500000"},
        {
            "七、文化旅游体育与传媒支出": ["1300000", "1300000"],
            "八、社会保障和就业支出": ["200000", "200000"],
            "本年支出合计": ["1500000", "1500000"],
            "总计": ["1500000", "1500000"],
        },
    )
    coded(wb["公开02表"], T02, T02_TOTAL)
    coded(wb["公开03表"], T03, T03_TOTAL)
    coded(wb["公开05表"], T05, T05_TOTAL)
    economic(wb["公开06表"])
    for sheet in ("公开07表", "公开08表", "公开09表"):
        heading(wb[sheet])
    ws = wb["公开12表"]
    if old_format:  # the old form has no indicator rows; one project without them
        project(ws, 1, PROJECTS[0], indicators=False)
    else:  # 填表说明 5.: copy rows 1–26 to row 28, then type both projects
        copy_block(ws, 1, 26, 28)
        project(ws, 1, PROJECTS[0])
        project(ws, 28, PROJECTS[1])


def test_blank_workbook_filled_in_builds(blank, tmp_path):
    wb = openpyxl.load_workbook(blank)
    fill_unit(wb, old_format=False)
    path = tmp_path / "文化馆.xlsx"
    wb.save(path)
    report, findings = read_report(path)
    assert [p.name for p in report.projects] == [PROJECTS[0]["name"], PROJECTS[1]["name"]]
    assert [len(p.indicators) for p in report.projects] == [3, 3]
    assert report.unit.year == 2024 and report.unit.nature == "公益一类事业单位"
    result = build(path, tmp_path / "out")
    assert result.path.name == "2024年度某某市文化馆部门决算公开.docx"
    assert not [f for f in result.findings if f.severity == ERROR or f.rule.startswith("IN")]
    paras = paragraphs(result.path)
    assert after(paras, "二、机构设置", 3) == [
        "某某市文化馆内设办公室、活动部2个部门。",
        "纳入某某市文化馆2024年度部门决算编制范围的单位共1个，其中行政单位0个，"
        "参照公务员法管理的事业单位0个，其他事业单位1个，包括：",
        "1.某某市文化馆（公益一类事业单位）",
    ]
    assert "某某市文化馆单位性质为公益一类事业单位，不适用机关运行经费情况说明。" in paras
    assert "1.群众文化活动经费" in paras and "2.文化馆设施维护经费" in paras
    table = report.tables["t05"]
    assert table.total_of("exp_total") == D("1500000")
    assert [r.code for r in table.rows] == [c for c, _n, _v in T05]


def test_old_format_blank_filled_in_builds(tmp_path):
    """A workbook from the previous ``reportgen init`` (kept as a fixture) still builds."""
    wb = openpyxl.load_workbook(OLD_BLANK)
    assert "决算单位构成" not in wb.sheetnames and "公开10表" not in wb.sheetnames
    assert wb["公开12表"]["A1"].value == "年度项目支出绩效自评表"
    fill_unit(wb, old_format=True)
    path = tmp_path / "旧格式.xlsx"
    wb.save(path)
    result = build(path, tmp_path / "out")
    assert not [f for f in result.findings if f.severity == ERROR]
    paras = paragraphs(result.path)
    assert after(paras, "二、机构设置", 3)[1:] == [
        "纳入某某市文化馆2024年度部门决算编制范围的单位包括：",
        "1.某某市文化馆",
    ]
    assert "某某市文化馆单位性质为事业单位，不适用机关运行经费情况说明。" in paras
    # the old form's title lacked the year ("年度项目支出绩效自评表"): still read
    assert "1.群众文化活动经费" in paras
