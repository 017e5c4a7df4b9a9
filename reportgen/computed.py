"""Every number the document prints, computed once from the model.

The narrative templates and the charts receive the objects built here and do no
arithmetic of their own: a share, a change or a completion rate exists in one place, so
the text, the figures and the tables cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from . import codes
from .figures import (
    HALF_UP,
    Change,
    Completion,
    Share,
    change,
    changes_disagree,
    completion,
    parts_disagree,
    shares,
    shares_disagree,
)
from .layouts import PERSONNEL_CLASSES
from .model import Report, Table, Unpublished
from .money import ZERO
from .schema import NEW_UNIT_FIELD, PRIOR

INCOME_LABELS = {
    "gpb": "一般公共预算财政拨款收入",
    "gov_fund": "政府性基金预算财政拨款收入",
    "state_capital": "国有资本经营预算财政拨款收入",
    "superior": "上级补助收入",
    "business": "事业收入",
    "operating": "经营收入",
    "affiliated": "附属单位上缴收入",
    "other": "其他收入",
}
EXPENSE_LABELS = {
    "basic": "基本支出",
    "project": "项目支出",
    "to_superior": "上缴上级支出",
    "operating": "经营支出",
    "to_affiliated": "对附属单位补助支出",
}
SANGONG_PARTS = (
    ("abroad", "因公出国（境）费"),
    ("car_total", "公务用车购置及运行维护费"),
    ("reception", "公务接待费"),
)


@dataclass(frozen=True)
class ItemLine:
    """One 项 of a spending table with its budget comparison."""

    code: str
    label: str  # "一般公共服务支出（类）网信事务（款）行政运行（项）"
    names: tuple[str, str, str]
    actual: Decimal
    completion: Completion
    reason: str
    basis: str = ""  # which budget the rate is against: "adjusted" | "initial" | ""
    purpose: str = ""  # what the 项 is mainly spent on (项目预算 › 主要用于), "" when not given


@dataclass(frozen=True)
class EconomicLine:
    code: str
    name: str
    amount: Decimal


@dataclass(frozen=True)
class SangongItem:
    key: str
    label: str
    actual: Decimal
    budget: Decimal | None
    completion: Completion
    change: Change
    reason: str


@dataclass
class Computed:
    """The numbers of one document, grouped by the section that prints them."""

    year: int
    prev_year: int
    new_unit: bool = False  # founded this year: no prior-year figures, said once in 一
    totals: dict[str, Change] = field(default_factory=dict)
    income_total: Decimal = ZERO
    income_shares: list[Share] = field(default_factory=list)
    #: 二 when 财政拨款收入 is stated as one part (上海): 财政拨款收入, then the other incomes
    income_groups: list[Share] = field(default_factory=list)
    expense_total: Decimal = ZERO
    expense_shares: list[Share] = field(default_factory=list)
    gpb: dict[str, object] = field(default_factory=dict)
    basic: dict[str, object] = field(default_factory=dict)
    sangong: dict[str, object] = field(default_factory=dict)
    gov_fund: dict[str, object] = field(default_factory=dict)
    state_capital: dict[str, object] = field(default_factory=dict)
    admin_cost: dict[str, object] = field(default_factory=dict)
    procurement: dict[str, object] = field(default_factory=dict)
    assets: dict[str, object] = field(default_factory=dict)
    performance: dict[str, object] = field(default_factory=dict)
    glossary_codes: list[tuple[str, str]] = field(default_factory=list)
    #: place -> True where the printed parts do not add up to their printed whole, so
    #: the section prints the pack's rounding note there (see :func:`_rounding_gaps`)
    rounding_gaps: dict[str, bool] = field(default_factory=dict)


def _opt(t: Table, key: str, col: str = "amount") -> Decimal | None:
    """A labelled row's amount, None when the layout does not publish it (and no sheet
    supplied it): a sentence that needs it is not written, rather than saying 0."""
    try:
        return t.item(key, col)
    except Unpublished:
        return None


def _t(report: Report, key: str) -> Table:
    t = report.table(key)
    if t is None:  # inputs reports a missing table as an error before we get here
        raise KeyError(key)
    return t


def is_new_unit(report: Report) -> bool:
    """The unit declared (上年决算数 › 本年新成立单位 = 是) that it has no prior year."""
    return (report.facts.get(PRIOR.name) or {}).get(NEW_UNIT_FIELD) == "是"


def item_label(code: str, year: int, fallback: str = "") -> tuple[str, tuple[str, str, str]]:
    """ "X（类）Y（款）Z（项）" with names from the code table for that year."""
    names = []
    for n, _level in ((3, "类"), (5, "款"), (7, "项")):
        e = codes.function(code[:n], year)
        names.append(e.name if e else (fallback if n == 7 else code[:n]))
    label = f"{names[0]}（类）{names[1]}（款）{names[2]}（项）"
    return label, (names[0], names[1], names[2])


def compute(
    report: Report,
    budget_basis: str = "adjusted",
    decimals: int = 2,
    share_rounding: str = HALF_UP,
) -> Computed:
    """Build every figure; ``budget_basis`` is "adjusted" (调整预算) or "initial" (年初预算),
    ``share_rounding`` the pack's method for structure shares (figures.SHARE_ROUNDINGS)."""
    year = report.unit.year
    c = Computed(year=year, prev_year=year - 1, new_unit=is_new_unit(report))
    prior = report.prior
    t01, t03, t04, t05 = _t(report, "t01"), _t(report, "t03"), _t(report, "t04"), _t(report, "t05")

    # 一、收支总计
    c.totals["income_grand"] = change(t01.item("grand_total"), prior.get("收入总计"))
    c.totals["expense_grand"] = change(t01.item("R:grand_total"), prior.get("支出总计"))
    # 二、收入结构
    c.income_total = t01.item("income_total")
    c.income_shares = shares(
        [(it.key, INCOME_LABELS[it.key], t01.item(it.key)) for it in t01.layout.extra["left"]],
        decimals,
        total=c.income_total,
        method=share_rounding,
    )
    c.income_groups = shares(
        _income_groups(t01), decimals, total=c.income_total, method=share_rounding
    )
    c.totals["income_total"] = change(c.income_total, prior.get("本年收入合计"))
    # 三、支出结构
    c.expense_total = t01.item("R:expense_total")
    c.expense_shares = shares(
        [(k, label, t03.total_of(k)) for k, label in EXPENSE_LABELS.items()],
        decimals,
        total=c.expense_total,
        method=share_rounding,
    )
    c.totals["expense_total"] = change(c.expense_total, prior.get("本年支出合计"))
    # 四、财政拨款收支总计
    c.totals["fiscal_income"] = change(t04.item("grand_total"), prior.get("财政拨款收入总计"))
    c.totals["fiscal_expense"] = change(
        t04.item("R:grand_total", "total"), prior.get("财政拨款支出总计")
    )
    c.gpb = _gpb(report, t05, budget_basis, decimals, c.expense_total, share_rounding)
    c.basic = _basic(report, t05)
    c.sangong = _sangong(report, decimals, share_rounding)
    c.gov_fund = _fund(report, "t07", budget_basis)
    c.state_capital = _fund(report, "t08", budget_basis)
    c.admin_cost = _admin_cost(report)
    c.procurement = _procurement(report, decimals)
    c.assets = dict(report.facts.get("国有资产", {}))
    c.performance = dict(report.facts.get("预算绩效管理", {}))
    c.glossary_codes = _glossary_codes(report)
    c.rounding_gaps = _rounding_gaps(c)
    return c


#: the 财政拨款 incomes of 公开01表, stated together as 财政拨款收入 by some templates
FISCAL_INCOME_KEYS = ("gpb", "gov_fund", "state_capital")


def _income_groups(t01: Table) -> list[tuple[str, str, Decimal]]:
    """(key, label, amount): 财政拨款收入 (the three 财政拨款 summed), then each other
    income in the table's order; a template states the whole 财政拨款 share as one figure,
    so it is the rounding of its own exact ratio, not a sum of rounded shares."""
    left = [it.key for it in t01.layout.extra["left"]]
    fiscal = sum((t01.item(k) for k in left if k in FISCAL_INCOME_KEYS), ZERO)
    rest = [(k, INCOME_LABELS[k], t01.item(k)) for k in left if k not in FISCAL_INCOME_KEYS]
    return [("fiscal", "财政拨款收入", fiscal), *rest]


def _gpb(
    report: Report,
    t05: Table,
    basis: str,
    decimals: int,
    expense_total: Decimal,
    share_rounding: str = HALF_UP,
):
    year = report.unit.year
    exp = t05.total_of("exp_total")
    items: list[ItemLine] = []
    budget_sum: Decimal | None = ZERO
    for row in t05.rows:
        if len(row.code) != 7:
            continue
        b = report.budgets.get(row.code)
        budget, used = _budget_of(b, basis)
        actual = row.amount("exp_total")
        if not actual and not budget:
            continue
        label, names = item_label(row.code, year, row.name)
        reason = b.reason if b else ""
        purpose = b.purpose if b else ""
        items.append(
            ItemLine(
                row.code, label, names, actual, completion(actual, budget), reason, used, purpose
            )
        )
        if budget is None:
            budget_sum = None
        elif budget_sum is not None:
            budget_sum += budget
    classes = [
        (
            row.code,
            (codes.function(row.code, year).name if codes.function(row.code, year) else row.name),
            row.amount("exp_total"),
        )
        for row in t05.rows
        if len(row.code) == 3
    ]
    return {
        "total": change(exp, report.prior.get("一般公共预算财政拨款支出")),
        "basic": change(
            t05.total_of("exp_basic"), report.prior.get("一般公共预算财政拨款基本支出")
        ),
        "project": change(
            t05.total_of("exp_project"), report.prior.get("一般公共预算财政拨款项目支出")
        ),
        "share_of_expense": (exp / expense_total) if expense_total else None,
        "class_shares": shares(classes, decimals, total=exp, method=share_rounding),
        "items": items,
        "completion": completion(exp, budget_sum),
        "basis": _common_basis(items),
        "reason": report.reasons.get("一般公共预算财政拨款支出变动原因", ""),
        "budget_reason": report.reasons.get("一般公共预算财政拨款支出决算与预算差异原因", ""),
    }


def _budget_of(line, basis: str) -> tuple[Decimal | None, str]:
    """The budget a 项's completion is measured against, and which one it is: the pack's
    basis when the unit supplied it, else the other one (named as such in the text)."""
    if line is None:
        return None, ""
    first, second = ("adjusted", "initial") if basis == "adjusted" else ("initial", "adjusted")
    for name in (first, second):
        value = getattr(line, name)
        if value is not None:
            return value, name
    return None, ""


def _common_basis(items: list[ItemLine]) -> str:
    """The budget the total is measured against: the one all 项 share, else "mixed"."""
    kinds = {it.basis for it in items if it.basis}
    return kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else "")


def _basic(report: Report, t05: Table):
    t06 = _t(report, "t06")
    year = report.unit.year
    personnel, public = [], []
    for row in sorted(t06.rows, key=lambda r: r.code):
        if len(row.code) != 5 or not row.amount("amount"):
            continue
        e = codes.economic(row.code, year)
        line = EconomicLine(row.code, e.name if e else row.name, row.amount("amount"))
        (personnel if row.code[:3] in PERSONNEL_CLASSES else public).append(line)
    return {
        "total": t05.total_of("exp_basic"),
        "personnel": t06.total_of("personnel"),
        "public": t06.total_of("public"),
        "personnel_items": personnel,
        "public_items": public,
    }


def _sangong(report: Report, decimals: int, share_rounding: str = HALF_UP):
    t09 = _t(report, "t09")
    prior, reasons = report.prior, report.reasons
    prior_keys = {
        "abroad": "因公出国（境）费",
        "car_purchase": "公务用车购置费",
        "car_operation": "公务用车运行维护费",
        "reception": "公务接待费",
    }

    def prev(key: str) -> Decimal | None:
        if key == "car_total":
            if prior.get("公务用车购置及运行维护费") is not None:  # given as one figure
                return prior["公务用车购置及运行维护费"]
            a, b = prior.get("公务用车购置费"), prior.get("公务用车运行维护费")
            return None if a is None and b is None else (a or ZERO) + (b or ZERO)
        return prior.get(prior_keys[key])

    items = {}
    for key, label in SANGONG_PARTS + (
        ("car_purchase", "公务用车购置费"),
        ("car_operation", "公务用车运行维护费"),
    ):
        actual = t09.item(key, "actual")
        budget = (t09.items.get(key) or {}).get("budget")
        items[key] = SangongItem(
            key,
            label,
            actual,
            budget,
            completion(actual, budget),
            change(actual, prev(key)),
            reasons.get(f"{label}变动原因", "")
            if key != "car_total"
            else reasons.get("公务用车购置及运行维护费变动原因", ""),
        )
    total_actual = t09.item("sg_total", "actual")
    total_budget = (t09.items.get("sg_total") or {}).get("budget")
    counts = {
        k: (t09.items.get(k) or {}).get("actual") or 0
        for k in (
            "abroad_groups",
            "abroad_people",
            "cars_purchased",
            "cars_held",
            "reception_batches",
            "reception_people",
            "fa_batches",
            "fa_people",
            "abroad_reception_batches",
            "abroad_reception_people",
        )
    }
    extra = report.facts.get("三公经费补充", {})
    return {
        "total": total_actual,
        "budget": total_budget,
        "completion": completion(total_actual, total_budget),
        "change": change(total_actual, prior.get("“三公”经费支出合计")),
        "shares": shares(
            [(k, label, items[k].actual) for k, label in SANGONG_PARTS],
            decimals,
            total=total_actual,
            method=share_rounding,
        ),
        "items": items,
        "counts": counts,
        "reception_domestic": _opt(t09, "reception_domestic", "actual"),
        "reception_foreign_affairs": _opt(t09, "reception_foreign_affairs", "actual"),
        "reception_abroad": _opt(t09, "reception_abroad", "actual"),
        "vehicles": extra,
        "budget_reason": reasons.get("“三公”经费决算与预算差异原因", ""),
        "change_reason": reasons.get("“三公”经费变动原因", ""),
    }


#: the 项目预算 资金性质 of each fund table
_FUND_OF = {"t07": "政府性基金", "t08": "国有资本经营"}


def _fund(report: Report, key: str, basis: str = "adjusted"):
    """八 / 九: income, spending, and each 项 (with its budget when the 项目预算 sheet
    gives one for this fund: ``lines``; ``items`` are (label, amount) for older wording)."""
    t = _t(report, key)
    year = report.unit.year
    budgets = report.fund_budgets.get(_FUND_OF[key], {})
    items, lines = [], []
    for row in t.rows:
        if len(row.code) == 7 and row.amount("exp_total"):
            label, names = item_label(row.code, year, row.name)
            actual = row.amount("exp_total")
            items.append((label, actual))
            b = budgets.get(row.code)
            budget, used = _budget_of(b, basis)
            lines.append(
                ItemLine(
                    row.code,
                    label,
                    names,
                    actual,
                    completion(actual, budget),
                    b.reason if b else "",
                    used,
                    b.purpose if b else "",
                )
            )
    return {
        "income": t.total_of("income_total"),
        "expense": t.total_of("exp_total"),
        "items": items,
        "lines": lines,
        "empty": t.is_empty,
    }


def _admin_cost(report: Report):
    t09 = _t(report, "t09")
    nature = report.unit.nature
    given = _opt(t09, "admin_cost", "actual")
    actual = given or ZERO
    return {
        "given": given is not None,
        "applicable": nature in ("行政单位", "参照公务员法管理的事业单位"),
        "nature": nature,
        "actual": actual,
        "change": change(actual, report.prior.get("机关运行经费")),
        "reason": report.reasons.get("机关运行经费变动原因", ""),
    }


def _procurement(report: Report, decimals: int):
    f = report.facts.get("政府采购", {})
    goods = f.get("政府采购货物支出") or ZERO
    works = f.get("政府采购工程支出") or ZERO
    services = f.get("政府采购服务支出") or ZERO
    total = goods + works + services
    sme = f.get("授予中小企业合同金额") or ZERO
    small = f.get("其中：授予小微企业合同金额") or ZERO
    return {
        "total": total,
        "goods": goods,
        "works": works,
        "services": services,
        "sme": sme,
        "small": small,
        "sme_share": (sme / total) if total else None,
        "small_share": (small / total) if total else None,
        "purpose": f.get("主要用途", ""),
    }


def _glossary_codes(report: Report) -> list[tuple[str, str]]:
    """(label, explanation) for every 项 that appears in 支出决算表, in code order."""
    year = report.unit.year
    out = []
    t03 = report.table("t03")
    rows = sorted(
        {r.code: r for r in (t03.rows if t03 else []) if len(r.code) == 7}.values(),
        key=lambda r: r.code,
    )
    for row in rows:
        label, _ = item_label(row.code, year, row.name)
        e = codes.function(row.code, year)
        out.append((label, e.explanation if e and e.explanation else ""))
    return out


def _rounding_gaps(c: Computed) -> dict[str, bool]:
    """Where the document's printed parts and printed whole disagree, by place.

    Every amount is printed half-up on its own and never bent to make a sum come out, so
    a list of parts may miss its total by 0.01 (569.56 against 人员经费569.55) and
    half-up shares may sum to 99.99%. A section prints the pack's rounding note once,
    exactly where its own flag is True. Places:

    - ``income`` / ``expense``: 二 / 三 (structure amounts and shares against the total);
      ``income_groups``: 二 with 财政拨款收入 as one part;
    - ``gpb_classes``: 五（二）; ``gpb_items``: 五（三）(items' 决算数 and 预算数 against the
      totals);
    - ``gpb_change``: 五（一） when the pack lists the 基本/项目 changes beside the total's;
    - ``basic``: 六 (人员 + 公用 against 基本支出; each list against its subtotal);
      ``basic_split``: 六 when the lists are printed without amounts (人员 + 公用 only);
    - ``sangong``: 七（二） (shares; 购置 + 运行维护; 国内 + 国（境）外 接待);
    - ``gov_fund``: 八 (items against the total); ``procurement``: 十（二）.
    """
    g, b, s, f, p = c.gpb, c.basic, c.sangong, c.gov_fund, c.procurement
    items = s["items"]
    return {
        "income": shares_disagree(c.income_total, c.income_shares),
        "expense": shares_disagree(c.expense_total, c.expense_shares),
        "income_groups": shares_disagree(c.income_total, c.income_groups),
        "gpb_classes": shares_disagree(g["total"].current, g["class_shares"]),
        "gpb_items": _items_disagree(g),
        "gpb_change": changes_disagree(g["total"], (g["basic"], g["project"])),
        # 六 when only 人员经费 and 公用经费 are printed with amounts (上海)
        "basic_split": parts_disagree(b["total"], (b["personnel"], b["public"])),
        "basic": (
            parts_disagree(b["total"], (b["personnel"], b["public"]))
            or parts_disagree(b["personnel"], (e.amount for e in b["personnel_items"]))
            or parts_disagree(b["public"], (e.amount for e in b["public_items"]))
        ),
        "sangong": (
            shares_disagree(s["total"], s["shares"])
            or parts_disagree(
                items["car_total"].actual,
                (items["car_purchase"].actual, items["car_operation"].actual),
            )
            or (
                s["reception_domestic"] is not None
                and parts_disagree(
                    items["reception"].actual,
                    (s["reception_domestic"], s["reception_abroad"] or ZERO),
                )
            )
        ),
        "gov_fund": parts_disagree(f["expense"], (amount for _label, amount in f["items"])),
        "state_capital": parts_disagree(
            c.state_capital["expense"], (a for _label, a in c.state_capital["items"])
        ),
        "procurement": parts_disagree(p["total"], (p["goods"], p["works"], p["services"])),
    }


def _items_disagree(g: dict) -> bool:
    """五（三）: the items' 决算数 against the total, and their 预算数 against the total
    budget when every item has one (the total is then their sum)."""
    items = g["items"]
    if parts_disagree(g["total"].current, (it.actual for it in items)):
        return True
    budget = g["completion"].budget
    budgets = [it.completion.budget for it in items]
    return budget is not None and None not in budgets and parts_disagree(budget, budgets)
