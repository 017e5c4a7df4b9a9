"""Profiles: each workbook read with its region's layout, recognised from its tables.

The Shanghai fixture (tools/shanghai_fixture.py: 上海市某某区文化和旅游局 2024, nine tables
laid out by hand as the district's template prints them, in 万元, no 行次/栏次) is read with
zero findings in both code forms; every seeded inconsistency is caught at its cell; the
云南 example is still recognised as yunnan-2021; a workbook with tables of both layouts is
refused; and a third profile added as data only (a folder, no Python) is recognised and
builds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from reportgen.narrative import available_packs, load_pack
from reportgen.pipeline import build, check_profile
from reportgen.profiles import detect
from reportgen.sheets import load_grids

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shanghai-2024"
WHOLE = FIXTURES / "shanghai-2024-whole.xlsx"
SPLIT = FIXTURES / "shanghai-2024-split.xlsx"


def _find(ws, text: str, col: int | None = None):
    """The first cell whose value is ``text`` (in column ``col`` when given)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == text and (col is None or cell.column == col):
                return cell
    raise AssertionError(f"{ws.title}: {text} not found")


def _mutated(tmp_path: Path, change, src: Path = WHOLE) -> Path:
    wb = openpyxl.load_workbook(src)
    change(wb)
    out = tmp_path / f"mutated-{len(list(tmp_path.iterdir()))}.xlsx"
    wb.save(out)
    return out


def _rules(path: Path, **kw) -> set[tuple[str, str]]:
    _report, findings, _pack = check_profile(path, **kw)
    return {(f.rule, f.where) for f in findings}


# --- reading the Shanghai tables ------------------------------------------------------


@pytest.mark.parametrize("path", [WHOLE, SPLIT], ids=["whole-codes", "split-codes"])
def test_the_nine_shanghai_tables_read_with_zero_findings(path):
    report, findings, pack = check_profile(path)
    assert findings == []
    assert pack.name == "shanghai-2024" and report.profile == "shanghai-2024"
    t = report.tables
    assert [lay.key for lay in pack.tables] == [
        "t01", "t02", "t03", "t04", "t05", "t06", "t09", "t07", "t08"
    ]  # fmt: skip
    # 万元 read to 元, cell by cell (FIGURES in tools/shanghai_fixture.py)
    assert t["t01"].items["income_total"]["amount"] == 110903100
    assert t["t01"].items["R:expense_total"]["amount"] == 111951600
    assert t["t01"].items["grand_total"]["amount"] == 115967400
    assert t["t05"].total == {
        "exp_total": 101453300,
        "exp_basic": 50296100,
        "exp_project": 51157200,
    }
    assert t["t06"].total == {"personnel": 27683300, "public": 22612800}
    assert t["t09"].items["car_purchase"] == {"budget": 250000, "actual": 235800}
    assert t["t09"].items["sg_total"] == {"budget": 626000, "actual": 511500}
    assert t["t07"].total["close_total"] == 611900 and t["t08"].is_empty
    # figures the Shanghai tables do not print come from its sheets, with their cells
    assert t["t09"].items["abroad_groups"] == {"actual": 2}
    assert str(t["t09"].item_cells["admin_cost"]["actual"]) == "机关运行经费!B4"
    # the same 14 项 whichever way the codes are written
    assert sorted(r.code for r in t["t03"].rows if len(r.code) == 7) == sorted(
        r.code for r in check_profile(WHOLE)[0].tables["t03"].rows if len(r.code) == 7
    )


def test_several_tables_on_one_sheet_read_the_same(tmp_path):
    from shanghai_fixture import build as build_fixture

    one_sheet = build_fixture(tmp_path / "one-sheet.xlsx", codes="whole", tables_per_sheet=True)
    report, findings, pack = check_profile(one_sheet)
    assert findings == [] and pack.name == "shanghai-2024"
    whole = check_profile(WHOLE)[0]
    for key, table in whole.tables.items():
        other = report.tables[key]
        assert other.total == table.total and other.items == table.items, key
        assert [(r.code, r.values) for r in other.rows] == [(r.code, r.values) for r in table.rows]


def _bump(sheet: str, label: str, label_col: int, offset: int, by=1.0):
    """Add ``by`` to the amount ``offset`` columns right of ``label`` on ``sheet``; returns
    the change function and (a closure for) the cell reference it touched."""
    touched = {}

    def change(wb):
        ws = wb[sheet]
        cell = _find(ws, label, label_col)
        target = ws.cell(cell.row, cell.column + offset)
        target.value = round((target.value or 0) + by, 2)
        touched["ref"] = f"{sheet}!{target.coordinate}"
        touched["row"] = cell.row

    return change, touched


def test_each_seeded_inconsistency_is_caught_at_its_cell(tmp_path):
    cases = []
    # (万元 tables: a total may miss its rounded parts by half a 分 each, so every seeded\n    # error is 1.00 万元, a typo an accountant makes, far beyond rounding)\n    # 表1 事业收入 off by 1.00: 本年收入合计 no longer the sum of its sources
    change, touched = _bump("表1", "五、事业收入", 1, 1)
    path = _mutated(tmp_path, change)
    row = _find(openpyxl.load_workbook(path)["表1"], "本年收入合计", 1).row
    cases.append((path, ("R01", f"表1!B{row}")))
    # 表5 行政运行 合计 off: 合计 ≠ 基本支出 + 项目支出 on that row (R23), and its 款 ≠ Σ项
    change, touched = _bump("表5", "2070101", 1, 2)
    path = _mutated(tmp_path, change)
    cases.append((path, ("R23", touched["ref"])))
    # 表7 三公: 公务用车购置费 决算 (H, under the 4 header rows) off: 小计 ≠ 购置 + 运行维护,
    # reported at the 小计's 决算 cell (F)
    data_row = _find(openpyxl.load_workbook(WHOLE)["表7"], "预算数", 1).row + 1

    def car_purchase(wb):
        cell = wb["表7"].cell(data_row, 8)
        cell.value = round(cell.value + 1, 2)

    cases.append((_mutated(tmp_path, car_purchase), ("R40", f"表7!F{data_row}")))
    # 表6 基本工资 off: 工资福利支出 (类) ≠ Σ款
    change, touched = _bump("表6", "30101", 1, 2, by=1)
    path = _mutated(tmp_path, change)
    row = _find(openpyxl.load_workbook(path)["表6"], "301", 1).row
    cases.append((path, ("R30", f"表6!C{row}")))
    # 表8 政府性基金 城市建设支出 年末 off: 年末 ≠ 年初 + 本年收入 − 本年支出
    change, touched = _bump("表8", "2120803", 1, 7)
    path = _mutated(tmp_path, change)
    cases.append((path, ("R25", touched["ref"])))
    # 表4 年末财政拨款结转和结余 一般公共预算 column off: 合计 ≠ three funds
    change, touched = _bump("表4", "年末财政拨款结转和结余", 3, 2)
    path = _mutated(tmp_path, change)
    cases.append((path, ("R18", f"表4!D{touched['row']}")))

    # 三公经费补充: 因公出国（境）团组数 0 while 因公出国（境）费 is spent
    def no_groups(wb):
        _find(wb["三公经费补充"], "因公出国（境）团组数", 1).offset(0, 1).value = 0

    path = _mutated(tmp_path, no_groups)
    row = _find(openpyxl.load_workbook(path)["三公经费补充"], "因公出国（境）团组数", 1).row
    cases.append((path, ("R43", f"三公经费补充!B{row}")))
    for path, expected in cases:
        found = _rules(path)
        assert expected in found, (expected, sorted(found))


def test_shanghai_messages_name_its_tables_by_title(tmp_path):
    change, _touched = _bump("表5", "2070101", 1, 2)
    _report, findings, _pack = check_profile(_mutated(tmp_path, change))
    r23 = next(f for f in findings if f.rule == "R23")
    assert r23.message.startswith("“一般公共预算财政拨款支出决算表” 2070101行政运行：")
    assert "公开05表" not in "".join(f.message for f in findings)


# --- recognising the layout -----------------------------------------------------------


def _check_cli(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reportgen.cli", "check", str(path), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )


def test_check_names_the_profile_it_recognised(example_path):
    yunnan = _check_cli(example_path)
    assert yunnan.stdout.splitlines()[0] == (
        "识别的版式：yunnan-2021（云南 公开01–12表（决算软件导出样式，元，行次、栏次）；"
        "文字按四川 2021 样式。）"
    )
    shanghai = _check_cli(WHOLE)
    assert shanghai.returncode == 0
    assert shanghai.stdout.splitlines() == [
        "识别的版式：shanghai-2024（上海 2024 年度部门决算：九张决算表（万元），"
        "第三部分 情况说明一至十一，无图表。）",
        "未发现问题。",
    ]


def test_a_workbook_with_tables_of_both_layouts_is_refused(tmp_path, example_path):
    yunnan = openpyxl.load_workbook(example_path)["公开09表"]

    def add_yunnan_sangong(wb):
        ws = wb.create_sheet("公开09表")
        for row in yunnan.iter_rows(values_only=True):
            ws.append(list(row))

    path = _mutated(tmp_path, add_yunnan_sangong)
    report, findings, _pack = check_profile(path)
    assert report is None
    assert [(f.severity, f.rule) for f in findings] == [("错误", "IN-40")]
    assert findings[0].message == (
        "工作簿中同时有两种版式的表：shanghai-2024（一般公共预算财政拨款支出决算表、"
        "财政拨款“三公”经费支出决算表）；yunnan-2021（“三公”经费、行政参公单位机关运行经费情况表）。"
        "一个工作簿只能是一种版式，请把不同版式的表分开为两个工作簿，或删去不属于本单位的表。"
    )
    cli = _check_cli(path)
    assert cli.returncode == 2 and "IN-40" in cli.stdout


def test_a_partial_workbook_names_its_layout_and_the_missing_tables(tmp_path):
    def keep_two(wb):
        for name in wb.sheetnames:
            if name not in ("表1", "表2", "单位基本情况"):
                del wb[name]

    grids, _ = load_grids(_mutated(tmp_path, keep_two))
    lines = detect(grids).lines()
    # 表1 and 表2 have the same titles in both layouts; the header shape (no 栏次 row)
    # says Shanghai, and the seven tables it lacks are listed
    assert lines[0].startswith("识别的版式：shanghai-2024")
    assert lines[1:] == [
        "  缺少：支出决算表、财政拨款收入支出决算总表、一般公共预算财政拨款支出决算表、"
        "一般公共预算财政拨款基本支出决算表、财政拨款“三公”经费支出决算表、"
        "政府性基金预算财政拨款收入支出决算表、国有资本经营预算财政拨款收入支出决算表"
    ]
    _report, findings, _pack = check_profile(_mutated(tmp_path, keep_two))
    assert [f.rule for f in findings] == ["IN-06"] * 7


def test_the_header_shape_decides_between_layouts_sharing_titles(tmp_path):
    def only_shared_titles(wb):
        for name in wb.sheetnames:
            if name not in ("表1", "单位基本情况"):
                del wb[name]
        ws = wb["表1"]
        ws.insert_rows(5)  # a 栏次 row under the header: the 云南 shape
        for c, v in enumerate(["栏次", "1", "栏次", "2"], start=1):
            ws.cell(5, c).value = v

    grids, _ = load_grids(_mutated(tmp_path, only_shared_titles))
    lines = detect(grids).lines()
    # one title both layouts use, one table whose shape fits one and not the other: the
    # shapes tie on the missing counts (8 each), so the 栏次 row decides for 云南
    assert lines[0].startswith("识别的版式：yunnan-2021")


def test_a_workbook_matching_no_layout_lists_what_each_found(tmp_path):
    def no_tables(wb):
        for name in wb.sheetnames:
            if name.startswith("表"):
                del wb[name]

    path = _mutated(tmp_path, no_tables)
    assert detect(load_grids(path)[0]).lines() == [
        "未能识别版式：工作簿中的表与任何版式都不完全相符。",
        "  shanghai-2024：找到 0 张（无）",
        "  shanghai-2024：缺少 收入支出决算总表、收入决算表、支出决算表、财政拨款收入支出决算总表、"
        "一般公共预算财政拨款支出决算表、一般公共预算财政拨款基本支出决算表、"
        "财政拨款“三公”经费支出决算表、政府性基金预算财政拨款收入支出决算表、"
        "国有资本经营预算财政拨款收入支出决算表",
        "  yunnan-2021：找到 0 张（无）",
        "  yunnan-2021：缺少 收入支出决算总表、收入决算表、支出决算表、财政拨款收入支出决算总表、"
        "一般公共预算财政拨款收入支出决算表、一般公共预算财政拨款基本支出决算表、"
        "政府性基金预算财政拨款收入支出决算表、国有资本经营预算财政拨款收入支出决算表、"
        "“三公”经费、行政参公单位机关运行经费情况表",
    ]
    cli = _check_cli(path)
    assert cli.returncode == 2
    assert cli.stdout.splitlines()[0] == "未能识别版式：工作簿中的表与任何版式都不完全相符。"
    assert "IN-09" in cli.stdout


def test_a_wording_of_another_layout_is_refused(example_path):
    _report, findings, _pack = check_profile(WHOLE, template="sichuan-2021")
    assert [f.rule for f in findings] == ["IN-40"]
    assert findings[0].message.startswith(
        "词句包“sichuan-2021”属于版式“yunnan-2021”，而工作簿是“shanghai-2024”版式的表。"
    )


def test_profiles_are_listed_as_layouts_and_wordings():
    assert available_packs(layouts=True) == ["shanghai-2024", "yunnan-2021"]
    assert available_packs(layouts=False) == ["sichuan-2021", "sichuan-2023"]
    assert load_pack("sichuan-2023").layout_name == "yunnan-2021"
    assert [d.name for d in load_pack("sichuan-2023").dirs] == [
        "sichuan-2023", "sichuan-2021", "yunnan-2021", "base"
    ]  # fmt: skip


# --- a third profile, as data only ----------------------------------------------------

THIRD = """\
name = "jiangnan-2024"
extends = "shanghai-2024"
description = "某省 2024：上海九表，一般公共预算支出表另有表名、合计在上。"
"""

T05 = """\
key = "t05"
number = "表五"
title = "一般公共预算财政拨款支出决算明细表"
kind = "coded"
unit = "万元"
column_numbers = false
code_columns = 1
total_row = "top"
meta = "\\t{number}    单位：{unit}"
note = "注：本表反映部门本年度一般公共预算财政拨款支出明细情况。"
header = [
  [0, 0, "项目", 1, 2], [1, 0, "功能分类科目编码", 1, 1], [1, 1, "科目名称", 1, 1],
  [0, 2, "合计", 2, 1], [0, 3, "基本支出", 2, 1], [0, 4, "项目支出", 2, 1],
]
columns = [
  { key = "exp_total", header = ["合计"] },
  { key = "exp_basic", header = ["基本支出"] },
  { key = "exp_project", header = ["项目支出"] },
]
"""


def test_a_third_profile_is_added_as_data_only(tmp_path):
    root = tmp_path / "profiles"
    (root / "jiangnan-2024" / "tables").mkdir(parents=True)
    (root / "jiangnan-2024" / "profile.toml").write_text(THIRD, encoding="utf-8")
    (root / "jiangnan-2024" / "tables" / "t05.toml").write_text(T05, encoding="utf-8")

    def retitle(wb):
        _find(
            wb["表5"], "一般公共预算财政拨款支出决算表"
        ).value = "一般公共预算财政拨款支出决算明细表"

    path = _mutated(tmp_path, retitle)
    report, findings, pack = check_profile(path, template_dir=root)
    assert findings == []
    assert pack.name == "jiangnan-2024" and pack.layout_name == "jiangnan-2024"
    assert report.tables["t05"].layout.title == "一般公共预算财政拨款支出决算明细表"
    # without the folder the same workbook is Shanghai's, with one table missing
    _r, plain, _p = check_profile(path)
    assert [(f.rule, f.message) for f in plain if f.rule == "IN-06"] == [
        ("IN-06", "工作簿中找不到“一般公共预算财政拨款支出决算表”（按表名查找）。")
    ]

    # the rules name the new table by its number, and a document is built from it
    def bump(wb):
        retitle(wb)
        cell = _find(wb["表5"], "2070101", 1)
        target = wb["表5"].cell(cell.row, 3)
        target.value = round(target.value + 1, 2)

    _r, broken, _p = check_profile(_mutated(tmp_path, bump), template_dir=root)
    assert any(f.rule == "R23" and f.message.startswith("表五 2070101") for f in broken)
    if (ROOT / "templates" / "shanghai-2024" / "sections" / "part3_01_total.j2").exists():
        result = build(path, tmp_path / "out", template_dir=root)
        assert result.path.name == "2024年度上海市某某区文化和旅游局部门决算公开.docx"
        shutil.rmtree(tmp_path / "out")


# --- rules a profile declares (rules.toml) --------------------------------------------


def test_the_shanghai_profiles_own_rules_catch_their_cells(tmp_path):
    def admin_cost_too_high(wb):
        _find(wb["机关运行经费"], "机关运行经费支出", 1).offset(0, 1).value = 2300.00

    def grades_do_not_add_up(wb):
        _find(wb["预算绩效管理"], "评级为良的项目数", 1).offset(0, 1).value = 10

    _r, findings, _p = check_profile(_mutated(tmp_path, admin_cost_too_high))
    sh01 = [f for f in findings if f.rule == "SH01"]
    assert [(f.severity, f.where, f.expected, f.found) for f in sh01] == [
        ("错误", "机关运行经费!B4", "≤ 2,261.28", "2,300.00")
    ]
    assert sh01[0].message.startswith(
        "机关运行经费支出大于一般公共预算财政拨款基本支出决算表的公用经费合计"
    )
    path = _mutated(tmp_path, grades_do_not_add_up)
    row = _find(openpyxl.load_workbook(path)["预算绩效管理"], "绩效自评项目数", 1).row
    _r, findings, _p = check_profile(path)
    assert [(f.rule, f.where, f.expected, f.found) for f in findings] == [
        ("SH04", f"预算绩效管理!B{row}", "29", "28")
    ]


def test_a_profiles_rules_are_data_a_child_can_add_and_drop(tmp_path):
    root = tmp_path / "profiles"
    (root / "jiangnan-2024" / "tables").mkdir(parents=True)
    (root / "jiangnan-2024" / "profile.toml").write_text(THIRD, encoding="utf-8")
    (root / "jiangnan-2024" / "tables" / "t05.toml").write_text(T05, encoding="utf-8")
    (root / "jiangnan-2024" / "rules.toml").write_text(
        '[[rule]]\nid = "SH01"\nenabled = false\n\n'
        '[[rule]]\nid = "JN01"\nkind = "equal"\nseverity = "警告"\n'
        'left = "t05.total.exp_project"\nright = "t03.total.project"\n'
        'message = "本省要求：一般公共预算项目支出等于全部项目支出。"\n',
        encoding="utf-8",
    )

    def retitle_and_raise_admin_cost(wb):
        _find(
            wb["表5"], "一般公共预算财政拨款支出决算表"
        ).value = "一般公共预算财政拨款支出决算明细表"
        _find(wb["机关运行经费"], "机关运行经费支出", 1).offset(0, 1).value = 2300.00

    path = _mutated(tmp_path, retitle_and_raise_admin_cost)
    _r, findings, pack = check_profile(path, template_dir=root)
    assert pack.name == "jiangnan-2024"
    # SH01 dropped by the child; its own rule compares 5115.72 with 6039.17
    assert [(f.rule, f.severity, f.expected, f.found) for f in findings] == [
        ("JN01", "警告", "6,039.17", "5,115.72")
    ]
    (root / "jiangnan-2024" / "rules.toml").write_text(
        '[[rule]]\nid = "JN02"\nkind = "le"\nleft = "t05.totals.exp_total"\nright = "t03.total.total"\nmessage = "x"\n',
        encoding="utf-8",
    )
    from reportgen.narrative import TemplateProblem

    with pytest.raises(TemplateProblem, match="JN02 的“t05.totals.exp_total”应写作"):
        check_profile(path, template_dir=root)


def test_a_batch_of_both_layouts_reads_each_workbook_with_its_own(tmp_path, example_path):
    import io

    from reportgen import batch

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(example_path, folder / "云南单位.xlsx")
    shutil.copy(WHOLE, folder / "上海单位.xlsx")
    summary = batch.run_batch(folder, tmp_path / "out", jobs=1, progress_stream=io.StringIO())
    status = {r.unit: (r.status, r.department, r.year) for r in summary.results}
    assert status == {
        "云南单位.xlsx": ("有警告", "玉溪市互联网信息办公室", 2021),
        "上海单位.xlsx": ("成功", "上海市某某区文化和旅游局", 2024),
    }
    shanghai = tmp_path / "out" / "上海单位" / "2024年度上海市某某区文化和旅游局部门决算公开.docx"
    import docx

    paras = [p.text for p in docx.Document(str(shanghai)).paragraphs]
    assert "十、预算绩效管理情况" in paras and "第五部分 附表" not in paras
