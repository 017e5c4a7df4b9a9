"""Printing every table from its layout (issue 15): the Shanghai 2024 nine tables, as the
template prints them, and the 云南 公开01–09表 exactly as before.

The tables are built here as the importer would hand them over (``Table`` objects whose
amounts are in 元 and whose unit is the sheet's), so these tests need no workbook reader:
they read the Word XML back cell by cell (text, column span, vertical merge) and compare
with what the template PDF (/work/shared/references/shanghai-2024-template.pdf) shows.
Amounts are chosen so that 万元 rounding is visible: 12,345,678.90 元 prints 1,234.57.
"""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal as D

import pytest
from docx.shared import Cm
from lxml import etree

from reportgen.document import build_docx
from reportgen.layouts import BY_KEY, LayoutError, fill
from reportgen.model import Cell, Row, Table
from reportgen.narrative import Block, load_pack

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DEPT = "上海市某某区文化和旅游局"


def _cell(ref: str = "A1") -> Cell:
    return Cell("sheet", ref)


def _row(code: str, name: str, **values: str) -> Row:
    return Row(code, name, {k: D(v) for k, v in values.items()}, {}, _cell())


def _items(**rows: dict[str, str]) -> dict[str, dict[str, D]]:
    return {k.replace("__", ":"): {c: D(v) for c, v in cols.items()} for k, cols in rows.items()}


def shanghai_tables(department: str = DEPT) -> dict[str, Table]:
    """The nine Shanghai tables with made-up amounts (元), unit 万元; 政府性基金 and
    国有资本经营 empty, so their 说明 prints."""
    lay = {t.key: t for t in load_pack("shanghai-2024").tables}

    def table(key: str, **kw) -> Table:
        return Table(lay[key], lay[key].title, "万元", department, _cell(), **kw)

    coded_rows = [
        _row("205", "教育支出", total="11000000", fiscal="10500000", business="500000"),
        _row("20502", "普通教育", total="11000000", fiscal="10500000", business="500000"),
        _row("2050205", "高等教育", total="11000000", fiscal="10500000", business="500000"),
        _row("207", "文化旅游体育与传媒支出", total="1858023.90", fiscal="1845678.90"),
        _row("20799", "其他文化旅游体育与传媒支出", total="1858023.90", fiscal="1845678.90"),
        _row("2079999", "其他文化旅游体育与传媒支出", total="1858023.90", fiscal="1845678.90"),
    ]
    gpb_rows = [
        _row("205", "教育支出", exp_total="10500000", exp_basic="8000000", exp_project="2500000"),
        _row("2050205", "高等教育", exp_total="10500000", exp_basic="8000000"),
    ]
    return {
        "t01": table(
            "t01",
            rows=[_row("205", "", amount="11000000"), _row("207", "", amount="1500000.05")],
            items=_items(
                gpb={"amount": "12345678.90"},
                business={"amount": "500000"},
                other={"amount": "12345"},
                income_total={"amount": "12858023.90"},
                open_balance={"amount": "1000000"},
                grand_total={"amount": "13858023.90"},
                R__expense_total={"amount": "12500000.05"},
                R__close_balance={"amount": "1358023.85"},
                R__grand_total={"amount": "13858023.90"},
            ),
        ),
        "t02": table(
            "t02",
            rows=coded_rows,
            total={"total": D("12858023.90"), "fiscal": D("12345678.90"), "business": D("500000")},
        ),
        "t03": table("t03", rows=[], total={}),
        "t04": table(
            "t04",
            rows=[_row("205", "", total="10500000", gpb="10500000")],
            items=_items(
                gpb={"amount": "12345678.90"},
                income_total={"amount": "12345678.90"},
                grand_total={"amount": "12345678.90"},
                R__expense_total={"total": "10500000", "gpb": "10500000"},
                R__close_fiscal={"total": "1845678.90", "gpb": "1845678.90"},
                R__grand_total={"total": "12345678.90", "gpb": "12345678.90"},
            ),
        ),
        "t05": table(
            "t05",
            rows=gpb_rows,
            total={
                "exp_total": D("10500000"),
                "exp_basic": D("8000000"),
                "exp_project": D("2500000"),
            },
        ),
        "t06": table(
            "t06",
            rows=[
                _row("301", "工资福利支出", amount="6000000"),
                _row("30101", "基本工资", amount="2345678.91"),
                _row("302", "商品和服务支出", amount="1900000"),
                _row("310", "资本性支出", amount="100000"),
                _row("31099", "其他资本性支出", amount="100000"),
            ],
            total={"personnel": D("6000000"), "public": D("2000000")},
        ),
        "t07": table("t07", rows=[], total={}),
        "t08": table("t08", rows=[], total={}),
        "t09": table(
            "t09",
            items=_items(
                sg_total={"budget": "200000", "actual": "185432.10"},
                abroad={"budget": "0", "actual": "0"},
                car_total={"budget": "150000", "actual": "140000"},
                car_purchase={"budget": "0", "actual": "0"},
                car_operation={"budget": "150000", "actual": "140000"},
                reception={"budget": "50000", "actual": "45432.10"},
            ),
        ),
    }


def build(tables: dict[str, Table], pack: str = "shanghai-2024") -> bytes:
    blocks = [Block("heading", text="第二部分 决算表", level=1)]
    blocks += [Block("table", ref=key) for key in tables]
    return build_docx(load_pack(pack), "测试", blocks, {}, {}, tables)


def body(docx_bytes: bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        return etree.fromstring(z.read("word/document.xml")).find(f"{W}body")


def _text(el) -> str:
    out = []
    for run in el.iter(f"{W}r"):  # a run's tab is text; a paragraph's tab stops are not
        for node in run.iterchildren(f"{W}t", f"{W}tab"):
            out.append("\t" if node.tag == f"{W}tab" else node.text or "")
    return "".join(out)


def grid(tbl) -> list[list[str]]:
    """Each row as its cells: text, "<n" for a span of n columns, "^" below a vertical
    merge (so a test sees exactly which cells are merged)."""
    rows = []
    for tr in tbl.iter(f"{W}tr"):
        cells = []
        for tc in tr.iter(f"{W}tc"):
            pr = tc.find(f"{W}tcPr")
            span = pr.find(f"{W}gridSpan")
            vm = pr.find(f"{W}vMerge")
            text = "^" if vm is not None and vm.get(f"{W}val") != "restart" else _text(tc)
            if span is not None:
                text += f"<{span.get(W + 'val')}"
            cells.append(text)
        rows.append(cells)
    return rows


def widths(tbl) -> list[int]:
    return [int(g.get(f"{W}w")) for g in tbl.iter(f"{W}gridCol")]


def printed(docx_bytes: bytes) -> dict[str, dict]:
    """Per table title: the meta line, the grid, the column widths, the notes after it."""
    out: dict[str, dict] = {}
    current = None
    for el in body(docx_bytes):
        if el.tag == f"{W}p":
            style = el.find(f"{W}pPr/{W}pStyle")
            sid = style.get(f"{W}val") if style is not None else ""
            if sid == "TableTitle":
                current = out.setdefault(_text(el), {"notes": []})
            elif sid == "TableMeta" and current is not None:
                current["meta"] = _text(el)
            elif sid == "TableNote" and current is not None:
                current["notes"].append(_text(el))
        elif el.tag == f"{W}tbl" and current is not None:
            current["grid"] = grid(el)
            current["widths"] = widths(el)
    return out


@pytest.fixture(scope="module")
def shanghai() -> dict[str, dict]:
    return printed(build(shanghai_tables()))


# --- Shanghai: what the template prints ----------------------------------------------


def test_meta_line_is_the_unit_alone(shanghai):
    assert len(shanghai) == 9
    for title, t in shanghai.items():
        assert t["meta"] == "\t单位：万元", title


def test_summary_without_line_numbers(shanghai):
    g = shanghai["收入支出决算总表"]["grid"]
    assert g[0] == ["收入<2", "支出<2"]
    assert g[1] == ["项目", "决算数", "项目", "决算数"]
    # no 栏次 row: the first body row follows the header
    assert g[2] == ["一、一般公共预算财政拨款收入", "1,234.57", "一、一般公共服务支出", ""]
    assert g[6] == ["五、事业收入", "50.00", "五、教育支出", "1,100.00"]
    assert g[8] == ["七、附属单位上缴收入", "", "七、文化旅游体育与传媒支出", "150.00"]
    assert g[9] == ["八、其他收入", "1.23", "八、社会保障和就业支出", ""]
    assert g[10] == ["", "", "九、卫生健康支出", ""]
    # the 24 classes of the template (no 债务还本/付息), then the four total rows
    assert g[25] == ["", "", "二十四、抗疫特别国债安排的支出", ""]
    assert g[26:] == [
        ["本年收入合计", "1,285.80", "本年支出合计", "1,250.00"],
        ["使用非财政拨款结余", "", "结余分配", ""],
        ["年初结转和结余", "100.00", "年末结转和结余", "135.80"],
        ["总计", "1,385.80", "总计", "1,385.80"],
    ]
    assert len(g) == 30
    assert shanghai["收入支出决算总表"]["notes"] == [
        "注：本表反映部门本年度的总收支和年末结转结余情况。"
    ]


def test_fiscal_summary_has_four_right_columns(shanghai):
    g = shanghai["财政拨款收入支出决算总表"]["grid"]
    assert g[0] == ["收入<2", "支出<5"]
    assert g[1] == [
        "项目",
        "决算数",
        "项目",
        "合计",
        "一般公共预算财政拨款",
        "政府性基金预算财政拨款",
        "国有资本经营预算财政拨款",
    ]
    assert g[2] == ["一、一般公共预算财政拨款", "1,234.57", "一、一般公共服务支出", "", "", "", ""]
    assert g[6] == ["", "", "五、教育支出", "1,050.00", "1,050.00", "", ""]
    assert g[26:] == [
        ["本年收入合计", "1,234.57", "本年支出合计", "1,050.00", "1,050.00", "", ""],
        ["年初财政拨款结转和结余", "", "年末财政拨款结转和结余", "184.57", "184.57", "", ""],
        ["一、一般公共预算财政拨款", "", "", "", "", "", ""],
        ["二、政府性基金预算财政拨款", "", "", "", "", "", ""],
        ["三、国有资本经营预算财政拨款", "", "", "", "", "", ""],
        ["总计", "1,234.57", "总计", "1,234.57", "1,234.57", "", ""],
    ]


def test_coded_one_code_column_total_on_top(shanghai):
    g = shanghai["收入决算表"]["grid"]
    assert g[0] == [
        "项目<2",
        "本年收入合计",
        "财政拨款收入",
        "上级补助收入",
        "事业收入",
        "经营收入",
        "附属单位上缴收入",
        "其他收入",
    ]
    assert g[1] == ["功能分类科目编码", "科目名称"] + ["^"] * 7
    assert g[2] == ["合计<2", "1,285.80", "1,234.57", "", "50.00", "", "", ""]
    assert g[3] == ["205", "教育支出", "1,100.00", "1,050.00", "", "50.00", "", "", ""]
    assert g[8] == [
        "2079999",
        "其他文化旅游体育与传媒支出",
        "185.80",
        "184.57",
        "",
        "",
        "",
        "",
        "",
    ]
    assert len(g) == 9


def test_coded_total_at_the_bottom(shanghai):
    g = shanghai["一般公共预算财政拨款支出决算表"]["grid"]
    assert g[0] == ["项目<2", "合计", "基本支出", "项目支出"]
    assert g[1] == ["功能分类科目编码", "科目名称", "^", "^", "^"]
    assert g[2] == ["205", "教育支出", "1,050.00", "800.00", "250.00"]
    assert g[3] == ["2050205", "高等教育", "1,050.00", "800.00", ""]
    assert g[4] == ["合计<2", "1,050.00", "800.00", "250.00"]
    assert len(g) == 5


def test_empty_coded_table_keeps_header_total_and_its_note(shanghai):
    t = shanghai["政府性基金预算财政拨款收入支出决算表"]
    assert t["grid"][0] == ["项目<2", "年初结转和结余", "本年收入", "本年支出<3", "年末结转和结余"]
    assert t["grid"][1] == [
        "功能分类科目编码",
        "科目名称",
        "^",
        "^",
        "合计",
        "基本支出",
        "项目支出",
        "^",
    ]
    assert t["grid"][2] == ["合计<2", "", "", "", "", "", ""]
    assert t["notes"] == [
        "注：本表反映部门本年度政府性基金预算财政拨款收入支出及结转和结余情况。",
        "说明：上海市某某区文化和旅游局本年度没有政府性基金预算财政拨款收入和支出，故本表无数据。",
    ]
    assert shanghai["国有资本经营预算财政拨款收入支出决算表"]["notes"][1] == (
        "说明：上海市某某区文化和旅游局本年度没有国有资本经营预算财政拨款收入和支出，故本表无数据。"
    )
    # a table with data has no 说明
    assert shanghai["收入决算表"]["notes"] == ["注：本表反映部门本年度取得的各项收入情况。"]


def test_economic_two_groups(shanghai):
    g = shanghai["一般公共预算财政拨款基本支出决算表"]["grid"]
    assert g[0] == ["经济分类科目编码", "科目名称", "决算数"] * 2
    assert g[1] == ["301", "工资福利支出", "600.00", "302", "商品和服务支出", "190.00"]
    assert g[2] == ["30101", "基本工资", "234.57", "30201", "", ""]
    # the first group has 27 codes, the second 38: below 30399 the left side is empty
    assert g[27] == ["30399", "", "", "30240", "", ""]
    assert g[28] == ["", "", "", "30299", "", ""]
    assert g[29] == ["", "", "", "310", "资本性支出", "10.00"]
    assert g[38] == ["", "", "", "31099", "其他资本性支出", "10.00"]
    assert g[39] == ["人员经费合计<2", "600.00", "公用经费合计<2", "200.00"]
    assert len(g) == 40


def test_pairs_header_and_one_row(shanghai):
    g = shanghai["财政拨款“三公”经费支出决算表"]["grid"]
    assert g[0] == ["财政拨款“三公”经费<12"]
    assert g[1] == ["合计<2", "因公出国（境）费<2", "公务用车购置及运行维护费<6", "公务接待费<2"]
    assert g[2] == ["^<2", "^<2", "小计<2", "公务用车购置费<2", "公务用车运行维护费<2", "^<2"]
    assert g[3] == ["预算数", "决算数"] * 6
    assert g[4] == ["20.00", "18.54", "", "", "15.00", "14.00", "", "", "15.00", "14.00"] + [
        "5.00",
        "4.54",
    ]
    assert len(g) == 5


def test_shanghai_widths_follow_shape_not_yunnan_keys(shanghai):
    """Each table fills the text width (15.6 cm portrait, 24.7 cm landscape) with its own
    columns; the 云南 widths of t01/t04/t06/t09 do not leak onto the Shanghai tables."""
    portrait, landscape = Cm(15.6).twips, Cm(24.7).twips
    t01 = shanghai["收入支出决算总表"]["widths"]
    # 项目 wide enough for “三、国有资本经营预算财政拨款收入” on one line at 9 pt
    assert t01 == [pytest.approx(Cm(w).twips, abs=2) for w in (5.6, 2.4, 5.2, 2.4)]
    assert sum(t01) == pytest.approx(portrait, abs=4)
    t04 = shanghai["财政拨款收入支出决算总表"]["widths"]
    assert len(t04) == 7 and t04[3:] == [t04[3]] * 4 and t04[1] == t04[3]
    assert sum(t04) == pytest.approx(landscape, abs=8)
    t06 = shanghai["一般公共预算财政拨款基本支出决算表"]["widths"]
    assert len(t06) == 6 and t06[:3] == t06[3:]
    t09 = shanghai["财政拨款“三公”经费支出决算表"]["widths"]
    assert len(t09) == 12 and len(set(t09)) == 1
    assert sum(t09) == pytest.approx(landscape, abs=12)
    t02 = shanghai["收入决算表"]["widths"]
    assert len(t02) == 9 and t02[2:] == [t02[2]] * 7
    assert t02[0] / t02[2] == pytest.approx(1.8 / 2.6, abs=0.01)


def test_orientation_follows_the_layout():
    """收入支出决算总表, 一般公共预算财政拨款(基本)支出决算表 portrait; the others
    landscape: a section ends wherever the orientation changes."""
    root = body(build(shanghai_tables()))
    orients = []
    for sect in root.iter(f"{W}sectPr"):
        pg = sect.find(f"{W}pgSz")
        orients.append("landscape" if pg.get(f"{W}orient") == "landscape" else "portrait")
    # 目录/heading + t01 portrait | t02 t03 t04 landscape | t05 t06 portrait | t09 t07 t08
    assert orients == ["portrait", "landscape", "portrait", "landscape"]


# --- user text and layout text ---------------------------------------------------------


def test_department_is_inserted_as_text():
    tables = shanghai_tables(department="上海市{x}局{{}}<w:t>")
    t = printed(build({"t07": tables["t07"]}))["政府性基金预算财政拨款收入支出决算表"]
    assert t["notes"][1] == (
        "说明：上海市{x}局{{}}<w:t>本年度没有政府性基金预算财政拨款收入和支出，故本表无数据。"
    )


def test_fill_rejects_unknown_fields():
    assert fill("部门：{department}\t{number}", "t", department="{a}", number="公开01表") == (
        "部门：{a}\t公开01表"
    )
    with pytest.raises(LayoutError, match=r"tables/t01.toml.*\{dept\}.*只能用 \{department\}"):
        fill("部门：{dept}", "tables/t01.toml", department="x")
    with pytest.raises(LayoutError, match="花括号不成对"):
        fill("部门：{", "tables/t01.toml", department="x")


# --- 云南: unchanged --------------------------------------------------------------------


def yunnan_tables() -> dict[str, Table]:
    def table(key: str, **kw) -> Table:
        return Table(BY_KEY[key], BY_KEY[key].number, "元", "玉溪市某某办公室", _cell(), **kw)

    return {
        "t01": table(
            "t01",
            rows=[_row("201", "", amount="1234567.89")],
            items=_items(gpb={"amount": "1234567.89"}, R__grand_total={"amount": "1234567.89"}),
        ),
        "t02": table(
            "t02",
            rows=[_row("201", "一般公共服务支出", total="1234567.89", fiscal="1234567.89")],
            total={"total": D("1234567.89"), "fiscal": D("1234567.89")},
        ),
        "t06": table(
            "t06",
            rows=[_row("30101", "基本工资", amount="1000")],
            total={"personnel": D("1000"), "public": D("0")},
        ),
        "t07": table("t07", rows=[], total={}),
        "t09": table(
            "t09",
            items=_items(
                sg_total={"budget": "5000", "actual": "4321.5"},
                abroad_groups={"actual": "2"},
                cars_held={"actual": "0"},
            ),
        ),
    }


@pytest.fixture(scope="module")
def yunnan() -> dict[str, dict]:
    return printed(build(yunnan_tables(), pack="sichuan-2021"))


def test_yunnan_meta_line_and_empty_note(yunnan):
    assert yunnan["收入支出决算总表"]["meta"] == "部门：玉溪市某某办公室\t公开01表    金额单位：元"
    assert yunnan["政府性基金预算财政拨款收入支出决算表"]["notes"][-1] == (
        "本单位本年度无政府性基金预算财政拨款收入支出，故此表为空。"
    )


def test_yunnan_summary_keeps_line_numbers_and_column_row(yunnan):
    g = yunnan["收入支出决算总表"]["grid"]
    assert g[2] == ["栏次<2", "1", "栏次<2", "2"]
    assert g[3] == [
        "一、一般公共预算财政拨款收入",
        "1",
        "1,234,567.89",
        "一、一般公共服务支出",
        "31",
        "1,234,567.89",
    ]
    assert g[28] == ["", "26", "", "二十六、抗疫特别国债安排的支出", "56", ""]
    assert g[-1] == ["总计", "30", "", "总计", "60", "1,234,567.89"]


def test_yunnan_coded_three_code_columns(yunnan):
    g = yunnan["收入决算表"]["grid"]
    assert g[3] == ["栏次<4", "1", "2", "3", "4", "5", "6", "7", "8"]
    assert g[4] == ["合计<4", "1,234,567.89", "1,234,567.89", "", "", "", "", "", ""]
    assert g[5] == ["201<3", "一般公共服务支出", "1,234,567.89", "1,234,567.89"] + [""] * 6


def test_yunnan_economic_three_groups_and_items(yunnan):
    g = yunnan["一般公共预算财政拨款基本支出决算表"]["grid"]
    assert g[2][:3] == ["301", "", ""] and g[3][:3] == ["30101", "基本工资", "1,000.00"]
    assert g[-1] == ["人员经费合计<2", "1,000.00", "公用经费合计<5", ""]
    g = yunnan["“三公”经费、行政参公单位机关运行经费情况表"]["grid"]
    assert g[1] == ["栏次", "", "1", "2"]
    assert g[2] == ["一、“三公”经费支出", "1", "—", "—"]
    assert g[3] == ["（一）支出合计", "2", "5,000.00", "4,321.50"]
    assert g[12] == ["（二）相关统计数", "11", "—", "—"]
    assert g[13] == ["1. 因公出国（境）团组数（个）", "12", "—", "2"]
    assert g[16] == ["4. 公务用车保有量（辆）", "15", "—", ""]
