"""Write 绩效自评 tables (公开10–12表) into an input workbook, in seed 001's layout.

Used by ``reportgen init`` (an empty 公开12表 to copy), by the bundled example and by the
tests. The layout is the 决算 software's: title, 公开NN表, 编制单位/金额单位 line, merged
label cells; the reader (:mod:`reportgen.evaluation_inputs`) finds everything by label.
Values are written as given (strings that are numbers become numbers).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="center")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WIDTH = 10  # columns of a 项目支出绩效自评表

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


def write_project(ws, row: int, year, department: str, p: dict) -> int:
    """One 项目支出绩效自评表 from ``row``; returns the next free row."""
    r = _heading(ws, row, f"{year}年度项目支出绩效自评表", "公开12表", department)
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
            _put(ws, rr, 4 + j, v, span=1 if j < 5 else 2)
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
    _put(ws, r, 1, "其他需要说明的事项", span=2)
    _put(ws, r, 3, p.get("notes", ""), span=WIDTH - 2)
    r += 1
    total_w, total_s, grade = p.get("total", ("", "", ""))
    _put(ws, r, 1, "总分", span=7, rows=2, center=True)
    for j, h in enumerate(("总分值", "总得分", "自评等级")):
        _put(ws, r, 8 + j, h, center=True)
        _put(ws, r + 1, 8 + j, (total_w, total_s, grade)[j], center=True)
    return r + 4


def write_overall_text(ws, year, department: str, rows: list[tuple[str, str, str]]) -> None:
    """公开10表: (一级标题, 二级标题, 内容) rows; a title repeated from the row above is left blank."""
    r = _heading(ws, 1, f"{year}年度部门整体支出绩效自评情况", "公开10表", department)
    previous = None
    for section, sub, text in rows:
        _put(ws, r, 1, section if section != previous else None)
        _put(ws, r, 2, sub)
        _put(ws, r, 3, text, span=WIDTH - 2)
        ws.row_dimensions[r].height = max(30, min(400, 15 * (len(text) // 60 + 1)))
        previous = section or previous
        r += 1


def write_overall_table(ws, year, department: str, t: dict) -> None:
    """公开11表: the department's goals and its 绩效指标 table."""
    r = _heading(ws, 1, f"{year}年度部门整体支出绩效自评表", "公开11表", department)
    for label in ("部门名称", "部门职责", "部门总体目标"):
        _put(ws, r, 1, label, span=2)
        _put(ws, r, 3, t.get(label, ""), span=WIDTH - 2)
        r += 1
    _put(ws, r, 1, "部门年度目标", span=2)
    _put(ws, r, 3, "目标", span=4, center=True)
    _put(ws, r, 7, "实际完成情况", span=4, center=True)
    r += 1
    _put(ws, r, 1, f"预算年度（{year}年）", span=2)
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


def write_evaluation_sheets(wb, data) -> None:
    """The 公开10/11/12表 sheets of a workbook (12 always, as a form to fill)."""
    year = data.year or ""
    if data.overall_text:
        write_overall_text(wb.create_sheet("公开10表"), year, data.department, data.overall_text)
    if data.overall_table:
        write_overall_table(wb.create_sheet("公开11表"), year, data.department, data.overall_table)
    ws = wb.create_sheet("公开12表")
    for c in range(1, WIDTH + 1):
        ws.column_dimensions[get_column_letter(c)].width = 14
    row = 1
    for p in data.projects or [EMPTY_PROJECT]:
        row = write_project(ws, row, year, data.department, p)
