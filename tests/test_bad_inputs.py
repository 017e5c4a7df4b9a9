"""A corpus of broken workbooks, made from the bundled example by mutation.

Each case breaks one thing the way accountants' files break it and asserts the exact
rule and cell reported; with an 错误, ``build`` writes nothing at all. Warnings (警告)
are asserted the same way, and there the document and its sidecar report are written.
"""

from __future__ import annotations

import sys
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal as D
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

import reportgen.checks as checks
from reportgen import build, check
from reportgen.findings import InputError
from reportgen.layouts import PERSONNEL_CLASSES

# --- helpers to mutate the example's data ------------------------------------------------


def coded_row(data, table: str, code: str) -> dict:
    """The amounts dict of row ``code`` in a 功能分类 table (mutable in place)."""
    rows = data.coded[table].rows
    for i, (c, name, vals) in enumerate(rows):
        if c == code:
            vals = dict(vals)
            rows[i] = (c, name, vals)
            return vals
    raise KeyError(code)


def set_row(table: str, code: str, **values) -> Callable:
    def mutate(data):
        coded_row(data, table, code).update({k: D(v) for k, v in values.items()})

    return mutate


def recode(code: str, new_code: str, name: str) -> Callable:
    """Give a 科目 another code and name in every 功能分类 table and in 项目预算 (the sums
    and the budget lines stay right)."""

    def mutate(data):
        for coded in data.coded.values():
            coded.rows[:] = [
                (new_code, name, vals) if c == code else (c, n, vals) for c, n, vals in coded.rows
            ]
        data.budgets[:] = [(new_code, name, *b[2:]) if b[0] == code else b for b in data.budgets]

    return mutate


def set_item(table: str, key: str, col: str = "amount", value: str = "0") -> Callable:
    def mutate(data):
        data.summary_items[table].setdefault(key, {})[col] = D(value)

    return mutate


def set_class(table: str, code: str, col: str, value: str) -> Callable:
    def mutate(data):
        data.summary_classes[table].setdefault(code, {})[col] = D(value)

    return mutate


def set_sangong(key: str, budget=None, actual=None) -> Callable:
    def mutate(data):
        b, a = data.sangong.get(key, (None, None))
        data.sangong[key] = (
            budget if budget is not None else b,
            actual if actual is not None else a,
        )

    return mutate


def set_kv(sheet: str, label: str, value) -> Callable:
    def mutate(data):
        data.kv.setdefault(sheet, {})[label] = value

    return mutate


def total_row(table: str, **values) -> Callable:
    """Give the 合计 row explicitly: the computed one with ``values`` changed."""

    def mutate(data):
        coded = data.coded[table]
        total: dict = {}
        for code, _n, vals in coded.rows:
            if len(code) == 3:
                for k, v in vals.items():
                    total[k] = total.get(k, D(0)) + (v or 0)
        total.update({k: D(v) for k, v in values.items()})
        coded.total = total

    return mutate


def move_economic(src: str, dst: str, amount: D) -> Callable:
    """Book ``amount`` of 公开06表 款 ``src`` under ``dst`` instead: the 类 and the 人员经费/
    公用经费 totals follow, so 公开06表 adds up and only the other tables disagree."""

    def mutate(data):
        for code, sign in ((src, -1), (dst, 1)):
            for key in (code, code[:3]):
                data.economic[key] = data.economic.get(key, D(0)) + sign * amount
            if code[:3] in PERSONNEL_CLASSES:
                data.personnel_total += sign * amount
            else:
                data.public_total += sign * amount

    return mutate


def both(*mutations: Callable) -> Callable:
    def mutate(data):
        for m in mutations:
            m(data)

    return mutate


# --- helpers to edit the written workbook ----------------------------------------------


def edit(fn: Callable) -> Callable:
    """A post-write edit of the workbook with openpyxl (for layout damage)."""

    def post(path: Path) -> Path:
        wb = load_workbook(path)
        fn(wb)
        wb.save(path)
        return path

    return post


def find(ws, text: str):
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip() == text:
                return cell
    raise LookupError(text)


def blank_numbering_row(wb):
    ws = wb["公开03表"]
    row = find(ws, "栏次").row
    for cell in ws[row]:
        if isinstance(cell.value, int):
            cell.value = None


def drop_unit_line(wb):
    ws = wb["公开02表"]
    find(ws, "金额单位：元").value = None


def formula_without_value(wb):
    wb["公开03表"]["E8"] = "=SUM(E9,E15,E18,E21,E25,E29,E33)"


def unknown_class_name(wb):
    find(wb["公开01表"], "八、社会保障和就业支出").value = "八、社会保障支出"


def drop_budget_header(wb):
    find(wb["项目预算"], "科目编码").value = "编码"


def second_page_in_wan(wb):
    ws = wb["公开03表"]
    cells = [c for row in ws.iter_rows() for c in row if c.value == "金额单位：元"]
    cells[1].value = "金额单位：万元"


def too_many_rows(wb):
    ws = wb["填表说明"]
    for r in range(1, 5100):
        ws.cell(row=r, column=2, value=r)


def seed004_comma_typo(wb):
    # seed 004 printed "5,26 万元" for 5.26 万元
    ws = wb["公开09表"]
    ws["D10"] = "5,26"


def put(sheet: str, ref: str, value) -> Callable:
    """A post-write edit: ``value`` into sheet!ref; "#…" text is written as an Excel error
    value (openpyxl does so itself only for the classic seven, not #SPILL! and newer)."""

    def fn(wb):
        cell = wb[sheet][ref]
        cell.value = value
        if isinstance(value, str) and value.startswith("#"):
            cell.data_type = "e"

    return edit(fn)


# --- files that are not workbooks ------------------------------------------------------


def not_excel(tmp: Path, example: Path) -> Path:
    p = tmp / "报表.xlsx"
    p.write_text("这不是工作簿，是改了扩展名的文本。", encoding="utf-8")
    return p


def empty_file(tmp: Path, example: Path) -> Path:
    p = tmp / "空文件.xlsx"
    p.write_bytes(b"")
    return p


def empty_workbook(tmp: Path, example: Path) -> Path:
    p = tmp / "空工作簿.xlsx"
    Workbook().save(p)
    return p


def missing_file(tmp: Path, example: Path) -> Path:
    return tmp / "不存在.xlsx"


def zip_bomb(tmp: Path, example: Path) -> Path:
    """A small .xlsx whose sheet expands to 64 MB: refused before anything is parsed."""
    p = tmp / "炸弹.xlsx"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = b" " * (1 << 20)
            for _ in range(64):
                fh.write(chunk)
    return p


def truncated_xlsx(tmp: Path, example: Path) -> Path:
    p = tmp / "截断.xlsx"
    p.write_bytes(example.read_bytes()[:4000])
    return p


def broken_xls(tmp: Path, example: Path) -> Path:
    p = tmp / "损坏.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    return p


def encrypted_xlsx(tmp: Path, example: Path) -> Path:
    """The example saved with an open password, as Excel does it (an OLE EncryptedPackage)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    p = tmp / "加密.xlsx"
    with example.open("rb") as src, p.open("wb") as dst:
        OOXMLFile(src).encrypt("密码123", dst)
    return p


# --- the corpus ---------------------------------------------------------------------


@dataclass
class Case:
    rule: str
    where: str
    mutate: Callable | None = None  # on the example's WorkbookData
    post: Callable | None = None  # on the written .xlsx
    make: Callable | None = None  # builds the file itself (tmp_path) -> path
    style: dict | None = None  # ExportStyle fields
    unit: str | None = None


ERRORS: dict[str, Case] = {
    # 公开01表
    "R01 收入合计≠各项之和": Case("R01", "公开01表!C33", set_item("t01", "other", value="100")),
    # seed 004: 收支总计 − 本年收入 = 0.09 万元 of 年初结转, yet the table says 0.08
    "R02 seed 004 年初结转与收支总计之差不符": Case(
        "R02", "公开01表!C36", set_item("t01", "open_balance", value="730")
    ),
    "R03 支出总计≠合计+分配+年末": Case(
        "R03", "公开01表!F36", set_item("t01", "R:close_balance", value="100")
    ),
    "R04 收入总计≠支出总计": Case(
        "R04", "公开01表!F36", set_item("t01", "R:grand_total", value="20434183.36")
    ),
    "R05 支出合计≠Σ类": Case(
        "R05", "公开01表!F33", set_class("t01", "201", "amount", "6464930.84")
    ),
    # between tables
    "R06 收入来源 01≠02": Case(
        "R06", "公开02表!F8", total_row("t02", fiscal="20433253.26", other="100")
    ),
    "R10 收入合计 01≠02": Case("R10", "公开02表!E8", total_row("t02", total="20433353.27")),
    "R11 支出合计 01≠03": Case("R11", "公开03表!E8", total_row("t03", total="20433353.27")),
    "R12 类支出 01≠03": Case("R12", "公开01表!F11", set_class("t01", "205", "amount", "6120000")),
    "R13 一般公共预算收入 01≠04": Case(
        "R13", "公开04表!C7", set_item("t04", "gpb", value="15433353.00")
    ),
    "R13 05表本年收入≠04表一般公共预算收入": Case(
        "R13", "公开05表!H8", total_row("t05", income_total="15433335.26")
    ),
    "R14 一般公共预算支出 04≠05": Case(
        "R14", "公开05表!K8", set_item("t04", "R:expense_total", "gpb", "15433353.00")
    ),
    "R15 政府性基金 04≠07": Case(
        "R15", "公开07表!K8", set_item("t04", "R:expense_total", "gov_fund", "4999999")
    ),
    "R15 07表本年收入≠04表政府性基金收入": Case(
        "R15", "公开07表!H8", total_row("t07", income_total="4999999.00")
    ),
    "R16 国有资本经营 04≠01": Case(
        "R16", "公开04表!C9", set_item("t04", "state_capital", value="100")
    ),
    # 公开04表 本年收入合计 typed as the 一般公共预算 part only
    "R16 04表本年收入合计≠三项之和": Case(
        "R16", "公开04表!C33", set_item("t04", "income_total", value="15433353.26")
    ),
    "R17 年初结转 04": Case("R17", "公开04表!C34", set_item("t04", "open_gpb", value="100")),
    # 公开04表 收入总计 copied from 公开01表 (which holds 830 元 of 非财政拨款 结转)
    "R17 04表收入总计抄自01表": Case(
        "R17", "公开04表!C38", set_item("t04", "grand_total", value="20434183.26")
    ),
    "R18 年末结转 04": Case("R18", "公开04表!F34", set_item("t04", "R:close_gpb", "total", "100")),
    # 年末财政拨款结转和结余 typed in its 合计 line only; 总计 left as it was
    "R18 04表支出总计≠支出合计+年末结转": Case(
        "R18", "公开04表!F38", set_item("t04", "R:close_fiscal", "total", "830")
    ),
    # the right side copies 公开01表's 年末结转和结余 (830 元, not 财政拨款) and adds up
    "R18 04表支出总计≠收入总计": Case(
        "R18",
        "公开04表!F38",
        both(
            set_item("t04", "R:close_fiscal", "total", "830"),
            set_item("t04", "R:close_gpb", "total", "830"),
            set_item("t04", "R:grand_total", "total", "20434183.26"),
        ),
    ),
    "R19 04 合计栏≠三项之和": Case(
        "R19", "公开04表!F7", set_class("t04", "201", "total", "6464930.93")
    ),
    # a 类 line left out of 公开04表: 本年支出合计 no longer adds up in any column
    "R19 04表本年支出合计≠Σ类（漏一类）": Case(
        "R19", "公开04表!F33", lambda d: d.summary_classes["t04"].pop("221")
    ),
    # within coded tables
    "R20 合计行≠Σ类 (07 项目支出)": Case(
        "R20", "公开07表!M8", total_row("t07", exp_project="4999999.00")
    ),
    "R20 项≠款 (03)": Case("R20", "公开03表!E10", set_row("t03", "2013702", total="720467.70")),
    "R20 seed 004 卫生健康 类总数抄入第一项": Case(
        "R20", "公开05表!K26", set_row("t05", "2101101", exp_total="347530.76")
    ),
    "R21 基本+项目≠合计 (03)": Case(
        "R21", "公开03表!E11", set_row("t03", "2013701", basic="2419331.00")
    ),
    "R22 各项收入≠合计 (02)": Case(
        "R22", "公开02表!E11", set_row("t02", "2013701", fiscal="2419331.00")
    ),
    "R23 seed 002 基本支出≠人员+公用": Case(
        "R23", "公开05表!L11", set_row("t05", "2013701", exp_personnel="1869074.00")
    ),
    "R23 05表本年支出≠基本+项目": Case(
        "R23", "公开05表!K14", set_row("t05", "2013799", exp_project="590070.00")
    ),
    "R23 05表本年收入≠基本+项目": Case(
        "R23", "公开05表!H14", set_row("t05", "2013799", income_project="590070.00")
    ),
    "R24 05 年末≠年初+收入−支出": Case("R24", "公开05表!P8", total_row("t05", close_total="100")),
    "R25 07 基本+项目≠合计": Case("R25", "公开07表!H8", total_row("t07", income_basic="100")),
    # 07: a 年末结转 of 50000 entered (consistently, as 项目支出结转) though nothing is left
    "R25 07 年末≠年初+收入−支出": Case(
        "R25",
        "公开07表!N8",
        both(
            *(
                set_row("t07", code, close_total="50000", close_project="50000")
                for code in ("212", "21208", "2120899")
            )
        ),
    ),
    # 08: the 50 元 spent left out of 本年支出; 年末 = 结转 + 结余 holds
    "R26 08 年末≠年初+收入−支出": Case(
        "R26",
        "公开08表!J9",
        lambda d: d.coded["t08"].rows.append(
            (
                "223",
                "国有资本经营预算支出",
                {"income_total": D("100"), "close_total": D("50"), "close_carry": D("50")},
            )
        ),
    ),
    # 08: 年末 follows from 年初 + 收入 − 支出, but is split into neither 结转 nor 结余
    "R26 08 年末≠结转+结余": Case(
        "R26",
        "公开08表!J9",
        lambda d: d.coded["t08"].rows.append(
            (
                "223",
                "国有资本经营预算支出",
                {"income_total": D("100"), "exp_total": D("50"), "close_total": D("50")},
            )
        ),
    ),
    "R27 类支出 04≠05": Case(
        "R27",
        "公开04表!G7",
        both(
            set_class("t04", "201", "gpb", "6464930.00"),
            set_class("t04", "201", "total", "6464930.00"),
        ),
    ),
    "R28 类支出 04≠07": Case(
        "R28",
        "公开04表!H17",
        both(
            set_class("t04", "212", "gov_fund", "4999999"),
            set_class("t04", "212", "total", "4999999"),
        ),
    ),
    "R29 财政拨款支出>全部支出": Case(
        "R29", "公开05表!K35", set_row("t03", "2210201", total="100", basic="100")
    ),
    # 公开06表
    "R30 款≠类 (06)": Case("R30", "公开06表!C6", lambda d: d.economic.update({"30101": D("1")})),
    "R30 人员经费合计≠工资福利+对个人和家庭的补助": Case(
        "R30", "公开06表!C39", lambda d: setattr(d, "personnel_total", D("5695452.63"))
    ),
    "R30 公用经费合计≠各类之和": Case(
        "R30", "公开06表!I39", lambda d: setattr(d, "public_total", D("1522350.63"))
    ),
    "R31 人员经费 06≠05": Case(
        "R31", "公开06表!C39", lambda d: setattr(d, "personnel_total", D("1"))
    ),
    # 其他商品和服务支出 booked under 其他工资福利支出 in 公开06表 only: 06 adds up, 05 differs
    "R31 公用经费 06≠05（06表经济分类放错）": Case(
        "R31", "公开06表!I39", move_economic("30299", "30199", D("67172.80"))
    ),
    "R32 人员+公用≠基本支出": Case("R32", "公开06表!C39", total_row("t05", exp_basic="5874230.00")),
    # 公开09表
    "R40 三公合计≠各项": Case("R40", "公开09表!D7", set_sangong("sg_total", actual=D("42865.00"))),
    # M06: the two sub-sums of R40
    "R40 公务用车≠购置+运行维护": Case(
        "R40", "公开09表!D9", set_sangong("car_operation", actual=D("20149.82"))
    ),
    "R40 公务接待≠国内+国（境）外": Case(
        "R40", "公开09表!D12", set_sangong("reception_domestic", actual=D("22617.00"))
    ),
    "R43 有运行费无保有车": Case(
        "R43",
        "公开09表!D20",
        both(set_sangong("cars_held", actual=0), set_kv("三公经费补充", "保有轿车数量", 0)),
    ),
    "R43 有出国团组数无出国费": Case("R43", "公开09表!D8", set_sangong("abroad_groups", actual=1)),
    "R44 机关运行经费≠行政+参公": Case(
        "R44", "公开09表!D27", set_sangong("admin_cost", actual=D("1246324.00"))
    ),
    "R45 车型保有数≠保有量": Case(
        "R45", "三公经费补充!B10", set_kv("三公经费补充", "保有轿车数量", 2)
    ),
    # M07: a car bought from other funds listed by type, 公开09表 (财政拨款) says 0
    "R45 车型购置金额≠公务用车购置费": Case(
        "R45", "三公经费补充!B5", set_kv("三公经费补充", "购置轿车金额", D("180000"))
    ),
    # unit sanity: 万元 typed into a 元 field, changes beyond ±1000%
    "R90 上年收入总计按万元填写": Case(
        "R90", "上年决算数!B5", set_kv("上年决算数", "收入总计", D("1856.23"))
    ),
    "R91 调整预算数按万元填写": Case(
        "R91",
        "项目预算!A5",
        lambda d: d.budgets.__setitem__(1, (*d.budgets[1][:3], D("72.05"), "")),
    ),
    "R92 公务接待费变动超过1000%且无原因": Case(
        "R92",
        "上年决算数!B18",
        both(
            set_kv("上年决算数", "公务接待费", D("1000")),
            set_kv("变动原因", "公务接待费变动原因", None),
        ),
    ),
    # last year's figures and the budget lines
    "R71 上年决算数整表未填": Case(
        "R71", "上年决算数", lambda d: d.kv.__setitem__("上年决算数", {})
    ),
    "R71 上年决算数缺一项": Case(
        "R71", "上年决算数!B9", lambda d: d.kv["上年决算数"].pop("财政拨款收入总计")
    ),
    "R80 有支出的项在项目预算中没有一行": Case("R80", "公开05表!K11", lambda d: d.budgets.pop(0)),
    # supplementary facts
    "R64 表头年度与基本情况不同": Case(
        "R64", "公开01表!A2", set_kv("单位基本情况", "年度", 2020), style={"year_line": True}
    ),
    "R64 年度尚未结束": Case("R64", "单位基本情况!B5", set_kv("单位基本情况", "年度", 2099)),
    "R67 中小企业>采购总额": Case(
        "R67", "政府采购!B7", set_kv("政府采购", "授予中小企业合同金额", D("2000000"))
    ),
    "R67 小微企业>中小企业": Case(
        "R67", "政府采购!B8", set_kv("政府采购", "其中：授予小微企业合同金额", D("1494529"))
    ),
    "R68 车辆总数≠各类之和": Case("R68", "国有资产!B4", set_kv("国有资产", "车辆总数", 3)),
    # reading
    "IN-01 文件不存在": Case("IN-01", "", make=missing_file),
    "IN-02 改了扩展名的文本文件": Case("IN-02", "报表.xlsx", make=not_excel),
    "IN-02 空文件": Case("IN-02", "空文件.xlsx", make=empty_file),
    "IN-02 截断的 xlsx": Case("IN-02", "截断.xlsx", make=truncated_xlsx),
    "IN-02 损坏的 xls": Case("IN-02", "损坏.xls", make=broken_xls),
    "IN-03 超过行数上限": Case("IN-03", "填表说明", post=edit(too_many_rows)),
    "IN-04 缺金额单位行": Case("IN-04", "公开02表!A1", post=edit(drop_unit_line)),
    "IN-05 续页单位不同": Case(
        "IN-05", "公开03表!A30", post=edit(second_page_in_wan), style={"page_rows": 20}
    ),
    "IN-06 缺公开06表": Case(
        "IN-06", "mutated.xlsx", lambda d: setattr(d, "skip_tables", ("t06",))
    ),
    "IN-07 解压炸弹": Case("IN-07", "炸弹.xlsx", make=zip_bomb),
    "IN-08 公式没有计算结果": Case("IN-08", "公开03表!E8", post=edit(formula_without_value)),
    "IN-09 空工作簿": Case("IN-09", "空工作簿.xlsx", make=empty_workbook),
    "IN-10 金额格是文字": Case(
        "IN-10", "上年决算数!B5", set_kv("上年决算数", "收入总计", "一千八百万")
    ),
    "IN-10 seed 004 “5,26”": Case("IN-10", "公开09表!D10", post=edit(seed004_comma_typo)),
    "IN-11 数量不是整数": Case(
        "IN-11", "公开09表!D21", set_sangong("reception_batches", actual=D("26.5"))
    ),
    # Excel error values, wherever the tool reads a cell
    "IN-12 公开03表金额 #REF!": Case("IN-12", "公开03表!E11", post=put("公开03表", "E11", "#REF!")),
    "IN-12 上年决算数 #DIV/0!": Case(
        "IN-12", "上年决算数!B5", post=put("上年决算数", "B5", "#DIV/0!")
    ),
    "IN-12 公开12表得分 #N/A": Case("IN-12", "公开12表!I16", post=put("公开12表", "I16", "#N/A")),
    "IN-12 公开09表 #SPILL!": Case("IN-12", "公开09表!D7", post=put("公开09表", "D7", "#SPILL!")),
    "IN-12 文字项 #VALUE!": Case(
        "IN-12", "单位基本情况!B7", post=put("单位基本情况", "B7", "#VALUE!")
    ),
    "IN-13 设有打开密码": Case("IN-13", "加密.xlsx", make=encrypted_xlsx),
    "IN-14 金额单位千元": Case(
        "IN-14", "公开02表!L3", post=put("公开02表", "L3", "金额单位：千元")
    ),
    "IN-14 单位百万元": Case("IN-14", "公开03表!J3", post=put("公开03表", "J3", "单位：百万元")),
    "IN-14 金额单位美元": Case(
        "IN-14", "公开09表!D3", post=put("公开09表", "D3", "金额单位：美元")
    ),
    "IN-15 元表金额不足1分": Case(
        "IN-15", "公开03表!E11", post=put("公开03表", "E11", 2419331.2712)
    ),
    "IN-15 万元表超过6位小数": Case(
        "IN-15", "公开03表!E11", set_row("t03", "2013701", total="2419331.27125"), unit="万元"
    ),
    "IN-16 金额超过一万亿元": Case("IN-16", "公开03表!E11", post=put("公开03表", "E11", 1e15)),
    "IN-16 项目预算超过一万亿元": Case("IN-16", "项目预算!D4", post=put("项目预算", "D4", 1e15)),
    "IN-17 项目预算年初预算数为负": Case(
        "IN-17", "项目预算!C4", post=put("项目预算", "C4", -2419331.27)
    ),
    "IN-17 三公经费预算数为负": Case(
        "IN-17", "公开09表!C7", set_sangong("sg_total", budget=D("-63404"))
    ),
    "IN-17 公开12表年初预算数为负": Case("IN-17", "公开12表!D7", post=put("公开12表", "D7", -600)),
    "IN-20 没有栏次行": Case("IN-20", "公开03表!A1", post=edit(blank_numbering_row)),
    "IN-21 编码位数错": Case(
        "IN-21",
        "公开03表!A11",
        lambda d: d.coded["t03"].rows.__setitem__(
            2, ("20137011", "行政运行", d.coded["t03"].rows[2][2])
        ),
    ),
    "IN-21 编码中是字母O": Case(
        "IN-21",
        "公开03表!A11",
        lambda d: d.coded["t03"].rows.__setitem__(
            2, ("20137O1", "行政运行", d.coded["t03"].rows[2][2])
        ),
    ),
    "IN-23 01表功能分类名称不认识": Case("IN-23", "公开01表!D14", post=edit(unknown_class_name)),
    "IN-30 缺补充信息表": Case(
        "IN-30", "mutated.xlsx", post=edit(lambda wb: wb.remove(wb["单位基本情况"]))
    ),
    "IN-32 必填项为空": Case("IN-32", "单位基本情况!B7", set_kv("单位基本情况", "主要职能", None)),
    "IN-33 年度不是四位": Case("IN-33", "单位基本情况!B5", set_kv("单位基本情况", "年度", 21)),
    "IN-34 单位性质不在可选项": Case(
        "IN-34", "单位基本情况!B6", set_kv("单位基本情况", "单位性质", "公司")
    ),
    "IN-35 项目预算无表头": Case("IN-35", "项目预算", post=edit(drop_budget_header)),
    "IN-36 项目预算编码不是7位": Case(
        "IN-36", "项目预算!A5", lambda d: d.budgets.__setitem__(1, ("20137", *d.budgets[1][1:]))
    ),
    "IN-37 项目预算编码重复": Case(
        "IN-37", "项目预算!A5", lambda d: d.budgets.__setitem__(1, ("2013701", *d.budgets[1][1:]))
    ),
}


def _make(case: Case, make_workbook, tmp_path: Path, example_path: Path) -> Path:
    if case.make is not None:
        return case.make(tmp_path, example_path)

    def mutate(data):
        if case.style:
            for k, v in case.style.items():
                setattr(data.style, k, v)
        if case.unit:
            data.unit = case.unit
        if case.mutate:
            case.mutate(data)

    path = make_workbook(mutate)
    return case.post(path) if case.post else path


# --- where in checks.py each finding was made (read by tests/test_rule_sites.py) ----------

#: A finding as made in reportgen/checks.py: the line of every checks.py frame on the stack
#: when it was made, innermost first (the ``Finding(…)`` call, the ``_eq(…)`` call whose
#: comparison failed, the call of a helper such as ``_row_sum`` and its caller's line), then
#: its rule and cell.
Made = tuple[tuple[int, ...], str, str]

#: case name → the findings made in checks.py while the case ran. Filled as the
#: parametrised tests below run, so tests/test_rule_sites.py only has to run the cases this
#: session has not run.
FIRED: dict[str, set[Made]] = {}


@contextmanager
def recording_sites(into: set[Made]) -> Iterator[None]:
    """Add each finding made in reportgen/checks.py to ``into``, with its checks.py stack."""
    real = checks.Finding
    source = checks.__file__

    def recording(*args, **kwargs):
        finding = real(*args, **kwargs)
        lines = []
        frame = sys._getframe(1)
        while frame:
            if frame.f_code.co_filename == source:
                lines.append(frame.f_lineno)
            frame = frame.f_back
        into.add((tuple(lines), finding.rule, finding.where))
        return finding

    checks.Finding = recording
    try:
        yield
    finally:
        checks.Finding = real


@pytest.fixture(autouse=True)
def _record_sites(request) -> Iterator[None]:
    """Record the sites a corpus case reaches (tests with a ``name`` parameter only)."""
    callspec = getattr(request.node, "callspec", None)
    name = callspec.params.get("name") if callspec else None
    if name is None:
        yield
        return
    fired = FIRED.setdefault(name, set())
    fired.clear()  # a rerun replaces what an earlier run recorded
    with recording_sites(fired):
        yield


@pytest.mark.parametrize("name", list(ERRORS))
def test_error_names_rule_and_cell_and_nothing_is_written(
    name, make_workbook, tmp_path, example_path
):
    case = ERRORS[name]
    src = tmp_path / "in"
    src.mkdir()
    path = _make(case, make_workbook, src, example_path)
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(InputError) as err:
        build(path, out)
    errors = [(f.rule, f.where) for f in err.value.findings if f.is_error]
    assert (case.rule, case.where) in errors, errors
    assert list(out.iterdir()) == []


def _third_project_rate(data, rate: str) -> None:
    import copy

    data.projects = copy.deepcopy(data.projects)
    funds = list(data.projects[2]["funds"])
    funds[0] = (*funds[0][:5], rate, funds[0][6])
    data.projects[2]["funds"] = funds


WARNINGS: dict[str, Case] = {
    "P01 绩效自评表执行率与计算不符": Case(
        "P01", "公开12表!H57", lambda d: _third_project_rate(d, "41.60")
    ),
    "P10 绩效自评项目数与自评表张数不符": Case(
        "P10", "预算绩效管理!B7", set_kv("预算绩效管理", "开展绩效自评项目数", 16)
    ),
    "R41 三公决算超预算": Case(
        "R41",
        "公开09表!D12",
        both(
            set_sangong("reception", budget=D("20000")), set_sangong("sg_total", budget=D("43104"))
        ),
    ),
    "R42 无预算有支出": Case(
        "R42",
        "公开09表!C8",
        both(
            set_sangong("abroad", budget=D("0"), actual=D("1000")),
            set_sangong("sg_total", actual=D("43865.82")),
            set_sangong("abroad_groups", actual=1),
            set_sangong("abroad_people", actual=2),
        ),
    ),
    # codes: warnings, the document prints the workbook's name for an unknown code
    "R50 编码不在科目表": Case("R50", "公开02表!A38", recode("2210201", "2210298", "未知科目")),
    "R51 seed 004 22102 名称错": Case(
        "R51",
        "公开03表!D37",
        lambda d: d.coded["t03"].rows.__setitem__(
            28, ("22102", "住房保障支出", d.coded["t03"].rows[28][2])
        ),
    ),
    "R51 项目预算科目名称错": Case(
        "R51",
        "项目预算!A4",
        lambda d: d.budgets.__setitem__(0, ("2013701", "一般行政管理事务", *d.budgets[0][2:])),
    ),
    # a 公开06表 code typed wrong (30299 → 30298): a warning, the workbook's name is used
    "R50 06表经济分类编码不在科目表": Case(
        "R50",
        "公开06表!D33",
        post=edit(lambda wb: setattr(find(wb["公开06表"], "30299"), "value", "30298")),
    ),
    "R60 预算科目在05表没有支出": Case(
        "R60",
        "项目预算!A18",
        lambda d: d.budgets.append(("2013704", "", D("50000"), D("50000"), "")),
    ),
    "R61 决算≠预算且无原因": Case(
        "R61",
        "项目预算!A5",
        lambda d: d.budgets.__setitem__(1, (*d.budgets[1][:2], D("700000"), D("700000"), "")),
    ),
    "R62 表头部门名称不同": Case(
        "R62", "公开01表!A1", set_kv("单位基本情况", "部门名称", "玉溪市网信办")
    ),
    "R63 负数金额": Case(
        "R63",
        "公开03表!F35",
        both(
            set_row("t03", "2150516", basic="-1", project="1415501"),
            set_row("t03", "21505", basic="-1", project="1415501"),
            set_row("t03", "215", basic="-1", project="1415501"),
        ),
    ),
    "R63 公开09表决算数为负": Case(
        "R63", "公开09表!D14", set_sangong("reception_foreign_affairs", actual=D("-1"))
    ),
    "R65 变动超过100%无原因": Case(
        "R65", "公开09表!D12", set_kv("变动原因", "公务接待费变动原因", None)
    ),
    "R92 变动超过1000%已说明原因": Case(
        "R92", "上年决算数!B18", set_kv("上年决算数", "公务接待费", D("1000"))
    ),
    # the line is there, its budget is 0 (a line missing altogether is R80, an error)
    "R66 有支出预算为零": Case(
        "R66",
        "公开05表!K11",
        lambda d: d.budgets.__setitem__(0, (*d.budgets[0][:2], D(0), D(0), "")),
    ),
    "R81 项决算与预算相差超过5%未说明原因": Case(
        "R81", "项目预算!A7", lambda d: d.budgets.__setitem__(3, (*d.budgets[3][:4], ""))
    ),
    "R81 三公决算与预算相差超过5%未说明原因": Case(
        "R81", "公开09表!D7", set_kv("变动原因", "“三公”经费决算与预算差异原因", None)
    ),
    "IN-22 01表左栏多出一行": Case(
        "IN-22",
        "公开01表!A20",
        post=edit(lambda wb: wb["公开01表"].cell(row=20, column=1, value="九、捐赠收入")),
    ),
    "IN-24 09表缺行": Case(
        "IN-24", "公开09表!A4", post=edit(lambda wb: wb["公开09表"].delete_rows(24, 1))
    ),
    "IN-31 补充表多出不认识的项目": Case(
        "IN-31",
        "政府采购!A10",
        post=edit(lambda wb: wb["政府采购"].cell(row=10, column=1, value="采购代理费")),
    ),
}


@pytest.mark.parametrize("name", list(WARNINGS))
def test_warning_names_rule_and_cell_and_goes_to_the_sidecar(
    name, make_workbook, tmp_path, example_path
):
    case = WARNINGS[name]
    path = _make(case, make_workbook, tmp_path, example_path)
    _, findings = check(path)
    assert not [f.line() for f in findings if f.is_error]
    found = [(f.rule, f.where) for f in findings]
    assert (case.rule, case.where) in found, found


def test_warnings_are_written_next_to_the_document(make_workbook, tmp_path):
    path = make_workbook(set_kv("变动原因", "公务接待费变动原因", None))
    result = build(path, tmp_path / "out")
    assert result.path.exists()
    text = result.report_path.read_text(encoding="utf-8")
    assert "R65" in text and "公开09表!D12" in text


def test_corpus_covers_every_rule():
    from reportgen.checks import RULES

    covered = {c.rule for c in ERRORS.values()} | {c.rule for c in WARNINGS.values()}
    rule_ids = {rid for rid, _d, _f in RULES}
    assert rule_ids - covered == set()
    assert len(ERRORS) >= 40
