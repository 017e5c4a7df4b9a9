"""绩效自评: the 项目支出绩效自评表 (公开12表) and 部门整体支出绩效自评 (公开10/11表).

The scores of a 项目支出绩效自评表 follow fixed rules that are often broken when the
table is filled by hand (seed 001 has tables whose totals disagree):

- 执行率 = 全年执行数 / 全年预算数 (none when there is no budget);
- 执行率得分 = 分值 × min(执行率, 1);
- 总得分 = Σ 指标得分 + 执行率得分; 分值 total 100; each 得分 ≤ its 分值;
- 自评等级 by 总得分: ≥ 90 优, ≥ 80 良, ≥ 60 中, else 差.

This module holds the model read from the workbook, the computed scores, and the rules
(P01…) that compare the given figures with the computed ones. Differences are warnings:
the document prints the computed figures, and the sidecar report names each given
figure that was wrong, with its cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .findings import WARNING, Finding
from .model import Cell
from .money import HUNDRED, ZERO, round_half_up

GRADES = ((Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"))
FULL_MARKS = Decimal(100)


def grade(score: Decimal) -> str:
    """自评等级 for a 总得分: 100–90（含）优, 90–80（含）良, 80–60（含）中, below 60 差."""
    for floor, name in GRADES:
        if score >= floor:
            return name
    return "差"


@dataclass
class FundLine:
    """One row of the 项目资金 block (amounts in 万元 as printed; rate in %)."""

    label: str
    initial: Decimal | None = None
    full_year: Decimal | None = None
    executed: Decimal | None = None
    weight: Decimal | None = None
    rate: Decimal | None = None  # 执行率 as given, in %
    score: Decimal | None = None
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class Indicator:
    level1: str
    level2: str
    level3: str
    nature: str = ""
    target: str = ""
    unit: str = ""
    actual: str = ""
    weight: Decimal | None = None
    score: Decimal | None = None
    deviation: str = ""
    cells: dict[str, Cell] = field(default_factory=dict)


@dataclass
class ProjectEvaluation:
    """One 项目支出绩效自评表 as read."""

    name: str
    department: str = ""
    implementer: str = ""
    funds: list[FundLine] = field(default_factory=list)
    goal_expected: str = ""
    goal_actual: str = ""
    indicators: list[Indicator] = field(default_factory=list)
    subtotal_weight: Decimal | None = None
    subtotal_score: Decimal | None = None
    notes: str = ""
    total_weight: Decimal | None = None
    total_score: Decimal | None = None
    grade: str = ""
    cells: dict[str, Cell] = field(default_factory=dict)
    where: Cell | None = None

    @property
    def total_line(self) -> FundLine:
        """The 年度资金总额 row (the first fund row when it is labelled otherwise)."""
        for f in self.funds:
            if "总额" in f.label:
                return f
        return self.funds[0] if self.funds else FundLine("年度资金总额")


@dataclass(frozen=True)
class Scores:
    """What the rules say the table's figures are."""

    rate: Decimal | None  # 执行率 as a fraction, unrounded; None without a budget
    rate_weight: Decimal
    rate_score: Decimal
    indicator_weight: Decimal
    indicator_score: Decimal
    total_weight: Decimal
    total_score: Decimal
    grade: str

    @property
    def rate_percent(self) -> Decimal | None:
        return None if self.rate is None else round_half_up(self.rate * HUNDRED, 2)


def score(p: ProjectEvaluation) -> Scores:
    """The computed 执行率, 得分, 总分 and 等级 of one table."""
    t = p.total_line
    rate = None
    if t.full_year:
        rate = (t.executed or ZERO) / t.full_year
    weight = t.weight or ZERO
    rate_score = round_half_up(weight * min(rate, Decimal(1)), 2) if rate is not None else ZERO
    iw = sum((i.weight or ZERO for i in p.indicators), ZERO)
    isc = sum((i.score or ZERO for i in p.indicators), ZERO)
    total = isc + rate_score
    return Scores(rate, weight, rate_score, iw, isc, iw + weight, total, grade(total))


def _f(v: Decimal | None) -> str:
    return "空" if v is None else f"{v:.2f}"


def check_project(p: ProjectEvaluation) -> list[Finding]:
    """Rules P01–P09 for one 项目支出绩效自评表."""
    s = score(p)
    t = p.total_line
    out: list[Finding] = []
    name = f"项目支出绩效自评表“{p.name}”"

    def warn(rule: str, message: str, where, expected, found):
        out.append(
            Finding(
                WARNING, rule, f"{name}：{message}", str(where or p.where or ""), expected, found
            )
        )

    if t.full_year is None or t.full_year == 0:
        if t.executed:
            warn(
                "P01",
                "没有全年预算数却有执行数，执行率无法计算。",
                t.cells.get("full_year"),
                "全年预算数",
                "空",
            )
    elif t.rate is not None and t.rate != s.rate_percent:
        warn(
            "P01",
            "执行率不等于全年执行数 ÷ 全年预算数。",
            t.cells.get("rate"),
            f"{s.rate_percent}",
            _f(t.rate),
        )
    elif t.rate is None and t.executed:
        warn("P01", "执行率未填写。", t.cells.get("rate"), f"{s.rate_percent}", "空")
    if t.score is not None and t.score != s.rate_score:
        warn(
            "P02",
            "执行率得分应为 分值 × min(执行率, 100%)。",
            t.cells.get("score"),
            _f(s.rate_score),
            _f(t.score),
        )
    for ind in p.indicators:
        if ind.weight is not None and ind.score is not None and ind.score > ind.weight:
            warn(
                "P03",
                f"指标“{ind.level3}”的得分超过分值。",
                ind.cells.get("score"),
                f"≤ {_f(ind.weight)}",
                _f(ind.score),
            )
        if ind.weight is not None and ind.weight < 0 or ind.score is not None and ind.score < 0:
            warn(
                "P03",
                f"指标“{ind.level3}”的分值或得分为负数。",
                ind.cells.get("score"),
                "≥ 0",
                _f(ind.score),
            )
    if s.total_weight != FULL_MARKS:
        warn(
            "P04",
            "各指标分值与执行率分值之和应为100分。",
            p.cells.get("total_weight") or p.cells.get("subtotal_weight"),
            "100.00",
            _f(s.total_weight),
        )
    # given totals against the computed ones: (rule, message, given, computed, its cell)
    for rule, message, given, computed, cell in (
        (
            "P05",
            "指标分值小计不等于各指标分值之和。",
            p.subtotal_weight,
            s.indicator_weight,
            "subtotal_weight",
        ),
        (
            "P05",
            "指标得分小计不等于各指标得分之和。",
            p.subtotal_score,
            s.indicator_score,
            "subtotal_score",
        ),
        (
            "P06",
            "总分值不等于各指标分值与执行率分值之和。",
            p.total_weight,
            s.total_weight,
            "total_weight",
        ),
        (
            "P07",
            "总得分不等于各指标得分与执行率得分之和。",
            p.total_score,
            s.total_score,
            "total_score",
        ),
    ):
        if given is not None and given != computed:
            warn(rule, message, p.cells.get(cell), _f(computed), _f(given))
    if p.grade and p.grade != s.grade:
        warn(
            "P08",
            f"自评等级与总得分{s.total_score:.2f}分不符。",
            p.cells.get("grade"),
            s.grade,
            p.grade,
        )
    _fund_sums(p, warn)
    return out


_FUND_COLS = (("initial", "年初预算数"), ("full_year", "全年预算数"), ("executed", "全年执行数"))


def _fund_sums(p: ProjectEvaluation, warn) -> None:
    """P09: 年度资金总额 = 当年财政拨款 + 上年结转资金 + 其他资金, column by column."""
    t = p.total_line
    parts = [f for f in p.funds if f is not t]
    if not parts:
        return
    for key, label in _FUND_COLS:
        given = getattr(t, key)
        values = [getattr(f, key) for f in parts]
        if given is None and all(v is None for v in values):
            continue
        expected = sum((v or ZERO for v in values), ZERO)
        if (given or ZERO) != expected:
            warn(
                "P09",
                f"年度资金总额的{label}不等于当年财政拨款、上年结转资金与其他资金之和。",
                t.cells.get(key),
                _f(expected),
                _f(given),
            )


@dataclass
class OverallEvaluation:
    """部门整体支出绩效自评: 公开10表 text sections and 公开11表 indicators."""

    sections: list[tuple[str, str, str]] = field(default_factory=list)  # (一级, 二级, 内容)
    indicators: list[Indicator] = field(default_factory=list)
    department: str = ""
    duty: str = ""
    overall_goal: str = ""
    annual_goal: str = ""
    annual_actual: str = ""


def summary(projects: list[ProjectEvaluation]) -> dict:
    """Figures for 第二部分 十、（四）: how many projects were self-evaluated, their scores."""
    scored = [(p, score(p)) for p in projects]
    by_grade: dict[str, int] = {}
    for _p, s in scored:
        by_grade[s.grade] = by_grade.get(s.grade, 0) + 1
    budget = sum((p.total_line.full_year or ZERO for p in projects), ZERO)
    executed = sum((p.total_line.executed or ZERO for p in projects), ZERO)
    return {
        "count": len(projects),
        "budget_wan": budget,
        "executed_wan": executed,
        "grades": [(g, by_grade[g]) for g in ("优", "良", "中", "差") if g in by_grade],
        "items": [{"name": p.name, "score": s.total_score, "grade": s.grade} for p, s in scored],
        "average": (
            round_half_up(sum((s.total_score for _p, s in scored), ZERO) / len(scored), 2)
            if scored
            else None
        ),
    }


__all__ = [
    "FundLine",
    "Indicator",
    "OverallEvaluation",
    "ProjectEvaluation",
    "Scores",
    "check_project",
    "grade",
    "score",
    "summary",
]
