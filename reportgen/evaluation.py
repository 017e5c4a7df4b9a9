"""绩效自评: the 项目支出绩效自评表 (公开12表) and 部门整体支出绩效自评 (公开10/11表).

The scores of a 项目支出绩效自评表 follow fixed rules that are often broken when the
table is filled by hand (seed 001 has tables whose totals disagree):

- 执行率 = 全年执行数 / 全年预算数 (none when there is no budget);
- 执行率得分 = 分值 × min(执行率, 1);
- 总得分 = Σ 指标得分 + 执行率得分; 分值 total 100 (``full_marks``); each 得分 ≤ its 分值;
- 自评等级 by 总得分: ≥ 90 优, ≥ 80 良, ≥ 60 中, else 差 (the 公开12表 footnote).

The grade thresholds and full marks are wording a pack declares (``evaluation_grades``,
``evaluation_grade_below``, ``evaluation_full_marks``; :func:`rules_from_settings`); the
defaults are the export's. The self-audit treats them as wording, not as figures
(:meth:`ScoringRules.wording_phrases`).

The unit's own figures are the document's: :func:`shown` gives the printed 执行率,
执行率得分, 总分值, 总得分 and 自评等级 — the unit's where it gave them (blanks filled by
the rules), or, with ``evaluation_scores = "computed"`` / ``reportgen build
--computed-scores``, the rules' everywhere. :func:`check_project` reports each given
figure that differs from what the rules compute from the table's data, once, at its
cell: 应为 the computed value, 实为 the given one (P01–P09), and the codes of the export
that have no known name (P11).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from . import evaluation_text as text
from .findings import WARNING, Finding
from .model import Cell
from .money import HUNDRED, ZERO, round_half_up

GIVEN, COMPUTED = "given", "computed"
SCORE_SOURCES = (GIVEN, COMPUTED)


@dataclass(frozen=True)
class Grade:
    """One 自评等级: its name and the lowest 总得分 that earns it."""

    floor: Decimal
    name: str


@dataclass(frozen=True)
class ScoringRules:
    """The grade thresholds and full marks (numbers of the wording, declared by the pack)."""

    grades: tuple[Grade, ...]
    below: str
    full_marks: Decimal

    def grade(self, total: Decimal) -> str:
        """自评等级 for a 总得分: the first grade whose floor it reaches."""
        for g in self.grades:
            if total >= g.floor:
                return g.name
        return self.below

    @property
    def names(self) -> tuple[str, ...]:
        """Grade names from best to worst (the order of the 十（四） counts)."""
        return (*(g.name for g in self.grades), self.below)

    def wording_phrases(self) -> tuple[str, ...]:
        """ "90分", "80分", "60分", "100分": numbers that belong to the wording. The
        self-audit blanks these phrases out of a sentence and never counts their
        numbers as figures, so a unit whose data holds no 80 still builds."""
        return (*(f"{g.floor}分" for g in self.grades), f"{self.full_marks}分")


DEFAULT_RULES = ScoringRules(
    (Grade(Decimal(90), "优"), Grade(Decimal(80), "良"), Grade(Decimal(60), "中")),
    "差",
    Decimal(100),
)


def grade(score: Decimal, rules: ScoringRules = DEFAULT_RULES) -> str:
    """自评等级 for a 总得分: 100–90（含）优, 90–80（含）良, 80–60（含）中, below 60 差."""
    return rules.grade(score)


def _problem(message: str) -> Exception:
    from .narrative import TemplateProblem  # the pack's mistake, reported like a template's

    return TemplateProblem(message)


def _decimal(value: object, what: str) -> Decimal:
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        raise _problem(f"词句包的 {what} = “{value}” 不是数字。") from None
    if not d.is_finite() or d <= 0:
        raise _problem(f"词句包的 {what} = “{value}” 应为正数。")
    return d


def rules_from_settings(settings: Mapping) -> ScoringRules:
    """The pack's scoring rules (``evaluation_grades = [[90, "优"], …]``,
    ``evaluation_grade_below``, ``evaluation_full_marks``); each missing key takes the
    export's default. Floors must fall from grade to grade and stay within full marks."""
    full = _decimal(
        settings.get("evaluation_full_marks", DEFAULT_RULES.full_marks), "evaluation_full_marks"
    )
    raw = settings.get("evaluation_grades")
    grades = DEFAULT_RULES.grades
    if raw is not None:
        try:
            grades = tuple(
                Grade(_decimal(floor, "evaluation_grades"), str(name).strip())
                for floor, name in raw
            )
        except (TypeError, ValueError):
            raise _problem(
                '词句包的 evaluation_grades 应为 [[下限, 等级名称], …]，如 [[90, "优"], [80, "良"]]。'
            ) from None
    floors = [g.floor for g in grades]
    if not grades or floors != sorted(floors, reverse=True) or len(set(floors)) != len(floors):
        raise _problem("词句包的 evaluation_grades 应按下限从高到低排列，且下限各不相同。")
    if floors[0] > full:
        raise _problem(f"词句包的 evaluation_grades 的最高下限 {floors[0]} 超过满分 {full}。")
    below = str(settings.get("evaluation_grade_below", DEFAULT_RULES.below)).strip()
    names = [g.name for g in grades] + [below]
    if not all(names) or len(set(names)) != len(names):
        raise _problem("词句包的自评等级名称不能为空，也不能重复。")
    return ScoringRules(grades, below, full)


def score_source(settings: Mapping) -> str:
    """``evaluation_scores``: ``given`` (the unit's figures, default) or ``computed``."""
    value = settings.get("evaluation_scores", GIVEN)
    if value not in SCORE_SOURCES:
        raise _problem(
            f"词句包的 evaluation_scores = “{value}” 无效，只能是 {' 或 '.join(SCORE_SOURCES)}。"
        )
    return value


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


def _rate_score(weight: Decimal, rate: Decimal | None) -> Decimal:
    return round_half_up(weight * min(rate, Decimal(1)), 2) if rate is not None else ZERO


def score(p: ProjectEvaluation, rules: ScoringRules = DEFAULT_RULES) -> Scores:
    """The computed 执行率, 得分, 总分 and 等级 of one table."""
    t = p.total_line
    rate = None
    if t.full_year:
        rate = (t.executed or ZERO) / t.full_year
    weight = t.weight or ZERO
    rate_score = _rate_score(weight, rate)
    iw = sum((i.weight or ZERO for i in p.indicators), ZERO)
    isc = sum((i.score or ZERO for i in p.indicators), ZERO)
    total = isc + rate_score
    return Scores(rate, weight, rate_score, iw, isc, iw + weight, total, rules.grade(total))


def line_rate(line: FundLine) -> Decimal | None:
    """执行率 of one 项目资金 row in %, 2 decimals (None without a 全年预算数)."""
    if not line.full_year:
        return None
    return round_half_up((line.executed or ZERO) / line.full_year * HUNDRED, 2)


@dataclass(frozen=True)
class Shown:
    """The figures a 项目支出绩效自评表 prints (and 十（四） sums): the unit's, or the rules'."""

    line_rates: tuple[Decimal | None, ...]  # 执行率 in %, one per 项目资金 row
    rate_weight: Decimal | None
    rate_score: Decimal | None
    total_weight: Decimal
    total_score: Decimal
    grade: str
    source: str = GIVEN


def shown(p: ProjectEvaluation, rules: ScoringRules = DEFAULT_RULES, source: str = GIVEN) -> Shown:
    """The printed figures of one table.

    ``given``: each figure as the unit typed it; one left blank is what the rules give
    from the printed figures it depends on, so the printed table is never less
    consistent than the unit's. ``computed``: the rules' figures throughout."""
    s = score(p, rules)
    if source == COMPUTED:
        return Shown(
            tuple(line_rate(f) for f in p.funds),
            s.rate_weight,
            s.rate_score,
            s.total_weight,
            s.total_score,
            s.grade,
            COMPUTED,
        )
    t = p.total_line
    rate_score = t.score if t.score is not None else s.rate_score
    total_weight = p.total_weight if p.total_weight is not None else s.total_weight
    total = p.total_score if p.total_score is not None else s.indicator_score + rate_score
    return Shown(
        tuple(f.rate if f.rate is not None else line_rate(f) for f in p.funds),
        t.weight,
        rate_score,
        total_weight,
        total,
        p.grade or rules.grade(total),
        GIVEN,
    )


def _f(v: Decimal | None) -> str:
    return "空" if v is None else f"{v:.2f}"


def check_project(p: ProjectEvaluation, rules: ScoringRules = DEFAULT_RULES) -> list[Finding]:
    """Rules P01–P09 and P11 for one 项目支出绩效自评表.

    Each given figure is compared with what the rules compute from the table's data
    (amounts, indicator 分值 and 得分), and a difference is one finding at that
    figure's cell, whose message names both values: 应为 the computed, 实为 the given."""
    s = score(p, rules)
    out: list[Finding] = []
    name = f"项目支出绩效自评表“{p.name}”"

    def warn(rule: str, message: str, where, expected, found):
        out.append(
            Finding(
                WARNING, rule, f"{name}：{message}", str(where or p.where or ""), expected, found
            )
        )

    _rate_rules(p, s, warn)
    for ind in p.indicators:
        if ind.weight is not None and ind.score is not None and ind.score > ind.weight:
            warn(
                "P03",
                f"指标“{ind.level3}”的得分{_f(ind.score)}超过其分值{_f(ind.weight)}。",
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
    _total_rules(p, s, rules, warn)
    _fund_sums(p, warn)
    _code_rules(p, warn)
    return out


def _rate_rules(p: ProjectEvaluation, s: Scores, warn) -> None:
    """P01 执行率 and P02 执行率得分 of the 年度资金总额 row."""
    t = p.total_line
    if t.full_year is None or t.full_year == 0:
        if t.executed:
            warn(
                "P01",
                f"全年预算数为空或为0，全年执行数却为{_f(t.executed)}，执行率无法计算。",
                t.cells.get("full_year"),
                "全年预算数",
                "空",
            )
    elif t.rate is not None and t.rate != s.rate_percent:
        warn(
            "P01",
            f"执行率填写为{_f(t.rate)}%，按全年执行数{_f(t.executed or ZERO)} ÷ "
            f"全年预算数{_f(t.full_year)}应为{s.rate_percent:.2f}%。",
            t.cells.get("rate"),
            f"{s.rate_percent:.2f}",
            _f(t.rate),
        )
    elif t.rate is None and t.executed:
        warn(
            "P01",
            f"执行率未填写，按全年执行数{_f(t.executed)} ÷ 全年预算数{_f(t.full_year)}"
            f"应为{s.rate_percent:.2f}%。",
            t.cells.get("rate"),
            f"{s.rate_percent:.2f}",
            "空",
        )
    if t.score is None:
        return
    # the given 执行率 (2 decimals) may be what the unit multiplied: either is right
    accepted = {s.rate_score}
    if t.rate is not None:
        accepted.add(_rate_score(s.rate_weight, t.rate / HUNDRED))
    if t.score not in accepted:
        rate = "—" if s.rate_percent is None else f"{s.rate_percent:.2f}%"
        warn(
            "P02",
            f"执行率得分填写为{_f(t.score)}，按分值{_f(s.rate_weight)} × 执行率{rate}"
            f"（以分值为限）应为{_f(s.rate_score)}。",
            t.cells.get("score"),
            _f(s.rate_score),
            _f(t.score),
        )


def _total_rules(p: ProjectEvaluation, s: Scores, rules: ScoringRules, warn) -> None:
    """P04–P08: 分值 in full marks, 小计, 总分值, 总得分, 自评等级 — one finding per cell."""
    parts = f"各指标分值（{_f(s.indicator_weight)}）与执行率分值（{_f(s.rate_weight)}）之和"
    if p.total_weight is not None and p.total_weight != s.total_weight:
        warn(
            "P06",
            f"总分值填写为{_f(p.total_weight)}，{parts}为{_f(s.total_weight)}"
            + ("。" if s.total_weight == rules.full_marks else f"（满分{_f(rules.full_marks)}）。"),
            p.cells.get("total_weight"),
            _f(s.total_weight),
            _f(p.total_weight),
        )
    elif s.total_weight != rules.full_marks:
        warn(
            "P04",
            f"{parts}为{_f(s.total_weight)}，应为满分{_f(rules.full_marks)}。",
            p.cells.get("total_weight") or p.cells.get("subtotal_weight"),
            _f(rules.full_marks),
            _f(s.total_weight),
        )
    for what, given, computed, cell in (
        ("指标分值小计", p.subtotal_weight, s.indicator_weight, "subtotal_weight"),
        ("指标得分小计", p.subtotal_score, s.indicator_score, "subtotal_score"),
    ):
        if given is not None and given != computed:
            kind = what[2:4]
            warn(
                "P05",
                f"{what}填写为{_f(given)}，各指标{kind}之和为{_f(computed)}。",
                p.cells.get(cell),
                _f(computed),
                _f(given),
            )
    if p.total_score is not None and p.total_score != s.total_score:
        warn(
            "P07",
            f"总得分填写为{_f(p.total_score)}，各指标得分（{_f(s.indicator_score)}）与"
            f"执行率得分（{_f(s.rate_score)}）之和为{_f(s.total_score)}。",
            p.cells.get("total_score"),
            _f(s.total_score),
            _f(p.total_score),
        )
    if p.grade and p.grade != s.grade:
        warn(
            "P08",
            f"自评等级填写为“{p.grade}”，按总得分{_f(s.total_score)}分应为“{s.grade}”。",
            p.cells.get("grade"),
            s.grade,
            p.grade,
        )


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
                f"年度资金总额的{label}填写为{_f(given)}，当年财政拨款、上年结转资金与"
                f"其他资金之和为{_f(expected)}。",
                t.cells.get(key),
                _f(expected),
                _f(given),
            )


def _code_rules(p: ProjectEvaluation, warn) -> None:
    """P11: 指标性质 / 度量单位 codes of the export whose names are not known."""
    for key, label, known in (
        ("nature", "指标性质", text.natures()),
        ("unit", "度量单位", text.units()),
    ):
        cells = [(getattr(i, key), i.cells.get(key)) for i in p.indicators]
        codes = text.unknown_codes(cells, known)
        if codes:
            listed = "、".join(c for c, _cell in codes)
            warn(
                "P11",
                f"{label}栏的代码 {listed} 没有对应的名称，文档按原样印出；请在工作簿中改填名称。",
                codes[0][1],
                "名称",
                listed,
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


def summary(
    projects: list[ProjectEvaluation],
    rules: ScoringRules = DEFAULT_RULES,
    source: str = GIVEN,
) -> dict:
    """Figures for 第二部分 十、（四）: how many projects were self-evaluated, their scores
    and grades as the tables print them (:func:`shown`), the average and grade counts."""
    printed = [(p, shown(p, rules, source)) for p in projects]
    by_grade: dict[str, int] = {}
    for _p, s in printed:
        by_grade[s.grade] = by_grade.get(s.grade, 0) + 1
    order = [*rules.names, *(g for g in by_grade if g not in rules.names)]
    budget = sum((p.total_line.full_year or ZERO for p in projects), ZERO)
    executed = sum((p.total_line.executed or ZERO for p in projects), ZERO)
    return {
        "count": len(projects),
        "budget_wan": budget,
        "executed_wan": executed,
        "grades": [(g, by_grade[g]) for g in order if g in by_grade],
        "items": [
            {"name": text.cjk_punctuation(p.name), "score": s.total_score, "grade": s.grade}
            for p, s in printed
        ],
        "average": (
            round_half_up(sum((s.total_score for _p, s in printed), ZERO) / len(printed), 2)
            if printed
            else None
        ),
    }


def overall_report(report) -> dict | None:
    """The 部门整体支出绩效自评 that 第四部分 prints and 十（四） cites, or None.

    ``kind`` "self": the 公开10表 text (seed 001: “…部门整体支出绩效自评情况”); "report":
    the 整体绩效自评 sheet (seed 002: “…部门整体支出绩效评价报告”). ``sections`` are
    (标题, 小标题, 内容) with Chinese punctuation; ``indicators`` says whether a 公开11表
    table follows."""
    ev = report.evaluation
    t = text.cjk_punctuation
    indicators = bool(ev and ev.indicators)
    if ev and ev.sections:
        sections = [(t(a), t(b), t(c)) for a, b, c in ev.sections]
        return {"kind": "self", "sections": sections, "indicators": indicators}
    if report.overall_performance:
        sections = [(t(a), "", t(b)) for a, b in report.overall_performance]
        return {"kind": "report", "sections": sections, "indicators": indicators}
    return None


def context_entries(report, settings: Mapping) -> dict:
    """The 绩效自评 entries of the templates' context (``pipeline.render_context``):
    the pack's scoring rules (wording constants), which figures are printed, the
    整体 report, each project with its printed figures, and the 十（四） summary."""
    rules = rules_from_settings(settings)
    source = score_source(settings)
    return {
        "scoring": rules,
        "score_source": source,
        "evaluation": report.evaluation,
        "overall_report": overall_report(report),
        "projects": [
            {
                "index": i,
                "name": text.cjk_punctuation(p.name),
                "scores": shown(p, rules, source),
                "project": p,
            }
            for i, p in enumerate(report.projects, 1)
        ],
        "project_summary": summary(report.projects, rules, source),
    }


__all__ = [
    "COMPUTED",
    "DEFAULT_RULES",
    "GIVEN",
    "FundLine",
    "Grade",
    "Indicator",
    "OverallEvaluation",
    "ProjectEvaluation",
    "Scores",
    "ScoringRules",
    "Shown",
    "check_project",
    "context_entries",
    "grade",
    "line_rate",
    "overall_report",
    "rules_from_settings",
    "score",
    "score_source",
    "shown",
    "summary",
]
