"""Read a department-year workbook into a :class:`~reportgen.model.Report`.

公开表 are found by their titles anywhere in the workbook (not by sheet name or
position); columns by the 栏次 row; rows by 科目编码 or by label. Supplementary sheets
are found by their names (see :mod:`reportgen.schema`). Every problem becomes a
:class:`~reportgen.findings.Finding` naming sheet and cell; nothing is guessed silently.

Every amount passes through :meth:`Reader.amount`, the one place that says what an
amount may be: a number (IN-10), not an Excel error (IN-12), whole 分 (IN-15), at most
10^12 元 (IN-16), and not negative where it is a budget (IN-17).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from . import codes, headers, schema
from .evaluation_inputs import read_evaluations
from .findings import ERROR, WARNING, Finding
from .layouts import (
    BUDGET,
    DEFAULT_LAYOUT,
    FUNCTION_CLASSES_2021,
    LAYOUTS,
    TableLayout,
    normalize_label,
)
from .model import BudgetLine, Cell, MemberUnit, Report, Row, Table, UnitInfo
from .money import MAX_YUAN, UNIT_FACTORS, AmountError, parse_amount, to_yuan, whole_cents
from .sheets import ExcelError, Grid, load_grids

if TYPE_CHECKING:  # narrative imports the layouts; a pack is only passed through here
    from .narrative import Pack

#: What each reading rule means (listed in docs/input-format.md; ids are stable).
INPUT_RULES = {
    "IN-01": "输入文件不存在",
    "IN-02": "不是 Excel 工作簿（.xlsx/.xls），或文件已损坏",
    "IN-03": "工作表超过行数上限（5000 行）",
    "IN-04": "公开表缺少“金额单位：元/万元”一行",
    "IN-05": "续页的金额单位与首页不同",
    "IN-06": "找不到某张公开表（按表名查找）",
    "IN-07": "文件过大或解压后过大（疑似压缩炸弹），拒绝读取",
    "IN-08": "公式单元格没有保存计算结果（须在 Excel/WPS 中打开并保存）",
    "IN-09": "工作簿中没有任何公开表",
    "IN-10": "金额单元格不是数字（含千位分隔符位置错误，如“5,26”）",
    "IN-11": "数量单元格不是非负整数",
    "IN-12": "读取的单元格是 Excel 错误值（#REF!、#DIV/0!、#VALUE!、#N/A 等）",
    "IN-13": "工作簿设有打开密码，无法读取",
    "IN-14": "公开表的金额单位不是元或万元（如千元、百万元、美元）",
    "IN-15": "金额折合为元后小数超过两位（不足1分）",
    "IN-16": "金额的绝对值超过 10^12 元（一万亿元）",
    "IN-17": "预算数为负数（公开09表 预算数、“项目预算”、公开12表 年初/全年预算数）",
    "IN-20": "公开表找不到栏次行或表头，无法定位金额列",
    "IN-21": "科目编码不是 3、5 或 7 位数字",
    "IN-22": "公开01/04表左栏有无法识别的行（警告）",
    "IN-23": "公开01/04表支出栏的功能分类（类）名称不在科目表中",
    "IN-24": "公开09表缺少行（警告）",
    "IN-30": "缺少补充信息表",
    "IN-31": "补充信息表中有不认识的项目（警告）",
    "IN-32": "补充信息表的必填项为空",
    "IN-33": "年度不是四位年份",
    "IN-34": "选项不在可选范围内",
    "IN-35": "“项目预算”缺少表头行",
    "IN-36": "“项目预算”的科目编码不是7位",
    "IN-37": "“项目预算”的科目编码重复",
    "IN-38": "“决算单位构成”表缺少“单位名称”“单位性质”表头行",
    "IN-39": "“决算单位构成”表与“单位基本情况”的“决算单位构成”项都已填写，按表读入（警告）",
    "IN-40": "绩效自评表中应为数字的单元格（金额、分值、得分）不是数字",
    "IN-41": "项目支出绩效自评表缺少“项目名称”行",
    "IN-42": "项目支出绩效自评表缺少绩效指标表头",
    "IN-43": "项目支出绩效自评表缺少项目资金表头",
}

_ORDINAL = re.compile(
    r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、]|其中[:：])"
)
_CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")


class Reader:
    """Collects findings while reading; one instance per workbook."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.findings: list[Finding] = []
        self.grids: list[Grid] = []

    def error(self, rule: str, message: str, where: Cell | str = "", expected="", found=""):
        self.findings.append(Finding(ERROR, rule, message, str(where), str(expected), str(found)))

    def warn(self, rule: str, message: str, where: Cell | str = "", expected="", found=""):
        self.findings.append(Finding(WARNING, rule, message, str(where), str(expected), str(found)))

    # --- workbook -------------------------------------------------------------------

    def load(self) -> list[Grid]:
        grids, findings = load_grids(self.path)
        self.findings.extend(findings)
        for g in grids:  # the 示例： rows of a blank workbook are never data
            g.rows = [[None] * len(row) if schema.is_example_row(row) else row for row in g.rows]
        self.grids = grids
        return grids

    def report_excel_errors(self) -> None:
        """One IN-12 finding for each Excel error cell that a reader looked at."""
        for g in self.grids:
            for (r, c), text in g.errors_read.items():
                self.error(
                    "IN-12",
                    f"单元格中是 Excel 错误值 {text}（公式引用无效或计算出错），不是数字或文字。"
                    "请在 Excel 或 WPS 中改正该单元格的公式或填入数值后保存，再重新运行。",
                    g.cell(r, c),
                    "数字或文字",
                    text,
                )
            g.errors_read.clear()

    # --- amounts ---------------------------------------------------------------------

    def amount(self, grid: Grid, r: int, c: int, unit: str, budget: bool = False) -> Decimal | None:
        """The amount in cell (r, c), in 元; None when empty or when it is not an amount
        (then a finding says why). ``budget``: the cell holds a budget (never negative)."""
        raw = grid.value(r, c)
        if isinstance(raw, ExcelError):
            return None  # reported by report_excel_errors
        where = grid.cell(r, c)
        try:
            value = parse_amount(raw)
        except AmountError:
            self.error("IN-10", f"金额单元格中是文字“{raw}”，应为数字。", where, "数字", raw)
            return None
        if value is None:
            return None
        yuan = to_yuan(value, unit)
        if abs(yuan) > MAX_YUAN:
            self.error(
                "IN-16",
                f"金额 {raw}（{unit}）的绝对值超过一万亿元，不是一个部门的决算数；"
                "请检查是否多输了数字或粘贴了编号。",
                where,
                f"绝对值不超过 {MAX_YUAN:,} 元",
                raw,
            )
            return None
        cents = whole_cents(yuan, from_float=isinstance(raw, float))
        if cents is None:
            converted = "" if unit == "元" else f"，折合 {yuan} 元"
            self.error(
                "IN-15",
                f"金额 {raw}（{unit}）{converted}不是整分数，不足1分的部分无法列示"
                f"（以{unit}填报最多 {_places(unit)} 位小数）。",
                where,
                "精确到分",
                raw,
            )
            return None
        return self.budget_sign(cents, where, raw) if budget else cents

    def budget_sign(self, value: Decimal, where: Cell, raw: object) -> Decimal | None:
        """``value`` of a budget cell, or None (with an IN-17 error) when it is negative."""
        if value >= 0:
            return value
        self.error("IN-17", f"预算数 {raw} 为负数，预算数不能小于0。", where, "≥ 0", raw)
        return None

    def count(self, grid: Grid, r: int, c: int) -> int | None:
        raw = grid.value(r, c)
        if isinstance(raw, ExcelError):
            return None
        try:
            value = parse_amount(raw)
        except AmountError:
            self.error(
                "IN-11", f"数量单元格中是文字“{raw}”，应为整数。", grid.cell(r, c), "整数", raw
            )
            return None
        if value is None:
            return None
        if value != value.to_integral_value() or value < 0:
            self.error("IN-11", "数量应为非负整数。", grid.cell(r, c), "整数", raw)
            return None
        return int(value)


def _places(unit: str) -> int:
    """Decimals an amount in ``unit`` may have and still be whole 分 (元 2, 万元 6)."""
    return 2 + UNIT_FACTORS[unit].adjusted()


# --- locating tables ----------------------------------------------------------------

#: what may stand before a title in its cell: a year, optionally after the unit's name
#: ("2021年度", "玉溪市互联网信息办公室2021年度")
_TITLE_PREFIX = re.compile(r"^[^:，。；,;“”]{0,60}?20\d{2}年度?$")
#: …and after it: the table's number ("（公开01表）")
_TITLE_SUFFIX = re.compile(r"（?公开\d{2}表）?$")
#: by the layouts' identities (a layout holds dicts: not hashable); the value keeps the
#: layouts alive so an id is never reused while cached
_TITLE_CACHE: dict[tuple[int, ...], tuple[tuple, list[tuple[str, TableLayout]]]] = {}


def _titles(layouts: tuple[TableLayout, ...]) -> list[tuple[str, TableLayout]]:
    """Normalized titles and aliases, longest first: "财政拨款收入支出决算总表" is tried
    before the "收入支出决算总表" it ends with."""
    key = tuple(map(id, layouts))
    cached = _TITLE_CACHE.get(key)
    if cached is None:
        pairs = [(normalize_label(t), lay) for lay in layouts for t in (lay.title, *lay.aliases)]
        cached = _TITLE_CACHE[key] = (tuple(layouts), sorted(pairs, key=lambda t: -len(t[0])))
    return cached[1]


def title_layout(text: object, layouts: tuple[TableLayout, ...] = LAYOUTS) -> TableLayout | None:
    """The table of ``layouts`` whose title ``text`` is: exactly, or with a year prefix or
    number suffix."""
    if not isinstance(text, str) or "表" not in text:
        return None
    t = normalize_label(text)
    bare = _TITLE_SUFFIX.sub("", t)
    for title, lay in _titles(layouts):
        for candidate in (t, bare):
            if candidate == title:
                return lay
            if candidate.endswith(title) and _TITLE_PREFIX.match(candidate[: -len(title)]):
                return lay
    return None


def find_tables(
    grids: list[Grid], layouts: tuple[TableLayout, ...] = LAYOUTS
) -> list[tuple[TableLayout, Grid, int, int]]:
    """Every (layout, grid, row, col) where a table title stands, in workbook order."""
    found = []
    for g in grids:
        for r, row in enumerate(g.rows):
            for c, v in enumerate(row):
                lay = title_layout(v, layouts)
                if lay:
                    found.append((lay, g, r, c))
    return found


def has_column_numbers(grid: Grid, start: int) -> bool:
    """Whether the table whose title is on row ``start`` has a 栏次 row (header shape)."""
    for r in range(start, min(len(grid.rows), start + 15)):
        texts = [normalize_label(grid.text(r, c)) for c in range(len(grid.rows[r]))]
        if any(t.startswith("栏次") for t in texts) or {"1", "2", "3"} <= set(texts):
            return True
    return False


def _region_end(grid: Grid, start: int, starts: list[int]) -> int:
    later = [s for s in starts if s > start]
    return min(later) if later else len(grid.rows)


_YEAR = re.compile(r"(?<!\d)(20\d{2})\s*年度?")


def _heading_year(grid: Grid, start: int, end: int) -> tuple[int | None, Cell | None]:
    """The year in the lines around a table's title ("2021年度"), if the export prints one."""
    for r in range(start, min(end, start + 4)):
        for c in range(len(grid.rows[r])):
            v = grid.rows[r][c]
            m = _YEAR.search(v) if isinstance(v, str) else None
            if m:
                return int(m.group(1)), grid.cell(r, c)
    return None, None


#: "金额单位：万元" anywhere in a cell ("编制单位：X 金额单位：万元" may share one) …
_AMOUNT_UNIT = re.compile(r"金额单位:([^:]*)")
#: … or a cell starting "单位：…元" (a bare "单位：" naming the department is not one)
_BARE_UNIT = re.compile(r"^单位:([^:]*元[^:]*)")


def _unit_text(grid: Grid, r: int, c: int, t: str) -> str | None:
    """The unit a cell declares, as written ("万元", "千元"); None when it declares none."""
    m = _AMOUNT_UNIT.search(t) or _BARE_UNIT.match(t)
    if m is None:
        return None
    unit = m.group(1)
    if not unit:  # "金额单位：" with the unit in the next cell
        after = (grid.text(r, k) for k in range(c + 1, len(grid.rows[r])))
        unit = normalize_label(next((t for t in after if t), ""))
    unit = unit.removeprefix("人民币")
    return (unit[: unit.find("元") + 1] if "元" in unit else unit) or None  # "" is no unit


def _unit_and_department(
    grid: Grid, start: int, end: int
) -> tuple[str | None, str, Cell | None, str]:
    """(unit as written, department, the unit's cell, that cell's text) of a table."""
    unit, dept, unit_cell, unit_line = None, "", None, ""
    for r in range(start, min(end, start + 8)):
        for c in range(len(grid.rows[r])):
            t = normalize_label(grid.text(r, c))
            declared = _unit_text(grid, r, c, t)
            if declared is not None:
                unit, unit_cell, unit_line = declared, grid.cell(r, c), grid.text(r, c)
            if t.startswith("部门:") or t.startswith("编制单位:") or t.startswith("单位名称:"):
                dept = t.split(":", 1)[1]
                dept = re.split(r"金额单位|单位:", dept)[0]
    return unit, dept, unit_cell, unit_line


def _numbering_row(grid: Grid, start: int, end: int, n: int) -> tuple[int, list[int]] | None:
    """The 栏次 row: n cells holding 1..n in order. Returns (row, [column of 1..n])."""
    for r in range(start, min(end, start + 15)):
        nums = []
        for c, v in enumerate(grid.rows[r]):
            try:
                iv = int(str(v).strip()) if v is not None and str(v).strip() else None
            except ValueError:
                iv = None
            if iv is not None and (not nums or iv == len(nums) + 1) and iv == len(nums) + 1:
                nums.append(c)
        if len(nums) >= n:
            return r, nums[:n]
    return None


_DATA_CODE = re.compile(r"^\d{3}(\d{2}){0,2}$")


def _data_start(g: Grid, start: int, end: int) -> int | None:
    """The first row under a coded table's header: a 科目编码 or 合计/总计 in the
    first columns (the header above it holds only words)."""
    for r in range(start + 1, min(end, start + 15)):
        for c in range(min(5, len(g.rows[r]))):
            t = normalize_label(g.text(r, c))
            # 合计 heads an amount column too ("本年支出 / 合计"): as a row label it stands
            # in the code or name column
            if _DATA_CODE.match(t) or (c <= 1 and t in ("合计", "总计")):
                return r
    return None


def _header_top(g: Grid, start: int, end: int) -> int:
    """The first header row: the row after the title and the 单位 line(s)."""
    top = start + 1
    for r in range(start + 1, min(end, start + 6)):
        texts = [normalize_label(g.text(r, c)) for c in range(len(g.rows[r]))]
        filled = [t for t in texts if t]
        if filled and all(
            _AMOUNT_UNIT.search(t)
            or _BARE_UNIT.match(t)
            or t.startswith(("部门:", "编制单位:"))
            or _YEAR.search(t)
            for t in filled
        ):
            top = r + 1
        elif filled:
            break
    return top


def _header_columns(
    rd: Reader, lay: TableLayout, g: Grid, start: int, end: int
) -> tuple[int, list[int]] | None:
    """(last header row, column of each amount) found by header words (no 栏次 row)."""
    first_data = _data_start(g, start, end)
    if first_data is None:
        first_data = next(
            (r for r in range(start + 1, end) if normalize_label(g.text(r, 0)).startswith("注")),
            None,
        )
    top = _header_top(g, start, end)
    width = max((len(g.rows[r]) for r in range(start, min(end, len(g.rows)))), default=0)
    if first_data is None or first_data <= top:
        rd.error("IN-20", f"{lay.name} 找不到表头，无法确定金额列。", g.cell(start, 0))
        return None
    paths = headers.header_paths(g, top, first_data, width)
    cols = headers.locate(paths, [c.words for c in lay.columns])
    missing = [c for c, col in zip(lay.columns, cols, strict=True) if col is None]
    if missing:
        rd.error(
            "IN-20",
            f"{lay.name} 表头中找不到栏目：{'、'.join('/'.join(c.words) for c in missing)}。",
            g.cell(top, 0),
            "表头文字与模板一致",
            "无",
        )
        return None
    return first_data - 1, [c for c in cols if c is not None]


# --- table readers ------------------------------------------------------------------


def _read_coded(
    rd: Reader, lay: TableLayout, g: Grid, start: int, end: int, unit: str, table: Table
) -> None:
    num = (
        _numbering_row(g, start, end, len(lay.columns))
        if lay.column_numbers
        else _header_columns(rd, lay, g, start, end)
    )
    if not num:
        if lay.column_numbers:
            rd.error(
                "IN-20",
                f"{lay.number}{lay.title} 找不到栏次行（1、2、3…），无法确定金额列。",
                g.cell(start, 0),
            )
        return
    head_row, cols = num
    first_val = min(cols)
    level_cols = _level_columns(g, start, head_row, first_val)
    context = ["", ""]  # the 类 and 款 codes of the rows above (for blank code columns)
    for r in range(head_row + 1, end):
        texts = [g.text(r, c) for c in range(min(first_val, len(g.rows[r])))]
        joined = normalize_label("".join(texts))
        if not joined and not any(g.text(r, c) for c in cols):
            continue
        if joined.startswith(("注", "说明")) or "此表为空" in joined or "故此表为空" in joined:
            break
        if "栏次" in joined or "科目名称" in joined or normalize_label(lay.title) in joined:
            continue  # a repeated header on a continuation page
        values, cells = {}, {}
        for col, c in zip(lay.columns, cols, strict=True):
            values[col.key] = rd.amount(g, r, c, unit)
            cells[col.key] = g.cell(r, c)
        if joined.startswith("合计") or joined == "总计":
            table.total, table.total_cells = values, cells
            continue
        code = _row_code(texts, level_cols, context)
        name = next((normalize_label(t) for t in texts if t and not re.fullmatch(r"\d+", t)), "")
        code_col = next((c for c in range(first_val) if g.text(r, c)), 0)
        if not _CODE.match(code):
            typed = code or _typed_code(texts, level_cols)
            rd.error(
                "IN-21",
                f"{lay.number} 第{r + 1}行的科目编码“{typed}”不是3、5或7位数字。",
                g.cell(r, code_col),
                "3/5/7位编码",
                typed or "空",
            )
            continue
        context[:] = [code[:3], code[:5] if len(code) >= 5 else ""]
        name_col = next(
            (
                c
                for c in range(first_val)
                if g.text(r, c) and not re.fullmatch(r"\d+", g.text(r, c))
            ),
            None,
        )
        if name_col is not None:
            cells["name"] = g.cell(r, name_col)
        table.rows.append(Row(code, name, values, cells, g.cell(r, code_col)))


def _level_columns(g: Grid, start: int, head_row: int, first_val: int) -> tuple[int, ...] | None:
    """Columns headed 类, 款, 项 (codes split over three columns), or None."""
    for r in range(start, head_row):
        labels = {normalize_label(g.text(r, c)): c for c in range(min(first_val, len(g.rows[r])))}
        if {"类", "款", "项"} <= labels.keys():
            return labels["类"], labels["款"], labels["项"]
    return None


def _row_code(texts: list[str], level_cols: tuple[int, ...] | None, context: list[str]) -> str:
    """The 科目编码 of one row, whole or split over 类/款/项 columns.

    Exports write the code whole ("2010101"), split in full ("201" "01" "01"), or split
    with the parent levels left blank ("" "" "01" under 20101). Blank levels are taken
    from the rows above, which is how a reader of the printed table reads them too.
    """

    def digits(t: str) -> str:
        t = t.replace(" ", "")
        return t if re.fullmatch(r"\d+", t) else ""

    if level_cols is None:
        return "".join(d for d in (digits(t) for t in texts) if d)
    lei, kuan, xiang = (digits(texts[c]) if c < len(texts) else "" for c in level_cols)
    if lei and not kuan and not xiang:
        return lei  # whole code in the first column
    if len(kuan) == 5 and not lei and not xiang:
        return kuan
    if len(xiang) == 7 and not lei and not kuan:
        return xiang
    if not lei and len(kuan) == 2:
        lei = context[0]
    if not lei and not kuan and len(xiang) == 2:
        return context[1] + xiang if context[1] else xiang
    return lei + kuan + xiang


def _typed_code(texts: list[str], level_cols: tuple[int, ...] | None) -> str:
    """The 科目编码 cells of a row as typed, for a code that is not digits ("20137O1")."""
    if level_cols is not None:
        return " ".join(texts[c] for c in level_cols if c < len(texts) and texts[c])
    first = next((t for t in texts if t), "")
    return first if re.search(r"\d", first) else ""


def _match_item(label: str, items, used: set[str]):
    norm = normalize_label(label)
    bare = _ORDINAL.sub("", norm)
    for it in items:
        if it.key in used or not it.label:
            continue
        lab = normalize_label(it.label)
        if norm == lab or bare == _ORDINAL.sub("", lab):
            return it
    return None


_CLASS_BY_NAME = {name: code for code, name in FUNCTION_CLASSES_2021}


def _summary_by_numbers(g: Grid, start: int, end: int, n_right: int):
    """(head row, left label col, left amount col, right label col, right amount cols)
    from the 栏次 row of a two-sided summary table (its "栏次" marks)."""
    head = None
    for r in range(start, min(end, start + 12)):
        marks = [c for c in range(len(g.rows[r])) if normalize_label(g.text(r, c)).startswith("栏")]
        if len(marks) >= 2:
            head = (r, marks[0], marks[1])
            break
    if not head:
        return None
    head_row, left_label, right_label = head
    left_amount = (
        next(c for c in range(left_label + 1, right_label) if g.text(head_row, c).isdigit())
        if any(g.text(head_row, c).isdigit() for c in range(left_label + 1, right_label))
        else left_label + 2
    )
    right_amounts = [
        c for c in range(right_label + 1, len(g.rows[head_row])) if g.text(head_row, c).isdigit()
    ][:n_right]
    if len(right_amounts) < n_right:
        right_amounts = list(range(right_label + 2, right_label + 2 + n_right))
    return head_row, left_label, left_amount, right_label, right_amounts


def _summary_by_words(lay: TableLayout, g: Grid, start: int, end: int):
    """The same from the header words: the row with two 项目 cells; the left amount under
    the left side's column words, the right amounts under the right columns' words."""
    for r in range(start + 1, min(end, start + 12)):
        items = [
            c for c in range(len(g.rows[r])) if normalize_label(g.text(r, c)).startswith("项目")
        ]
        if len(items) < 2:
            continue
        left_label, right_label = items[0], items[1]
        top = _header_top(g, start, end)
        width = max(len(g.rows[k]) for k in range(top, r + 1))
        paths = headers.header_paths(g, top, r + 1, width)
        (left_amount,) = headers.locate(paths[:right_label], [("决算数",)], left_label + 1)
        if left_amount is None:  # the left side has one amount column, whatever its name
            left_amount = left_label + 1
        right_cols = [next(c for c in lay.columns if c.key == k) for k in lay.extra["right_cols"]]
        right_amounts = headers.locate(paths, [c.words for c in right_cols], right_label + 1)
        if any(c is None for c in right_amounts):
            return None
        return r, left_label, left_amount, right_label, right_amounts
    return None


def _read_summary(
    rd: Reader, lay: TableLayout, g: Grid, start: int, end: int, unit: str, table: Table
) -> None:
    ex = lay.extra
    located = (
        _summary_by_numbers(g, start, end, len(ex["right_cols"]))
        if lay.column_numbers
        else _summary_by_words(lay, g, start, end)
    )
    if not located:
        rd.error(
            "IN-20",
            f"{lay.name}{'' if not lay.number else lay.title} "
            f"找不到{'栏次行' if lay.column_numbers else '表头（项目、决算数）'}，无法确定收入、支出两栏。",
            g.cell(start, 0),
        )
        return
    head_row, left_label, left_amount, right_label, right_amounts = located
    left_items = list(ex["left"]) + list(ex["left_tail"])
    right_tail = list(ex["right_tail"])
    used_left: set[str] = set()
    used_right: set[str] = set()
    for r in range(head_row + 1, end):
        ltext = g.text(r, left_label)
        if normalize_label(ltext).startswith("注"):
            break
        if ltext:
            it = _match_item(ltext, left_items, used_left)
            if it:
                used_left.add(it.key)
                table.items[it.key] = {"amount": rd.amount(g, r, left_amount, unit)}
                table.item_cells[it.key] = {"amount": g.cell(r, left_amount)}
            elif "项目" not in ltext and normalize_label(ltext) != "收入":
                rd.warn(
                    "IN-22",
                    f"{lay.number} 左栏有无法识别的行“{ltext}”，已忽略。",
                    g.cell(r, left_label),
                )
        rtext = g.text(r, right_label)
        unlabelled = [it for it in right_tail if not it.label and it.key not in used_right]
        if not rtext:
            # 公开04表 lines 61–63: the 年末 balance by fund, printed without a label
            # under 年末财政拨款结转和结余; matched by order, never dropped silently
            has_values = any(g.text(r, c) for c in right_amounts)
            if not (has_values and unlabelled and used_right):
                continue
            it = unlabelled[0]
        else:
            it = None
        values = {
            col: rd.amount(g, r, c, unit)
            for col, c in zip(ex["right_cols"], right_amounts, strict=True)
        }
        cells = {col: g.cell(r, c) for col, c in zip(ex["right_cols"], right_amounts, strict=True)}
        it = it or _match_item(rtext, right_tail, used_right)
        if it:
            used_right.add(it.key)
            table.items["R:" + it.key] = values
            table.item_cells["R:" + it.key] = cells
            continue
        name = _ORDINAL.sub("", normalize_label(rtext))
        code = _CLASS_BY_NAME.get(name) or codes.function_code_for_name(name)
        if not code:
            rd.error(
                "IN-23",
                f"{lay.number} 支出栏的功能分类“{rtext}”不在科目表中。",
                g.cell(r, right_label),
                "支出功能分类科目（类）名称",
                rtext,
            )
            continue
        table.rows.append(Row(code, name, values, cells, g.cell(r, right_label)))


def _read_economic(
    rd: Reader, lay: TableLayout, g: Grid, start: int, end: int, unit: str, table: Table
) -> None:
    head_row = None
    for r in range(start, min(end, start + 10)):
        if sum(1 for c in range(len(g.rows[r])) if "科目编码" in g.text(r, c)) >= 2:
            head_row = r
            break
    if head_row is None:
        rd.error("IN-20", f"{lay.number}{lay.title} 找不到“科目编码”表头。", g.cell(start, 0))
        return
    for r in range(head_row + 1, end):
        row = g.rows[r]
        first = normalize_label(g.text(r, 0))
        if first.startswith("注"):
            break
        c = 0
        while c < len(row):
            t = g.text(r, c)
            nt = normalize_label(t)
            if nt in ("人员经费合计", "公用经费合计"):
                amt_c = next((k for k in range(c + 1, len(row)) if row[k] not in (None, "")), None)
                if amt_c is not None and normalize_label(g.text(r, amt_c)).endswith("经费合计"):
                    amt_c = None  # the next label: this total is left empty (blank workbook)
                key = "personnel" if nt.startswith("人员") else "public"
                if amt_c is not None:
                    table.total[key] = rd.amount(g, r, amt_c, unit)
                    table.total_cells[key] = g.cell(r, amt_c)
                    c = amt_c + 1  # the amount is not a code, whatever it looks like
                else:
                    c += 1
                continue
            name_text = g.text(r, c + 1)
            # a code is followed by its name; "647" followed by nothing or a number is an
            # amount (an integer 万元 total such as 人员经费合计 647)
            if _CODE.match(t) and len(t) in (3, 5) and name_text and not _is_number(name_text):
                name = normalize_label(g.text(r, c + 1))
                amount = rd.amount(g, r, c + 2, unit) if c + 2 < len(row) else None
                table.rows.append(
                    Row(t, name, {"amount": amount}, {"amount": g.cell(r, c + 2)}, g.cell(r, c))
                )
                c += 3
                continue
            c += 1


def _is_number(text: str) -> bool:
    try:
        return parse_amount(text) is not None
    except AmountError:
        return False


def _read_items(
    rd: Reader, lay: TableLayout, g: Grid, start: int, end: int, unit: str, table: Table
) -> None:
    head_row, budget_c, actual_c = None, None, None
    for r in range(start, min(end, start + 10)):
        for c in range(len(g.rows[r])):
            t = normalize_label(g.text(r, c))
            if t == "预算数":
                head_row, budget_c = r, c
            elif t.startswith("决算") and head_row == r:
                actual_c = c
        if head_row is not None and actual_c is not None:
            break
    if head_row is None or actual_c is None:
        rd.error("IN-20", f"{lay.number} 找不到“预算数”“决算统计数”表头。", g.cell(start, 0))
        return
    items = list(lay.extra["items"])
    used: set[str] = set()
    for r in range(head_row + 1, end):
        label = g.text(r, 0)
        if normalize_label(label).startswith("注"):
            break
        if not label or "栏次" in normalize_label(label):
            continue
        it = _match_item(label, items, used)
        if not it:
            continue
        used.add(it.key)
        if it.count:
            table.items[it.key] = {"budget": None, "actual": rd.count(g, r, actual_c)}
        else:
            table.items[it.key] = {
                col: rd.amount(g, r, c, unit, budget=lay.sign(col, it.key) == BUDGET)
                for col, c in (("budget", budget_c), ("actual", actual_c))
            }
        table.item_cells[it.key] = {"budget": g.cell(r, budget_c), "actual": g.cell(r, actual_c)}
    missing = [
        it.label for it in items if it.key not in used and it.key not in ("sg_head", "stats_head")
    ]
    if missing:
        rd.warn(
            "IN-24",
            f"{lay.number} 缺少行：{'、'.join(missing[:5])}等，按空值处理。",
            g.cell(head_row, 0),
        )


def _read_pairs(
    rd: Reader, lay: TableLayout, g: Grid, start: int, end: int, unit: str, table: Table
) -> None:
    """A horizontal table of (预算数, 决算数) pairs, one pair per item, one data row
    (上海 财政拨款“三公”经费支出决算表): each item found by the header words above its pair."""
    pair_row = next(
        (
            r
            for r in range(start + 1, min(end, start + 12))
            if sum(normalize_label(g.text(r, c)) == "预算数" for c in range(len(g.rows[r]))) >= 2
        ),
        None,
    )
    if pair_row is None:
        rd.error("IN-20", f"{lay.name} 找不到“预算数”“决算数”表头行。", g.cell(start, 0))
        return
    top = _header_top(g, start, end)
    width = len(g.rows[pair_row])
    paths = headers.header_paths(g, top, pair_row + 1, width)
    items = list(lay.extra["items"])
    budget_cols = headers.locate(paths, [(*it.header, "预算数") for it in items])
    data_row = next(
        (r for r in range(pair_row + 1, end) if any(g.text(r, c) for c in range(width))), None
    )
    missing = [it.label for it, c in zip(items, budget_cols, strict=True) if c is None]
    if missing:
        rd.error(
            "IN-20",
            f"{lay.name} 表头中找不到：{'、'.join(missing)}。",
            g.cell(top, 0),
            "表头文字与模板一致",
            "无",
        )
        return
    for it, c in zip(items, budget_cols, strict=True):
        assert c is not None
        actual_c = c + 1
        cells = {
            "budget": g.cell(data_row or pair_row + 1, c),
            "actual": g.cell(data_row or pair_row + 1, actual_c),
        }
        if data_row is None or normalize_label(g.text(data_row, 0)).startswith("注"):
            values = {"budget": None, "actual": None}
        else:
            values = {
                "budget": rd.amount(g, data_row, c, unit, budget=True),
                "actual": rd.amount(g, data_row, actual_c, unit),
            }
        table.items[it.key] = values
        table.item_cells[it.key] = cells


_READERS = {
    "coded": _read_coded,
    "summary": _read_summary,
    "economic": _read_economic,
    "items": _read_items,
    "pairs": _read_pairs,
}


def read_tables(
    rd: Reader, grids: list[Grid], layouts: tuple[TableLayout, ...] = LAYOUTS
) -> dict[str, Table]:
    found = find_tables(grids, layouts)
    starts: dict[str, list[int]] = {}
    for _lay, g, r, _c in found:
        starts.setdefault(g.name, []).append(r)
    tables: dict[str, Table] = {}
    for lay, g, r, c in found:
        end = _region_end(g, r, starts[g.name])
        unit, dept, unit_cell, unit_line = _unit_and_department(g, r, end)
        if unit is None:
            rd.error(
                "IN-04",
                f"{lay.number}{lay.title} 缺少“金额单位：元”或“金额单位：万元”一行。",
                g.cell(r, c),
            )
            unit = "元"
        elif unit not in UNIT_FACTORS:
            rd.error(
                "IN-14",
                f"{lay.number}{lay.title} 的金额单位是“{unit}”，只能是元或万元"
                "（按决算软件导出的原样填写“金额单位：元”或“金额单位：万元”）。",
                unit_cell,
                "金额单位：元 或 金额单位：万元",
                unit_line,
            )
            unit = tables[lay.key].unit if lay.key in tables else "元"
        table = tables.get(lay.key)
        if table is None:
            table = Table(lay, g.name, unit, dept, g.cell(r, c))
            table.year, table.year_cell = _heading_year(g, r, end)
            tables[lay.key] = table
        elif table.unit != unit:
            rd.error(
                "IN-05",
                f"{lay.number} 续页的金额单位（{unit}）与首页（{table.unit}）不同。",
                g.cell(r, c),
                table.unit,
                unit,
            )
        _READERS[lay.kind](rd, lay, g, r, end, unit, table)
    if not found:
        rd.error(
            "IN-09",
            "工作簿中没有找到任何公开表（按表名查找，如“收入支出决算总表”）。"
            "请确认选择的是决算软件导出的公开表工作簿，或运行 reportgen init 取得空白工作簿。",
            rd.path.name,
        )
        return tables
    for lay in layouts:
        if lay.key not in tables and lay.required:
            rd.error(
                "IN-06",
                f"工作簿中找不到{lay.number}“{lay.title}”（按表名查找）。",
                rd.path.name,
                lay.title,
                "无",
            )
    return tables


# --- supplementary sheets -----------------------------------------------------------


def _sheet(grids: list[Grid], name: str) -> Grid | None:
    for g in grids:
        if normalize_label(g.name) == normalize_label(name):
            return g
    return None


def _kv_rows(g: Grid) -> list[tuple[int, str, object]]:
    out = []
    for r, row in enumerate(g.rows):
        label = normalize_label(g.text(r, 0))
        if r < 2 or not label or label == "项目":
            continue
        out.append((r, label, row[1] if len(row) > 1 else None))
    return out


def _read_kv(rd: Reader, grids: list[Grid], spec: schema.SheetSpec):
    g = _sheet(grids, spec.name)
    values: dict[str, object] = {}
    cells: dict[str, Cell] = {}
    if g is None:
        if any(f.required for f in spec.fields):
            rd.error(
                "IN-30",
                f"缺少补充信息表“{spec.name}”。可运行 reportgen init 取得空白工作簿。",
                rd.path.name,
            )
        return values, cells
    by_label = {normalize_label(f.label): f for f in spec.fields}
    unreadable = set()  # Excel error values (IN-12) and bad values: not also "empty"
    for r, label, _raw in _kv_rows(g):
        f = by_label.get(label)
        if f is None:
            rd.warn("IN-31", f"“{spec.name}”中的项目“{g.text(r, 0)}”不认识，已忽略。", g.cell(r, 0))
            continue
        cells[f.name] = g.cell(r, 1)
        if isinstance(g.value(r, 1), ExcelError):
            unreadable.add(f.name)
            continue
        value = _typed(rd, g, r, 1, f, spec)
        if value is not None:
            values[f.name] = value
        elif g.text(r, 1):  # reported by _typed as a bad value, not also as empty
            unreadable.add(f.name)
    for f in spec.fields:
        if f.required and f.name not in values and f.name not in unreadable:
            rd.error(
                "IN-32",
                f"“{spec.name}”的必填项“{f.label}”为空。",
                cells.get(f.name, g.name),
                f.help or "非空",
                "空",
            )
    return values, cells


def _typed(rd: Reader, g: Grid, r: int, c: int, f: schema.Field, spec: schema.SheetSpec):
    """The value of a supplementary cell as its field's kind says (None when empty or bad;
    a bad one is reported with its cell)."""
    raw = g.value(r, c)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if f.kind == "money":
        return rd.amount(g, r, c, spec.unit or "元")
    if f.kind == "year":
        year = _year(raw)
        if year is None:
            rd.error("IN-33", f"年度“{raw}”不是四位年份。", g.cell(r, c), "如 2021", raw)
        return year
    if f.kind == "int":
        return rd.count(g, r, c)
    if f.kind == "number":
        try:
            return parse_amount(raw)
        except AmountError:
            rd.error("IN-10", f"“{f.label}”应为数字。", g.cell(r, c), "数字", raw)
            return None
    text = str(raw).strip() if not isinstance(raw, float) else f"{raw:g}"
    if f.kind == "choice":
        choice = schema.choice_value(f, text)
        if choice is None:
            rd.error(
                "IN-34",
                f"“{f.label}”只能填写：{'、'.join(f.choices)}。",
                g.cell(r, c),
                "、".join(f.choices),
                text,
            )
        return choice
    return text


_YEAR_TEXT = re.compile(r"(\d{4})(?:\.0+)?(?:年度?)?")


def _year(raw: object) -> int | None:
    """2021 from 2021, 2021.0, "2021", "2021年", "2021 年度" or full-width "２０２１"."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        text = f"{raw:g}" if isinstance(raw, float) else str(raw)
    else:
        text = "".join(unicodedata.normalize("NFKC", str(raw)).split())
    m = _YEAR_TEXT.fullmatch(text)
    year = int(m.group(1)) if m else None
    return year if year is not None and 2000 <= year <= 2100 else None


def _unit_info(rd: Reader, grids: list[Grid], info: dict, cells: dict[str, Cell]) -> UnitInfo:
    """单位基本情况 with the units of 决算单位构成 (the table, or the old one-per-line field)."""
    units = _read_units(rd, grids)
    listed = [s.strip() for s in str(info.get("决算单位构成", "")).splitlines() if s.strip()]
    if units and listed:
        rd.warn(
            "IN-39",
            "“决算单位构成”表与“单位基本情况”的“决算单位构成”项都已填写，按表读入，该项未使用。",
            cells.get("决算单位构成", schema.UNIT_INFO.name),
        )
    own = str(info.get("单位性质", ""))
    return UnitInfo(
        name=str(info["部门名称"]),
        year=int(info["年度"]),
        nature=schema.department_nature(own, [u.nature for u in units]),
        functions=str(info.get("主要职能", "")),
        main_work=str(info.get("重点工作完成情况", "")),
        organization=str(info.get("机构设置", "")),
        member_units=[u.name for u in units] or listed,
        units=units,
    )


def _read_units(rd: Reader, grids: list[Grid]) -> list[MemberUnit]:
    """The 决算单位构成 table: one row per unit, 单位名称 and 单位性质 found by their heads."""
    spec = schema.MEMBER_UNITS
    g = _sheet(grids, spec.name)
    if g is None:
        return []
    name_f, nature_f = spec.fields
    head = next(
        (
            r
            for r in range(len(g.rows))
            if normalize_label(name_f.label) in [normalize_label(t) for t in _texts(g, r)]
        ),
        None,
    )
    if head is None:
        rd.error("IN-38", f"“{spec.name}”表缺少“单位名称”“单位性质”表头行。", g.name)
        return []
    heads = [normalize_label(t) for t in _texts(g, head)]
    cn = heads.index(normalize_label(name_f.label))
    nature_head = normalize_label(nature_f.label)
    ct = heads.index(nature_head) if nature_head in heads else None
    out = []
    for r in range(head + 1, len(g.rows)):
        name = g.text(r, cn)
        text = g.text(r, ct) if ct is not None else ""
        if not name and not text:
            continue
        if not name or not text:
            missing = name_f if not name else nature_f
            where = g.cell(r, cn if not name else ct if ct is not None else cn + 1)
            rd.error(
                "IN-32", f"“{spec.name}”第{r + 1}行的“{missing.label}”为空。", where, "非空", "空"
            )
            continue
        nature = schema.choice_value(nature_f, text)
        if nature is None:
            rd.error(
                "IN-34",
                f"“{spec.name}”中“{name}”的单位性质只能填写：{'、'.join(nature_f.choices)}。",
                g.cell(r, ct),
                "、".join(nature_f.choices),
                text,
            )
            continue
        out.append(MemberUnit(normalize_label(name), nature, g.cell(r, cn)))
    return out


def _texts(g: Grid, r: int) -> list[str]:
    return [g.text(r, c) for c in range(len(g.rows[r]))]


_FUNDS = ("一般公共预算", "政府性基金", "国有资本经营")


def _read_budgets(
    rd: Reader, grids: list[Grid], spec: schema.SheetSpec = schema.BUDGETS
) -> dict[str, dict[str, BudgetLine]]:
    """The 项目预算 sheet: fund -> code -> line. Columns are found by their heads in the
    row holding 科目编码; 资金性质 (default 一般公共预算) and 主要用于 are optional."""
    g = _sheet(grids, spec.name)
    out: dict[str, dict[str, BudgetLine]] = {}
    if g is None:
        return out
    head = next(
        (r for r in range(len(g.rows)) if "科目编码" in [normalize_label(t) for t in _texts(g, r)]),
        None,
    )
    if head is None:
        rd.error("IN-35", f"“{spec.name}”表缺少“科目编码”表头行。", g.name)
        return out
    cols = {normalize_label(g.text(head, c)): c for c in range(len(g.rows[head]))}

    def col(*labels: str) -> int | None:
        return next((cols[k] for k in map(normalize_label, labels) if k in cols), None)

    unit = spec.unit or "元"
    cc, ci, ca, cr, cn = (
        col("科目编码"),
        col("年初预算数"),
        col("调整预算数"),
        col("决算数与预算数差异原因"),
        col("科目名称"),
    )
    cf, cp = col("资金性质"), col("主要用于", "主要用途")
    assert cc is not None
    for r in range(head + 1, len(g.rows)):
        code = g.text(r, cc).replace(" ", "")
        if not code:
            continue
        if not re.fullmatch(r"\d{7}", code):
            rd.error(
                "IN-36",
                f"“{spec.name}”的科目编码“{code}”应为7位（项）。",
                g.cell(r, cc),
                "7位编码",
                code,
            )
            continue
        fund = (g.text(r, cf) if cf is not None else "") or _FUNDS[0]
        fund = next((f for f in _FUNDS if normalize_label(fund).startswith(f)), None) or fund
        if fund not in _FUNDS:
            rd.error(
                "IN-34",
                f"“{spec.name}”的资金性质只能填写：{'、'.join(_FUNDS)}。",
                g.cell(r, cf if cf is not None else cc),
                "、".join(_FUNDS),
                fund,
            )
            continue
        lines = out.setdefault(fund, {})
        if code in lines:
            rd.error("IN-37", f"“{spec.name}”中科目编码 {code} 重复。", g.cell(r, cc))
            continue
        lines[code] = BudgetLine(
            code=code,
            name=normalize_label(g.text(r, cn)) if cn is not None else "",
            initial=rd.amount(g, r, ci, unit, budget=True) if ci is not None else None,
            adjusted=rd.amount(g, r, ca, unit, budget=True) if ca is not None else None,
            reason=g.text(r, cr) if cr is not None else "",
            where=g.cell(r, cc),
            fund=fund,
            purpose=g.text(r, cp) if cp is not None else "",
        )
    return out


def _read_sections(grids: list[Grid]) -> list[tuple[str, str]]:
    g = _sheet(grids, schema.OVERALL_PERFORMANCE.name)
    if g is None:
        return []
    out = []
    for r in range(len(g.rows)):
        title, body = g.text(r, 0), g.text(r, 1)
        if r < 2 or normalize_label(title) == "标题" or not (title or body):
            continue
        out.append((title, body))
    return out


# --- entry point --------------------------------------------------------------------


def read_report(
    path: Path, pack: Pack | None = None, resolve: Callable[[list[Grid]], Pack] | None = None
) -> tuple[Report | None, list[Finding]]:
    """Read the workbook; returns the report (None when unusable) and the findings.

    The tables and sheets are the profile's: ``pack``, or the one ``resolve`` picks from
    the workbook's sheets (detection; it raises :class:`InputError` when none fits), or
    the default layout (``yunnan-2021``) when neither is given.
    """
    rd = Reader(path)
    grids = rd.load()
    if resolve is not None:
        pack = resolve(grids)
    layouts = pack.tables if pack is not None else LAYOUTS
    sheets = pack.sheets if pack is not None else schema.SHEETS
    tables = read_tables(rd, grids, layouts)
    kv, kv_cells, fields = {}, {}, {}
    for spec in sheets:
        if spec.kind == "kv":
            kv[spec.name], kv_cells[spec.name] = _read_kv(rd, grids, spec)
            fields[spec.name] = spec.fields
    info = kv.get(schema.UNIT_INFO.name, {})
    if not {"部门名称", "年度"} <= info.keys():
        rd.report_excel_errors()
        return None, rd.findings
    _supply(tables, kv, kv_cells, fields)
    unit = _unit_info(rd, grids, info, kv_cells.get(schema.UNIT_INFO.name, {}))
    for table in tables.values():
        # a layout without a "部门：" line (上海) prints the workbook's department where
        # a table names it (the 说明 under an empty table); R62 compares printed ones only
        table.department = table.department or unit.name.replace(" ", "")
    budget_spec = next((sp for sp in sheets if sp.kind == "budget"), schema.BUDGETS)
    budgets = _read_budgets(rd, grids, budget_spec)
    report = Report(
        unit=unit,
        tables=tables,
        prior={
            k: v for k, v in kv.get(schema.PRIOR.name, {}).items() if k != schema.NEW_UNIT_FIELD
        },
        prior_cells=kv_cells.get(schema.PRIOR.name, {}),
        budgets=budgets.pop(_FUNDS[0], {}),
        fund_budgets=budgets,
        reasons={k: str(v) for k, v in kv.get(schema.REASONS.name, {}).items()},
        facts={name: vals for name, vals in kv.items()},
        fact_cells=kv_cells,
        overall_performance=_read_sections(grids),
        source=str(path),
        profile=pack.layout_name if pack is not None else DEFAULT_LAYOUT,
        prior_spec=next((sp for sp in sheets if sp.name == schema.PRIOR.name), schema.PRIOR),
    )
    report.evaluation, report.projects = read_evaluations(rd, grids)
    rd.report_excel_errors()
    return report, rd.findings


def _supply(tables: dict[str, Table], kv: dict, kv_cells: dict, fields: dict) -> None:
    """Put the figures a sheet gives for a table (``supplies = "t09.cars_held.actual"``)
    where a table of another layout holds them, with the sheet's cell."""
    for sheet, specs in fields.items():
        for f in specs:
            if not f.supplies or f.name not in kv[sheet]:
                continue
            key, item, col = f.supplies.split(".")
            table = tables.get(key)
            if table is None:
                continue
            table.items.setdefault(item, {})[col] = kv[sheet][f.name]
            table.item_cells.setdefault(item, {})[col] = kv_cells[sheet][f.name]
            table.supplied.add(item)
