"""Word tables of 第四部分: 项目支出绩效自评表 and 部门整体支出绩效指标, in the official layout.

Amounts, 分值 and 得分 of the indicators are printed as given. The figures the rules fix
(执行率, 执行率得分, 总分值, 总得分, 自评等级) are those of :func:`reportgen.evaluation.shown`:
the unit's by default, the rules' on request; where they differ, ``check`` says so cell
by cell. Text cells go through :mod:`reportgen.evaluation_text` (codes as names, dates
as dates, Chinese punctuation).
"""

from __future__ import annotations

from decimal import Decimal

from docx.shared import Cm

from .docx_table import FastTable
from .evaluation import Indicator, OverallEvaluation, ProjectEvaluation, Shown
from .evaluation_text import IndicatorText, cjk_punctuation, indicator_text
from .money import round_half_up

#: column weights of the 10-column 项目支出绩效自评表 (portrait text width)
PROJECT_WEIGHTS = (1.3, 1.3, 2.1, 1.55, 1.55, 1.55, 1.35, 1.3, 1.3, 2.3)
OVERALL_WEIGHTS = (1.5, 1.6, 2.6, 1.0, 2.0, 1.1, 1.6, 2.6)
TEXT_WIDTH_CM = 15.6


def _fmt(v: Decimal | None) -> str:
    return "" if v is None else f"{round_half_up(v, 2):,.2f}"


def _new(sd, rows: int, weights: tuple[float, ...]) -> FastTable:
    scale = TEXT_WIDTH_CM / sum(weights)
    widths = [int(Cm(w * scale).twips) for w in weights]
    # 8 pt and narrow cell margins so "1,307.13" and "83.33%" stay on one line
    from .document import table_fonts

    return FastTable(sd, rows, widths, font_pt=8.0, cell_margin=40, fonts=table_fonts(sd))


def _put(grid, r: int, c: int, text: str, *, to: tuple[int, int] | None = None, **kw) -> None:
    from .document import _set

    cell = grid.merge(r, c, *to) if to else grid.cell(r, c)
    _set(cell, text, **kw)


def _cells(ind: Indicator) -> IndicatorText:
    return indicator_text(ind.level3, ind.nature, ind.target, ind.unit, ind.actual)


#: rows of a 项目支出绩效自评表 repeated at the top of each page it continues on: 项目名称
#: and 主管部门/实施单位, so a continuation page says whose indicators it lists
PROJECT_HEADER_ROWS = 2
#: rows kept together at its end: the last indicator, 其他需要说明的事项 and the two 总分
#: rows, so 总分 never stands alone on a page
PROJECT_TAIL_ROWS = 4


def render_project(sd, p: ProjectEvaluation, s: Shown) -> None:
    """One 项目支出绩效自评表 (seed 001 公开12表 layout), with the figures of ``s``.

    Its head, from 项目名称 down to the first indicator row (资金, 年度总体目标 and the
    indicator column headings), is kept on one page: it moves to the next page rather
    than leave the column headings at the foot of one."""
    t = cjk_punctuation
    n_funds = max(len(p.funds), 1)
    rows = 2 + 1 + n_funds + 2 + 2 + len(p.indicators) + 1 + 2
    g = _new(sd, rows, PROJECT_WEIGHTS)
    _put(g, 0, 0, "项目名称", to=(0, 1), bold=True, center=True)
    _put(g, 0, 2, t(p.name), to=(0, 9))
    _put(g, 1, 0, "主管部门", to=(1, 1), bold=True, center=True)
    _put(g, 1, 2, t(p.department), to=(1, 4))
    _put(g, 1, 5, "实施单位", to=(1, 6), bold=True, center=True)
    _put(g, 1, 7, t(p.implementer), to=(1, 9))
    r = 2
    _put(g, r, 0, "项目资金（万元）", to=(r + n_funds, 0), bold=True, center=True)
    _put(g, r, 1, "", to=(r, 2))
    for j, h in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率")):
        _put(g, r, 3 + j, h, bold=True, center=True)
    _put(g, r, 8, "得分", to=(r, 9), bold=True, center=True)
    total_line = p.total_line
    for k, line in enumerate(p.funds or [total_line]):
        rr = r + 1 + k
        is_total = line is total_line
        rate = s.line_rates[k] if k < len(s.line_rates) else None
        _put(g, rr, 1, t(line.label), to=(rr, 2))
        _put(g, rr, 3, _fmt(line.initial), number=True)
        _put(g, rr, 4, _fmt(line.full_year), number=True)
        _put(g, rr, 5, _fmt(line.executed), number=True)
        _put(g, rr, 6, _fmt(s.rate_weight) if is_total else "", number=True)
        _put(g, rr, 7, "" if rate is None else f"{rate:.2f}%", number=True)
        _put(g, rr, 8, _fmt(s.rate_score) if is_total else "", to=(rr, 9), number=True)
    r += 1 + n_funds
    _put(g, r, 0, "年度总体目标", to=(r + 1, 0), bold=True, center=True)
    _put(g, r, 1, "预期目标", to=(r, 4), bold=True, center=True)
    _put(g, r, 5, "实际完成情况", to=(r, 9), bold=True, center=True)
    _put(g, r + 1, 1, t(p.goal_expected), to=(r + 1, 4))
    _put(g, r + 1, 5, t(p.goal_actual), to=(r + 1, 9))
    r += 2
    _put(g, r, 0, "绩效指标", to=(r, 2), bold=True, center=True)
    _put(g, r, 3, "年度指标值", to=(r, 5), bold=True, center=True)
    for j, h in enumerate(("实际完成值", "分值", "得分", "偏差原因分析及改进措施")):
        _put(g, r, 6 + j, h, to=(r + 1, 6 + j), bold=True, center=True)
    for j, h in enumerate(("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位")):
        _put(g, r + 1, j, h, bold=True, center=True)
    r += 2
    first_indicator = r
    for ind in p.indicators:
        c = _cells(ind)
        values = (t(ind.level1), t(ind.level2), t(ind.level3), c.nature, c.target, c.unit, c.actual)
        for j, v in enumerate(values):
            _put(g, r, j, v, center=j in (3, 5))
        _put(g, r, 7, _fmt(ind.weight), number=True)
        _put(g, r, 8, _fmt(ind.score), number=True)
        _put(g, r, 9, t(ind.deviation))
        r += 1
    _put(g, r, 0, "其他需要说明的事项", to=(r, 1), bold=True, center=True)
    _put(g, r, 2, t(p.notes), to=(r, 9))
    r += 1
    _put(g, r, 0, "总分", to=(r + 1, 6), bold=True, center=True)
    for j, (h, v) in enumerate(
        (("总分值", _fmt(s.total_weight)), ("总得分", _fmt(s.total_score)), ("自评等级", s.grade))
    ):
        _put(g, r, 7 + j, h, bold=True, center=True)
        _put(g, r + 1, 7 + j, v, center=True)
    head = first_indicator + 1 - PROJECT_HEADER_ROWS  # body rows kept with the header
    g.finish(PROJECT_HEADER_ROWS, head=head, tail=PROJECT_TAIL_ROWS)


def render_overall_indicators(sd, ov: OverallEvaluation) -> None:
    """部门整体支出绩效指标 (公开11表): its heading row repeated on every page."""
    g = _new(sd, 1 + len(ov.indicators), OVERALL_WEIGHTS)
    heads = ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值")
    for j, h in enumerate(heads + ("偏差原因分析及改进措施",)):
        _put(g, 0, j, h, bold=True, center=True)
    t = cjk_punctuation
    for i, ind in enumerate(ov.indicators, 1):
        c = _cells(ind)
        values = (
            t(ind.level1),
            t(ind.level2),
            t(ind.level3),
            c.nature,
            c.target,
            c.unit,
            c.actual,
            t(ind.deviation),
        )
        for j, v in enumerate(values):
            _put(g, i, j, v, center=j in (3, 5))
    g.finish(1)
