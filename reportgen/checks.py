"""勾稽关系: the rules a 决算 workbook must satisfy before a document is written.

Each rule has an id, a severity and a Chinese message; a broken rule becomes a
:class:`~reportgen.findings.Finding` naming the cell that holds the wrong figure, what
was expected and what was found. Amounts are compared exactly, in 元.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from . import codes
from .findings import ERROR, WARNING, Finding
from .layouts import PERSONNEL_CLASSES, SUMMARY_INCOME_ITEMS
from .model import Cell, Report, Row, Table
from .money import ZERO

Rule = Callable[[Report], Iterable[Finding]]
RULES: list[tuple[str, str, Rule]] = []


def rule(rule_id: str, description: str):
    def deco(fn: Rule) -> Rule:
        RULES.append((rule_id, description, fn))
        fn.rule_id = rule_id  # type: ignore[attr-defined]
        return fn

    return deco


def _fmt(v: Decimal | None) -> str:
    return f"{(v or ZERO):,.2f}"


def _eq(
    rule_id: str,
    message: str,
    where: Cell | str | None,
    expected: Decimal,
    found: Decimal,
    severity: str = ERROR,
) -> list[Finding]:
    if expected == found:
        return []
    return [Finding(severity, rule_id, message, str(where or ""), _fmt(expected), _fmt(found))]


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    return sum((v or ZERO for v in values), ZERO)


# --- 公开01表 ------------------------------------------------------------------------


@rule("R01", "公开01表 本年收入合计 = 各项收入之和")
def r01(rep: Report):
    t = rep.table("t01")
    if not t:
        return []
    parts = _sum(t.item(it.key) for it in SUMMARY_INCOME_ITEMS)
    return _eq(
        "R01",
        "公开01表 本年收入合计不等于各项收入之和。",
        t.item_cells.get("income_total", {}).get("amount"),
        parts,
        t.item("income_total"),
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
    if b and c:
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
                f"{t.layout.number} 合计不等于各“类”之和（{_label(t, col)}）。",
                t.total_cells.get(col),
                _sum(r.values.get(col) for r in classes),
                t.total.get(col) or ZERO,
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
                f"{t.layout.number} {parent.code}{parent.name} 不等于其下各“{level}”"
                f"之和（{_label(t, col)}）。",
                parent.cells.get(col),
                _sum(k.values.get(col) for k in kids),
                parent.amount(col),
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
    out = []
    for row in ([] if not t.total else [None]) + t.rows:
        vals, cells = (t.total, t.total_cells) if row is None else (row.values, row.cells)
        name = "合计行" if row is None else f"{row.code}{row.name}"
        out += _eq(
            rule_id,
            f"{t.layout.number} {name}：{what}",
            cells.get(total),
            _sum(vals.get(p) for p in parts),
            vals.get(total) or ZERO,
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


@rule("R24", "公开05表 年末结转和结余 = 年初 + 本年收入 − 本年支出")
def r24(rep: Report):
    t = rep.table("t05")
    if not t:
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
            "R24",
            f"公开05表 {name}：年末结转和结余不等于年初结转和结余加本年收入减本年支出。",
            cells.get("close_total"),
            exp,
            vals.get("close_total") or ZERO,
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
    )
    out += _eq(
        "R30",
        "公开06表 公用经费合计不等于各公用经费类之和。",
        t.total_cells.get("public"),
        pub,
        t.total_of("public"),
    )
    for c in classes:
        kids = [r for r in t.rows if len(r.code) == 5 and r.code.startswith(c.code)]
        out += _eq(
            "R30",
            f"公开06表 {c.code}{c.name} 不等于其下各款之和。",
            c.cells.get("amount"),
            _sum(k.values.get("amount") for k in kids),
            c.amount("amount"),
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
    for col, what in (("budget", "预算数"), ("actual", "决算统计数")):

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
        )
        out += _eq(
            "R40",
            f"公开09表 公务用车购置及运行维护费（{what}）不等于购置费与运行维护费之和。",
            cell("car_total"),
            v("car_purchase") + v("car_operation"),
            v("car_total"),
        )
        if col == "actual":
            out += _eq(
                "R40",
                "公开09表 公务接待费不等于国内接待费与国（境）外接待费之和。",
                cell("reception"),
                v("reception_domestic") + v("reception_abroad"),
                v("reception"),
            )
    return out


# --- codes ---------------------------------------------------------------------------


def _code_findings(rep: Report, t: Table, kind: str) -> list[Finding]:
    out = []
    year = rep.unit.year
    lookup = codes.function if kind == "function" else codes.economic
    all_names = codes.function_names if kind == "function" else codes.economic_names
    for row in t.rows:
        e = lookup(row.code, year)
        if e is None:
            if all_names(row.code):
                out.append(
                    Finding(
                        ERROR,
                        "R50",
                        f"{t.layout.number} 科目编码 {row.code} 在{year}年度已不使用。",
                        str(row.where),
                        "当年有效的科目编码",
                        row.code,
                    )
                )
            else:
                out.append(
                    Finding(
                        ERROR,
                        "R50",
                        f"{t.layout.number} 科目编码 {row.code} 不在科目表中。",
                        str(row.where),
                        "有效的科目编码",
                        row.code,
                    )
                )
            continue
        if row.name and row.name != e.name:
            out.append(
                Finding(
                    ERROR,
                    "R51",
                    f"{t.layout.number} 科目编码 {row.code} 的名称与科目表不符。",
                    str(_name_cell(row)),
                    e.name,
                    row.name,
                )
            )
    return out


def _name_cell(row: Row) -> Cell:
    """The cell holding the 科目名称 (the code cell when the name cell is unknown)."""
    return row.cells.get("name", row.where)


@rule("R50", "科目编码存在于科目表（当年有效），R51 名称与编码一致")
def r50(rep: Report):
    out = []
    for key in ("t02", "t03", "t05", "t07", "t08"):
        t = rep.table(key)
        if t:
            out += _code_findings(rep, t, "function")
    t = rep.table("t06")
    if t:
        out += _code_findings(rep, t, "economic")
    return out


# --- supplementary --------------------------------------------------------------------


@rule("R60", "项目预算的科目编码须出现在公开05表")
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
        e = codes.function(b.code, rep.unit.year)
        if b.name and e and b.name != e.name:
            out.append(
                Finding(
                    ERROR,
                    "R51",
                    f"“项目预算”科目编码 {b.code} 的名称与科目表不符。",
                    str(b.where),
                    e.name,
                    b.name,
                )
            )
    return out


@rule("R61", "决算数与预算数不同时须说明原因")
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


@rule("R62", "公开表的部门名称与“单位基本情况”一致")
def r62(rep: Report):
    out = []
    for t in rep.tables.values():
        if t.department and t.department != rep.unit.name.replace(" ", ""):
            out.append(
                Finding(
                    WARNING,
                    "R62",
                    f"{t.layout.number} 表头部门“{t.department}”与单位基本情况的部门名称不同。",
                    str(t.title_cell),
                    rep.unit.name,
                    t.department,
                )
            )
    return out


@rule("R63", "金额不应为负数")
def r63(rep: Report):
    out = []
    for t in rep.tables.values():
        for row in t.rows:
            for col, v in row.values.items():
                if v is not None and v < 0:
                    out.append(
                        Finding(
                            WARNING,
                            "R63",
                            f"{t.layout.number} {row.code} 出现负数金额。",
                            str(row.cells.get(col, row.where)),
                            "≥ 0",
                            _fmt(v),
                        )
                    )
    return out


def run_checks(report: Report) -> list[Finding]:
    findings: list[Finding] = []
    for _rid, _desc, fn in RULES:
        findings.extend(fn(report))
    return findings
