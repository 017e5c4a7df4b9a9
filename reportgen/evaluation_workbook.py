"""Write 绩效自评 tables (公开10–12表) into an input workbook, in seed 001's layout.

Used by ``reportgen init`` (empty 公开10/11/12表 forms, the 公开12表 one to copy per
project), by the bundled example and by the tests. The layout is the 决算 software's:
title, 公开NN表, 编制单位/金额单位 line, merged label cells; the reader
(:mod:`reportgen.evaluation_inputs`) finds everything by label. Values are written as
given (strings that are numbers become numbers).

The cell helpers shared with :mod:`reportgen.workbook` (dropdowns, the example font) live
here because that module imports this one.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .evaluation_inputs import GRADE_NAMES, OVERALL_TABLE_TITLE, OVERALL_TEXT_TITLE, PROJECT_TITLE
from .schema import EXAMPLE_MARK

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WIDTH = 10  # columns of a 项目支出绩效自评表
#: the example rows of the blank workbook: grey italic, first cell "示例：…"
EXAMPLE_FONT = Font(italic=True, color="808080")
SCORE_FORMAT = "0.00"
#: 指标性质 as the blank workbook offers it (a 决算 export may carry its own codes: other
#: values draw a warning in Excel, not a refusal)
INDICATOR_NATURES = ("≥", "≤", "=", "定性")
#: empty indicator rows of the blank 公开11/12表 and empty text rows of the blank 公开10表
BLANK_INDICATOR_ROWS = 8
BLANK_TEXT_ROWS = 10
#: the example indicator row: 一级/二级/三级指标, 指标性质, 指标值, 度量单位, 实际完成值, 分值,
#: 得分, 偏差原因分析及改进措施
EXAMPLE_INDICATOR = (
    EXAMPLE_MARK + "产出指标",
    "数量指标",
    "举办公益培训场次",
    "≥",
    "20",
    "场",
    "24",
    "20",
    "20",
    "无",
)


def dropdown(ws, cells: str, choices, title: str, prompt: str, strict: bool = True) -> None:
    """A list validation (dropdown) on ``cells``; ``strict`` refuses other typed values,
    otherwise Excel only warns (for columns a 决算 export fills with its own codes)."""
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop" if strict else "warning",
        errorTitle=title,
        error=f"请从下拉列表中选择：{'、'.join(choices)}。",
        promptTitle=title,
        prompt=prompt[:255],
        showInputMessage=True,
    )
    ws.add_data_validation(dv)
    dv.add(cells)


def _titled(year, title: str) -> str:
    """ "2021年度项目支出绩效自评表"; the bare title without a year (the blank form), which
    the reader recognises as it stands."""
    return f"{year}年度{title}" if year else title


#: an empty table for ``reportgen init``: one project with the standard rows
EMPTY_PROJECT = {
    "name": "",
    "department": "",
    "implementer": "",
    "funds": [
        ("年度资金总额", "", "", "", "10.00", "", ""),
        ("其中：当年财政拨款", "", "", "", "", "", ""),
        ("上年结转资金", "", "", "", "", "", ""),
        ("其他资金", "", "", "", "", "", ""),
    ],
    "goal_expected": "",
    "goal_actual": "",
    "indicator_subtotal": ("", ""),
    "indicators": [],
    "notes": "",
    "total": ("", "", ""),
}


def _value(text: object):
    """ "600.00" -> 600.00 (a number cell, as exports write it); other text unchanged."""
    if not isinstance(text, str) or not text.strip():
        return text if text not in ("",) else None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return text


def _put(ws, row: int, col: int, value, *, span: int = 1, rows: int = 1, center=False, bold=False):
    cell = ws.cell(row=row, column=col, value=_value(value))
    cell.alignment = _CENTER if center else _WRAP
    if bold:
        cell.font = Font(bold=True)
    for r in range(row, row + rows):
        for c in range(col, col + span):
            ws.cell(row=r, column=c).border = _BORDER
    if span > 1 or rows > 1:
        ws.merge_cells(
            start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + span - 1
        )
    return cell


def _heading(ws, row: int, title: str, number: str, department: str, unit: str = "万元") -> int:
    ws.cell(row=row, column=1, value=title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
    ws.cell(row=row, column=1).alignment = _CENTER
    ws.cell(row=row + 1, column=WIDTH, value=number)
    ws.cell(row=row + 2, column=1, value=f"编制单位：{department}")
    ws.cell(row=row + 2, column=WIDTH, value=f"金额单位：{unit}")
    return row + 3


def write_project(ws, row: int, year, department: str, p: dict, blank: bool = False) -> int:
    """One 项目支出绩效自评表 from ``row``; returns the next free row (its 总分 values are
    three rows above it). ``blank``: the form of ``reportgen init``, with an example
    indicator row, empty indicator rows and dropdowns."""
    r = _heading(ws, row, _titled(year, PROJECT_TITLE), "公开12表", department)
    _put(ws, r, 1, "项目名称", span=2)
    _put(ws, r, 3, p["name"], span=WIDTH - 2)
    r += 1
    _put(ws, r, 1, "主管部门", span=2)
    _put(ws, r, 3, p["department"], span=3)
    _put(ws, r, 6, "实施单位", span=2)
    _put(ws, r, 8, p["implementer"], span=3)
    r += 1
    funds = p["funds"]
    _put(ws, r, 1, "项目资金（万元）", rows=len(funds) + 1, center=True)
    _put(ws, r, 2, None, span=2)
    for j, h in enumerate(("年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "得分")):
        _put(ws, r, 4 + j, h, center=True, span=1 if j < 5 else 2)
    for k, line in enumerate(funds):
        rr = r + 1 + k
        _put(ws, rr, 2, line[0], span=2)
        for j, v in enumerate(line[1:]):
            cell = _put(ws, rr, 4 + j, v, span=1 if j < 5 else 2)
            if blank:
                cell.number_format = SCORE_FORMAT
    r += len(funds) + 1
    _put(ws, r, 1, "年度总体目标", rows=2, center=True)
    _put(ws, r, 2, "预期目标", span=4, center=True)
    _put(ws, r, 6, "实际完成情况", span=5, center=True)
    _put(ws, r + 1, 2, p["goal_expected"], span=4)
    _put(ws, r + 1, 6, p["goal_actual"], span=5)
    ws.row_dimensions[r + 1].height = 90
    r += 2
    _put(ws, r, 1, "绩效指标", span=3, center=True)
    _put(ws, r, 4, "年度指标值", span=3, center=True)
    for j, h in enumerate(("实际完成值", "分值", "得分", "偏差原因分析及改进措施")):
        _put(ws, r, 7 + j, h, rows=2, center=True)
    for j, h in enumerate(("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位")):
        _put(ws, r + 1, 1 + j, h, center=True)
    r += 2
    sw, ss = p.get("indicator_subtotal", ("", ""))
    if sw or ss:
        for c in range(1, WIDTH + 1):
            _put(ws, r, c, None)
        _put(ws, r, 8, sw)
        _put(ws, r, 9, ss)
        r += 1
    for ind in p["indicators"]:
        for j, v in enumerate(ind):
            _put(ws, r, 1 + j, v)
        r += 1
    if blank:
        r = _blank_indicators(ws, r, WIDTH, scores=True)
    _put(ws, r, 1, "其他需要说明的事项", span=2)
    _put(ws, r, 3, p.get("notes", ""), span=WIDTH - 2)
    r += 1
    total_w, total_s, grade = p.get("total", ("", "", ""))
    _put(ws, r, 1, "总分", span=7, rows=2, center=True)
    for j, h in enumerate(("总分值", "总得分", "自评等级")):
        _put(ws, r, 8 + j, h, center=True)
        cell = _put(ws, r + 1, 8 + j, (total_w, total_s, grade)[j], center=True)
        if blank and j < 2:
            cell.number_format = SCORE_FORMAT
    if blank:
        grade_cell = ws.cell(row=r + 1, column=10).coordinate
        dropdown(ws, grade_cell, GRADE_NAMES, "自评等级", "90分及以上为优，80分及以上为良……")
    return r + 4


def _blank_indicators(ws, r: int, width: int, scores: bool) -> int:
    """The example indicator row and empty ones (指标性质 as a dropdown); returns the next row.

    ``scores``: 公开12表 columns (分值, 得分, 偏差原因); 公开11表 has 偏差原因 over 3 columns."""
    example = EXAMPLE_INDICATOR if scores else EXAMPLE_INDICATOR[:7] + EXAMPLE_INDICATOR[9:]
    for j, v in enumerate(example):
        span = 3 if not scores and j == 7 else 1
        _put(ws, r, 1 + j, v, span=span).font = EXAMPLE_FONT
    first = r + 1
    for rr in range(first, first + BLANK_INDICATOR_ROWS):
        for c in range(1, 8):
            _put(ws, rr, c, None)
        if scores:
            for c in (8, 9):
                _put(ws, rr, c, None).number_format = SCORE_FORMAT
            _put(ws, rr, width, None)
        else:
            _put(ws, rr, 8, None, span=width - 7)
    last = first + BLANK_INDICATOR_ROWS - 1
    dropdown(
        ws,
        f"D{first}:D{last}",
        INDICATOR_NATURES,
        "指标性质",
        "≥、≤、= 或 定性；决算软件导出的其他写法可照原样粘贴。",
        strict=False,
    )
    return last + 1


def write_overall_text(ws, year, department: str, rows: list[tuple[str, str, str]]) -> None:
    """公开10表: (一级标题, 二级标题, 内容) rows; a title repeated from the row above is left blank."""
    r = _heading(ws, 1, _titled(year, OVERALL_TEXT_TITLE), "公开10表", department)
    previous = None
    for section, sub, text in rows:
        _put(ws, r, 1, section if section != previous else None)
        _put(ws, r, 2, sub)
        _put(ws, r, 3, text, span=WIDTH - 2)
        ws.row_dimensions[r].height = max(30, min(400, 15 * (len(text) // 60 + 1)))
        previous = section or previous
        r += 1
    if not rows:  # the blank form: an example row and empty rows
        example = (EXAMPLE_MARK + "一、部门基本情况", "（一）部门概况", "本部门主要职能是……")
        for j, v in enumerate(example):
            _put(ws, r, 1 + j, v, span=WIDTH - 2 if j == 2 else 1).font = EXAMPLE_FONT
        for rr in range(r + 1, r + 1 + BLANK_TEXT_ROWS):
            _put(ws, rr, 1, None)
            _put(ws, rr, 2, None)
            _put(ws, rr, 3, None, span=WIDTH - 2)
            ws.row_dimensions[rr].height = 45


def write_overall_table(ws, year, department: str, t: dict) -> None:
    """公开11表: the department's goals and its 绩效指标 table (an empty ``t``: the blank form)."""
    r = _heading(ws, 1, _titled(year, OVERALL_TABLE_TITLE), "公开11表", department)
    for label in ("部门名称", "部门职责", "部门总体目标"):
        _put(ws, r, 1, label, span=2)
        _put(ws, r, 3, t.get(label, ""), span=WIDTH - 2)
        r += 1
    _put(ws, r, 1, "部门年度目标", span=2)
    _put(ws, r, 3, "目标", span=4, center=True)
    _put(ws, r, 7, "实际完成情况", span=4, center=True)
    r += 1
    _put(ws, r, 1, f"预算年度（{year}年）" if year else "预算年度", span=2)
    _put(ws, r, 3, t.get("年度目标", ""), span=4)
    _put(ws, r, 7, t.get("年度目标实际完成情况", ""), span=4)
    r += 2
    _put(ws, r, 1, "部门整体支出绩效指标", span=WIDTH, center=True, bold=True)
    r += 1
    for j, h in enumerate(
        ("一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "实际完成值")
    ):
        _put(ws, r, 1 + j, h, center=True)
    _put(ws, r, 8, "偏差原因分析及改进措施", span=3, center=True)
    r += 1
    for ind in t.get("indicators", []):
        for j, v in enumerate(ind[:7]):
            _put(ws, r, 1 + j, v)
        _put(ws, r, 8, ind[7] if len(ind) > 7 else "", span=3)
        r += 1
    if not t:
        _blank_indicators(ws, r, WIDTH, scores=False)


def write_evaluation_sheets(wb, data) -> tuple[int, int] | None:
    """The 公开10/11/12表 sheets of a workbook (12 always, as a form to fill; 10 and 11 when
    the data has them or the workbook is the blank one). Returns the first and last row of
    the blank 项目支出绩效自评表 (what 填表说明 tells to copy), None for a filled workbook."""
    year = data.year or ""
    blank = getattr(data, "blank", False)
    if data.overall_text or blank:
        ws = wb.create_sheet("公开10表")
        write_overall_text(ws, year, data.department, data.overall_text)
        _widths(ws)
    if data.overall_table or blank:
        ws = wb.create_sheet("公开11表")
        write_overall_table(ws, year, data.department, data.overall_table)
        _widths(ws)
    ws = wb.create_sheet("公开12表")
    _widths(ws)
    row = 1
    for p in data.projects or [EMPTY_PROJECT]:
        row = write_project(ws, row, year, data.department, p, blank=blank and not data.projects)
    return (1, row - 3) if blank and not data.projects else None


def _widths(ws) -> None:
    for c in range(1, WIDTH + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
