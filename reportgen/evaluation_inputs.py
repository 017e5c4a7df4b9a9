"""Read 绩效自评 tables (公开10–12表) from the workbook grids, as 决算 software lays them out.

Each table is found by its title ("2021年度项目支出绩效自评表", any number of them, on any
sheet); inside a table, rows and columns are found by their labels (项目名称, 年初预算数,
一级指标, 总分…), so merged cells, blank continuation cells and either placement of the
总分 values (same row or the row below) read the same. Problems become findings with
their cell, like every other input.
"""

from __future__ import annotations

import re
from decimal import Decimal

from .evaluation import FundLine, Indicator, OverallEvaluation, ProjectEvaluation
from .layouts import normalize_label
from .money import AmountError, parse_amount
from .sheets import ExcelError, Grid

PROJECT_TITLE = "项目支出绩效自评表"
OVERALL_TEXT_TITLE = "部门整体支出绩效自评情况"
OVERALL_TABLE_TITLE = "部门整体支出绩效自评表"
#: "2021年度" before a title; a bare "年度" too (the blank form of reportgen init before
#: issue 14 printed "年度项目支出绩效自评表" when the year was not yet known)
_YEAR_PREFIX = re.compile(r"^((20\d{2})?年度?)?")
GRADE_NAMES = ("优", "良", "中", "差")

_FUND_HEADS = {
    "年初预算数": "initial",
    "全年预算数": "full_year",
    "全年执行数": "executed",
    "分值": "weight",
    "执行率": "rate",
    "得分": "score",
}
#: the 项目资金 columns that are budgets: a negative one is an error (IN-17)
_BUDGET_FUNDS = frozenset({"initial", "full_year"})
_INDICATOR_HEADS = {
    "一级指标": "level1",
    "二级指标": "level2",
    "三级指标": "level3",
    "指标性质": "nature",
    "指标值": "target",
    "度量单位": "unit",
    "实际完成值": "actual",
    "分值": "weight",
    "得分": "score",
    "偏差原因": "deviation",
}


def _title_of(text: object) -> str | None:
    if not isinstance(text, str):
        return None
    t = _YEAR_PREFIX.sub("", normalize_label(text))
    for title in (PROJECT_TITLE, OVERALL_TEXT_TITLE, OVERALL_TABLE_TITLE):
        if t == title:
            return title
    return None


def find_regions(grids: list[Grid]) -> list[tuple[str, Grid, int, int]]:
    """(title, grid, first row, end row) of every 绩效自评 table, in workbook order."""
    out = []
    for g in grids:
        starts = []
        for r, row in enumerate(g.rows):
            for v in row[:4]:
                title = _title_of(v)
                if title:
                    starts.append((title, r))
                    break
        for i, (title, r) in enumerate(starts):
            end = starts[i + 1][1] if i + 1 < len(starts) else len(g.rows)
            out.append((title, g, r, end))
    return out


class _Region:
    """Label lookups inside one table region."""

    def __init__(self, rd, g: Grid, start: int, end: int):
        self.rd, self.g, self.start, self.end = rd, g, start, end

    def texts(self, r: int) -> list[str]:
        return [self.g.text(r, c) for c in range(len(self.g.rows[r]))]

    def find(self, label: str, from_row: int | None = None, prefix: bool = False):
        want = normalize_label(label)
        for r in range(from_row if from_row is not None else self.start, self.end):
            for c, t in enumerate(self.texts(r)):
                n = normalize_label(t)
                if n == want or (prefix and n.startswith(want)):
                    return r, c
        return None

    def after(self, r: int, c: int) -> tuple[str, int | None]:
        """The first non-empty text right of (r, c) and its column."""
        row = self.texts(r)
        for k in range(c + 1, len(row)):
            if row[k]:
                return row[k], k
        return "", None

    def number(self, r: int, c: int | None, what: str, budget: bool = False) -> Decimal | None:
        if c is None or c >= len(self.g.rows[r]):
            return None
        raw = self.g.value(r, c)
        if isinstance(raw, ExcelError):
            return None  # reported by the reader as IN-12
        try:
            value = parse_amount(raw)
            if budget and value is not None:
                return self.rd.budget_sign(value, self.g.cell(r, c), raw)
            return value
        except AmountError:
            self.rd.error(
                "IN-40",
                f"{what}应为数字，实为“{raw}”。",
                self.g.cell(r, c),
                "数字",
                raw,
            )
            return None


def read_project(rd, g: Grid, start: int, end: int) -> ProjectEvaluation | None:
    reg = _Region(rd, g, start, end)
    pos = reg.find("项目名称")
    if pos is None:
        rd.error("IN-41", "项目支出绩效自评表缺少“项目名称”行。", g.cell(start, 0))
        return None
    name, name_c = reg.after(*pos)
    if not name and reg.find("一级指标") and not _has_numbers(reg):
        return None  # the empty form written by reportgen init
    p = ProjectEvaluation(name=name, where=g.cell(start, 0))
    if name_c is not None:
        p.cells["name"] = g.cell(pos[0], name_c)
    for label, attr in (("主管部门", "department"), ("实施单位", "implementer")):
        hit = reg.find(label)
        if hit:
            setattr(p, attr, reg.after(*hit)[0])
    goals = reg.find("预期目标")
    _read_funds(reg, p, goals[0] if goals else end)
    if goals:
        _read_goals(reg, p, goals)
    head = reg.find("一级指标")
    if head is None:
        rd.error("IN-42", f"项目“{name}”的自评表缺少绩效指标表头（一级指标…）。", g.cell(start, 0))
        return p
    _read_indicators(reg, p, head[0])
    return p


def _has_numbers(reg: _Region) -> bool:
    """Any amount or score filled in (the empty form has only the 执行率 分值 10)."""
    numbers = [t for r in range(reg.start, reg.end) for t in reg.texts(r) if t and _numeric(t)]
    return len(numbers) > 1


def _read_funds(reg: _Region, p: ProjectEvaluation, stop: int) -> None:
    head = reg.find("年初预算数")
    if head is None:
        reg.rd.error(
            "IN-43",
            f"项目“{p.name}”的自评表缺少项目资金表头（年初预算数…）。",
            reg.g.cell(reg.start, 0),
        )
        return
    hr = head[0]
    cols = {}
    for c, t in enumerate(reg.texts(hr)):
        key = _FUND_HEADS.get(normalize_label(t))
        if key and key not in cols:
            cols[key] = c
    first = min(cols.values())
    for r in range(hr + 1, stop):
        texts = reg.texts(r)
        label = next((normalize_label(t) for t in texts[:first] if t and not _numeric(t)), "")
        if not label or "资金" not in label and "拨款" not in label:
            continue
        line = FundLine(label)
        for key, c in cols.items():
            what = f"项目“{p.name}”的{label}{_heading(key)}"
            setattr(line, key, reg.number(r, c, what, budget=key in _BUDGET_FUNDS))
            line.cells[key] = reg.g.cell(r, c)
        p.funds.append(line)


def _heading(key: str) -> str:
    return next(h for h, k in _FUND_HEADS.items() if k == key)


def _numeric(t: str) -> bool:
    try:
        return parse_amount(t) is not None
    except AmountError:
        return False


def _read_goals(reg: _Region, p: ProjectEvaluation, goals: tuple[int, int]) -> None:
    r, c = goals
    actual = reg.find("实际完成情况", r)
    ac = actual[1] if actual and actual[0] == r else None
    for rr in range(r + 1, reg.end):
        texts = reg.texts(rr)
        if not any(texts):
            continue
        left = [t for k, t in enumerate(texts) if k >= c and (ac is None or k < ac) and t]
        right = [t for k, t in enumerate(texts) if ac is not None and k >= ac and t]
        p.goal_expected = _strip_tags(left[0]) if left else ""
        p.goal_actual = _strip_tags(right[0]) if right else ""
        return


def _strip_tags(text: str) -> str:
    return re.sub(r"</?p>", "", text).strip()


def _read_indicators(reg: _Region, p: ProjectEvaluation, hr: int) -> None:
    cols: dict[str, int] = {}
    for row in (hr, hr - 1):
        for c, t in enumerate(reg.texts(row)):
            n = normalize_label(t)
            for label, key in _INDICATOR_HEADS.items():
                if (n == label or (key == "deviation" and n.startswith(label))) and key not in cols:
                    cols[key] = c
    text_keys = ("level1", "level2", "level3", "nature", "target", "unit", "actual", "deviation")
    last = {"level1": "", "level2": ""}
    g = reg.g
    r = hr + 1
    while r < reg.end:
        texts = reg.texts(r)
        first = normalize_label(next((t for t in texts if t), ""))
        if first.startswith("其他需要说明") or first.startswith("其他需说明"):
            p.notes = reg.after(r, texts.index(next(t for t in texts if t)))[0]
            r += 1
            continue
        if first.startswith("总分"):
            _read_total(reg, p, r)
            break
        if first.startswith("备注"):
            break

        def get(key: str, texts=texts) -> str:
            c = cols.get(key)
            return texts[c] if c is not None and c < len(texts) else ""

        names = [get("level1"), get("level2"), get("level3")]
        if not any(names):
            if get("weight") or get("score"):
                p.subtotal_weight = reg.number(r, cols.get("weight"), "指标分值小计")
                p.subtotal_score = reg.number(r, cols.get("score"), "指标得分小计")
                if "weight" in cols:
                    p.cells["subtotal_weight"] = g.cell(r, cols["weight"])
                if "score" in cols:
                    p.cells["subtotal_score"] = g.cell(r, cols["score"])
            r += 1
            continue
        values = {k: get(k) for k in text_keys}
        for k in ("level1", "level2"):
            values[k] = values[k] or last[k]
            last[k] = values[k]
        ind = Indicator(**values)
        ind.weight = reg.number(r, cols.get("weight"), f"指标“{values['level3']}”的分值")
        ind.score = reg.number(r, cols.get("score"), f"指标“{values['level3']}”的得分")
        ind.cells = {k: g.cell(r, c) for k, c in cols.items()}
        p.indicators.append(ind)
        r += 1


def _read_total(reg: _Region, p: ProjectEvaluation, r: int) -> None:
    """总分 values on the 总分 row itself, or under 总分值/总得分/自评等级 labels."""
    texts = reg.texts(r)
    labels = {normalize_label(t): c for c, t in enumerate(texts) if t}
    g = reg.g
    if "总分值" in labels and r + 1 < reg.end:
        vr = r + 1
        cw, cs, cg = labels.get("总分值"), labels.get("总得分"), labels.get("自评等级")
        vals = reg.texts(vr)
        if not any(vals[c] for c in (cw, cs, cg) if c is not None and c < len(vals)):
            return
    else:
        vr = r
        nums = [c for c, t in enumerate(texts) if t and _numeric(t)]
        cw = nums[0] if nums else None
        cs = nums[1] if len(nums) > 1 else None
        cg = next((c for c, t in enumerate(texts) if normalize_label(t) in GRADE_NAMES), None)
    p.total_weight = reg.number(vr, cw, "总分值")
    p.total_score = reg.number(vr, cs, "总得分")
    if cw is not None:
        p.cells["total_weight"] = g.cell(vr, cw)
    if cs is not None:
        p.cells["total_score"] = g.cell(vr, cs)
    if cg is not None:
        p.grade = normalize_label(g.text(vr, cg))
        p.cells["grade"] = g.cell(vr, cg)


def read_overall_text(g: Grid, start: int, end: int, ov: OverallEvaluation) -> None:
    """公开10表: rows of (一级标题, 二级标题, 内容); blank titles continue the one above."""
    section = ""
    for r in range(start + 1, end):
        texts = [g.text(r, c) for c in range(min(len(g.rows[r]), 6))]
        cells = [t for t in texts if t]
        if not cells or normalize_label(cells[0]) in ("公开10表",) or cells[0].startswith("备注"):
            continue
        if texts[0]:
            section = texts[0]
        sub = texts[1] if len(texts) > 1 else ""
        body = " ".join(t for t in texts[2:] if t)
        if not body and not sub:
            continue
        ov.sections.append((section if texts[0] else "", sub, body))


def read_overall_table(rd, g: Grid, start: int, end: int, ov: OverallEvaluation) -> None:
    """公开11表: 部门名称/职责/总体目标, 年度目标, and the 绩效指标 rows."""
    reg = _Region(rd, g, start, end)
    for label, attr in (
        ("部门名称", "department"),
        ("部门职责", "duty"),
        ("部门总体目标", "overall_goal"),
    ):
        hit = reg.find(label)
        if hit:
            setattr(ov, attr, reg.after(*hit)[0])
    year_row = reg.find("预算年度", prefix=True)
    if year_row:
        texts = [t for t in reg.texts(year_row[0]) if t]
        ov.annual_goal = texts[1] if len(texts) > 1 else ""
        ov.annual_actual = texts[2] if len(texts) > 2 else ""
    head = None
    for r in range(start, end):
        n = [normalize_label(t) for t in reg.texts(r)]
        if "一级指标" in n and "三级指标" in n:
            head = r
            break
    if head is None:
        return
    cols = {}
    for row in (head, head - 1):
        for c, t in enumerate(reg.texts(row)):
            n = normalize_label(t)
            for label, key in _INDICATOR_HEADS.items():
                if (n == label or (key == "deviation" and n.startswith(label))) and key not in cols:
                    cols[key] = c
    last = {"level1": "", "level2": ""}
    for r in range(head + 1, end):
        texts = reg.texts(r)
        if texts and normalize_label(texts[0]).startswith("备注"):
            break

        def get(key: str, texts=texts) -> str:
            c = cols.get(key)
            return texts[c] if c is not None and c < len(texts) else ""

        if not get("level3"):
            continue
        values = {
            k: get(k)
            for k in (
                "level1",
                "level2",
                "level3",
                "nature",
                "target",
                "unit",
                "actual",
                "deviation",
            )
        }
        for k in ("level1", "level2"):
            values[k] = values[k] or last[k]
            last[k] = values[k]
        ov.indicators.append(Indicator(**values, cells={k: g.cell(r, c) for k, c in cols.items()}))


def read_evaluations(rd, grids: list[Grid]) -> tuple[OverallEvaluation, list[ProjectEvaluation]]:
    """All 绩效自评 tables of the workbook (none is fine: 第四部分 then says so)."""
    overall = OverallEvaluation()
    projects: list[ProjectEvaluation] = []
    for title, g, start, end in find_regions(grids):
        if title == PROJECT_TITLE:
            p = read_project(rd, g, start, end)
            if p is not None:
                projects.append(p)
        elif title == OVERALL_TEXT_TITLE:
            read_overall_text(g, start, end, overall)
        else:
            read_overall_table(rd, g, start, end, overall)
    return overall, projects
