"""Write input workbooks: the empty one for ``reportgen init`` and filled ones.

The 公开表 sheets are written the way 决算 software exports them (title row, 公开NN表,
部门 and 金额单位 lines, merged multi-row headers, a 栏次 row, data rows, 注). The same
writer builds the bundled example and the test corpus, so what the importer is tested on
is what an accountant's export looks like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from . import schema
from .evaluation_workbook import EXAMPLE_FONT, dropdown, write_evaluation_sheets
from .layouts import (
    BY_KEY,
    ECONOMIC_BLOCKS,
    FUNCTION_CLASSES_2021,
    LAYOUTS,
    TableLayout,
    cn_ordinal,
)
from .money import UNIT_FACTORS, round_half_up

AMOUNT_FORMAT = "#,##0.00"
COUNT_FORMAT = "0"
TEXT_FORMAT = "@"  # 科目编码 typed into a blank row stay text (no 2.07e6, no lost zeros)
#: empty rows under the 合计 line of a blank 功能分类 table
BLANK_CODED_ROWS = 10
UNIT_LINES = ("金额单位：元", "金额单位：万元")
_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=16)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEAD_FILL = PatternFill("solid", fgColor="F2F2F2")
_NOTE_FILL = PatternFill("solid", fgColor="FFF2CC")


@dataclass
class ExportStyle:
    """How a 决算 software export differs from the tidy workbook ``init`` writes.

    The importer must read every variant to the same figures; tests build the seed's
    tables in each style (and as .xls) to prove it.
    """

    #: 科目编码 "whole" in the 类 column; "split" as 201 | 01 | 01; "sparse" with the
    #: parent levels left blank (| | 01 under 20101)
    codes: str = "whole"
    one_sheet: bool = False  #: every 公开表 stacked on one sheet
    page_rows: int | None = None  #: data rows per page; later pages repeat title and header
    text_numbers: bool = False  #: amounts stored as text with thousands separators
    dashes: bool = False  #: "—" in empty amount cells
    padded_names: bool = False  #: names with stray (full-width) spaces
    year_line: bool = False  #: a "2021年度" line under the title
    decimals: int | None = None  #: round written amounts (a 万元 export shows 2 decimals)


@dataclass
class CodedData:
    """Rows of a 功能分类 table: (code, name, {column key: amount in 元})."""

    rows: list[tuple[str, str, dict[str, Decimal]]] = field(default_factory=list)
    #: the 合计 row; computed from the 类 rows when not given
    total: dict[str, Decimal] | None = None


@dataclass
class WorkbookData:
    """Everything a filled workbook holds. Amounts in 元; ``unit`` is how they are written."""

    department: str = ""
    year: int | None = None
    unit: str = "元"
    coded: dict[str, CodedData] = field(default_factory=dict)  # t02 t03 t05 t07 t08
    #: 公开01/04: item key -> {col: amount}; classes: code -> {col: amount}
    summary_items: dict[str, dict[str, dict[str, Decimal]]] = field(default_factory=dict)
    summary_classes: dict[str, dict[str, dict[str, Decimal]]] = field(default_factory=dict)
    economic: dict[str, Decimal] = field(default_factory=dict)  # 公开06: code -> amount
    economic_names: dict[str, str] = field(default_factory=dict)
    personnel_total: Decimal | None = None
    public_total: Decimal | None = None
    sangong: dict[str, tuple[object, object]] = field(default_factory=dict)  # key -> (预算, 决算)
    kv: dict[str, dict[str, object]] = field(default_factory=dict)  # sheet -> label -> value
    budgets: list[tuple] = field(default_factory=list)  # rows of 项目预算
    sections: list[tuple[str, str]] = field(default_factory=list)  # 整体绩效自评
    illustrative: dict[str, str] = field(default_factory=dict)  # sheet -> note
    skip_tables: tuple[str, ...] = ()  # layout keys not written (tests of missing sheets)
    style: ExportStyle = field(default_factory=ExportStyle)
    #: 决算单位构成: (单位名称, 单位性质) rows
    units: list[tuple[str, str]] = field(default_factory=list)
    #: the form ``reportgen init`` writes: example rows, empty rows, dropdowns, no data
    blank: bool = False
    #: 绩效自评 in seed 001's transcription format (see tools/seed001_performance.py)
    overall_text: list[tuple[str, str, str]] = field(default_factory=list)  # 公开10表
    overall_table: dict = field(default_factory=dict)  # 公开11表
    projects: list[dict] = field(default_factory=list)  # 公开12表


def write_workbook(path: Path, data: WorkbookData | None = None, names=None) -> None:
    """Write a workbook at ``path``. ``data=None`` gives the blank one of ``reportgen init``:
    填表说明, every sheet the importer reads, an example row per sheet (ignored on import),
    empty formatted rows to type into and dropdowns for the closed fields.

    ``names`` maps 经济分类 codes to names for 公开06表 (from the code table).
    """
    data = data or WorkbookData(blank=True)
    wb = Workbook()
    wb.remove(wb.active)
    instructions = wb.create_sheet("填表说明")
    for spec in schema.SHEETS:
        if spec.kind == "units" and not (data.blank or data.units):
            continue  # an optional sheet: filled workbooks carry it only when they use it
        _write_supplement(wb, spec, data)
    shared = wb.create_sheet("公开表") if data.style.one_sheet else None
    next_row = 1
    for layout in LAYOUTS:
        if layout.key in data.skip_tables:
            continue
        ws = shared or wb.create_sheet(layout.number)
        top = next_row if shared else 1
        row = _write_title(ws, layout, data, top)
        end = _WRITERS[layout.kind](ws, layout, data, row, names or {})
        next_row = end + 3
    block = write_evaluation_sheets(wb, data)
    _write_instructions(instructions, block)
    wb.save(path)


# --- common pieces ------------------------------------------------------------------


def _amount(data: WorkbookData, value: Decimal | None):
    """Amount in 元 -> the number written in the sheet's unit (None stays empty)."""
    if value is None or value == 0:
        return "—" if data.style.dashes else None
    value = value / UNIT_FACTORS[data.unit]
    if data.style.decimals is not None:
        value = round_half_up(value, data.style.decimals)
    if data.style.text_numbers:
        return f"{value:,}"
    return value


def _name(data: WorkbookData, name: str) -> str:
    return f" {name}\u3000" if data.style.padded_names and name else name


def _put(ws, row: int, col: int, value, *, bold=False, number=False, border=True, align=None):
    cell = ws.cell(row=row, column=col + 1, value=value)
    if border:
        cell.border = _BORDER
    if bold:
        cell.font = _BOLD
    if number:
        cell.number_format = AMOUNT_FORMAT
        cell.alignment = Alignment(horizontal="right")
    if align:
        cell.alignment = align
    return cell


def _write_title(ws, layout: TableLayout, data: WorkbookData, top: int = 1) -> int:
    """Title, 公开NN表, 部门 and 金额单位 lines from row ``top``; returns the header row."""
    last = layout.width
    ws.cell(row=top, column=1, value=layout.title).font = _TITLE
    ws.cell(row=top, column=1).alignment = _CENTER
    ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=last)
    ws.row_dimensions[top].height = 30
    ws.cell(row=top + 1, column=last, value=layout.number).alignment = Alignment(horizontal="right")
    if data.style.year_line:
        ws.cell(row=top + 1, column=1, value=f"{data.year}年度")
    ws.cell(row=top + 2, column=1, value=f"部门：{data.department}")
    unit_cell = ws.cell(row=top + 2, column=last, value=f"金额单位：{data.unit}")
    unit_cell.alignment = Alignment(horizontal="right")
    if data.blank:
        dropdown(ws, unit_cell.coordinate, UNIT_LINES, "金额单位", "金额单位为元或万元。")
    for c in range(1, last + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16
    return top + 3


def _write_header(ws, layout: TableLayout, top: int) -> int:
    for h in layout.header:
        r, c = top + h.row, h.col + 1
        for rr in range(r, r + h.rows):
            for cc in range(c, c + h.cols):
                ws.cell(row=rr, column=cc).border = _BORDER
                ws.cell(row=rr, column=cc).fill = _HEAD_FILL
        cell = ws.cell(row=r, column=c, value=h.text)
        cell.alignment = _CENTER
        cell.font = _BOLD
        if h.rows > 1 or h.cols > 1:
            ws.merge_cells(
                start_row=r, start_column=c, end_row=r + h.rows - 1, end_column=c + h.cols - 1
            )
    return top + layout.header_rows


def _write_note(ws, layout: TableLayout, row: int, example: str = "") -> int:
    """The 注 lines under a table (and, in the blank workbook, an example line under
    them); returns the last row written."""
    lines = layout.note.split("\n")
    for i, line in enumerate(lines):
        ws.cell(row=row + 1 + i, column=1, value=line)
    row += len(lines)
    if example:
        row += 2
        ws.cell(row=row, column=1, value=schema.EXAMPLE_MARK + example).font = EXAMPLE_FONT
    return row


#: the example line under each fixed-row 公开表 of the blank workbook (the rows are printed;
#: the example says what goes into which cell)
_FORM_EXAMPLES = {
    "summary": "本年收到一般公共预算财政拨款 1,234,567.89 元，在左栏“{label}”一行的金额栏填 "
    "1234567.89；右栏按支出功能分类（类）填各类支出。金额单位改为万元时填 123.456789。",
    "economic": "30101 基本工资 支出 456,000.00 元，在“30101 基本工资”一行的金额栏填 456000；"
    "末行填人员经费合计、公用经费合计。",
    "items": "公务接待费 决算 12,345.60 元，在“3. 公务接待费”一行的决算数栏填 12345.6；"
    "统计数（团组数、辆数、批次、人次）填整数。",
}


# --- table kinds --------------------------------------------------------------------


def _write_coded_head(ws, layout: TableLayout, top: int) -> int:
    row = _write_header(ws, layout, top)
    # 栏次 row: numbers 1..N over the amount columns
    _put(ws, row, 0, "栏次", align=_CENTER)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    for i in range(len(layout.columns)):
        _put(ws, row, 4 + i, i + 1, align=_CENTER)
    return row + 1


def _code_cells(code: str, style: str) -> tuple[str | None, str | None, str | None]:
    """The 类, 款, 项 cells of one row for the export style."""
    if style == "whole":
        return code, None, None
    parts = (code[:3], code[3:5] or None, code[5:7] or None)
    if style == "split":
        return parts
    level = {3: 0, 5: 1, 7: 2}[len(code)]  # sparse: only the row's own level
    return tuple(p if i == level else None for i, p in enumerate(parts))  # type: ignore[return-value]


def _write_coded(ws, layout: TableLayout, data: WorkbookData, top: int, names) -> int:
    row = _write_coded_head(ws, layout, top)
    coded = data.coded.get(layout.key, CodedData())
    total = coded.total
    if total is None:
        total = {}
        for code, _label, vals in coded.rows:
            if len(code) == 3:
                for k, v in vals.items():
                    total[k] = total.get(k, Decimal(0)) + (v or 0)
    _put(ws, row, 0, "合计", bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
    for i, col in enumerate(layout.columns):
        _put(ws, row, 4 + i, _amount(data, total.get(col.key)), number=True, bold=True)
    row += 1
    per_page = data.style.page_rows
    for n, (code, name, vals) in enumerate(coded.rows):
        if per_page and n and n % per_page == 0:  # a continuation page
            row = _write_coded_head(ws, layout, _write_title(ws, layout, data, row + 1))
        for j, part in enumerate(_code_cells(code, data.style.codes)):
            _put(ws, row, j, part)
        _put(ws, row, 3, _name(data, name))
        for i, col in enumerate(layout.columns):
            _put(ws, row, 4 + i, _amount(data, vals.get(col.key)), number=True)
        row += 1
    if data.blank:
        row = _write_coded_blank(ws, layout, row)
    elif layout.empty_note and not coded.rows:
        ws.cell(row=row + 3, column=1, value=layout.empty_note)
        row += 3
    return _write_note(ws, layout, row)


def _write_coded_blank(ws, layout: TableLayout, row: int) -> int:
    """An example row and empty rows to type 科目 into (codes as text, amounts formatted)."""
    example = [schema.EXAMPLE_MARK + "2070109", None, None, "群众文化"]
    example += [Decimal("1234.56")] + [None] * (len(layout.columns) - 1)
    for j, v in enumerate(example):
        _put(ws, row, j, v, number=j >= 4).font = EXAMPLE_FONT
    for r in range(row + 1, row + 1 + BLANK_CODED_ROWS):
        for j in range(3):
            _put(ws, r, j, None).number_format = TEXT_FORMAT
        _put(ws, r, 3, None)
        for i in range(len(layout.columns)):
            _put(ws, r, 4 + i, None, number=True)
    return row + 1 + BLANK_CODED_ROWS


def _write_summary(ws, layout: TableLayout, data: WorkbookData, top: int, names) -> int:
    row = _write_header(ws, layout, top)
    ex = layout.extra
    right_cols = ex["right_cols"]
    n_right = len(right_cols)
    # 栏次 row
    _put(ws, row, 0, "栏次", align=_CENTER)
    _put(ws, row, 1, None)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    _put(ws, row, 2, 1, align=_CENTER)
    _put(ws, row, 3, "栏次", align=_CENTER)
    _put(ws, row, 4, None)
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
    for j in range(n_right):
        _put(ws, row, 5 + j, 2 + j, align=_CENTER)
    row += 1
    items = data.summary_items.get(layout.key, {})
    classes = data.summary_classes.get(layout.key, {})
    left = list(ex["left"])
    n_body = len(FUNCTION_CLASSES_2021)
    left_lines = len(left)
    first_right_line = n_body + len(ex["left_tail"]) + 1
    for i in range(n_body):
        line = i + 1
        if i < left_lines:
            it = left[i]
            _put(ws, row, 0, _name(data, it.label))
            _put(ws, row, 2, _amount(data, items.get(it.key, {}).get("amount")), number=True)
        else:
            _put(ws, row, 0, None)
            _put(ws, row, 2, None)
        _put(ws, row, 1, line, align=_CENTER)
        code, name = FUNCTION_CLASSES_2021[i]
        _put(ws, row, 3, _name(data, f"{cn_ordinal(i + 1)}、{name}"))
        _put(ws, row, 4, first_right_line + i, align=_CENTER)
        vals = classes.get(code, {})
        for j, col in enumerate(right_cols):
            _put(ws, row, 5 + j, _amount(data, vals.get(col)), number=True)
        row += 1
    line = n_body + 1
    r_line = first_right_line + n_body
    for lt, rt in zip(ex["left_tail"], ex["right_tail"], strict=True):
        _put(ws, row, 0, lt.label, bold=lt.key in ("income_total", "grand_total"))
        _put(ws, row, 1, line, align=_CENTER)
        _put(ws, row, 2, _amount(data, items.get(lt.key, {}).get("amount")), number=True)
        _put(ws, row, 3, rt.label, bold=rt.key in ("expense_total", "grand_total"))
        _put(ws, row, 4, r_line, align=_CENTER)
        vals = items.get("R:" + rt.key, {})
        for j, col in enumerate(right_cols):
            _put(ws, row, 5 + j, _amount(data, vals.get(col)), number=True)
        row += 1
        line += 1
        r_line += 1
    example = _FORM_EXAMPLES["summary"].format(label=left[0].label) if data.blank else ""
    return _write_note(ws, layout, row, example)


def _write_economic(ws, layout: TableLayout, data: WorkbookData, top: int, names) -> int:
    row = _write_header(ws, layout, top)
    height = max(len(b) for b in ECONOMIC_BLOCKS)
    for i in range(height):
        for b, block in enumerate(ECONOMIC_BLOCKS):
            c = 3 * b
            if i < len(block):
                code = block[i]
                name = data.economic_names.get(code) or names.get(code, "")
                _put(ws, row, c, code, bold=len(code) == 3)
                _put(ws, row, c + 1, _name(data, name), bold=len(code) == 3)
                _put(ws, row, c + 2, _amount(data, data.economic.get(code)), number=True)
            else:
                for k in range(3):
                    _put(ws, row, c + k, None)
        row += 1
    _put(ws, row, 0, "人员经费合计", bold=True)
    _put(ws, row, 1, None)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    _put(ws, row, 2, _amount(data, data.personnel_total), number=True, bold=True)
    _put(ws, row, 3, "公用经费合计", bold=True)
    for k in range(4, 8):
        _put(ws, row, k, None)
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=8)
    _put(ws, row, 8, _amount(data, data.public_total), number=True, bold=True)
    return _write_note(ws, layout, row + 1, _FORM_EXAMPLES["economic"] if data.blank else "")


def _write_items(ws, layout: TableLayout, data: WorkbookData, top: int, names) -> int:
    from .layouts import SANGONG_COUNT_KEYS, SANGONG_NO_BUDGET

    row = _write_header(ws, layout, top)
    _put(ws, row, 0, "栏次", align=_CENTER)
    _put(ws, row, 1, None)
    _put(ws, row, 2, 1, align=_CENTER)
    _put(ws, row, 3, 2, align=_CENTER)
    row += 1
    for it in layout.extra["items"]:
        budget, actual = data.sangong.get(it.key, (None, None))
        _put(ws, row, 0, it.label)
        _put(ws, row, 1, it.line, align=_CENTER)
        count = it.key in SANGONG_COUNT_KEYS
        if it.key in SANGONG_NO_BUDGET:
            _put(ws, row, 2, "—", align=_CENTER)
        else:
            _put(ws, row, 2, _amount(data, budget), number=True)
        if it.key in ("sg_head", "stats_head"):
            _put(ws, row, 3, "—", align=_CENTER)
        elif count:
            _put(ws, row, 3, actual or None, align=Alignment(horizontal="right"))
        else:
            _put(ws, row, 3, _amount(data, actual), number=True)
        row += 1
    return _write_note(ws, layout, row, _FORM_EXAMPLES["items"] if data.blank else "")


_WRITERS = {
    "coded": _write_coded,
    "summary": _write_summary,
    "economic": _write_economic,
    "items": _write_items,
}


# --- supplementary sheets -----------------------------------------------------------


_CELL_FORMATS = {"money": AMOUNT_FORMAT, "int": COUNT_FORMAT}


def _write_supplement(wb: Workbook, spec: schema.SheetSpec, data: WorkbookData) -> None:
    ws = wb.create_sheet(spec.name)
    title = spec.name + (f"（金额单位：{spec.unit}）" if spec.unit else "")
    ws.cell(row=1, column=1, value=title).font = _TITLE
    ws.cell(row=2, column=1, value=spec.purpose)
    note = data.illustrative.get(spec.name)
    if note:
        c = ws.cell(row=2, column=3, value=note)
        c.fill = _NOTE_FILL
    write = _write_kv if spec.kind == "kv" else _write_list
    widths = write(ws, spec, data)
    for j, w in enumerate(widths):
        ws.column_dimensions[get_column_letter(j + 1)].width = w


def _write_kv(ws, spec: schema.SheetSpec, data: WorkbookData) -> tuple[int, ...]:
    """项目 | 内容 | 必填 | 填写说明 (| 示例 in the blank workbook), one row per field."""
    heads = ("项目", "内容", "必填", "填写说明") + (("示例",) if data.blank else ())
    for j, h in enumerate(heads):
        _put(ws, 3, j, h, bold=True)
    values = data.kv.get(spec.name, {})
    r = 4
    for f in spec.fields:
        v = values.get(f.label)
        if f.legacy and v is None:
            continue  # an earlier format's field: read, not offered
        _put(ws, r, 0, f.label)
        cell = _put(ws, r, 1, v, number=f.kind == "money" and v is not None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if data.blank and f.kind in _CELL_FORMATS:
            cell.number_format = _CELL_FORMATS[f.kind]
        if f.choices:
            dropdown(ws, cell.coordinate, f.choices, f.label, f.help)
        _put(ws, r, 2, "是" if f.required else "否")
        _put(ws, r, 3, f.help + (f"（可选项：{'、'.join(f.choices)}）" if f.choices else ""))
        if data.blank:
            ex = _put(ws, r, 4, schema.EXAMPLE_MARK + f.example if f.example else None)
            ex.font = EXAMPLE_FONT
        r += 1
    return (26, 60, 6, 50, 30)


def _list_rows(spec: schema.SheetSpec, data: WorkbookData) -> list:
    return {"budget": data.budgets, "sections": data.sections, "units": data.units}[spec.kind]


def _write_list(ws, spec: schema.SheetSpec, data: WorkbookData) -> tuple[int, ...]:
    """A header row and one row per entry; the blank workbook has an example row and
    empty formatted rows (amount formats, dropdowns) instead of entries."""
    for j, f in enumerate(spec.fields):
        _put(ws, 3, j, f.label, bold=True)
    for i, values in enumerate(_list_rows(spec, data)):
        for j, v in enumerate(values):
            cell = _put(ws, 4 + i, j, v, number=isinstance(v, Decimal))
            if isinstance(v, str):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if data.blank:
        _write_list_blank(ws, spec)
    return {"budget": (16, 36, 18, 18, 50), "sections": (30, 100), "units": (44, 30)}[spec.kind]


def _write_list_blank(ws, spec: schema.SheetSpec) -> None:
    for j, (f, v) in enumerate(zip(spec.fields, spec.example, strict=False)):
        value = Decimal(v) if f.kind == "money" else v
        _put(ws, 4, j, value, number=f.kind == "money").font = EXAMPLE_FONT
    first, last = 5, 4 + spec.blank_rows
    for r in range(first, last + 1):
        for j, f in enumerate(spec.fields):
            cell = _put(ws, r, j, None, number=f.kind == "money")
            if j == 0 and spec.kind == "budget":
                cell.number_format = TEXT_FORMAT
            if f.kind == "text":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for j, f in enumerate(spec.fields):
        if f.choices:
            col = get_column_letter(j + 1)
            dropdown(ws, f"{col}{first}:{col}{last}", f.choices, f.label, f.help)


def _write_instructions(ws, project_block: tuple[int, int] | None) -> None:
    """The 填表说明 sheet: what each sheet is for, which are in 万元 and which in 元, how
    to fill in (examples, dropdowns, 年度, several units) and how to add a project."""
    for i, line in enumerate(instruction_lines(project_block)):
        c = ws.cell(row=i + 1, column=1, value=line)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if i == 0:
            c.font = _TITLE
        elif line.endswith("：") and not line.startswith(("·", " ")):
            c.font = _BOLD
    ws.column_dimensions["A"].width = 120


def instruction_lines(project_block: tuple[int, int] | None = None) -> list[str]:
    """The text of 填表说明, one line per row. ``project_block``: first and last row of the
    empty 项目支出绩效自评表 on sheet 公开12表 (where the copy instruction points)."""
    first, last = project_block or (1, 1)
    in_yuan = [s.name for s in schema.SHEETS if s.unit == "元"]
    lines = [
        "填表说明",
        "一、本工作簿各表：",
        "· 填表说明：本页。",
    ]
    for spec in schema.SHEETS:
        unit = f"（金额单位：{spec.unit}）" if spec.unit else ""
        lines.append(f"· {spec.name}{unit}：{spec.purpose}")
    lines += [
        f"· {lay.number} {lay.title}：决算软件导出的公开表，金额单位见表头“金额单位：”一行。"
        for lay in LAYOUTS
    ]
    lines += [
        "· 公开10表 部门整体支出绩效自评情况（金额单位：万元）：第四部分 附件的文字，每行填一级标题、"
        "二级标题、内容（标题与上一行相同时可留空）。",
        "· 公开11表 部门整体支出绩效自评表（金额单位：万元）：部门职责、总体目标、年度目标及完成情况"
        "和部门整体支出绩效指标。",
        "· 公开12表 项目支出绩效自评表（金额单位：万元）：每个项目一张，项目资金、年度目标、绩效指标、"
        "总分和自评等级。",
        "",
        "二、金额单位：",
        "· 以元填写：" + "、".join(in_yuan) + "。",
        "· 以万元填写：公开10表、公开11表、公开12表（项目资金）。",
        "· 公开01表–公开09表：以各表表头“金额单位：元”或“金额单位：万元”为准（空白表为元，"
        "可从下拉列表改为万元）；决算软件导出的表可直接粘贴，本工具按表名（如“收入支出决算总表”）"
        "查找，不依赖工作表名称或位置。",
        "",
        "三、如何填写：",
        "1. 灰色斜体、以“示例：”开头的行是填写示例，读入时忽略，可保留也可删除；请在其下方的空白行中填写。"
        "补充信息表的“示例”列只作参考，不读入。",
        "2. 带下拉箭头的单元格（单位性质、是/否、指标性质、自评等级、金额单位）请从下拉列表中选择。",
        "3. 年度填四位数字，如 2024；写成“2024年”“2024年度”也可以。",
        "4. 部门含多个单位时，在“决算单位构成”表中逐行填写每个单位的名称和单位性质（本级在前）；"
        "“单位基本情况”的单位性质填本级的性质。部门中有行政单位或参照公务员法管理的事业单位时，"
        "文档写机关运行经费支出情况，否则写“不适用”。只有一个单位的部门可不填该表。",
        f"5. 增加项目（公开12表）：每个项目一张项目支出绩效自评表。选中公开12表第{first}行至第{last}行"
        "（从“项目支出绩效自评表”标题到“总分”下方一行）整行复制，粘贴到这张表下方（隔一个空行，"
        f"即第{last + 2}行起；再增加项目时粘贴到上一张表下方），再填写项目名称、项目资金、目标和指标；"
        "指标行不够时在指标区中间插入整行。表名前可加年度，如“2024年度项目支出绩效自评表”。"
        "没有项目时保持空表即可（项目名称为空的表不读入）。",
        "6. 必填项为空、金额单元格填写了文字、合计与明细不符等问题，运行 reportgen check 时会列出"
        "工作表和单元格。",
        "7. 文字项可在单元格内换行分段；生成的文档按段落排版。",
    ]
    return lines


def layout_for(key: str) -> TableLayout:
    return BY_KEY[key]
