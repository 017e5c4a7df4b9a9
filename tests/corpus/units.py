"""Generator of the corpus: a compact unit specification → a filled workbook's data.

A :class:`UnitSpec` says what an accountant knows about a unit's year: for each 项
(7-digit 支出功能分类 code) who paid how much for what (一般公共预算 人员经费 / 公用经费 /
项目支出, 政府性基金, 国有资本经营, the unit's own 事业收入/经营收入 money, 经营支出), the
财政拨款 balances at the start and the end of the year, the non-fiscal income recorded
under it, and the budget. :func:`make_unit` derives the nine 公开表 from that, the way
the 决算 software does: every 款, 类 and 合计 row is the sum of its children, income is
spending plus the change of the balance, 公开01/04表 repeat the class totals of 公开03/05/07表,
公开06表 breaks the 一般公共预算 基本支出 down by 经济分类 (social-insurance 项 fund their
own 款, the rest is split by typical weights), so every 勾稽 rule of reportgen/checks.py
holds by construction. The supplementary sheets (上年决算数, 项目预算, 变动原因,
三公经费补充, 政府采购, 国有资产, 预算绩效管理, 整体绩效自评) and 公开10–12表 come from the
same spec, so they agree with the tables (预算绩效管理 counts the 项目支出绩效自评表, the
项目预算 has a line for every 项 of 公开05表 with spending, the vehicles add up).

Amounts are ``Decimal`` 元 with 分, written as strings in the catalogue. Splits into
parts (经济分类, projects) are done in whole 分 with integer weights, so no float ever
touches money; the few pseudo-random choices come from ``random.Random(spec.key)`` and
are integers, so the corpus is the same on every run.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import load_workbook

from reportgen import codes
from reportgen.workbook import CodedData, ExportStyle, WorkbookData, write_workbook

D = Decimal
ZERO = D(0)

#: the balance pots of a 项: 一般公共预算 基本/项目, 政府性基金 基本/项目, 国有资本经营
POTS = ("gpb_basic", "gpb_project", "fund_basic", "fund_project", "capital")
#: non-fiscal income sources of 公开01/02表 (公开02表 column keys)
OWN_SOURCES = ("superior", "business", "operating", "affiliated", "other")

#: Names of codes the bundled table may lack (it is being completed, issue 14 item 2): the
#: names of the 2021–2025 支出功能分类科目, as a workbook exported by the 决算 software has them.
FALLBACK_NAMES = {
    "2140601": "车辆购置税用于公路等基础设施建设支出",
    "21460": "车辆通行费安排的支出",
    "2146001": "公路还贷",
    "2150701": "行政运行",
    "2150702": "一般行政管理事务",
    "2150799": "其他国有资产监管支出",
    "2230105": "国有企业退休人员社会化管理补助支出",
    "2230201": "国有经济结构调整支出",
    "2230299": "其他国有企业资本金注入",
    "2296004": "用于教育事业的彩票公益金",
    "2296003": "用于体育事业的彩票公益金",
    "22960": "彩票公益金安排的支出",
    "229": "其他支出",
    "2050701": "特殊学校教育",
    "2240504": "地震监测",
}

#: 项 whose whole 人员经费 is one 经济分类 款 (the contribution or allowance it is named after)
PERSONNEL_ECONOMIC = {
    "2080501": "30302",
    "2080502": "30302",
    "2080505": "30108",
    "2080506": "30109",
    "2080801": "30304",
    "2101101": "30110",
    "2101102": "30110",
    "2101103": "30111",
    "2101199": "30112",
    "2210201": "30113",
    "2210202": "30399",
    "2210203": "30399",
}
#: the rest of 人员经费 (wages of 行政运行, 事业运行 …): typical weights per mille
WAGE_WEIGHTS = (
    ("30101", 262),
    ("30102", 281),
    ("30103", 64),
    ("30107", 298),
    ("30112", 23),
    ("30199", 41),
    ("30305", 22),
    ("30309", 9),
)
#: 公用经费 after the 三公 items it pays: typical weights per mille
PUBLIC_WEIGHTS = (
    ("30201", 96),
    ("30202", 18),
    ("30205", 7),
    ("30206", 41),
    ("30207", 22),
    ("30209", 83),
    ("30211", 74),
    ("30213", 46),
    ("30214", 31),
    ("30215", 12),
    ("30216", 29),
    ("30226", 118),
    ("30227", 64),
    ("30228", 52),
    ("30229", 58),
    ("30239", 142),
    ("30299", 61),
    ("31002", 46),
)


def yuan(value: object) -> Decimal:
    """An amount of the catalogue ("2419331.27", 0, a Decimal) as Decimal 元."""
    return value if isinstance(value, Decimal) else D(str(value))


@dataclass
class Line:
    """One 项 of the unit (all amounts 元)."""

    code: str
    personnel: Decimal = ZERO  #: 一般公共预算 基本支出 人员经费
    public: Decimal = ZERO  #: 一般公共预算 基本支出 公用经费
    project: Decimal = ZERO  #: 一般公共预算 项目支出
    fund_basic: Decimal = ZERO  #: 政府性基金 基本支出
    fund_project: Decimal = ZERO  #: 政府性基金 项目支出
    capital: Decimal = ZERO  #: 国有资本经营 支出
    own_basic: Decimal = ZERO  #: 基本支出 from 事业收入 and other non-fiscal money
    own_project: Decimal = ZERO  #: 项目支出 from non-fiscal money
    operating: Decimal = ZERO  #: 经营支出
    #: 财政拨款 balances at the start / end of the year by pot (POTS)
    opening: dict[str, Decimal] = field(default_factory=dict)
    closing: dict[str, Decimal] = field(default_factory=dict)
    #: non-fiscal income recorded under this 项 by source (OWN_SOURCES, plus edu_fee)
    income: dict[str, Decimal] = field(default_factory=dict)
    initial: Decimal | None = None  #: 年初预算数 (None: the 调整预算数)
    adjusted: Decimal | None = None  #: 调整预算数 (None: the 决算数)
    reason: str = ""  #: 决算数与预算数差异原因
    entity: int = 0  #: which member unit spends it (index into UnitSpec.units; 0 本级)
    name: str = ""  #: the 项's name when the code table lacks it

    def spent(self, pot: str) -> Decimal:
        """决算 spending of one pot."""
        return {
            "gpb_basic": self.personnel + self.public,
            "gpb_project": self.project,
            "fund_basic": self.fund_basic,
            "fund_project": self.fund_project,
            "capital": self.capital,
        }[pot]

    def received(self, pot: str) -> Decimal:
        """本年收入 of one pot: what was spent plus what the balance grew by."""
        got = self.spent(pot) + self.closing.get(pot, ZERO) - self.opening.get(pot, ZERO)
        if got < 0:
            raise ValueError(f"{self.code} {pot}: 年初结转和结余超过本年支出与年末结转和结余之和")
        return got

    @property
    def gpb(self) -> Decimal:
        return self.personnel + self.public + self.project


def line(code: str, **amounts) -> Line:
    """A :class:`Line` from catalogue values (strings of 元 become Decimal)."""
    out = {}
    for k, v in amounts.items():
        if k in ("opening", "closing", "income"):
            out[k] = {p: yuan(a) for p, a in v.items()}
        elif k in ("initial", "adjusted"):
            out[k] = None if v is None else yuan(v)
        elif k in ("reason", "name", "entity"):
            out[k] = v
        else:
            out[k] = yuan(v)
    return Line(code, **out)


@dataclass
class Sangong:
    """公开09表: (预算数, 决算数) of each 三公 item, the counts, 国（境）外接待 actual."""

    abroad: tuple[Decimal, Decimal] = (ZERO, ZERO)
    car_purchase: tuple[Decimal, Decimal] = (ZERO, ZERO)
    car_operation: tuple[Decimal, Decimal] = (ZERO, ZERO)
    reception: tuple[Decimal, Decimal] = (ZERO, ZERO)
    reception_abroad: Decimal = ZERO  #: part of reception's 决算数
    abroad_groups: int = 0
    abroad_people: int = 0
    cars_purchased: int = 0
    reception_batches: int = 0
    reception_people: int = 0
    #: vehicles held at year end by kind (轿车, 越野车, 载客汽车); 公务用车保有量 is their sum
    cars: tuple[int, int, int] = (0, 0, 0)
    #: vehicles bought by kind: (count, 元) of 轿车, 越野车, 载客汽车
    bought: tuple[tuple[int, Decimal], ...] = ()


def sangong(**kw) -> Sangong:
    out = {}
    for k, v in kw.items():
        if k in ("abroad", "car_purchase", "car_operation", "reception"):
            out[k] = (yuan(v[0]), yuan(v[1]))
        elif k == "reception_abroad":
            out[k] = yuan(v)
        elif k == "bought":
            out[k] = tuple((n, yuan(a)) for n, a in v)
        else:
            out[k] = v
    return Sangong(**out)


@dataclass
class UnitSpec:
    """Everything the generator needs to know about one unit's year."""

    key: str  #: short id (test ids, file names)
    department: str
    year: int
    nature: str  #: 单位性质 of 本级
    lines: list[Line]
    functions: str  #: 主要职能
    organization: str  #: 机构设置
    main_work: str = ""  #: 重点工作完成情况
    #: 决算单位构成 (name, nature); empty for a one-unit department
    units: tuple[tuple[str, str], ...] = ()
    unit: str = "元"  #: 金额单位 of the 公开表
    style: ExportStyle = field(default_factory=ExportStyle)
    pack: str = "sichuan-2021"
    #: 上年决算数 by label (元); None: the unit was founded this year
    prior: dict[str, object] | None = None
    reasons: dict[str, str] = field(default_factory=dict)
    sangong: Sangong = field(default_factory=Sangong)
    #: non-fiscal 年初结转和结余 (事业/经营 balances)
    own_opening: Decimal = ZERO
    #: 项目预算 columns the unit fills: "both" (年初 and 调整) or "initial"
    budget_columns: str = "both"
    #: 政府采购 (货物, 工程, 服务, 授予中小企业, 其中小微企业, 主要用途)
    procurement: tuple = ()
    #: 国有资产: vehicles by kind of 国有资产 (label → count) and large equipment
    vehicles: dict[str, int] = field(default_factory=dict)
    equipment: tuple[int, int] = (0, 0)  #: 单价50万元以上通用设备, 单价100万元以上专用设备
    #: 公开12表: (项 code, project name) for each 项目支出绩效自评表
    projects: tuple[tuple[str, str], ...] = ()
    #: projects with performance targets beyond those evaluated (预算绩效管理)
    target_projects: int | None = None
    #: 部门整体绩效: "sections" (整体绩效自评 sheet), "tables" (公开10/11表) or "none"
    overall: str = "sections"
    overall_sections: tuple[tuple[str, str], ...] = ()
    #: sheets the unit's workbook does not have (a unit without projects deletes 公开12表)
    absent_sheets: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.own_opening = yuan(self.own_opening)


def write_unit(spec: UnitSpec, path: Path) -> Path:
    """Write the unit's workbook at ``path`` (the sheets it lacks removed) and return it."""
    write_workbook(path, make_unit(spec), names=codes.economic_name_map(spec.year))
    if spec.absent_sheets:
        wb = load_workbook(path)
        for name in spec.absent_sheets:
            del wb[name]
        wb.save(path)
    return path


# --- the generator --------------------------------------------------------------------


def function_name(code: str, year: int, fallback: str = "") -> str:
    """The code table's name for the year; the catalogue's when the table lacks it."""
    e = codes.function(code, year)
    if e is not None:
        return e.name
    name = fallback or FALLBACK_NAMES.get(code)
    if not name:
        raise KeyError(f"科目 {code} 不在科目表中，目录也未给出名称")
    return name


def split(total: Decimal, weights: list[int]) -> list[Decimal]:
    """``total`` in whole 分 shared by integer weights; the parts add up exactly."""
    cents = int(total * 100)
    if D(cents) != total * 100:
        raise ValueError(f"{total} 不是整分")
    wsum = sum(weights)
    parts = [cents * w // wsum for w in weights]
    for i in range(cents - sum(parts)):
        parts[i % len(parts)] += 1
    return [D(p).scaleb(-2) for p in parts]


def _jitter(rng: random.Random, weights) -> list[tuple[str, int]]:
    """Typical weights, each moved by up to ±30 %, so units do not look alike."""
    return [(code, w * rng.randint(70, 130)) for code, w in weights]


def _add(acc: dict[str, dict[str, Decimal]], code: str, vals: dict[str, Decimal]) -> None:
    row = acc.setdefault(code, {})
    for k, v in vals.items():
        row[k] = row.get(k, ZERO) + v


def _rollup(items: dict[str, dict[str, Decimal]], year: int, names: dict[str, str]) -> CodedData:
    """类, 款 and 项 rows in code order (every parent the sum of its children) and the 合计."""
    acc: dict[str, dict[str, Decimal]] = {}
    for code, vals in items.items():
        if not any(vals.values()):
            continue
        for n in (3, 5, 7):
            _add(acc, code[:n], vals)
    rows = [
        (
            code,
            function_name(code, year, names.get(code, "")),
            {k: v or None for k, v in acc[code].items()},
        )
        for code in sorted(acc, key=lambda c: (c[:3], c[:5], len(c), c))
    ]
    total: dict[str, Decimal] = {}
    for code, _n, vals in rows:
        if len(code) == 3:
            for k, v in vals.items():
                total[k] = total.get(k, ZERO) + (v or ZERO)
    return CodedData(rows, total)


def _t05(ln: Line) -> dict[str, Decimal]:
    o, c = ln.opening, ln.closing
    ob, op = o.get("gpb_basic", ZERO), o.get("gpb_project", ZERO)
    cb, cp = c.get("gpb_basic", ZERO), c.get("gpb_project", ZERO)
    ib, ip = ln.received("gpb_basic"), ln.received("gpb_project")
    return {
        "open_total": ob + op,
        "open_basic": ob,
        "open_project": op,
        "income_total": ib + ip,
        "income_basic": ib,
        "income_project": ip,
        "exp_total": ln.gpb,
        "exp_basic": ln.personnel + ln.public,
        "exp_personnel": ln.personnel,
        "exp_public": ln.public,
        "exp_project": ln.project,
        "close_total": cb + cp,
        "close_basic": cb,
        "close_project": cp,
    }


def _t07(ln: Line) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for group in ("open", "income", "exp", "close"):
        b = _pot_figure(ln, group, "fund_basic")
        p = _pot_figure(ln, group, "fund_project")
        out |= {f"{group}_total": b + p, f"{group}_basic": b, f"{group}_project": p}
    return out


def _t08(ln: Line) -> dict[str, Decimal]:
    o, c = ln.opening.get("capital", ZERO), ln.closing.get("capital", ZERO)
    return {
        "open_total": o,
        "open_carry": o,
        "open_surplus": ZERO,
        "income_total": ln.received("capital"),
        "exp_total": ln.capital,
        "close_total": c,
        "close_carry": c,
        "close_surplus": ZERO,
    }


def _pot_figure(ln: Line, group: str, pot: str) -> Decimal:
    if group == "open":
        return ln.opening.get(pot, ZERO)
    if group == "close":
        return ln.closing.get(pot, ZERO)
    return ln.received(pot) if group == "income" else ln.spent(pot)


def _t03(ln: Line) -> dict[str, Decimal]:
    basic = ln.personnel + ln.public + ln.fund_basic + ln.own_basic
    project = ln.project + ln.fund_project + ln.capital + ln.own_project
    return {
        "total": basic + project + ln.operating,
        "basic": basic,
        "project": project,
        "operating": ln.operating,
    }


def _t02(ln: Line) -> dict[str, Decimal]:
    fiscal = sum((ln.received(p) for p in POTS), ZERO)
    own = {k: ln.income.get(k, ZERO) for k in OWN_SOURCES}
    return {
        "total": fiscal + sum(own.values(), ZERO),
        "fiscal": fiscal,
        **own,
        "edu_fee": ln.income.get("edu_fee", ZERO),
    }


def make_unit(spec: UnitSpec) -> WorkbookData:
    """The workbook data of one unit, every table derived from ``spec``."""
    data = WorkbookData(
        department=spec.department, year=spec.year, unit=spec.unit, style=spec.style
    )
    names = {ln.code: ln.name for ln in spec.lines if ln.name}
    per_line = {
        "t02": {ln.code: _t02(ln) for ln in spec.lines},
        "t03": {ln.code: _t03(ln) for ln in spec.lines},
        "t05": {ln.code: _t05(ln) for ln in spec.lines},
        "t07": {ln.code: _t07(ln) for ln in spec.lines},
        "t08": {ln.code: _t08(ln) for ln in spec.lines},
    }
    data.coded = {key: _rollup(items, spec.year, names) for key, items in per_line.items()}
    _summaries(spec, data)
    _economic(spec, data)
    _sangong_table(spec, data)
    _supplements(spec, data)
    _evaluations(spec, data)
    return data


def _sum(values) -> Decimal:
    return sum(values, ZERO)


def nonfiscal_closing(spec: UnitSpec) -> Decimal:
    """年末 non-fiscal balance: what was there, plus own income, less own spending."""
    income = _sum(ln.income.get(k, ZERO) for ln in spec.lines for k in OWN_SOURCES)
    spent = _sum(ln.own_basic + ln.own_project + ln.operating for ln in spec.lines)
    close = spec.own_opening + income - spent
    if close < 0:
        raise ValueError(f"{spec.key}: 非财政拨款支出超过其收入与年初结余")
    return close


def _summaries(spec: UnitSpec, data: WorkbookData) -> None:
    """公开01表 and 公开04表 from the 项 (classes from 公开03/05/07/08表)."""
    lines = spec.lines
    fiscal = {
        "gpb": _sum(ln.received("gpb_basic") + ln.received("gpb_project") for ln in lines),
        "gov_fund": _sum(ln.received("fund_basic") + ln.received("fund_project") for ln in lines),
        "state_capital": _sum(ln.received("capital") for ln in lines),
    }
    own = {k: _sum(ln.income.get(k, ZERO) for ln in lines) for k in OWN_SOURCES}
    income_total = _sum(fiscal.values()) + _sum(own.values())
    opening = {p: _sum(ln.opening.get(p, ZERO) for ln in lines) for p in POTS}
    closing = {p: _sum(ln.closing.get(p, ZERO) for ln in lines) for p in POTS}
    open_fiscal, close_fiscal = _sum(opening.values()), _sum(closing.values())
    t03_total = data.coded["t03"].total
    expense_total = t03_total.get("total", ZERO)
    open_balance = open_fiscal + spec.own_opening
    close_balance = close_fiscal + nonfiscal_closing(spec)
    grand = income_total + open_balance
    assert grand == expense_total + close_balance, spec.key

    def amt(v: Decimal) -> dict[str, Decimal]:
        return {"amount": v}

    t01 = {k: amt(v) for k, v in (fiscal | own).items() if v}
    t01 |= {
        "income_total": amt(income_total),
        "open_balance": amt(open_balance),
        "grand_total": amt(grand),
        "R:expense_total": amt(expense_total),
        "R:close_balance": amt(close_balance),
        "R:grand_total": amt(grand),
    }
    data.summary_items["t01"] = t01
    classes = {code: vals for code, _n, vals in data.coded["t03"].rows if len(code) == 3}
    data.summary_classes["t01"] = {c: {"amount": v["total"]} for c, v in classes.items()}

    def class_of(key: str, col: str) -> dict[str, Decimal]:
        return {c: v.get(col) or ZERO for c, v, *_ in _class_rows(data.coded[key])}

    gpb_cls, fund_cls, cap_cls = (
        class_of("t05", "exp_total"),
        class_of("t07", "exp_total"),
        class_of("t08", "exp_total"),
    )
    fiscal_classes = sorted(set(gpb_cls) | set(fund_cls) | set(cap_cls))
    data.summary_classes["t04"] = {
        c: {
            "total": gpb_cls.get(c, ZERO) + fund_cls.get(c, ZERO) + cap_cls.get(c, ZERO),
            "gpb": gpb_cls.get(c) or None,
            "gov_fund": fund_cls.get(c) or None,
            "state_capital": cap_cls.get(c) or None,
        }
        for c in fiscal_classes
    }
    spent = {
        "gpb": _sum(gpb_cls.values()),
        "gov_fund": _sum(fund_cls.values()),
        "state_capital": _sum(cap_cls.values()),
    }
    close_by = {
        "gpb": closing["gpb_basic"] + closing["gpb_project"],
        "gov_fund": closing["fund_basic"] + closing["fund_project"],
        "state_capital": closing["capital"],
    }
    open_by = {
        "gpb": opening["gpb_basic"] + opening["gpb_project"],
        "gov_fund": opening["fund_basic"] + opening["fund_project"],
        "state_capital": opening["capital"],
    }
    fiscal_income = _sum(fiscal.values())
    fiscal_grand = fiscal_income + open_fiscal
    assert fiscal_grand == _sum(spent.values()) + close_fiscal, spec.key
    t04 = {k: amt(v) for k, v in fiscal.items() if v}
    t04 |= {
        "income_total": amt(fiscal_income),
        "open_fiscal": amt(open_fiscal),
        "open_gpb": amt(open_by["gpb"]),
        "open_gov_fund": amt(open_by["gov_fund"]),
        "open_state_capital": amt(open_by["state_capital"]),
        "grand_total": amt(fiscal_grand),
        "R:expense_total": {"total": _sum(spent.values()), **spent},
        "R:close_fiscal": {"total": close_fiscal, **close_by},
        "R:close_gpb": {"total": close_by["gpb"]},
        "R:close_gov_fund": {"total": close_by["gov_fund"]},
        "R:close_state_capital": {"total": close_by["state_capital"]},
        "R:grand_total": {
            "total": fiscal_grand,
            **{k: spent[k] + close_by[k] for k in spent},
        },
    }
    data.summary_items["t04"] = t04


def _class_rows(cd: CodedData):
    return [(code, vals) for code, _n, vals in cd.rows if len(code) == 3]


def _economic(spec: UnitSpec, data: WorkbookData) -> None:
    """公开06表: the 一般公共预算 基本支出 by 经济分类 款 (see PERSONNEL_ECONOMIC, *_WEIGHTS)."""
    rng = random.Random(spec.key)
    amounts: dict[str, Decimal] = {}
    wages = ZERO
    for ln in spec.lines:
        code = PERSONNEL_ECONOMIC.get(ln.code)
        if code:
            amounts[code] = amounts.get(code, ZERO) + ln.personnel
        else:
            wages += ln.personnel
    if wages:
        weights = _jitter(rng, WAGE_WEIGHTS)
        for (code, _w), part in zip(weights, split(wages, [w for _c, w in weights]), strict=True):
            amounts[code] = amounts.get(code, ZERO) + part
    public = _sum(ln.public for ln in spec.lines)
    sg = spec.sangong
    fixed = {"30212": sg.abroad[1], "30217": sg.reception[1], "30231": sg.car_operation[1]}
    rest = public - _sum(fixed.values())
    if public and rest <= 0:
        raise ValueError(f"{spec.key}: 公用经费不足以支付“三公”经费")
    amounts |= {k: v for k, v in fixed.items() if v}
    if rest:
        weights = _jitter(rng, PUBLIC_WEIGHTS)
        for (code, _w), part in zip(weights, split(rest, [w for _c, w in weights]), strict=True):
            amounts[code] = amounts.get(code, ZERO) + part
    economic = {k: v for k, v in amounts.items() if v}
    for code, v in list(economic.items()):
        economic[code[:3]] = economic.get(code[:3], ZERO) + v
    data.economic = economic
    data.personnel_total = economic.get("301", ZERO) + economic.get("303", ZERO)
    data.public_total = _sum(
        v for k, v in economic.items() if len(k) == 3 and k not in ("301", "303")
    )
    t05 = data.coded["t05"].total
    assert data.personnel_total == t05.get("exp_personnel", ZERO), spec.key
    assert data.public_total == t05.get("exp_public", ZERO), spec.key


def admin_cost(spec: UnitSpec) -> tuple[Decimal, Decimal]:
    """机关运行经费 (行政单位, 参公): the 一般公共预算 公用经费 spent by such member units,
    less 事业运行 项 (a 事业 body inside an administrative unit)."""
    natures = [spec.nature] + [n for _name, n in spec.units[1:]] if spec.units else [spec.nature]
    admin = civil = ZERO
    for ln in spec.lines:
        nature = natures[ln.entity] if ln.entity < len(natures) else spec.nature
        if ln.code.endswith("50"):
            continue
        if nature == "行政单位":
            admin += ln.public
        elif nature == "参照公务员法管理的事业单位":
            civil += ln.public
    return admin, civil


def _sangong_table(spec: UnitSpec, data: WorkbookData) -> None:
    sg = spec.sangong
    car_total = (sg.car_purchase[0] + sg.car_operation[0], sg.car_purchase[1] + sg.car_operation[1])
    total = tuple(sg.abroad[i] + car_total[i] + sg.reception[i] for i in (0, 1))
    admin, civil = admin_cost(spec)
    data.sangong = {
        "sg_total": total,
        "abroad": sg.abroad,
        "car_total": car_total,
        "car_purchase": sg.car_purchase,
        "car_operation": sg.car_operation,
        "reception": sg.reception,
        "reception_domestic": (None, sg.reception[1] - sg.reception_abroad),
        "reception_abroad": (None, sg.reception_abroad),
        "abroad_groups": (None, sg.abroad_groups),
        "abroad_people": (None, sg.abroad_people),
        "cars_purchased": (None, sg.cars_purchased),
        "cars_held": (None, sum(sg.cars)),
        "reception_batches": (None, sg.reception_batches),
        "reception_people": (None, sg.reception_people),
        "admin_cost": (None, admin + civil),
        "admin_cost_admin": (None, admin),
        "admin_cost_civil": (None, civil),
    }


def table_amount(spec: UnitSpec, value: Decimal) -> Decimal:
    """``value`` as the unit's 公开表 hold it: exact in 元; in 万元 rounded to the decimals
    the export shows (what a unit copying its 决算 figures into 项目预算 types)."""
    if spec.unit == "元" or spec.style.decimals is None:
        return value
    return (value / 10000).quantize(
        D(1).scaleb(-spec.style.decimals), rounding=ROUND_HALF_UP
    ) * 10000


def budget_of(spec: UnitSpec, ln: Line) -> tuple[Decimal | None, Decimal | None]:
    """(年初预算数, 调整预算数) as the 项目预算 sheet holds them."""
    adjusted = ln.adjusted if ln.adjusted is not None else table_amount(spec, ln.gpb)
    initial = ln.initial if ln.initial is not None else adjusted
    if spec.budget_columns == "initial":
        return initial, None
    return initial, adjusted


def _supplements(spec: UnitSpec, data: WorkbookData) -> None:
    data.kv["单位基本情况"] = {
        "部门名称": spec.department,
        "年度": spec.year,
        "单位性质": spec.nature,
        "主要职能": spec.functions,
        "重点工作完成情况": spec.main_work or None,
        "机构设置": spec.organization,
    }
    data.units = list(spec.units)
    data.kv["上年决算数"] = _prior(spec)
    data.kv["变动原因"] = dict(spec.reasons)
    sg = spec.sangong
    extra: dict[str, object] = {
        "保有轿车数量": sg.cars[0],
        "保有越野车数量": sg.cars[1],
        "保有载客汽车数量": sg.cars[2],
    }
    for kind, (n, amount) in zip(("轿车", "越野车", "载客汽车"), sg.bought, strict=False):
        extra[f"购置{kind}数量"] = n
        extra[f"购置{kind}金额"] = amount
    data.kv["三公经费补充"] = extra
    if spec.procurement:
        goods, works, services, sme, small, purpose = spec.procurement
        data.kv["政府采购"] = {
            "政府采购货物支出": yuan(goods),
            "政府采购工程支出": yuan(works),
            "政府采购服务支出": yuan(services),
            "授予中小企业合同金额": yuan(sme),
            "其中：授予小微企业合同金额": yuan(small),
            "主要用途": purpose,
        }
    assets: dict[str, object] = {"车辆总数": sum(spec.vehicles.values())}
    assets |= {k: spec.vehicles.get(k, 0) for k in VEHICLE_KINDS}
    assets["单价50万元以上通用设备"], assets["单价100万元以上专用设备"] = spec.equipment
    data.kv["国有资产"] = assets
    data.budgets = [
        (ln.code, function_name(ln.code, spec.year, ln.name), *budget_of(spec, ln), ln.reason)
        for ln in spec.lines
        if ln.gpb
    ]


VEHICLE_KINDS = (
    "主要领导干部用车",
    "机要通信用车",
    "应急保障用车",
    "执法执勤用车",
    "特种专业技术用车",
    "离退休干部用车",
    "其他用车",
)


def _prior(spec: UnitSpec) -> dict[str, object]:
    """上年决算数: the catalogue's figures; 支出总计 and 财政拨款支出总计 equal 收入总计 and
    财政拨款收入总计 unless given (a 决算's two sides balance)."""
    if spec.prior is None:
        return {"本年新成立单位": "是"}
    prior = {k: yuan(v) for k, v in spec.prior.items()}
    prior.setdefault("支出总计", prior["收入总计"])
    prior.setdefault("财政拨款支出总计", prior["财政拨款收入总计"])
    return {"本年新成立单位": "否", **prior}


# --- 绩效: 预算绩效管理, 整体绩效, 公开10–12表 ------------------------------------------------

#: (实际/预算) execution of successive projects: most are fully spent, some are not
_EXECUTION = (100, 100, 9632, 100, 100, 8875, 100, 9918, 100, 7340)
#: indicator rows (一级, 二级, 三级 with {p} for the project, 指标性质, 指标值, 度量单位,
#: 实际完成值, 分值, 得分, 偏差原因)
_INDICATORS = (
    ("产出指标", "数量指标", "{p}覆盖单位（点位）数", "≥", "{n}", "个", "{n}", 25, 25, "无"),
    ("产出指标", "质量指标", "{p}验收合格率", "≥", "95", "%", "{q}", 20, "{qs}", "{qr}"),
    ("产出指标", "时效指标", "{p}完成时限", "≤", "12", "月", "12", 15, 15, "无"),
    (
        "效益指标",
        "社会效益指标",
        "{p}服务保障能力",
        "定性",
        "有效提升",
        "",
        "有效提升",
        20,
        20,
        "无",
    ),
    (
        "满意度指标",
        "服务对象满意度指标",
        "{p}服务对象满意度",
        "≥",
        "90",
        "%",
        "{s}",
        10,
        "{ss}",
        "{sr}",
    ),
)


def _dec2(v: Decimal) -> str:
    return f"{v.quantize(D('0.01'), rounding=ROUND_HALF_UP):.2f}"


def project_tables(spec: UnitSpec) -> list[dict]:
    """公开12表: one 项目支出绩效自评表 per catalogue project, its money the 项's project
    spending shared among the projects of that 项 (万元, 2 decimals), its scores consistent."""
    rng = random.Random(spec.key + "/projects")
    by_code: dict[str, list[str]] = {}
    for code, name in spec.projects:
        by_code.setdefault(code, []).append(name)
    lines = {ln.code: ln for ln in spec.lines}
    out = []
    for i, (code, name) in enumerate(spec.projects):
        ln = lines[code]
        money = ln.project + ln.fund_project + ln.capital + ln.own_project
        group = by_code[code]
        weights = [rng.randint(3, 12) for _ in group]
        part = split(money, weights)[group.index(name)]
        out.append(_project(spec, name, part, i, rng))
    return out


def _project(spec: UnitSpec, name: str, executed_yuan: Decimal, i: int, rng) -> dict:
    executed = (executed_yuan / 10000).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    pct = _EXECUTION[i % len(_EXECUTION)]
    full = (
        executed
        if pct == 100
        else (executed * 10000 / pct).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    )
    initial = full if i % 4 else (full * D("0.9")).quantize(D("0.01"))
    rate = (executed / full * 100).quantize(D("0.01"), rounding=ROUND_HALF_UP) if full else ZERO
    rate_score = (10 * min(executed / full, D(1))).quantize(D("0.01"), rounding=ROUND_HALF_UP)
    quality = rng.choice((100, 100, 98, 92))
    satisfied = rng.choice((96, 95, 88, 93))
    fills = {
        "p": name.removesuffix("项目").removesuffix("专项经费").removesuffix("经费")[:12],
        "n": str(rng.randint(6, 60)),
        "q": str(quality),
        "qs": 20 if quality >= 95 else 16,
        "qr": "无" if quality >= 95 else "部分点位整改后复验，下年度加强过程质量控制",
        "s": str(satisfied),
        "ss": 10 if satisfied >= 90 else 8,
        "sr": "无" if satisfied >= 90 else "服务响应时效有待提高，已建立回访机制",
    }
    indicators = []
    for row in _INDICATORS:
        cells = [str(c).format(**fills) if isinstance(c, str) else c for c in row]
        weight = D(cells[7])
        score = D(str(cells[8]))
        indicators.append((*cells[:7], _dec2(weight), _dec2(score), cells[9]))
    iw = _sum(D(r[7]) for r in indicators)
    isc = _sum(D(r[8]) for r in indicators)
    total = isc + rate_score
    grade = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
    fund = (_dec2(initial), _dec2(full), _dec2(executed))
    return {
        "name": name,
        "department": spec.department,
        "implementer": spec.department,
        "funds": [
            ("年度资金总额", *fund, "10.00", _dec2(rate), _dec2(rate_score)),
            ("其中：当年财政拨款", *fund, "", _dec2(rate), ""),
            ("上年结转资金", "", "", "", "", "", ""),
            ("其他资金", "", "", "", "", "", ""),
        ],
        "goal_expected": f"按计划实施{name}，资金使用规范，项目产出和效益达到预期。",
        "goal_actual": f"{name}已按计划实施，完成年度绩效目标。"
        if pct == 100
        else f"{name}主体工作已完成，部分合同按进度在下年度支付。",
        "indicator_subtotal": (_dec2(iw), _dec2(isc)),
        "indicators": indicators,
        "notes": "无。",
        "total": (_dec2(iw + 10), _dec2(total), grade),
    }


def _evaluations(spec: UnitSpec, data: WorkbookData) -> None:
    projects = project_tables(spec)
    data.projects = projects
    budget = _sum(D(p["funds"][0][2]) for p in projects) * 10000
    targets = spec.target_projects if spec.target_projects is not None else len(projects)
    overall = "否" if spec.overall == "none" else "是"
    perf: dict[str, object] = {"部门整体绩效自评": overall}
    if targets:
        perf |= {"编制绩效目标项目数": targets, "开展绩效监控项目数": targets}
        if budget:
            perf["编制绩效目标涉及金额"] = budget
    if projects:
        perf |= {"开展绩效自评项目数": len(projects), "开展绩效自评涉及金额": budget}
    data.kv["预算绩效管理"] = perf
    if spec.overall == "sections":
        data.sections = list(spec.overall_sections)
    elif spec.overall == "tables":
        data.overall_text = [(title, "", body) for title, body in spec.overall_sections]
        data.overall_table = {
            "部门名称": spec.department,
            "部门职责": spec.functions,
            "部门总体目标": spec.main_work or spec.functions,
            "年度目标": spec.main_work or spec.functions,
            "年度目标实际完成情况": "各项年度目标均已完成。",
            "tasks": [],
            "indicators": [
                ("产出指标", "数量指标", "年度重点工作任务完成数", "≥", "8", "项", "8", ""),
                ("产出指标", "质量指标", "预算执行率", "≥", "95", "%", "98", ""),
                (
                    "效益指标",
                    "社会效益指标",
                    "公共服务保障水平",
                    "定性",
                    "稳步提升",
                    "",
                    "稳步提升",
                    "",
                ),
                ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥", "90", "%", "95", ""),
            ],
        }
