"""Write input workbooks: the empty one for ``reportgen init`` and filled ones.

The 公开表 sheets are written the way 决算 software exports them (title row, 公开NN表,
部门 and 金额单位 lines, merged multi-row headers, a 栏次 row, data rows, 注). The same
writer builds the bundled example and the test corpus, so what the importer is tested on
is what an accountant's export looks like.

Every table is laid out from its profile's layout (``templates/<profile>/tables/*.toml``):
the header cells, whether there is a 栏次 row and 行次 columns, one code column or three,
where the 合计 row stands, the unit line, the economic groups. Without a profile the
writer uses the default layout (the 云南 公开01–09表) and the built-in supplementary sheets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from . import schema
from .evaluation_workbook import EXAMPLE_FONT, dropdown, write_evaluation_sheets
from .layouts import (
    BUDGET,
    BY_KEY,
    ECONOMIC_BLOCKS,
    FUNCTION_CLASSES_2021,
    LAYOUTS,
    Item,
    TableLayout,
    cn_ordinal,
    fill,
    tail_rows,
)
from .money import UNIT_FACTORS, round_half_up

if TYPE_CHECKING:
    from .narrative import Pack

AMOUNT_FORMAT = "#,##0.00"
COUNT_FORMAT = "0"
TEXT_FORMAT = "@"  # 科目编码 typed into a blank row stay text (no 2.07e6, no lost zeros)
#: empty rows under the 合计 line of a blank 功能分类 table
BLANK_CODED_ROWS = 10
#: the units a table may be written in (the unit line's dropdown offers both)
UNITS = ("元", "万元")
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


def write_workbook(
    path: Path, data: WorkbookData | None = None, names=None, pack: Pack | None = None
) -> None:
    """Write a workbook at ``path``. ``data=None`` gives the blank one of ``reportgen init``:
    填表说明, every sheet the importer reads, an example row per sheet (ignored on import),
    empty formatted rows to type into and dropdowns for the closed fields.

    ``names`` maps 经济分类 codes to names for the 基本支出 table (from the code table).
    ``pack`` is the profile whose tables (``pack.tables``) and supplementary sheets
    (``pack.sheets``) are written; None: the default layout and the built-in sheets.
    """
    data = data or WorkbookData(blank=True)
    tables, sheets, evaluation = _contents(pack)
    wb = Workbook()
    wb.remove(wb.active)
    instructions = wb.create_sheet("填表说明")
    for spec in sheets:
        if spec.kind == "units" and not (data.blank or data.units):
            continue  # an optional sheet: filled workbooks carry it only when they use it
        _write_supplement(wb, spec, data)
    shared = wb.create_sheet("公开表") if data.style.one_sheet else None
    next_row = 1
    for layout in tables:
        if layout.key in data.skip_tables:
            continue
        ws = shared or wb.create_sheet(sheet_name(layout))
        top = next_row if shared else 1
        row = _write_title(ws, layout, data, top)
        end = _WRITERS[layout.kind](ws, layout, data, row, names or {})
        next_row = end + 3
    block = write_evaluation_sheets(wb, data) if evaluation else None
    _write_instructions(instructions, block, pack)
    wb.save(path)


def write_blank_workbook(path: Path, pack: Pack | None = None, names=None) -> None:
    """The workbook ``reportgen init`` writes for ``pack`` (default: the 云南 layout)."""
    write_workbook(path, None, names=names, pack=pack)


def _contents(pack: Pack | None):
    """(tables, supplementary sheets, whether 公开10–12表 绩效自评 sheets are written) of a
    profile; the default layout's when ``pack`` is None. A profile without 绩效自评 tables
    says ``evaluation_sheets = false``."""
    if pack is None:
        return LAYOUTS, schema.SHEETS, True
    return pack.tables, pack.sheets, bool(pack.settings.get("evaluation_sheets", True))


def sheet_name(layout: TableLayout) -> str:
    """The sheet a table is written on: its number (公开01表), else its title (Excel allows
    31 characters)."""
    return layout.number or layout.title[:31]


def unit_line(layout: TableLayout, unit: str) -> str:
    """The unit words of the table's meta line as written on their own ("金额单位：元",
    "单位：万元"); the table number is written on the line above, as exports do."""
    part = next((p for p in layout.meta.split("\t") if "{unit}" in p), "金额单位：{unit}")
    return fill(part.split("{number}")[-1], _where(layout), unit=unit).strip()


def _meta_left(layout: TableLayout, department: str) -> str:
    """The meta line without its unit words ("部门：…"), the department as text."""
    parts = [p.replace("{number}", "") for p in layout.meta.split("\t") if "{unit}" not in p]
    return fill(" ".join(parts), _where(layout), department=department).strip()


def _where(layout: TableLayout) -> str:
    return f"tables/{layout.key}.toml"


def _table_unit(layout: TableLayout, data: WorkbookData) -> str:
    """The unit a table is written in: the layout's in the blank workbook, else the data's."""
    return layout.unit if data.blank else data.unit


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
    """Title, 公开NN表 (when the table has a number), 部门 and unit line from row ``top``;
    returns the header row."""
    last = layout.width
    ws.cell(row=top, column=1, value=layout.title).font = _TITLE
    ws.cell(row=top, column=1).alignment = _CENTER
    ws.merge_cells(start_row=top, start_column=1, end_row=top, end_column=last)
    ws.row_dimensions[top].height = 30
    row = top + 1
    if layout.number or data.style.year_line:
        if layout.number:
            cell = ws.cell(row=row, column=last, value=layout.number)
            cell.alignment = Alignment(horizontal="right")
        if data.style.year_line:
            ws.cell(row=row, column=1, value=f"{data.year}年度")
        row += 1
    left = _meta_left(layout, data.department)
    if left:
        ws.cell(row=row, column=1, value=left)
    unit = _table_unit(layout, data)
    unit_cell = ws.cell(row=row, column=last, value=unit_line(layout, unit))
    unit_cell.alignment = Alignment(horizontal="right")
    if data.blank:
        choices = tuple(unit_line(layout, u) for u in UNITS)
        dropdown(ws, unit_cell.coordinate, choices, "金额单位", "金额单位为元或万元。")
    for c in range(1, last + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16
    return row + 1


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


#: the example line under each fixed-row table of the blank workbook (the rows are printed;
#: the example says what goes into which cell), for a table in 元 and one in 万元
_FORM_EXAMPLES = {
    (
        "summary",
        "元",
    ): "本年收到一般公共预算财政拨款 1,234,567.89 元，在左栏“{label}”一行的金额栏填 "
    "1234567.89；右栏按支出功能分类（类）填各类支出。金额单位改为万元时填 123.456789。",
    ("summary", "万元"): "本年收到一般公共预算财政拨款 123.45 万元，在左栏“{label}”一行的{column}栏"
    "填 123.45；右栏按支出功能分类（类）填各类支出。",
    ("economic", "元"): "30101 基本工资 支出 456,000.00 元，在“30101 基本工资”一行的{column}栏填 "
    "456000；末行填人员经费合计、公用经费合计。",
    ("economic", "万元"): "30101 基本工资 支出 45.60 万元，在“30101 基本工资”一行的{column}栏填 "
    "45.6；末行填人员经费合计、公用经费合计。",
    ("items", "元"): "公务接待费 决算 12,345.60 元，在“3. 公务接待费”一行的决算数栏填 12345.6；"
    "统计数（团组数、辆数、批次、人次）填整数。",
    ("items", "万元"): "公务接待费 决算 1.23 万元，在“公务接待费”一行的决算数栏填 1.23；"
    "统计数（团组数、辆数、批次、人次）填整数。",
    ("pairs", "元"): "“{label}”预算 120,000.00 元、决算 105,000.00 元：在“{label}”下的"
    "{budget}栏填 120000，{actual}栏填 105000；其余各项同样成对填写。",
    ("pairs", "万元"): "“{label}”预算 12.00 万元、决算 10.50 万元：在“{label}”下的"
    "{budget}栏填 12，{actual}栏填 10.5；其余各项同样成对填写。",
}
#: the example 科目 row of a blank 功能分类 table: code, name, amount by unit
_CODED_EXAMPLE = ("2070109", "群众文化", {"元": Decimal("1234.56"), "万元": Decimal("12.35")})


def _form_example(layout: TableLayout, data: WorkbookData) -> str:
    """The example line under a blank fixed-row table ("" in a filled workbook)."""
    if not data.blank:
        return ""
    ex = layout.extra
    first = (ex.get("left") or ex.get("items") or (Item("", ""),))[0]
    cols = layout.columns
    # the amount column the example names: the left side's (summary), the first group's
    amount_col = (2 if layout.line_numbers else 1) if layout.kind == "summary" else 2
    return _FORM_EXAMPLES[(layout.kind, _table_unit(layout, data))].format(
        label=first.label,
        column=_header_text(layout, amount_col),
        budget=cols[0].label if cols else "预算数",
        actual=cols[-1].label if cols else "决算数",
    )


def _header_text(layout: TableLayout, col: int) -> str:
    """The words of the lowest header cell over column ``col`` ("金额", "决算数")."""
    over = [h for h in layout.header if h.col <= col < h.col + h.cols]
    return max(over, key=lambda h: h.row).text if over else "金额"


# --- table kinds --------------------------------------------------------------------


def _write_coded_head(ws, layout: TableLayout, top: int) -> int:
    row = _write_header(ws, layout, top)
    if layout.column_numbers:  # 栏次 row: numbers 1..N over the amount columns
        name_col = layout.code_columns
        _put(ws, row, 0, "栏次", align=_CENTER)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=name_col + 1)
        for i in range(len(layout.columns)):
            _put(ws, row, name_col + 1 + i, i + 1, align=_CENTER)
        row += 1
    return row


def _code_cells(code: str, style: str, columns: int = 3) -> tuple[str | None, ...]:
    """The code cells of one row for the export style: the whole code in a 1-column layout;
    类, 款, 项 in a 3-column one."""
    if columns != 3 or style == "whole":
        return (code,) + (None,) * (columns - 1)
    parts = (code[:3], code[3:5] or None, code[5:7] or None)
    if style == "split":
        return parts
    level = {3: 0, 5: 1, 7: 2}[len(code)]  # sparse: only the row's own level
    return tuple(p if i == level else None for i, p in enumerate(parts))


def _write_coded(ws, layout: TableLayout, data: WorkbookData, top: int, names) -> int:
    row = _write_coded_head(ws, layout, top)
    name_col = layout.code_columns
    coded = data.coded.get(layout.key, CodedData())
    total = coded.total
    if total is None:
        total = {}
        for code, _label, vals in coded.rows:
            if len(code) == 3:
                for k, v in vals.items():
                    total[k] = total.get(k, Decimal(0)) + (v or 0)
    at_top = layout.total_row != "bottom"
    if at_top:
        row = _write_coded_total(ws, layout, data, row, total)
    per_page = data.style.page_rows
    for n, (code, name, vals) in enumerate(coded.rows):
        if per_page and n and n % per_page == 0:  # a continuation page
            row = _write_coded_head(ws, layout, _write_title(ws, layout, data, row + 1))
        for j, part in enumerate(_code_cells(code, data.style.codes, name_col)):
            _put(ws, row, j, part)
        _put(ws, row, name_col, _name(data, name))
        for i, col in enumerate(layout.columns):
            _put(ws, row, name_col + 1 + i, _amount(data, vals.get(col.key)), number=True)
        row += 1
    if data.blank:
        row = _write_coded_blank(ws, layout, data, row)
    if not at_top:
        row = _write_coded_total(ws, layout, data, row, total)
    if not data.blank and layout.empty_note and not coded.rows:
        note = fill(layout.empty_note, _where(layout), department=data.department)
        ws.cell(row=row + 3, column=1, value=note)
        row += 3
    return _write_note(ws, layout, row)


def _write_coded_total(ws, layout: TableLayout, data: WorkbookData, row: int, total) -> int:
    """The 合计 row (over the code and name columns); returns the next row."""
    first = layout.code_columns + 1
    _put(ws, row, 0, "合计", bold=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=first)
    for i, col in enumerate(layout.columns):
        _put(ws, row, first + i, _amount(data, total.get(col.key)), number=True, bold=True)
    return row + 1


def _write_coded_blank(ws, layout: TableLayout, data: WorkbookData, row: int) -> int:
    """An example row and empty rows to type 科目 into (codes as text, amounts formatted)."""
    name_col = layout.code_columns
    first = name_col + 1
    code, name, amounts = _CODED_EXAMPLE
    example = [schema.EXAMPLE_MARK + code] + [None] * (name_col - 1) + [name]
    example += [amounts[_table_unit(layout, data)]] + [None] * (len(layout.columns) - 1)
    for j, v in enumerate(example):
        _put(ws, row, j, v, number=j >= first).font = EXAMPLE_FONT
    for r in range(row + 1, row + 1 + BLANK_CODED_ROWS):
        for j in range(name_col):
            _put(ws, r, j, None).number_format = TEXT_FORMAT
        _put(ws, r, name_col, None)
        for i in range(len(layout.columns)):
            _put(ws, r, first + i, None, number=True)
    return row + 1 + BLANK_CODED_ROWS


def _blank(ws, row: int, first: int, end: int) -> None:
    """Bordered empty cells in columns first..end-1 (0-based)."""
    for c in range(first, end):
        _put(ws, row, c, None)


def _write_summary(ws, layout: TableLayout, data: WorkbookData, top: int, names) -> int:
    """The income items on the left, the layout's 功能分类 classes on the right, then the
    total rows; 行次 columns and the 栏次 row only where the layout has them."""
    row = _write_header(ws, layout, top)
    ex = layout.extra
    right_cols = ex["right_cols"]
    ln = 1 if layout.line_numbers else 0
    # columns: 项目, [行次], 金额 | 项目, [行次], one per right_cols (0-based)
    amount, r_label = 1 + ln, 2 + ln
    r_line, r_first = r_label + 1, r_label + 1 + ln
    if layout.column_numbers:  # 栏次 row
        _put(ws, row, 0, "栏次", align=_CENTER)
        _blank(ws, row, 1, amount)
        if amount > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=amount)
        _put(ws, row, amount, 1, align=_CENTER)
        _put(ws, row, r_label, "栏次", align=_CENTER)
        _blank(ws, row, r_label + 1, r_first)
        if r_first > r_label + 1:
            ws.merge_cells(start_row=row, start_column=r_label + 1, end_row=row, end_column=r_first)
        for j in range(len(right_cols)):
            _put(ws, row, r_first + j, 2 + j, align=_CENTER)
        row += 1
    items = data.summary_items.get(layout.key, {})
    classes = data.summary_classes.get(layout.key, {})
    left = list(ex["left"])
    class_list = ex.get("classes") or FUNCTION_CLASSES_2021
    n_body = max(len(class_list), len(left))
    tails = tail_rows(layout)
    first_right_line = n_body + len(tails) + 1
    for i in range(n_body):
        if i < len(left):
            it = left[i]
            _put(ws, row, 0, _name(data, it.label))
            _put(ws, row, amount, _amount(data, items.get(it.key, {}).get("amount")), number=True)
        else:
            _put(ws, row, 0, None)
            _put(ws, row, amount, None)
        if ln:
            _put(ws, row, 1, i + 1, align=_CENTER)
        if i < len(class_list):
            code, name = class_list[i]
            _put(ws, row, r_label, _name(data, f"{cn_ordinal(i + 1)}、{name}"))
            if ln:
                _put(ws, row, r_line, first_right_line + i, align=_CENTER)
            vals = classes.get(code, {})
            for j, col in enumerate(right_cols):
                _put(ws, row, r_first + j, _amount(data, vals.get(col)), number=True)
        else:
            _blank(ws, row, r_label, r_first + len(right_cols))
        row += 1
    line = n_body + 1
    r_line_no = first_right_line + n_body
    for lt, rt in tails:  # a side with fewer rows has empty (bordered) ones
        if lt is None:
            _blank(ws, row, 0, amount + 1)
        else:
            _put(ws, row, 0, lt.label, bold=lt.key in ("income_total", "grand_total"))
            if ln:
                _put(ws, row, 1, line, align=_CENTER)
            value = _amount(data, items.get(lt.key, {}).get("amount"))
            _put(ws, row, amount, value, number=True)
        if rt is None:
            _blank(ws, row, r_label, r_first + len(right_cols))
        else:
            _put(ws, row, r_label, rt.label, bold=rt.key in ("expense_total", "grand_total"))
            if ln:
                _put(ws, row, r_line, r_line_no, align=_CENTER)
            vals = items.get("R:" + rt.key, {})
            for j, col in enumerate(right_cols):
                _put(ws, row, r_first + j, _amount(data, vals.get(col)), number=True)
        row += 1
        line += 1
        r_line_no += 1
    return _write_note(ws, layout, row, _form_example(layout, data))


def _write_economic(ws, layout: TableLayout, data: WorkbookData, top: int, names) -> int:
    """The layout's 经济分类 groups side by side (科目编码, 科目名称, 金额 each), then
    人员经费合计 under the first group and 公用经费合计 across the others."""
    row = _write_header(ws, layout, top)
    groups = layout.extra.get("groups") or ECONOMIC_BLOCKS
    height = max(len(g) for g in groups)
    for i in range(height):
        for b, group in enumerate(groups):
            c = 3 * b
            if i < len(group):
                code = group[i]
                name = data.economic_names.get(code) or names.get(code, "")
                _put(ws, row, c, code, bold=len(code) == 3)
                _put(ws, row, c + 1, _name(data, name), bold=len(code) == 3)
                _put(ws, row, c + 2, _amount(data, data.economic.get(code)), number=True)
            else:
                _blank(ws, row, c, c + 3)
        row += 1
    labels = layout.extra.get("totals", {})
    last = 3 * len(groups) - 1  # the last amount column (0-based)
    _put(ws, row, 0, labels.get("personnel", "人员经费合计"), bold=True)
    _put(ws, row, 1, None)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
    _put(ws, row, 2, _amount(data, data.personnel_total), number=True, bold=True)
    if len(groups) > 1:
        _put(ws, row, 3, labels.get("public", "公用经费合计"), bold=True)
        _blank(ws, row, 4, last)
        ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=last)
        _put(ws, row, last, _amount(data, data.public_total), number=True, bold=True)
    return _write_note(ws, layout, row + 1, _form_example(layout, data))


def _put_item(ws, row: int, col: int, layout: TableLayout, it: Item, column: str, value, data):
    """One value of a labelled row: "—" for a heading or a budget the row has none of; a
    count as a whole number; else an amount."""
    if it.heading or (it.no_budget and layout.sign(column) == BUDGET):
        _put(ws, row, col, "—", align=_CENTER)
    elif it.count:
        _put(ws, row, col, value or None, align=Alignment(horizontal="right"))
    else:
        _put(ws, row, col, _amount(data, value), number=True)


def _write_items(ws, layout: TableLayout, data: WorkbookData, top: int, names) -> int:
    """A fixed-row table: label, 行次 (when printed), one cell per column."""
    row = _write_header(ws, layout, top)
    ln = 1 if layout.line_numbers else 0
    if layout.column_numbers:
        _put(ws, row, 0, "栏次", align=_CENTER)
        _blank(ws, row, 1, 1 + ln)
        for j in range(len(layout.columns)):
            _put(ws, row, 1 + ln + j, j + 1, align=_CENTER)
        row += 1
    for it in layout.extra["items"]:
        values = data.sangong.get(it.key, (None, None))
        _put(ws, row, 0, it.label)
        if ln:
            _put(ws, row, 1, it.line, align=_CENTER)
        for j, (col, value) in enumerate(zip(layout.columns, values, strict=False)):
            _put_item(ws, row, 1 + ln + j, layout, it, col.key, value, data)
        row += 1
    return _write_note(ws, layout, row, _form_example(layout, data))


def _write_pairs(ws, layout: TableLayout, data: WorkbookData, top: int, names) -> int:
    """财政拨款“三公”经费支出决算表: the header, then one row with each item's columns in
    turn (预算数, 决算数)."""
    row = _write_header(ws, layout, top)
    n = len(layout.columns)
    for i, it in enumerate(layout.extra["items"]):
        values = data.sangong.get(it.key, (None,) * n)
        for j, (col, value) in enumerate(zip(layout.columns, values, strict=False)):
            _put_item(ws, row, n * i + j, layout, it, col.key, value, data)
    return _write_note(ws, layout, row + 1, _form_example(layout, data))


_WRITERS = {
    "coded": _write_coded,
    "summary": _write_summary,
    "economic": _write_economic,
    "items": _write_items,
    "pairs": _write_pairs,
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
    return tuple(_LIST_WIDTHS.get(f.label, _KIND_WIDTHS.get(f.kind, 36)) for f in spec.fields)


#: column widths of list sheets: by the field's label, else by its kind
_LIST_WIDTHS = {
    "科目编码": 16,
    "科目名称": 36,
    "决算数与预算数差异原因": 50,
    "单位名称": 44,
    "单位性质": 30,
    "标题": 30,
    "内容": 100,
}
_KIND_WIDTHS = {"money": 18, "choice": 16}


def _write_list_blank(ws, spec: schema.SheetSpec) -> None:
    for j, (f, v) in enumerate(zip(spec.fields, spec.example, strict=False)):
        value = Decimal(v) if f.kind == "money" and v else (v or None)
        _put(ws, 4, j, value, number=f.kind == "money").font = EXAMPLE_FONT
    first, last = 5, 4 + spec.blank_rows
    for r in range(first, last + 1):
        for j, f in enumerate(spec.fields):
            cell = _put(ws, r, j, None, number=f.kind == "money")
            if f.label.endswith("编码"):  # 科目编码 typed in stay text
                cell.number_format = TEXT_FORMAT
            if f.kind == "text":
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for j, f in enumerate(spec.fields):
        if f.choices:
            col = get_column_letter(j + 1)
            dropdown(ws, f"{col}{first}:{col}{last}", f.choices, f.label, f.help)


def _write_instructions(ws, project_block: tuple[int, int] | None, pack: Pack | None) -> None:
    """The 填表说明 sheet: what each sheet is for, which are in 万元 and which in 元, how
    to fill in (examples, dropdowns, 年度, several units) and how to add a project."""
    for i, line in enumerate(instruction_lines(project_block, pack)):
        c = ws.cell(row=i + 1, column=1, value=line)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        if i == 0:
            c.font = _TITLE
        elif line.endswith("：") and not line.startswith(("·", " ")):
            c.font = _BOLD
    ws.column_dimensions["A"].width = 120


#: 公开10–12表 (绩效自评) in 填表说明, when the profile has them
_EVALUATION_LINES = (
    "· 公开10表 部门整体支出绩效自评情况（金额单位：万元）：第四部分 附件的文字，每行填一级标题、"
    "二级标题、内容（标题与上一行相同时可留空）。",
    "· 公开11表 部门整体支出绩效自评表（金额单位：万元）：部门职责、总体目标、年度目标及完成情况"
    "和部门整体支出绩效指标。",
    "· 公开12表 项目支出绩效自评表（金额单位：万元）：每个项目一张，项目资金、年度目标、绩效指标、"
    "总分和自评等级。",
)
_EVALUATION_IN_WAN = ("公开10表", "公开11表", "公开12表（项目资金）")
_EVALUATION_CHOICES = ("指标性质", "自评等级")


def table_name(layout: TableLayout) -> str:
    """How 填表说明 names a table: "公开01表 收入支出决算总表", or its title alone."""
    return f"{layout.number} {layout.title}" if layout.number else layout.title


def instruction_lines(
    project_block: tuple[int, int] | None = None, pack: Pack | None = None
) -> list[str]:
    """The text of 填表说明, one line per row. ``project_block``: first and last row of the
    empty 项目支出绩效自评表 on sheet 公开12表 (where the copy instruction points).
    ``pack``: the profile whose tables and sheets the workbook holds (default: 云南)."""
    tables, sheets, evaluation = _contents(pack)
    lines = [
        "填表说明",
        "一、本工作簿各表：",
        "· 填表说明：本页。",
    ]
    for spec in sheets:
        unit = f"（金额单位：{spec.unit}）" if spec.unit else ""
        lines.append(f"· {spec.name}{unit}：{spec.purpose}")
    lines += [
        f"· {table_name(lay)}：决算软件导出的公开表，金额单位见表头“{unit_line(lay, '')}”一行。"
        for lay in tables
    ]
    if evaluation:
        lines += _EVALUATION_LINES
    lines += ["", "二、金额单位："]
    lines += _unit_lines(tables, sheets, evaluation)
    lines += ["", "三、如何填写："]
    lines += [
        f"{i}. {text}" for i, text in enumerate(_how_to(sheets, evaluation, project_block), 1)
    ]
    return lines


def _unit_lines(tables, sheets, evaluation: bool) -> list[str]:
    """二、金额单位: which sheets are in 元, which in 万元, and how the tables say theirs."""
    in_yuan = [s.name for s in sheets if s.unit == "元"]
    in_wan = [s.name for s in sheets if s.unit == "万元"]
    in_wan += _EVALUATION_IN_WAN if evaluation else ()
    out = []
    if in_yuan:
        out.append("· 以元填写：" + "、".join(in_yuan) + "。")
    if in_wan:
        out.append("· 以万元填写：" + "、".join(in_wan) + "。")
    if not tables:
        return out
    first = tables[0]
    numbered = all(lay.number for lay in tables)
    span = f"{tables[0].number}–{tables[-1].number}" if numbered else "各决算表"
    units = {lay.unit for lay in tables}
    if len(units) == 1:
        unit = units.pop()
        other = next(u for u in UNITS if u != unit)
        blank = f"空白表为{unit}，可从下拉列表改为{other}"
    else:
        blank = "空白表的单位见各表，可从下拉列表更改"
    out.append(
        f"· {span}：以各表表头“{unit_line(first, '元')}”或“{unit_line(first, '万元')}”为准"
        f"（{blank}）；决算软件导出的表可直接粘贴，本工具按表名（如“{first.title}”）"
        "查找，不依赖工作表名称或位置。"
    )
    return out


def _choice_names(sheets, evaluation: bool) -> list[str]:
    """What has a dropdown, as 填表说明 lists it: each choice field once (是/否 fields
    together), the 绩效自评 choices, the unit line."""
    names: list[str] = []
    for spec in sheets:
        for f in spec.fields:
            if not f.choices or f.legacy:
                continue
            name = "是/否" if tuple(f.choices) == ("是", "否") else f.label
            if name not in names:
                names.append(name)
    names += _EVALUATION_CHOICES if evaluation else ()
    return [*names, "金额单位"]


def _how_to(sheets, evaluation: bool, project_block: tuple[int, int] | None) -> list[str]:
    """三、如何填写, unnumbered: the steps that apply to the workbook's sheets."""
    first, last = project_block or (1, 1)
    steps = [
        "灰色斜体、以“示例：”开头的行是填写示例，读入时忽略，可保留也可删除；请在其下方的空白行中填写。"
        "补充信息表的“示例”列只作参考，不读入。",
        f"带下拉箭头的单元格（{'、'.join(_choice_names(sheets, evaluation))}）请从下拉列表中选择。",
        "年度填四位数字，如 2024；写成“2024年”“2024年度”也可以。",
    ]
    if any(s.kind == "units" for s in sheets):
        steps.append(
            "部门含多个单位时，在“决算单位构成”表中逐行填写每个单位的名称和单位性质（本级在前）；"
            "“单位基本情况”的单位性质填本级的性质。部门中有行政单位或参照公务员法管理的事业单位时，"
            "文档写机关运行经费支出情况，否则写“不适用”。只有一个单位的部门可不填该表。"
        )
    if evaluation:
        steps.append(
            f"增加项目（公开12表）：每个项目一张项目支出绩效自评表。选中公开12表第{first}行至第{last}行"
            "（从“项目支出绩效自评表”标题到“总分”下方一行）整行复制，粘贴到这张表下方（隔一个空行，"
            f"即第{last + 2}行起；再增加项目时粘贴到上一张表下方），再填写项目名称、项目资金、目标和指标；"
            "指标行不够时在指标区中间插入整行。表名前可加年度，如“2024年度项目支出绩效自评表”。"
            "没有项目时保持空表即可（项目名称为空的表不读入）。"
        )
    steps += [
        "必填项为空、金额单元格填写了文字、合计与明细不符等问题，运行 reportgen check 时会列出"
        "工作表和单元格。",
        "文字项可在单元格内换行分段；生成的文档按段落排版。",
    ]
    return steps


def layout_for(key: str) -> TableLayout:
    return BY_KEY[key]
