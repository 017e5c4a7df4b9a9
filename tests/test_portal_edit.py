"""reportgen.portal.edit: the free-text cells of a workbook, listed and written back.

On the 云南 example and the Shanghai fixture: exact keys, cells and labels; an edit reaches
the document built from the written workbook; "=1+1" and "<script>" stay literal text;
every other cell, style, validation, width and part of the workbook is as it was; bad
values are refused naming the field; a legacy .xls is refused with what to do.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from copy import copy
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import EXAMPLE, ROOT
from export_fixture import xlsx_to_xls

from reportgen import build, check
from reportgen.inputs import read_report
from reportgen.portal.edit import (
    EXCEL_MAX_CHARS,
    Change,
    EditError,
    TextField,
    apply_texts,
    editable_texts,
)
from reportgen.profiles import choose
from reportgen.sheets import load_grids
from reportgen.workbook import write_blank_workbook

SHANGHAI = ROOT / "tests" / "fixtures" / "shanghai-2024" / "shanghai-2024-whole.xlsx"

FUNCTIONS = "负责全市网络安全和信息化工作的统筹协调。\n指导推进党政部门做好网络安全保障工作。"
REASON = "新增网络安全应急指挥平台建设项目"
YUNNAN_EDITS = {
    "单位基本情况/主要职能": FUNCTIONS + "  \n\n",  # trailing spaces and lines are dropped
    "变动原因/收支总计变动原因": REASON,
    # the example's 变动原因 sheet has no row for this field: it is appended (row 13)
    "变动原因/一般公共预算财政拨款支出决算与预算差异原因": "=1+1",
    "政府采购/主要用途": "<script>alert(1)</script>",
}


def paragraphs(path: Path) -> list[str]:
    return [
        p.text
        for p in docx.Document(str(path)).paragraphs
        if not p.style.name.lower().startswith("toc")
    ]


def values(path: Path) -> dict[tuple[str, str], object]:
    """Every non-empty cell value of every sheet, by (sheet, cell), as the build reads them."""
    grids, _ = load_grids(path)
    return {
        (g.name, g.cell(r, c).ref): v
        for g in grids
        for r, row in enumerate(g.rows)
        for c, v in enumerate(row)
        if v is not None
    }


def look(cell) -> tuple:
    """A cell's format, comparable across workbooks (openpyxl's style proxies are not)."""
    return (
        cell.number_format,
        *(copy(x) for x in (cell.font, cell.fill, cell.border, cell.alignment, cell.protection)),
    )


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def sheet_xml(path: Path, sheet: str) -> str:
    """The XML of one sheet (found through workbook.xml, as Excel names it)."""
    wb = openpyxl.load_workbook(path, read_only=True)
    index = wb.sheetnames.index(sheet)
    wb.close()
    with zipfile.ZipFile(path) as zf:
        return zf.read(f"xl/worksheets/sheet{index + 1}.xml").decode()


@pytest.fixture(scope="module")
def yunnan_fields() -> list[TextField]:
    return editable_texts(EXAMPLE)


@pytest.fixture(scope="module")
def shanghai_fields() -> list[TextField]:
    return editable_texts(SHANGHAI)


@pytest.fixture(scope="module")
def example_book():
    return openpyxl.load_workbook(EXAMPLE)


@pytest.fixture(scope="module")
def yunnan_edited(tmp_path_factory):
    """The example with YUNNAN_EDITS written, the changes reported, and its document."""
    folder = tmp_path_factory.mktemp("edited")
    out = folder / "edited.xlsx"
    changes = apply_texts(EXAMPLE, YUNNAN_EDITS, out)
    result = build(out, folder / "doc")
    return out, changes, result


# --- listing ---------------------------------------------------------------------------


def test_yunnan_fields_are_the_free_text_cells(yunnan_fields):
    by_key = {f.key: f for f in yunnan_fields}
    codes = [
        "2013701", "2013702", "2013750", "2013799", "2059999", "2069999", "2080505",
        "2080506", "2101101", "2101102", "2101103", "2150516", "2210201", "2210203",
    ]  # fmt: skip
    assert [f.key for f in yunnan_fields] == [
        "单位基本情况/主要职能",
        "单位基本情况/重点工作完成情况",
        "单位基本情况/机构设置",
        *(f"项目预算/决算数与预算数差异原因/{c}" for c in codes),
        "变动原因/收支总计变动原因",
        "变动原因/财政拨款收支总计变动原因",
        "变动原因/一般公共预算财政拨款支出变动原因",
        "变动原因/一般公共预算财政拨款支出决算与预算差异原因",
        "变动原因/“三公”经费决算与预算差异原因",
        "变动原因/“三公”经费变动原因",
        "变动原因/因公出国（境）费变动原因",
        "变动原因/公务用车购置及运行维护费变动原因",
        "变动原因/公务接待费变动原因",
        "变动原因/机关运行经费变动原因",
        "政府采购/主要用途",
        "预算绩效管理/绩效管理其他说明",
    ]
    functions = by_key["单位基本情况/主要职能"]
    assert (functions.cell, functions.label, functions.multiline, functions.row_exists) == (
        "单位基本情况!B7",
        "主要职能",
        True,  # 可分段
        True,
    )
    assert functions.value.startswith("玉溪市互联网信息办公室（中共玉溪市委网络安全和信息化")
    assert functions.max_length == EXCEL_MAX_CHARS == 32767
    reason = by_key["变动原因/收支总计变动原因"]
    assert (reason.cell, reason.label, reason.value, reason.multiline) == (
        "变动原因!B4",
        "收支总计变动原因",
        "政府性基金预算安排的信息化建设项目增加",
        False,
    )
    # the sheet stops at row 12 without this field: it is offered in the row after
    missing = by_key["变动原因/一般公共预算财政拨款支出决算与预算差异原因"]
    assert (missing.cell, missing.value, missing.row_exists) == ("变动原因!B13", "", False)
    budget = by_key["项目预算/决算数与预算数差异原因/2013799"]
    assert (budget.cell, budget.label, budget.row_label, budget.value) == (
        "项目预算!E7",
        "决算数与预算数差异原因",
        "2013799 其他网信事务支出",
        "部分专项业务费因合同尚未履行完毕，未在年内支付",
    )
    assert by_key["项目预算/决算数与预算数差异原因/2013701"].value == ""


def test_no_amount_code_choice_or_name_is_offered(yunnan_fields, shanghai_fields):
    labels = {f.label for f in yunnan_fields + shanghai_fields}
    for not_text in ("部门名称", "年度", "单位性质", "科目编码", "科目名称", "收入总计",
                     "车辆总数", "部门整体绩效自评", "因公出国（境）团组数", "资金性质"):  # fmt: skip
        assert not_text not in labels
    # the legacy one-per-line 决算单位构成 (B10 of the example) is not prose either
    assert "决算单位构成" not in labels
    sheets = {f.sheet for f in yunnan_fields + shanghai_fields}
    assert not any(re.match(r"^(公开\d\d表|表\d)$", s) for s in sheets)


def test_shanghai_fields_keyed_by_field_labelled_as_shown(shanghai_fields):
    by_key = {f.key: f for f in shanghai_fields}
    assert [f.key for f in shanghai_fields if f.sheet != "项目预算"] == [
        "单位基本情况/主要职能",
        "单位基本情况/机构设置",
        "变动原因/收支总计变动原因",
        "变动原因/财政拨款收支总计变动原因",
        "变动原因/一般公共预算财政拨款支出变动原因",
        "变动原因/一般公共预算财政拨款支出决算与预算差异原因",
        "变动原因/“三公”经费决算与预算差异原因",
        "变动原因/“三公”经费变动原因",
        "变动原因/因公出国（境）费变动原因",
        "变动原因/公务用车购置及运行维护费变动原因",
        "变动原因/公务接待费变动原因",
        "变动原因/机关运行经费变动原因",
        "三公经费补充/因公出国（境）费开支内容",
        "三公经费补充/公务用车购置用途",
        "三公经费补充/公务用车运行维护费用途",
        "三公经费补充/公务接待费用途",
        "预算绩效管理/预算绩效管理制度",
        "预算绩效管理/预算绩效管理工作机制",
        "名词解释补充/事业收入主要内容",
        "名词解释补充/经营收入主要内容",
        "名词解释补充/其他收入主要内容",
    ]
    # the key is the field's (the wording's) name, the label what column A says
    total = by_key["变动原因/收支总计变动原因"]
    assert (total.cell, total.label) == ("变动原因!B4", "收入支出总计变动原因")
    assert (
        total.value == "上年安排的公共文化设施改造项目本年基本完成，政府性基金预算财政拨款收入减少"
    )
    purpose = by_key["项目预算/主要用于/政府性基金:2120803"]
    assert (purpose.cell, purpose.label, purpose.row_label, purpose.value) == (
        "项目预算!D16",
        "主要用于",
        "政府性基金 2120803 城市建设支出",
        "区级公共文化设施和历史风貌保护区环境改造工程",
    )
    reason = by_key["项目预算/决算数与预算数差异原因/2070101"]
    assert (reason.cell, reason.row_label) == ("项目预算!G4", "一般公共预算 2070101 行政运行")
    assert by_key["预算绩效管理/预算绩效管理制度"].multiline  # 多个用顿号或换行分开
    assert by_key["名词解释补充/经营收入主要内容"].value == ""
    assert len([f for f in shanghai_fields if f.sheet == "项目预算"]) == 2 * 14


def test_profile_named_or_given_lists_the_same(shanghai_fields):
    grids, _ = load_grids(SHANGHAI)
    pack = choose(grids)
    assert editable_texts(SHANGHAI, pack) == shanghai_fields
    assert editable_texts(SHANGHAI, "shanghai-2024") == shanghai_fields


# --- writing ---------------------------------------------------------------------------


def test_changes_are_returned_in_listing_order(yunnan_edited, yunnan_fields):
    _out, changes, _result = yunnan_edited
    old = {f.key: f.value for f in yunnan_fields}
    assert changes == [
        Change("单位基本情况/主要职能", old["单位基本情况/主要职能"], FUNCTIONS),
        Change("变动原因/收支总计变动原因", "政府性基金预算安排的信息化建设项目增加", REASON),
        Change("变动原因/一般公共预算财政拨款支出决算与预算差异原因", "", "=1+1"),
        Change(
            "政府采购/主要用途",
            "主要用于办公设备购置和电子政务基础网络运维服务",
            "<script>alert(1)</script>",
        ),
    ]


def test_edits_are_read_back_and_printed(yunnan_edited):
    out, _changes, result = yunnan_edited
    report, findings = read_report(out)
    assert report.unit.functions == FUNCTIONS
    assert report.reasons["收支总计变动原因"] == REASON
    assert report.reasons["一般公共预算财政拨款支出决算与预算差异原因"] == "=1+1"
    assert report.facts["政府采购"]["主要用途"] == "<script>alert(1)</script>"
    # the appended row is read like the others: no "unknown item" warning
    assert not [f for f in findings if f.rule == "IN-31"]
    text = paragraphs(result.path)
    i = text.index("（一）主要职能。")
    assert text[i + 1 : i + 3] == FUNCTIONS.split("\n")
    assert (
        "2021年度收、支总计均为2043.42万元。与2020年度相比，收、支总计增加187.19万元，增长10.08%。"
        f"主要变动原因是{REASON}。"
    ) in text
    assert (
        "2021年度一般公共预算财政拨款支出全年预算为1549.27万元，支出决算为1543.34万元，"
        "完成全年预算的99.62%，决算数小于预算数，主要原因是=1+1。其中："
    ) in text
    assert (
        "2021年度，玉溪市互联网信息办公室政府采购支出总额144.95万元，其中：政府采购货物支出3.40万元、"
        "政府采购工程支出0.00万元、政府采购服务支出141.55万元。<script>alert(1)</script>。"
    ) in text


@pytest.fixture(scope="module")
def edited_book(yunnan_edited):
    return openpyxl.load_workbook(yunnan_edited[0])


def test_formula_text_stays_a_string_excel_will_not_evaluate(yunnan_edited, edited_book):
    out, _changes, _result = yunnan_edited
    cell = edited_book["变动原因"]["B13"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)
    assert edited_book["变动原因"]["A13"].value == "一般公共预算财政拨款支出决算与预算差异原因"
    xml = sheet_xml(out, "变动原因")
    b13 = re.search(r'<c r="B13"[^>]*>.*?</c>', xml).group()
    # an inline string, no <f>: Excel shows the text; quotePrefix keeps it text when edited
    assert 't="inlineStr"' in b13 and "<f>" not in b13 and "<is><t" in b13
    script = re.search(r'<c r="B9"[^>]*>.*?</c>', sheet_xml(out, "政府采购")).group()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in script
    grids, _ = load_grids(out)  # calamine, the reader the build uses
    sheet = next(g for g in grids if g.name == "变动原因")
    assert sheet.rows[12][:2] == ["一般公共预算财政拨款支出决算与预算差异原因", "=1+1"]


def test_appended_row_looks_like_the_rows_above(edited_book, example_book):
    ws, before = edited_book["变动原因"], example_book["变动原因"]
    assert look(ws["A13"]) == look(before["A12"])
    # B13 is B12's format with quotePrefix (its text starts with "=")
    assert look(ws["B13"]) == look(before["B12"]) and ws["B13"].quotePrefix
    assert not before["B12"].quotePrefix
    assert ws.dimensions == "A1:D13"


def test_every_other_cell_and_part_is_unchanged(yunnan_edited):
    out, _changes, _result = yunnan_edited
    edited = {
        ("单位基本情况", "B7"),
        ("变动原因", "B4"),
        ("变动原因", "A13"),
        ("变动原因", "B13"),
        ("政府采购", "B9"),
    }
    before, after = values(EXAMPLE), values(out)
    assert {k: v for k, v in before.items() if k not in edited} == {
        k: v for k, v in after.items() if k not in edited
    }
    assert after[("单位基本情况", "B7")] == FUNCTIONS
    # the package: only the three edited sheets and styles.xml (the quotePrefix format)
    a, b = members(EXAMPLE), members(out)
    assert list(a) == list(b)
    changed = sorted(n for n in a if a[n] != b[n])
    assert changed == [
        "xl/styles.xml",
        "xl/worksheets/sheet2.xml",  # 单位基本情况
        "xl/worksheets/sheet5.xml",  # 变动原因
        "xl/worksheets/sheet7.xml",  # 政府采购
    ]
    # a build from the edited workbook reports what the example reports, nothing more
    assert {(f.rule, f.where) for f in check(out)[1]} == {
        (f.rule, f.where) for f in check(EXAMPLE)[1]
    }


def test_styles_validations_widths_merges_and_formats_are_kept(tmp_path):
    blank = tmp_path / "blank.xlsx"
    write_blank_workbook(blank)
    out = tmp_path / "edited.xlsx"
    changes = apply_texts(
        blank, {"单位基本情况/主要职能": "负责……", "变动原因/收支总计变动原因": "因"}, out
    )
    assert [c.key for c in changes] == ["单位基本情况/主要职能", "变动原因/收支总计变动原因"]
    wa, wb = openpyxl.load_workbook(blank), openpyxl.load_workbook(out)
    assert wa.sheetnames == wb.sheetnames
    for sa, sb in zip(wa.worksheets, wb.worksheets, strict=True):
        assert [str(r) for r in sa.merged_cells.ranges] == [str(r) for r in sb.merged_cells.ranges]
        assert [(str(d.sqref), d.formula1) for d in sa.data_validations.dataValidation] == [
            (str(d.sqref), d.formula1) for d in sb.data_validations.dataValidation
        ]
        assert {k: d.width for k, d in sa.column_dimensions.items()} == {
            k: d.width for k, d in sb.column_dimensions.items()
        }
        if sa.title not in ("单位基本情况", "变动原因"):
            continue  # the other sheets are byte for byte the same (asserted below)
        for ra, rb in zip(sa.iter_rows(), sb.iter_rows(), strict=True):
            for ca, cb in zip(ra, rb, strict=True):
                assert look(ca) == look(cb), f"{sa.title}!{ca.coordinate}"
    assert wb["单位基本情况"]["B7"].value == "负责……"
    a, b = members(blank), members(out)
    index = [wa.sheetnames.index(n) + 1 for n in ("单位基本情况", "变动原因")]
    assert sorted(n for n in a if a[n] != b[n]) == [f"xl/worksheets/sheet{i}.xml" for i in index]
    # the 单位性质 drop-down is still there, on B6
    dv = wb["单位基本情况"].data_validations.dataValidation
    assert [str(d.sqref) for d in dv] == ["B6"]


def test_formulas_elsewhere_keep_their_saved_results(tmp_path):
    """A 公开表 total typed as a formula (with its result saved by Excel) survives an edit:
    openpyxl would save it without the result, and the reader would refuse it (IN-08)."""
    src = tmp_path / "formula.xlsx"
    parts = members(EXAMPLE)
    name = "xl/worksheets/sheet19.xml"  # 公开09表
    xml = parts[name].decode()
    assert '<c r="D7" s="' in xml
    cell = re.search(r'<c r="D7"([^>]*)><v>42865.82</v></c>', xml)
    parts[name] = xml.replace(
        cell.group(), f'<c r="D7"{cell.group(1)}><f>D9+D12</f><v>42865.82</v></c>'
    ).encode()
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    out = tmp_path / "out.xlsx"
    apply_texts(src, {"变动原因/收支总计变动原因": REASON}, out)
    assert "<f>D9+D12</f><v>42865.82</v>" in members(out)[name].decode()
    assert not [f for f in check(out)[1] if f.rule == "IN-08"]


def test_edit_in_place_and_nothing_to_change(tmp_path):
    """Also: line ends become \n, trailing spaces and empty lines go, an empty text
    empties the cell and leaves its format."""
    path = tmp_path / "in-place.xlsx"
    shutil.copyfile(EXAMPLE, path)
    same = {"变动原因/收支总计变动原因": "政府性基金预算安排的信息化建设项目增加 "}
    assert apply_texts(path, same, path) == []
    assert path.read_bytes() == EXAMPLE.read_bytes()
    changes = apply_texts(path, {"变动原因/机关运行经费变动原因": "a\r\nb\t \r\n\n"}, path)
    assert changes == [
        Change(
            "变动原因/机关运行经费变动原因",
            "人员增加，办公费、培训费等日常公用支出相应增加",
            "a\nb",
        )
    ]
    assert values(path)[("变动原因", "B12")] == "a\nb"
    apply_texts(path, {"变动原因/机关运行经费变动原因": ""}, path)
    assert ("变动原因", "B12") not in values(path)
    assert '<c r="B12" s="5"/>' in sheet_xml(path, "变动原因")
    assert '<c r="B12" s="5" t="inlineStr">' in sheet_xml(EXAMPLE, "变动原因")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("a\x07b", "第2个字符是不可见的控制字符（U+0007），不能写入单元格。请删去后重新填写（可使用换行和制表符）。"),
        ("\u202eabc", "第1个字符是不可见的控制字符（U+202E），不能写入单元格。请删去后重新填写（可使用换行和制表符）。"),
        ("字" * 32768, "文字过长（32768 字，最多 32767 字）。"),
        (12, "应为文字。"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_naming_the_field(tmp_path, value, problem):
    out = tmp_path / "out.xlsx"
    with pytest.raises(EditError) as exc:
        apply_texts(EXAMPLE, {"项目预算/决算数与预算数差异原因/2013799": value}, out)
    assert exc.value.problems == [
        "“项目预算”的“决算数与预算数差异原因”（2013799 其他网信事务支出）（项目预算!E7）："
        + problem
    ]
    assert not out.exists()


def test_unknown_keys_are_refused_with_every_problem(tmp_path):
    out = tmp_path / "out.xlsx"
    with pytest.raises(EditError) as exc:
        apply_texts(
            EXAMPLE,
            {
                "单位基本情况/部门名称": "别的名字",
                "上年决算数/收入总计": "1",
                "变动原因/收支总计变动原因": "\x00",
            },
            out,
        )
    assert exc.value.problems == [
        "没有可修改的文字项“单位基本情况/部门名称”。",
        "没有可修改的文字项“上年决算数/收入总计”。",
        "“变动原因”的“收支总计变动原因”（变动原因!B4）：第1个字符是不可见的控制字符（U+0000），"
        "不能写入单元格。请删去后重新填写（可使用换行和制表符）。",
    ]
    assert not out.exists()


def test_xls_workbooks_are_refused_with_what_to_do(tmp_path):
    """Decision: a legacy .xls is not converted (that would lose its formatting silently);
    the unit saves it as .xlsx and uploads that."""
    xls = xlsx_to_xls(EXAMPLE, tmp_path / "导出.xls")
    message = (
        "导出.xls 是旧式 .xls 工作簿，网页中不能修改其中的文字。"
        "请在 Excel 或 WPS 中打开后“另存为”Excel 工作簿（.xlsx），上传 .xlsx 后再修改。"
    )
    with pytest.raises(EditError) as exc:
        editable_texts(xls)
    assert exc.value.problems == [message]
    renamed = tmp_path / "改了名.xlsx"  # recognised by content, not by name
    shutil.copyfile(xls, renamed)
    with pytest.raises(EditError) as exc:
        apply_texts(renamed, {"变动原因/收支总计变动原因": "x"}, tmp_path / "out.xlsx")
    assert exc.value.problems == [message.replace("导出.xls", "改了名.xlsx")]


def test_unreadable_file_is_refused_in_chinese(tmp_path):
    bad = tmp_path / "不是工作簿.xlsx"
    bad.write_text("hello")
    with pytest.raises(EditError) as exc:
        editable_texts(bad)
    assert exc.value.problems == [
        "不是工作簿.xlsx 不是 Excel 工作簿（.xlsx 或 .xls）。请在 Excel 或 WPS 中打开后另存为 .xlsx。"
    ]


def test_shanghai_edit_reaches_the_document(tmp_path, shanghai_fields):
    out = tmp_path / "sh.xlsx"
    reason = "区级文化设施改造项目完工，相应减少政府性基金安排"
    changes = apply_texts(
        SHANGHAI, {"变动原因/收支总计变动原因": reason, "单位基本情况/主要职能": FUNCTIONS}, out
    )
    assert [c.key for c in changes] == ["单位基本情况/主要职能", "变动原因/收支总计变动原因"]
    report, _ = read_report(out, resolve=lambda grids: choose(grids))
    assert report.reasons["收支总计变动原因"] == reason
    text = paragraphs(build(out, tmp_path / "doc").path)
    i = text.index("一、主要职能")
    assert text[i + 1 : i + 3] == FUNCTIONS.split("\n")
    assert (
        "上海市某某区文化和旅游局2024年度收入支出总计11596.74万元。与2023年度相比，收入支出总计减少"
        f"280.19万元，下降2.36%。主要原因：{reason}。"
    ) in text
    before, after = values(SHANGHAI), values(out)
    edited = {("变动原因", "B4"), ("单位基本情况", "B7")}
    assert {k: v for k, v in before.items() if k not in edited} == {
        k: v for k, v in after.items() if k not in edited
    }
