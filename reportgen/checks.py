"""勾稽关系: the rules a 决算 workbook must satisfy before a document is written.

Each rule has an id, a severity and a Chinese message; a broken rule becomes a
:class:`~reportgen.findings.Finding` naming the cell that holds the wrong figure, what
was expected and what was found. Amounts are compared exactly, in 元.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from decimal import Decimal

from . import codes, declared_rules
from .findings import ERROR, WARNING, Finding
from .layouts import BY_KEY as DEFAULT_TABLES
from .layouts import NONNEG, PERSONNEL_CLASSES
from .model import Cell, Report, Row, Table, Unpublished
from .money import TEN_THOUSAND, ZERO, round_half_up

Rule = Callable[[Report], Iterable[Finding]]
RULES: list[tuple[str, str, Rule]] = []


def rule(rule_id: str, description: str):
    def deco(fn: Rule) -> Rule:
        RULES.append((rule_id, description, fn))
        fn.rule_id = rule_id  # type: ignore[attr-defined]
        return fn

    return deco


#: the unit findings print amounts in: the tables' own when every table is in 万元
_DISPLAY: ContextVar[Decimal] = ContextVar("display_factor", default=Decimal(1))


def _fmt(v: Decimal | None, *others: Decimal | None) -> str:
    """An amount as a finding prints it, in the tables' unit: 2 decimals, or as few more
    as it takes to tell it from ``others`` (the figure it is compared with), so 应为 and
    实为 never look equal."""
    factor = _DISPLAY.get()
    v = (v or ZERO) / factor
    others = tuple(o / factor if o is not None else None for o in others)
    places = 2
    while places < 8 and any(
        o is not None and o != v and round_half_up(o, places) == round_half_up(v, places)
        for o in others
    ):
        places += 1
    return f"{round_half_up(v, places):,.{places}f}"


#: Half the smallest printed unit of the tables being checked: 0 for tables in 元 (compared
#: exactly), 50 元 for tables in 万元 with 2 decimals, where the software rounds each cell
#: on its own and a total may differ from the sum of its rounded parts.
_HALF_UNIT: ContextVar[Decimal] = ContextVar("half_unit", default=ZERO)


def _eq(
    rule_id: str,
    message: str,
    where: Cell | str | None,
    expected: Decimal,
    found: Decimal,
    severity: str = ERROR,
    terms: int = 1,
) -> list[Finding]:
    """A finding when ``found`` differs from ``expected`` by more than rounding allows.

    ``terms`` is how many rounded cells went into the comparison (the parts and the
    total); each may be off by half a printed unit.
    """
    if abs(expected - found) <= _HALF_UNIT.get() * terms:
        return []
    return [
        Finding(
            severity,
            rule_id,
            message,
            str(where or ""),
            _fmt(expected, found),
            _fmt(found, expected),
        )
    ]


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v or ZERO for v in values), ZERO)


# --- 公开01表 ------------------------------------------------------------------------


@rule("R01", "公开01表 本年收入合计 = 各项收入之和")
def r01(rep: Report):
    t = rep.table("t01")
    if not t:
        return []
    sources = t.layout.extra["left"]
    parts = _sum(t.item(it.key) for it in sources)
    return _eq(
        "R01",
        "公开01表 本年收入合计不等于各项收入之和。",
        t.item_cells.get("income_total", {}).get("amount"),
        parts,
        t.item("income_total"),
        terms=len(sources) + 1,
    )


@rule("R02", "公开01表 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余")
def r02(rep: Report):
    t = rep.table("t01")
    if not t:
        return []
    exp = t.item("income_total") + t.item("use_nonfiscal_surplus") + t.item("open_balance")
    return _eq(
        "R02",
        "公开01表 收入总计不等于本年收入合计、使用非财政拨款结余与年初结转和结余之和。",
        t.item_cells.get("grand_total", {}).get("amount"),
        exp,
        t.item("grand_total"),
    )


@rule("R03", "公开01表 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余")
def r03(rep: Report):
    t = rep.table("t01")
    if not t:
        return []
    exp = t.item("R:expense_total") + t.item("R:surplus_distribution") + t.item("R:close_balance")
    return _eq(
        "R03",
        "公开01表 支出总计不等于本年支出合计、结余分配与年末结转和结余之和。",
        t.item_cells.get("R:grand_total", {}).get("amount"),
        exp,
        t.item("R:grand_total"),
    )


@rule("R04", "公开01表 收入总计 = 支出总计")
def r04(rep: Report):
    t = rep.table("t01")
    if not t:
        return []
    return _eq(
        "R04",
        "公开01表 收入总计与支出总计不相等。",
        t.item_cells.get("R:grand_total", {}).get("amount"),
        t.item("grand_total"),
        t.item("R:grand_total"),
    )


@rule("R05", "公开01表 本年支出合计 = 各功能分类支出之和")
def r05(rep: Report):
    t = rep.table("t01")
    if not t:
        return []
    return _eq(
        "R05",
        "公开01表 本年支出合计不等于各功能分类（类）支出之和。",
        t.item_cells.get("R:expense_total", {}).get("amount"),
        _sum(r.values.get("amount") for r in t.rows),
        t.item("R:expense_total"),
        terms=len(t.rows) + 1,
    )


# --- between tables -------------------------------------------------------------------


@rule("R10", "本年收入合计：公开01表 = 公开02表")
def r10(rep: Report):
    a, b = rep.table("t01"), rep.table("t02")
    if not (a and b):
        return []
    return _eq(
        "R10",
        "公开02表 合计与公开01表 本年收入合计不一致。",
        b.total_cells.get("total"),
        a.item("income_total"),
        b.total_of("total"),
    )


@rule("R11", "本年支出合计：公开01表 = 公开03表")
def r11(rep: Report):
    a, b = rep.table("t01"), rep.table("t03")
    if not (a and b):
        return []
    return _eq(
        "R11",
        "公开03表 合计与公开01表 本年支出合计不一致。",
        b.total_cells.get("total"),
        a.item("R:expense_total"),
        b.total_of("total"),
    )


@rule("R12", "功能分类（类）支出：公开01表 = 公开03表")
def r12(rep: Report):
    a, b = rep.table("t01"), rep.table("t03")
    if not (a and b):
        return []
    out = []
    t03 = {r.code: r.amount("total") for r in b.rows if len(r.code) == 3}
    for row in a.rows:
        out += _eq(
            "R12",
            f"公开01表 {row.name} 与公开03表 {row.code} 合计不一致。",
            row.cells.get("amount"),
            t03.get(row.code, ZERO),
            row.amount("amount"),
        )
    return out


@rule("R13", "公开01表 一般公共预算财政拨款收入 = 公开04表 = 公开05表 本年收入")
def r13(rep: Report):
    a, b, c = rep.table("t01"), rep.table("t04"), rep.table("t05")
    out = []
    if a and b:
        out += _eq(
            "R13",
            "公开04表 一般公共预算财政拨款收入与公开01表不一致。",
            b.item_cells.get("gpb", {}).get("amount"),
            a.item("gpb"),
            b.item("gpb"),
        )
    if b and c and c.has("income_total"):
        out += _eq(
            "R13",
            "公开05表 本年收入合计与公开04表 一般公共预算财政拨款收入不一致。",
            c.total_cells.get("income_total"),
            b.item("gpb"),
            c.total_of("income_total"),
        )
    return out


@rule("R14", "公开04表 一般公共预算财政拨款支出 = 公开05表 本年支出合计")
def r14(rep: Report):
    b, c = rep.table("t04"), rep.table("t05")
    if not (b and c):
        return []
    return _eq(
        "R14",
        "公开05表 本年支出合计与公开04表 一般公共预算财政拨款支出不一致。",
        c.total_cells.get("exp_total"),
        b.item("R:expense_total", "gpb"),
        c.total_of("exp_total"),
    )


@rule("R15", "公开04表 政府性基金预算财政拨款 = 公开07表")
def r15(rep: Report):
    b, c = rep.table("t04"), rep.table("t07")
    if not (b and c):
        return []
    out = _eq(
        "R15",
        "公开07表 本年收入合计与公开04表 政府性基金预算财政拨款收入不一致。",
        c.total_cells.get("income_total"),
        b.item("gov_fund"),
        c.total_of("income_total"),
    )
    out += _eq(
        "R15",
        "公开07表 本年支出合计与公开04表 政府性基金预算财政拨款支出不一致。",
        c.total_cells.get("exp_total"),
        b.item("R:expense_total", "gov_fund"),
        c.total_of("exp_total"),
    )
    return out


@rule("R16", "公开04表 财政拨款收入 = 公开01表 各财政拨款收入")
def r16(rep: Report):
    a, b = rep.table("t01"), rep.table("t04")
    if not (a and b):
        return []
    out = []
    for key in ("gov_fund", "state_capital"):
        out += _eq(
            "R16",
            "公开04表 财政拨款收入与公开01表不一致。",
            b.item_cells.get(key, {}).get("amount"),
            a.item(key),
            b.item(key),
        )
    exp = b.item("gpb") + b.item("gov_fund") + b.item("state_capital")
    out += _eq(
        "R16",
        "公开04表 本年收入合计不等于三项财政拨款收入之和。",
        b.item_cells.get("income_total", {}).get("amount"),
        exp,
        b.item("income_total"),
    )
    return out


# --- within coded tables ---------------------------------------------------------------


def _hierarchy(t: Table, rule_id: str) -> list[Finding]:
    """合计 = Σ类, 类 = Σ款, 款 = Σ项, for every amount column."""
    out = []
    rows = t.rows
    for col in t.layout.column_keys:
        classes = [r for r in rows if len(r.code) == 3]
        if t.total:
            out += _eq(
                rule_id,
                f"{t.layout.name} 合计不等于各“类”之和（{_label(t, col)}）。",
                t.total_cells.get(col),
                _sum(r.values.get(col) for r in classes),
                t.total.get(col) or ZERO,
                terms=len(classes) + 1,
            )
        for parent in rows:
            if len(parent.code) not in (3, 5):
                continue
            kids = [
                r
                for r in rows
                if len(r.code) == len(parent.code) + 2 and r.code.startswith(parent.code)
            ]
            if not kids:
                continue
            level = "款" if len(parent.code) == 3 else "项"
            out += _eq(
                rule_id,
                f"{t.layout.name} {parent.code}{parent.name} 不等于其下各“{level}”"
                f"之和（{_label(t, col)}）。",
                parent.cells.get(col),
                _sum(k.values.get(col) for k in kids),
                parent.amount(col),
                terms=len(kids) + 1,
            )
    return out


def _label(t: Table, col: str) -> str:
    return next((c.label for c in t.layout.columns if c.key == col), col)


@rule("R20", "公开02/03/05/07/08表：合计 = Σ类，类 = Σ款，款 = Σ项")
def r20(rep: Report):
    out = []
    for key in ("t02", "t03", "t05", "t07", "t08"):
        t = rep.table(key)
        if t:
            out += _hierarchy(t, "R20")
    return out


def _row_sum(t: Table, rule_id: str, total: str, parts: list[str], what: str) -> list[Finding]:
    """``total`` = Σ ``parts`` on the 合计 row and every row; not checked where the layout
    does not publish one of the columns (上海 表5 has no 人员经费 column)."""
    if not all(t.has(k) for k in (total, *parts)):
        return []
    out = []
    for row in ([] if not t.total else [None]) + t.rows:
        vals, cells = (t.total, t.total_cells) if row is None else (row.values, row.cells)
        name = "合计行" if row is None else f"{row.code}{row.name}"
        out += _eq(
            rule_id,
            f"{t.layout.name} {name}：{what}",
            cells.get(total),
            _sum(vals.get(p) for p in parts),
            vals.get(total) or ZERO,
            terms=len(parts) + 1,
        )
    return out


@rule("R21", "公开03表 本年支出合计 = 基本支出 + 项目支出 + 上缴上级 + 经营 + 对附属单位补助")
def r21(rep: Report):
    t = rep.table("t03")
    if not t:
        return []
    return _row_sum(
        t,
        "R21",
        "total",
        ["basic", "project", "to_superior", "operating", "to_affiliated"],
        "本年支出合计不等于各类支出之和。",
    )


@rule("R22", "公开02表 本年收入合计 = 各项收入之和")
def r22(rep: Report):
    t = rep.table("t02")
    if not t:
        return []
    return _row_sum(
        t,
        "R22",
        "total",
        ["fiscal", "superior", "business", "operating", "affiliated", "other"],
        "本年收入合计不等于各项收入之和。",
    )


@rule("R23", "公开05表 本年支出：合计 = 基本支出 + 项目支出；基本支出 = 人员经费 + 公用经费")
def r23(rep: Report):
    t = rep.table("t05")
    if not t:
        return []
    out = _row_sum(
        t,
        "R23",
        "exp_total",
        ["exp_basic", "exp_project"],
        "本年支出合计不等于基本支出与项目支出之和。",
    )
    out += _row_sum(
        t,
        "R23",
        "exp_basic",
        ["exp_personnel", "exp_public"],
        "基本支出不等于人员经费与公用经费之和。",
    )
    out += _row_sum(
        t,
        "R23",
        "income_total",
        ["income_basic", "income_project"],
        "本年收入合计不等于基本支出与项目支出之和。",
    )
    return out


def _balance(t: Table, rule_id: str) -> list[Finding]:
    """年末结转和结余 = 年初结转和结余 + 本年收入 − 本年支出, on the 合计 row and every 科目
    (where the layout publishes the four columns)."""
    if not all(t.has(k) for k in ("open_total", "income_total", "exp_total", "close_total")):
        return []
    out = []
    for row in ([None] if t.total else []) + t.rows:
        vals, cells = (t.total, t.total_cells) if row is None else (row.values, row.cells)
        name = "合计行" if row is None else f"{row.code}{row.name}"
        exp = (
            (vals.get("open_total") or ZERO)
            + (vals.get("income_total") or ZERO)
            - (vals.get("exp_total") or ZERO)
        )
        out += _eq(
            rule_id,
            f"{t.layout.name} {name}：年末结转和结余不等于年初结转和结余加本年收入减本年支出。",
            cells.get("close_total"),
            exp,
            vals.get("close_total") or ZERO,
            terms=4,
        )
    return out


@rule("R24", "公开05表 年末结转和结余 = 年初 + 本年收入 − 本年支出")
def r24(rep: Report):
    t = rep.table("t05")
    return _balance(t, "R24") if t else []


@rule("R25", "公开07表 年末结转和结余 = 年初 + 本年收入 − 本年支出；合计 = 基本 + 项目")
def r25(rep: Report):
    t = rep.table("t07")
    if not t:
        return []
    out = _balance(t, "R25")
    for group in ("open", "income", "exp", "close"):
        out += _row_sum(
            t,
            "R25",
            f"{group}_total",
            [f"{group}_basic", f"{group}_project"],
            f"{_label(t, group + '_total')}不等于基本支出与项目支出之和。",
        )
    return out


@rule("R26", "公开08表 年末结转和结余 = 年初 + 本年收入 − 本年支出；合计 = 结转 + 结余")
def r26(rep: Report):
    t = rep.table("t08")
    if not t:
        return []
    out = _balance(t, "R26")
    for group in ("open", "close"):
        out += _row_sum(
            t,
            "R26",
            f"{group}_total",
            [f"{group}_carry", f"{group}_surplus"],
            f"{_label(t, group + '_total')}不等于结转与结余之和。",
        )
    return out


@rule("R27", "公开05表 各类支出 = 公开04表 一般公共预算财政拨款 同类支出")
def r27(rep: Report):
    a, b = rep.table("t04"), rep.table("t05")
    if not (a and b):
        return []
    t05 = {r.code: r.amount("exp_total") for r in b.rows if len(r.code) == 3}
    out = []
    for row in a.rows:
        out += _eq(
            "R27",
            f"公开04表 {row.name}（一般公共预算财政拨款）与公开05表 {row.code} 本年支出不一致。",
            row.cells.get("gpb"),
            t05.get(row.code, ZERO),
            row.amount("gpb"),
        )
    return out


@rule("R28", "公开07表 各类支出 = 公开04表 政府性基金预算财政拨款 同类支出")
def r28(rep: Report):
    a, b = rep.table("t04"), rep.table("t07")
    if not (a and b):
        return []
    t07 = {r.code: r.amount("exp_total") for r in b.rows if len(r.code) == 3}
    out = []
    for row in a.rows:
        out += _eq(
            "R28",
            f"公开04表 {row.name}（政府性基金预算财政拨款）与公开07表 {row.code} 本年支出不一致。",
            row.cells.get("gov_fund"),
            t07.get(row.code, ZERO),
            row.amount("gov_fund"),
        )
    return out


@rule("R29", "财政拨款支出不超过同科目的全部支出（公开05/07表 ≤ 公开03表）")
def r29(rep: Report):
    t03 = rep.table("t03")
    if not t03:
        return []
    total = {r.code: r.amount("total") for r in t03.rows}
    fiscal: dict[str, Decimal] = {}
    where: dict[str, Cell | None] = {}
    for key in ("t05", "t07", "t08"):
        t = rep.table(key)
        for r in t.rows if t else []:
            fiscal[r.code] = fiscal.get(r.code, ZERO) + r.amount("exp_total")
            where.setdefault(r.code, r.cells.get("exp_total"))
    out = []
    for code, amount in fiscal.items():
        if amount > total.get(code, ZERO) + _HALF_UNIT.get() * 2:
            out.append(
                Finding(
                    ERROR,
                    "R29",
                    f"科目 {code} 的财政拨款支出大于公开03表中该科目的全部支出。",
                    str(where[code] or ""),
                    f"≤ {_fmt(total.get(code, ZERO))}",
                    _fmt(amount),
                )
            )
    return out


# --- 公开06表 ------------------------------------------------------------------------


@rule("R30", "公开06表 人员经费合计、公用经费合计 = 各类之和；类 = Σ款")
def r30(rep: Report):
    t = rep.table("t06")
    if not t:
        return []
    out = []
    classes = [r for r in t.rows if len(r.code) == 3]
    pers = _sum(r.values.get("amount") for r in classes if r.code in PERSONNEL_CLASSES)
    pub = _sum(r.values.get("amount") for r in classes if r.code not in PERSONNEL_CLASSES)
    out += _eq(
        "R30",
        "公开06表 人员经费合计不等于工资福利支出与对个人和家庭的补助之和。",
        t.total_cells.get("personnel"),
        pers,
        t.total_of("personnel"),
        terms=3,
    )
    out += _eq(
        "R30",
        "公开06表 公用经费合计不等于各公用经费类之和。",
        t.total_cells.get("public"),
        pub,
        t.total_of("public"),
        terms=len(classes),
    )
    for c in classes:
        kids = [r for r in t.rows if len(r.code) == 5 and r.code.startswith(c.code)]
        out += _eq(
            "R30",
            f"公开06表 {c.code}{c.name} 不等于其下各款之和。",
            c.cells.get("amount"),
            _sum(k.values.get("amount") for k in kids),
            c.amount("amount"),
            terms=len(kids) + 1,
        )
    return out


@rule("R31", "公开06表 人员经费/公用经费 = 公开05表 合计行")
def r31(rep: Report):
    a, b = rep.table("t06"), rep.table("t05")
    if not (a and b):
        return []
    out = _eq(
        "R31",
        "公开06表 人员经费合计与公开05表 人员经费不一致。",
        a.total_cells.get("personnel"),
        b.total_of("exp_personnel"),
        a.total_of("personnel"),
    )
    out += _eq(
        "R31",
        "公开06表 公用经费合计与公开05表 公用经费不一致。",
        a.total_cells.get("public"),
        b.total_of("exp_public"),
        a.total_of("public"),
    )
    return out


# --- 公开09表 ------------------------------------------------------------------------


@rule(
    "R40",
    "公开09表 “三公”经费合计 = 各项之和；公务用车 = 购置 + 运行维护；公务接待 = 国内 + 国（境）外",
)
def r40(rep: Report):
    t = rep.table("t09")
    if not t:
        return []
    out = []
    for col in ("budget", "actual"):
        what = next(c.label for c in t.layout.columns if c.key == col)

        def v(k, col=col):
            return (t.items.get(k) or {}).get(col) or ZERO

        def cell(k, col=col):
            return (t.item_cells.get(k) or {}).get(col)

        out += _eq(
            "R40",
            f"公开09表 “三公”经费支出合计（{what}）不等于三项之和。",
            cell("sg_total"),
            v("abroad") + v("car_total") + v("reception"),
            v("sg_total"),
            terms=4,
        )
        out += _eq(
            "R40",
            f"公开09表 公务用车购置及运行维护费（{what}）不等于购置费与运行维护费之和。",
            cell("car_total"),
            v("car_purchase") + v("car_operation"),
            v("car_total"),
            terms=3,
        )
        if col == "actual" and t.has("reception_domestic"):
            out += _eq(
                "R40",
                "公开09表 公务接待费不等于国内接待费与国（境）外接待费之和。",
                cell("reception"),
                v("reception_domestic") + v("reception_abroad"),
                v("reception"),
                terms=3,
            )
    return out


# --- codes ---------------------------------------------------------------------------


def _code_findings(rep: Report, t: Table, kind: str, reported: set[str]) -> list[Finding]:
    """R50 (code not in the table for the year; once per code, at its first cell) and R51
    (name differs from a verified entry; at every cell that has it).

    Both are warnings: the table cannot know every regional or new 科目, so the document
    prints the workbook's own name for a code it does not know (see ``codes.py``).
    """
    out = []
    year = rep.unit.year
    table = codes.active()
    for row in t.rows:
        e = table.get(kind, row.code, year, workbook=False)
        if e is None:
            if row.code not in reported:
                reported.add(row.code)
                out.append(_unknown_code(t.layout.number, row, kind, year, table))
        elif row.name and e.verified and row.name not in table.verified_names(kind, row.code, year):
            what = f"{t.layout.name} 科目编码 {row.code}"
            out.append(_wrong_name(what, _name_cell(row), e, row.name, year))
    return out


def _unknown_code(number: str, row: Row, kind: str, year: int, table) -> Finding:
    """R50: say which name the document uses, and when the code applies if it ever does."""
    other = table.known_years(kind, row.code)
    shown = f"文档采用工作簿中的名称“{row.name}”" if row.name else "工作簿中也没有名称"
    if other:
        when = "、".join(sorted({f"{e.name}（{e.years()}）" for e in other}))
        text = f"{number} 科目编码 {row.code} 在{year}年度不适用（科目表：{when}），{shown}。"
    else:
        text = (
            f"{number} 科目编码 {row.code} 不在{codes.KIND_NAMES[kind]}科目表中，{shown}；"
            "编码无误时可用科目表文件（--codes）补充。"
        )
    return Finding(WARNING, "R50", text, str(row.where), f"{year}年度有效的科目编码", row.code)


def _wrong_name(what: str, where: Cell, e: codes.Code, given: str, year: int) -> Finding:
    """R51: the workbook's name differs from the verified one, which the document prints
    (an old name of the code, as an outdated export prints it, is said to be one)."""
    table = codes.active()
    old = [x for x in table.known_years(e.kind, e.code) if x.name == given and not x.applies(year)]
    why = f"“{given}”是该科目{old[0].years()}的名称；" if old else ""
    return Finding(
        WARNING,
        "R51",
        f"{what} 的名称与科目表不符；{why}正文和名词解释采用科目表的名称，附表照录工作簿。",
        str(where),
        e.name,
        given,
    )


def _name_cell(row: Row) -> Cell:
    """The cell holding the 科目名称 (the code cell when the name cell is unknown)."""
    return row.cells.get("name", row.where)


@rule(
    "R50",
    "科目编码存在于科目表且当年有效（警告，文档采用工作簿中的名称）；"
    "R51 名称与已核对的科目表一致（警告，正文采用科目表的名称）；科目表及其扩充见 docs/codes.md",
)
def r50(rep: Report):
    out: list[Finding] = []
    reported: set[str] = set()
    for key in ("t02", "t03", "t05", "t07", "t08"):
        t = rep.table(key)
        if t:
            out += _code_findings(rep, t, codes.FUNCTION, reported)
    t = rep.table("t06")
    if t:
        out += _code_findings(rep, t, codes.ECONOMIC, reported)
    return out


# --- supplementary --------------------------------------------------------------------


@rule("R60", "项目预算的科目编码须出现在公开05表（警告）")
def r60(rep: Report):
    t = rep.table("t05")
    if not t:
        return []
    known = {r.code for r in t.rows}
    out = []
    for b in rep.budgets.values():
        if b.code not in known:
            out.append(
                Finding(
                    WARNING,
                    "R60",
                    f"“项目预算”的科目 {b.code} 在公开05表中没有支出，该项将写作“未发生支出”。",
                    str(b.where),
                )
            )
        e = codes.active().get(codes.FUNCTION, b.code, rep.unit.year, workbook=False)
        names = codes.active().verified_names(codes.FUNCTION, b.code, rep.unit.year)
        if b.name and e and e.verified and b.name not in names:
            what = f"“项目预算”科目编码 {b.code}"
            out.append(_wrong_name(what, b.where, e, b.name, rep.unit.year))
    return out


@rule("R61", "决算数与预算数不同时须说明原因（警告）")
def r61(rep: Report):
    t = rep.table("t05")
    if not t:
        return []
    out = []
    for row in t.rows:
        b = rep.budgets.get(row.code)
        if len(row.code) != 7 or b is None:
            continue
        budget = b.adjusted if b.adjusted is not None else b.initial
        if budget is not None and budget != row.amount("exp_total") and not b.reason:
            out.append(
                Finding(
                    WARNING, "R61", f"{row.code} 决算数与预算数不同，未填写差异原因。", str(b.where)
                )
            )
    return out


@rule("R62", "公开表的部门名称与“单位基本情况”一致（警告）")
def r62(rep: Report):
    out = []
    for t in rep.tables.values():
        if t.department and t.department != rep.unit.name.replace(" ", ""):
            out.append(
                Finding(
                    WARNING,
                    "R62",
                    f"{t.layout.name} 表头部门“{t.department}”与单位基本情况的部门名称不同。",
                    str(t.title_cell),
                    rep.unit.name,
                    t.department,
                )
            )
    return out


@rule("R63", "收入、支出金额不应为负数（警告；结转结余、结余分配可为负数，负的预算数见 IN-17）")
def r63(rep: Report):
    out = []
    for t in rep.tables.values():
        lay = t.layout
        # (sign rule, what, value, cell) of every amount: rows, 合计, labelled rows
        values = [
            (lay.sign(col), row.code, v, row.cells.get(col, row.where))
            for row in t.rows
            for col, v in row.values.items()
        ]
        values += [(lay.sign(col), "合计", v, t.total_cells.get(col)) for col, v in t.total.items()]
        for key, vals in t.items.items():
            it = lay.item(key)
            label = it.label if it and it.label else key.removeprefix("R:")
            for col, v in vals.items():
                values.append((lay.sign(col, key), label, v, t.item_cells.get(key, {}).get(col)))
        for sign, what, v, where in values:
            if sign == NONNEG and v is not None and v < 0:
                out.append(
                    Finding(
                        WARNING,
                        "R63",
                        f"{lay.number} {what} 出现负数金额；收入、支出金额通常不为负数，请确认。",
                        str(where or t.title_cell),
                        "≥ 0",
                        _fmt(v),
                    )
                )
    return out


# --- more between-table rules ----------------------------------------------------------


@rule("R06", "本年收入按来源：公开01表 = 公开02表 合计行各栏")
def r06(rep: Report):
    a, b = rep.table("t01"), rep.table("t02")
    if not (a and b and b.total):
        return []
    pairs = (
        ("财政拨款收入", a.item("gpb") + a.item("gov_fund") + a.item("state_capital"), "fiscal"),
        ("上级补助收入", a.item("superior"), "superior"),
        ("事业收入", a.item("business"), "business"),
        ("经营收入", a.item("operating"), "operating"),
        ("附属单位上缴收入", a.item("affiliated"), "affiliated"),
        ("其他收入", a.item("other"), "other"),
    )
    out = []
    for what, expected, col in pairs:
        out += _eq(
            "R06",
            f"公开02表 合计行的{what}与公开01表不一致。",
            b.total_cells.get(col),
            expected,
            b.total_of(col),
            terms=2,
        )
    return out


@rule("R17", "公开04表 收入总计 = 本年收入合计 + 年初财政拨款结转和结余（= 三项之和）")
def r17(rep: Report):
    t = rep.table("t04")
    if not t:
        return []

    def cell(key):
        return t.item_cells.get(key, {}).get("amount")

    out = _eq(
        "R17",
        "公开04表 年初财政拨款结转和结余不等于三项财政拨款之和。",
        cell("open_fiscal"),
        t.item("open_gpb") + t.item("open_gov_fund") + t.item("open_state_capital"),
        t.item("open_fiscal"),
        terms=4,
    )
    out += _eq(
        "R17",
        "公开04表 收入总计不等于本年收入合计与年初财政拨款结转和结余之和。",
        cell("grand_total"),
        t.item("income_total") + t.item("open_fiscal"),
        t.item("grand_total"),
        terms=3,
    )
    return out


@rule("R18", "公开04表 支出总计 = 本年支出合计 + 年末财政拨款结转和结余 = 收入总计")
def r18(rep: Report):
    t = rep.table("t04")
    if not t:
        return []

    def cell(key, col="total"):
        return t.item_cells.get("R:" + key, {}).get(col)

    def v(key, col="total"):
        return t.item("R:" + key, col)

    funds = ("gpb", "gov_fund", "state_capital")
    if t.has("R:close_gpb"):  # 云南: three unlabelled rows under the 年末 line
        closing = _sum(v(f"close_{f}") for f in funds)
    else:  # 上海: the 年末 line split by fund in its own columns
        closing = _sum(v("close_fiscal", f) for f in funds)
    out = _eq(
        "R18",
        "公开04表 年末财政拨款结转和结余不等于三项财政拨款之和。",
        cell("close_fiscal"),
        closing,
        v("close_fiscal"),
        terms=4,
    )
    out += _eq(
        "R18",
        "公开04表 支出总计不等于本年支出合计与年末财政拨款结转和结余之和。",
        cell("grand_total"),
        v("expense_total") + v("close_fiscal"),
        v("grand_total"),
        terms=3,
    )
    out += _eq(
        "R18",
        "公开04表 收入总计与支出总计不相等。",
        cell("grand_total"),
        t.item("grand_total"),
        v("grand_total"),
        terms=2,
    )
    return out


@rule("R19", "公开04表 支出：合计栏 = 三项财政拨款之和；本年支出合计 = Σ类")
def r19(rep: Report):
    t = rep.table("t04")
    if not t:
        return []
    parts = ("gpb", "gov_fund", "state_capital")
    out = []
    lines = [(r.name, r.values, r.cells) for r in t.rows]
    lines.append(
        (
            "本年支出合计",
            t.items.get("R:expense_total", {}),
            t.item_cells.get("R:expense_total", {}),
        )
    )
    for name, vals, cells in lines:
        out += _eq(
            "R19",
            f"公开04表 {name}：合计不等于三项财政拨款之和。",
            cells.get("total"),
            _sum(vals.get(p) for p in parts),
            vals.get("total") or ZERO,
            terms=4,
        )
    for col in ("total", *parts):
        out += _eq(
            "R19",
            f"公开04表 本年支出合计不等于各功能分类（类）支出之和（{_T04_COLS[col]}）。",
            t.item_cells.get("R:expense_total", {}).get(col),
            _sum(r.values.get(col) for r in t.rows),
            t.item("R:expense_total", col),
            terms=len(t.rows) + 1,
        )
    return out


_T04_COLS = {
    "total": "合计",
    "gpb": "一般公共预算财政拨款",
    "gov_fund": "政府性基金预算财政拨款",
    "state_capital": "国有资本经营预算财政拨款",
}


@rule("R32", "人员经费 + 公用经费（公开06表）= 基本支出（公开05表）")
def r32(rep: Report):
    a, b = rep.table("t06"), rep.table("t05")
    if not (a and b):
        return []
    return _eq(
        "R32",
        "公开06表 人员经费合计与公用经费合计之和不等于公开05表 基本支出。",
        a.total_cells.get("personnel"),
        b.total_of("exp_basic"),
        a.total_of("personnel") + a.total_of("public"),
        terms=3,
    )


# --- 公开09表: plausibility -------------------------------------------------------------

_SANGONG_MONEY = (
    ("abroad", "因公出国（境）费"),
    ("car_purchase", "公务用车购置费"),
    ("car_operation", "公务用车运行维护费"),
    ("reception", "公务接待费"),
)


def _sg(t: Table, key: str, col: str) -> Decimal:
    return (t.items.get(key) or {}).get(col) or ZERO


def _sg_cell(t: Table, key: str, col: str) -> str:
    return str((t.item_cells.get(key) or {}).get(col) or "")


@rule("R41", "“三公”经费决算数超过预算数（警告）")
def r41(rep: Report):
    t = rep.table("t09")
    if not t:
        return []
    out = []
    for key, name in (("sg_total", "“三公”经费合计"), *_SANGONG_MONEY):
        budget, actual = _sg(t, key, "budget"), _sg(t, key, "actual")
        if budget > 0 and actual > budget:
            out.append(
                Finding(
                    WARNING,
                    "R41",
                    f"公开09表 {name}决算数超过预算数，请确认并在差异原因中说明。",
                    _sg_cell(t, key, "actual"),
                    f"≤ {_fmt(budget)}",
                    _fmt(actual),
                )
            )
    return out


@rule("R42", "无预算而有支出（警告）：“三公”各项预算为0而决算数大于0")
def r42(rep: Report):
    t = rep.table("t09")
    if not t:
        return []
    out = []
    for key, name in _SANGONG_MONEY:
        if _sg(t, key, "budget") == 0 and _sg(t, key, "actual") > 0:
            out.append(
                Finding(
                    WARNING,
                    "R42",
                    f"公开09表 {name}没有预算却有支出。",
                    _sg_cell(t, key, "budget"),
                    "预算数 > 0",
                    _fmt(ZERO),
                )
            )
    return out


#: (amount key, count key, what): an amount needs its count and a count its amount
_SANGONG_COUNTS = (
    ("abroad", "abroad_groups", "因公出国（境）团组数"),
    ("abroad", "abroad_people", "因公出国（境）人次数"),
    ("car_purchase", "cars_purchased", "公务用车购置数"),
    ("car_operation", "cars_held", "公务用车保有量"),
    ("reception_domestic", "reception_batches", "国内公务接待批次"),
    ("reception_domestic", "reception_people", "国内公务接待人次"),
)


@rule("R43", "“三公”经费金额与统计数相符：有金额须有次数/辆数，有次数须有金额")
def r43(rep: Report):
    t = rep.table("t09")
    if not t:
        return []
    out = []
    for amount_key, count_key, what in _SANGONG_COUNTS:
        if amount_key == "reception_domestic" and not t.has(amount_key):
            amount_key = "reception"  # a layout without 国（境）外接待: all of it is 国内
        amount = _sg(t, amount_key, "actual")
        count = (t.items.get(count_key) or {}).get("actual") or 0
        if amount > 0 and count == 0:
            out.append(
                Finding(
                    ERROR,
                    "R43",
                    f"公开09表 有{_label_of(amount_key)}支出，{what}却为0。",
                    _sg_cell(t, count_key, "actual"),
                    "> 0",
                    "0",
                )
            )
        elif count > 0 and amount == 0 and count_key != "cars_held":
            out.append(
                Finding(
                    ERROR,
                    "R43",
                    f"公开09表 {what}为{count}，{_label_of(amount_key)}却为0。",
                    _sg_cell(t, amount_key, "actual"),
                    "> 0",
                    _fmt(ZERO),
                )
            )
    return out


def _label_of(key: str) -> str:
    return {
        "abroad": "因公出国（境）费",
        "car_purchase": "公务用车购置费",
        "car_operation": "公务用车运行维护费",
        "reception_domestic": "国内接待费",
        "reception": "公务接待费",
    }[key]


@rule("R44", "公开09表 机关运行经费 = 行政单位 + 参照公务员法管理事业单位")
def r44(rep: Report):
    t = rep.table("t09")
    if not t or not t.has("admin_cost_admin"):  # a layout without the 行政/参公 split
        return []
    return _eq(
        "R44",
        "公开09表 机关运行经费不等于行政单位与参照公务员法管理事业单位之和。",
        _sg_cell(t, "admin_cost", "actual"),
        _sg(t, "admin_cost_admin", "actual") + _sg(t, "admin_cost_civil", "actual"),
        _sg(t, "admin_cost", "actual"),
        terms=3,
    )


@rule("R45", "三公经费补充：按车型的购置金额、保有辆数与公开09表一致")
def r45(rep: Report):
    t = rep.table("t09")
    sheet = "三公经费补充"
    facts = rep.facts.get(sheet) or {}
    if not t or not facts:
        return []
    cells = rep.fact_cells.get(sheet, {})
    out = []
    kinds = ("轿车", "越野车", "载客汽车")
    held = [facts.get(f"保有{k}数量") for k in kinds]
    if any(v is not None for v in held):
        expected = (t.items.get("cars_held") or {}).get("actual") or 0
        found = sum(v or 0 for v in held)
        if found != expected:
            out.append(
                Finding(
                    ERROR,
                    "R45",
                    "三公经费补充 各车型保有数量之和与公开09表 公务用车保有量不一致。",
                    str(cells.get("保有轿车数量", sheet)),
                    str(expected),
                    str(found),
                )
            )
    bought = [facts.get(f"购置{k}金额") for k in kinds]
    if any(v is not None for v in bought):
        out += _eq(
            "R45",
            "三公经费补充 各车型购置金额之和与公开09表 公务用车购置费不一致。",
            cells.get("购置轿车金额", sheet),
            _sg(t, "car_purchase", "actual"),
            _sum(bought),
            terms=4,
        )
    return out


# --- the year, last year, budgets, facts ------------------------------------------------


@rule("R64", "年度：公开表表头的年度与“单位基本情况”一致，且不晚于当前年度")
def r64(rep: Report):
    import datetime

    year = rep.unit.year
    out = []
    cell = (rep.fact_cells.get("单位基本情况") or {}).get("年度", "单位基本情况")
    this_year = datetime.date.today().year
    if year and year >= this_year:
        out.append(
            Finding(
                ERROR,
                "R64",
                f"决算年度 {year} 尚未结束，不能编制决算（应为 {this_year - 1} 年或更早）。",
                str(cell),
                f"≤ {this_year - 1}",
                str(year),
            )
        )
    for t in rep.tables.values():
        if t.year is not None and year and t.year != year:
            out.append(
                Finding(
                    ERROR,
                    "R64",
                    f"{t.layout.name} 表头年度与单位基本情况的年度不同（是否放入了其他年度的表？）。",
                    str(t.year_cell),
                    str(year),
                    str(t.year),
                )
            )
    return out


#: (上年决算数 label, this year's figure, where it is) for the 100% change warning
def _prior_pairs(rep: Report):
    t01, t04, t05, t09 = (rep.table(k) for k in ("t01", "t04", "t05", "t09"))
    if t01:
        yield (
            "收入总计",
            t01.item("grand_total"),
            t01.item_cells.get("grand_total", {}).get("amount"),
        )
        yield (
            "本年收入合计",
            t01.item("income_total"),
            t01.item_cells.get("income_total", {}).get("amount"),
        )
        yield (
            "本年支出合计",
            t01.item("R:expense_total"),
            t01.item_cells.get("R:expense_total", {}).get("amount"),
        )
    if t04:
        yield (
            "财政拨款收入总计",
            t04.item("grand_total"),
            t04.item_cells.get("grand_total", {}).get("amount"),
        )
    if t05:
        yield (
            "一般公共预算财政拨款支出",
            t05.total_of("exp_total"),
            t05.total_cells.get("exp_total"),
        )
    if t09:
        yield (
            "“三公”经费支出合计",
            _sg(t09, "sg_total", "actual"),
            _sg_cell(t09, "sg_total", "actual"),
        )
        for key, name in _SANGONG_MONEY:
            yield name, _sg(t09, key, "actual"), _sg_cell(t09, key, "actual")
        yield (
            "机关运行经费",
            _sg(t09, "admin_cost", "actual"),
            _sg_cell(t09, "admin_cost", "actual"),
        )


#: the 变动原因 field that explains a change; once filled, the change is not questioned
_REASON_FOR = {
    "收入总计": "收支总计变动原因",
    "财政拨款收入总计": "财政拨款收支总计变动原因",
    "一般公共预算财政拨款支出": "一般公共预算财政拨款支出变动原因",
    "“三公”经费支出合计": "“三公”经费变动原因",
    "因公出国（境）费": "因公出国（境）费变动原因",
    "公务用车购置费": "公务用车购置及运行维护费变动原因",
    "公务用车运行维护费": "公务用车购置及运行维护费变动原因",
    "公务接待费": "公务接待费变动原因",
    "机关运行经费": "机关运行经费变动原因",
}


@rule("R65", "与上年相比变动超过100%（至1000%）且未填写变动原因（警告；超过1000%见 R92）")
def r65(rep: Report):
    out = []
    for label, now, where in _prior_pairs(rep):
        before = rep.prior.get(label)
        if before is None or before <= 0 or rep.reasons.get(_REASON_FOR.get(label, "")):
            continue
        if before < abs(now - before) <= before * _MAX_CHANGE:  # beyond: R90/R92
            rate = (now - before) / before * 100
            out.append(
                Finding(
                    WARNING,
                    "R65",
                    f"{label}较上年变动 {rate:+.2f}%，超过100%，请核对“上年决算数”并说明变动原因。",
                    str(where or rep.prior_cells.get(label, "")),
                    f"上年 {_fmt(before)}",
                    _fmt(now),
                )
            )
    return out


# --- unit sanity: 万元 typed into a 元 field, changes no unit makes -------------------------

#: A change beyond ±1000% (this year more than 11 times last year's) is a typing mistake
#: until the unit says otherwise in 变动原因; the text would print "增长1072209.92%".
_MAX_CHANGE = Decimal(10)
#: this year ÷ the other figure within [2000, 50000], about 10^4: that figure was typed in
#: 万元 into a field that holds 元 (1,856.23 for 18,562,300.00 元).
_WAN_RATIO = (Decimal(2000), Decimal(50000))


def _looks_like_wan(now: Decimal, other: Decimal | None) -> bool:
    """True when ``other`` (元 expected) is about a ten-thousandth of ``now``."""
    if other is None or other <= 0 or now <= 0:
        return False
    low, high = _WAN_RATIO
    return low <= now / other <= high


def _prior_sanity_pairs(rep: Report):
    """The _prior_pairs of R65 plus the 上年 figures it does not compare."""
    yield from _prior_pairs(rep)
    t01, t04, t05 = (rep.table(k) for k in ("t01", "t04", "t05"))
    if t01:
        cell = t01.item_cells.get("R:grand_total", {}).get("amount")
        yield "支出总计", t01.item("R:grand_total"), cell
    if t04:
        cell = t04.item_cells.get("R:grand_total", {}).get("total")
        yield "财政拨款支出总计", t04.item("R:grand_total", "total"), cell
    if t05:
        for label, col in (
            ("一般公共预算财政拨款基本支出", "exp_basic"),
            ("一般公共预算财政拨款项目支出", "exp_project"),
        ):
            yield label, t05.total_of(col), t05.total_cells.get(col)


#: the 变动原因 field that explains a change of each figure R92 compares
_SANITY_REASON_FOR = {
    **_REASON_FOR,
    "本年收入合计": "收支总计变动原因",
    "本年支出合计": "收支总计变动原因",
    "支出总计": "收支总计变动原因",
    "财政拨款支出总计": "财政拨款收支总计变动原因",
    "一般公共预算财政拨款基本支出": "一般公共预算财政拨款支出变动原因",
    "一般公共预算财政拨款项目支出": "一般公共预算财政拨款支出变动原因",
}


@rule("R90", "上年决算数疑似按万元填写：约为本年数的万分之一（应按元填写）")
def r90(rep: Report):
    out = []
    for label, now, where in _prior_sanity_pairs(rep):
        before = rep.prior.get(label)
        if _looks_like_wan(now, before):
            out.append(
                Finding(
                    ERROR,
                    "R90",
                    f"上年决算数“{label}”疑似按万元填写（应按元填写）：本年为{_fmt(now)}元"
                    f"（{where or '公开表'}），上年填写{_fmt(before)}，约为本年的万分之一，"
                    f"文中将写出“增长{(now - before) / before * 100:.2f}%”。"
                    "请将上年决算数乘以10000后按元填写。",
                    str(rep.prior_cells.get(label, "") or where or ""),
                    f"约 {round_half_up(before * TEN_THOUSAND, 2):,.2f}（元）",
                    _fmt(before),
                )
            )
    return out


@rule("R91", "项目预算数疑似按万元填写：约为决算数的万分之一（应按元填写）")
def r91(rep: Report):
    t = rep.table("t05")
    if not t or not rep.budgets:
        return []
    out = []
    for row in t.rows:
        b = rep.budgets.get(row.code)
        if len(row.code) != 7 or b is None:
            continue
        actual = row.amount("exp_total")
        for column, budget in (("年初预算数", b.initial), ("调整预算数", b.adjusted)):
            if _looks_like_wan(actual, budget):
                out.append(
                    Finding(
                        ERROR,
                        "R91",
                        f"项目预算 {row.code} 的{column}疑似按万元填写（应按元填写）：决算数为"
                        f"{_fmt(actual)}元，{column}填写{_fmt(budget)}，约为决算数的万分之一，"
                        f"文中将写出“完成预算{actual / budget * 100:.2f}%”。"
                        "请将预算数乘以10000后按元填写。",
                        str(b.where),
                        f"约 {round_half_up(budget * TEN_THOUSAND, 2):,.2f}（元）",
                        _fmt(budget),
                    )
                )
    return out


@rule("R92", "与上年相比变动超过±1000%（错误；已填写变动原因时为警告）")
def r92(rep: Report):
    out = []
    for label, now, where in _prior_sanity_pairs(rep):
        before = rep.prior.get(label)
        if before is None or before <= 0 or _looks_like_wan(now, before):
            continue  # no rate, or R90's finding
        if abs(now - before) <= before * _MAX_CHANGE:
            continue
        reason_field = _SANITY_REASON_FOR.get(label, "变动原因")
        explained = bool(rep.reasons.get(reason_field))
        rate = (now - before) / before * 100
        out.append(
            Finding(
                WARNING if explained else ERROR,
                "R92",
                f"{label}较上年变动{rate:+.2f}%，超过±1000%：请核对上年决算数（按元填写）与本年"
                f"公开表（{where or '公开表'}）的金额单位；"
                + (
                    "已填写变动原因，按所填数字写出。"
                    if explained
                    else f"确属实时，请在“变动原因”表的“{reason_field}”中说明。"
                ),
                str(rep.prior_cells.get(label, "") or where or ""),
                f"上年 {_fmt(before)} 的 ±1000% 以内",
                _fmt(now),
            )
        )
    return out


@rule("R66", "有支出而无预算（警告）：公开05表 项级科目有支出，项目预算中没有预算数")
def r66(rep: Report):
    t = rep.table("t05")
    if not t or not rep.budgets:
        return []
    out = []
    for row in t.rows:
        if len(row.code) != 7 or row.amount("exp_total") <= 0:
            continue
        b = rep.budgets.get(row.code)
        budget = None if b is None else (b.adjusted if b.adjusted is not None else b.initial)
        if not budget:
            out.append(
                Finding(
                    WARNING,
                    "R66",
                    f"公开05表 {row.code}{row.name} 有支出，但“项目预算”中该科目的预算数为零或空，"
                    "文中将写作“未安排预算”。",
                    str(row.cells.get("exp_total", row.where)),
                    "预算数 > 0",
                    "无" if b is None else _fmt(ZERO),
                )
            )
    return out


#: A budget difference larger than this share of the budget needs a reason in the text
#: (reviewers ask for one; smaller differences are ordinary execution variance).
REASON_THRESHOLD = Decimal("0.05")


@rule("R80", "公开05表 项级科目有支出，“项目预算”中须有该科目的预算数（五（三）逐项列出预算数）")
def r80(rep: Report):
    t = rep.table("t05")
    if not t:
        return []
    out = []
    for row in t.rows:
        if len(row.code) != 7 or not row.amount("exp_total"):
            continue
        b = rep.budgets.get(row.code)
        if b is None or (b.initial is None and b.adjusted is None):
            out.append(
                Finding(
                    ERROR,
                    "R80",
                    f"公开05表 {row.code}{row.name} 有支出，但“项目预算”中没有该科目的年初预算数或"
                    "调整预算数。请在“项目预算”中补一行（预算为零填 0）。",
                    str(b.where if b else row.cells.get("exp_total", row.where)),
                    "年初预算数或调整预算数",
                    "无",
                )
            )
    return out


def _without_reason(actual: Decimal, budget: Decimal | None, reason: str) -> bool:
    """Actual and budget differ by more than REASON_THRESHOLD of the budget, unexplained."""
    if reason or budget is None or budget <= 0:
        return False
    return abs(actual - budget) > budget * REASON_THRESHOLD


@rule("R81", "决算数与预算数相差超过预算的5%而未填写差异原因（警告）：五（三）各项、“三公”经费")
def r81(rep: Report):
    out = []
    t = rep.table("t05")
    for row in t.rows if t else []:
        b = rep.budgets.get(row.code)
        if len(row.code) != 7 or b is None:
            continue
        budget = b.adjusted if b.adjusted is not None else b.initial
        if _without_reason(row.amount("exp_total"), budget, b.reason):
            out.append(
                Finding(
                    WARNING,
                    "R81",
                    f"{row.code}{row.name} 决算数与预算数相差超过预算的5%，请在“项目预算”的"
                    "“决算数与预算数差异原因”中说明（文中将写出原因）。",
                    str(b.where),
                    f"预算 {_fmt(budget)}",
                    _fmt(row.amount("exp_total")),
                )
            )
    t09 = rep.table("t09")
    sg = (t09.items.get("sg_total") or {}) if t09 else {}
    reason = rep.reasons.get("“三公”经费决算与预算差异原因", "")
    if _without_reason(sg.get("actual") or ZERO, sg.get("budget"), reason):
        out.append(
            Finding(
                WARNING,
                "R81",
                "“三公”经费决算数与预算数相差超过预算的5%，请在“变动原因”中填写"
                "“三公”经费决算与预算差异原因。",
                str((t09.item_cells.get("sg_total") or {}).get("actual", "公开09表")),
                f"预算 {_fmt(sg.get('budget'))}",
                _fmt(sg.get("actual")),
            )
        )
    return out


#: Last year's figures every published document compares with (一、四、五（一） and 图1, 图4,
#: 图5). Other 上年决算数 fields are optional: where one is missing, its sentence leaves
#: the comparison out, as published documents do (seed 002 compares no 三公 item).
@rule("R71", "上年决算数缺失（本年新成立单位在“上年决算数”填“本年新成立单位：是”）")
def r71(rep: Report):
    from .computed import is_new_unit
    from .schema import NEW_UNIT_FIELD, PRIOR

    if is_new_unit(rep):
        return []
    required = [f for f in rep.prior_spec.fields if f.required_prior]
    missing = [f.label for f in required if rep.prior.get(f.name) is None]
    cells = {f.label: rep.prior_cells.get(f.name) for f in required}
    if not missing:
        return []
    hint = (
        f"上年为零请填 0；本年新成立、没有上年数的单位请在“{PRIOR.name}”的"
        f"“{NEW_UNIT_FIELD}”填“是”。"
    )
    if len(missing) == len(required) and not rep.prior:
        return [Finding(ERROR, "R71", f"上年决算数缺失：“{PRIOR.name}”未填写。{hint}", PRIOR.name)]
    return [
        Finding(
            ERROR,
            "R71",
            f"上年决算数缺失：“{label}”未填写。{hint}",
            str(cells.get(label) or PRIOR.name),
            "上年决算数",
            "空",
        )
        for label in missing
    ]


@rule("R67", "政府采购：授予中小企业 ≤ 采购总额，其中小微企业 ≤ 中小企业")
def r67(rep: Report):
    sheet = "政府采购"
    f = rep.facts.get(sheet) or {}
    if not f:
        return []
    cells = rep.fact_cells.get(sheet, {})
    total = _sum(f.get(k) for k in ("政府采购货物支出", "政府采购工程支出", "政府采购服务支出"))
    sme = f.get("授予中小企业合同金额") or ZERO
    small = f.get("其中：授予小微企业合同金额") or ZERO
    out = []
    if sme > total:
        out.append(
            Finding(
                ERROR,
                "R67",
                "政府采购 授予中小企业合同金额大于货物、工程、服务采购支出之和。",
                str(cells.get("授予中小企业合同金额", sheet)),
                f"≤ {_fmt(total)}",
                _fmt(sme),
            )
        )
    if small > sme:
        out.append(
            Finding(
                ERROR,
                "R67",
                "政府采购 授予小微企业合同金额大于授予中小企业合同金额。",
                str(cells.get("其中：授予小微企业合同金额", sheet)),
                f"≤ {_fmt(sme)}",
                _fmt(small),
            )
        )
    return out


@rule("R68", "国有资产：车辆总数 = 各类用车之和")
def r68(rep: Report):
    sheet = "国有资产"
    f = rep.facts.get(sheet) or {}
    # the kinds are the sheet's own 用车 fields (7 in 云南's sheet, 8 in 上海's)
    kinds = [v for k, v in f.items() if k.endswith("用车")]
    if f.get("车辆总数") is None or all(v is None for v in kinds):
        return []
    found = sum(v or 0 for v in kinds)
    if found == f["车辆总数"]:
        return []
    return [
        Finding(
            ERROR,
            "R68",
            "国有资产 车辆总数不等于各类用车之和。",
            str((rep.fact_cells.get(sheet) or {}).get("车辆总数", sheet)),
            str(found),
            str(f["车辆总数"]),
        )
    ]


@rule(
    "P01",
    "项目支出绩效自评表：执行率、执行率得分、指标得分≤分值、分值合计100、小计、总分、等级、资金合计"
    "（P01–P09）；指标性质、度量单位的未知代码（P11）（警告）",
)
def p01(rep: Report):
    from .evaluation import check_project

    out = []
    for p in rep.projects:
        out += check_project(p)
    return out


@rule("P10", "预算绩效管理的开展绩效自评项目数 = 项目支出绩效自评表的张数（警告）")
def p10(rep: Report):
    n = rep.fact("预算绩效管理", "开展绩效自评项目数")
    if not rep.projects or n is None or n == len(rep.projects):
        return []
    where = (rep.fact_cells.get("预算绩效管理") or {}).get("开展绩效自评项目数", "预算绩效管理")
    return [
        Finding(
            WARNING,
            "P10",
            f"“预算绩效管理”填写开展绩效自评项目{n}个，工作簿中有{len(rep.projects)}张项目支出绩效自评表。",
            str(where),
            str(len(rep.projects)),
            str(n),
        )
    ]


def run_checks(
    report: Report, skip: frozenset[str] = frozenset(), declared: tuple = ()
) -> list[Finding]:
    """Every rule over the report, in rule order, then the profile's ``declared`` rules
    (rules.toml, see :mod:`reportgen.declared_rules`). A rule that needs a figure the
    layout does not publish does not apply (:class:`~reportgen.model.Unpublished`), nor
    does one the profile lists in ``skip_rules``. Messages name the tables as the layout
    does."""
    in_wan = any(t.unit == "万元" for t in report.tables.values())
    all_wan = bool(report.tables) and all(t.unit == "万元" for t in report.tables.values())
    token = _HALF_UNIT.set(Decimal("50") if in_wan else ZERO)
    shown = _DISPLAY.set(TEN_THOUSAND if all_wan else Decimal(1))
    try:
        findings: list[Finding] = []
        for rid, _desc, fn in RULES:
            if rid in skip:
                continue
            try:
                findings.extend(fn(report))
            except Unpublished:
                continue
        findings.extend(declared_rules.run(report, declared))
        return _named(report, findings)
    finally:
        _HALF_UNIT.reset(token)
        _DISPLAY.reset(shown)


def _named(report: Report, findings: list[Finding]) -> list[Finding]:
    """Rules speak of tables by their 云南 numbers (公开05表); a layout that numbers its
    tables otherwise, or not at all, reads its own name in their place."""
    names = {
        DEFAULT_TABLES[key].number: t.layout.name
        for key, t in report.tables.items()
        if key in DEFAULT_TABLES and t.layout.number != DEFAULT_TABLES[key].number
    }
    if not names:
        return findings
    pattern = re.compile("|".join(map(re.escape, names)))

    def rename(text: str) -> str:
        return pattern.sub(lambda m: names[m.group(0)], text)

    return [dataclasses.replace(f, message=rename(f.message)) for f in findings]
