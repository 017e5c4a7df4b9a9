"""Open a workbook file and turn every sheet into a grid of plain cell values.

This is the only module that knows file formats: .xlsx and legacy .xls, both read by
calamine, recognised by their first bytes rather than by the file name, because users
rename files. It also guards the rest of the program against files it must not trust:
oversized or zip-bomb-like workbooks are refused before they are unpacked, and formulas
saved without a computed value are reported instead of being read as empty (which would
silently turn an amount into zero).
"""

from __future__ import annotations

import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

from .findings import ERROR, Finding, InputError
from .model import Cell

#: Reading stops after this many rows/columns of one sheet (a 决算 table has < 300 rows).
MAX_ROWS = 5000
MAX_COLS = 60
#: An .xlsx larger than this when unpacked is refused before it is parsed.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
#: …and so is one whose members expand more than this ratio (a zip bomb's signature).
MAX_RATIO = 200
MAX_FILE_BYTES = 50 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_SAVE_AGAIN = "请在 Excel 或 WPS 中打开该文件，确认数字显示正常后保存，再重新运行。"


@dataclass
class Grid:
    """A sheet's values as a list of rows (0-based), with its name for cell references."""

    name: str
    rows: list[list[object]]

    def cell(self, r: int, c: int) -> Cell:
        return Cell(self.name, f"{get_column_letter(c + 1)}{r + 1}")

    def text(self, r: int, c: int) -> str:
        v = self.rows[r][c] if c < len(self.rows[r]) else None
        return "" if v is None else str(v).strip()


def _fail(rule: str, message: str, where: str = "") -> InputError:
    return InputError([Finding(ERROR, rule, message, where)])


def load_grids(path: Path) -> tuple[list[Grid], list[Finding]]:
    """Every sheet of the workbook at ``path`` as a grid, plus findings met on the way.

    Raises :class:`InputError` when the file cannot be read at all.
    """
    path = Path(path)
    if not path.exists():
        raise _fail("IN-01", f"找不到输入文件：{path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _fail(
            "IN-07",
            f"{path.name} 大于 {MAX_FILE_BYTES // 1024 // 1024} MB，不像一个部门的决算工作簿，已拒绝读取。",
            path.name,
        )
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(ZIP_MAGIC) and zipfile.is_zipfile(path):
        _refuse_zip_bomb(path)
        findings = _formulas_without_values(path)
        return _load_calamine(path, findings), findings
    if head == OLE_MAGIC:
        return _load_calamine(path, []), []
    raise _fail(
        "IN-02",
        f"{path.name} 不是 Excel 工作簿（.xlsx 或 .xls）。请在 Excel 或 WPS 中打开后另存为 .xlsx。",
        path.name,
    )


# --- .xlsx ---------------------------------------------------------------------------


def _load_calamine(path: Path, findings: list[Finding]) -> list[Grid]:
    """Every sheet's cached values, via calamine (Rust): a tenth of openpyxl's time, and
    the same reader for .xlsx and legacy .xls (BIFF, still written by some software)."""
    from python_calamine import CalamineWorkbook

    try:
        with path.open("rb") as fh:  # a file object: a renamed workbook still opens
            book = CalamineWorkbook.from_filelike(fh)
            grids = []
            for name in book.sheet_names:
                rows = book.get_sheet_by_name(name).iter_rows()
                grids.append(_grid_from_rows(name, rows, findings))
            book.close()
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        raise _fail(
            "IN-02",
            f"无法读取工作簿 {path.name}（{type(exc).__name__}）。请在 Excel 或 WPS 中打开后另存为 .xlsx。",
            path.name,
        ) from exc
    return grids


def _refuse_zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path) as zf:
        total = 0
        for info in zf.infolist():
            total += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            if total > MAX_UNPACKED_BYTES or (info.file_size > 10_000_000 and ratio > MAX_RATIO):
                raise _fail(
                    "IN-07",
                    f"{path.name} 解压后过大（{info.filename} 约 {info.file_size // 1024 // 1024} MB），"
                    "不像一个部门的决算工作簿，已拒绝读取。",
                    path.name,
                )


def _grid_from_rows(name: str, rows, findings: list[Finding]) -> Grid:
    out: list[list[object]] = []
    for i, row in enumerate(rows):
        if i >= MAX_ROWS:
            findings.append(
                Finding(ERROR, "IN-03", f"工作表“{name}”超过 {MAX_ROWS} 行，已停止读取。", name)
            )
            break
        out.append([_value(v) for v in row[:MAX_COLS]])
    while out and all(v is None for v in out[-1]):
        out.pop()
    return Grid(name, out)


def _sheet_parts(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, part path) for every worksheet, read from workbook.xml and its rels."""
    try:
        wb = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return []
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("rel:Relationship", _NS)}
    out = []
    for sh in wb.iterfind("m:sheets/m:sheet", _NS):
        target = targets.get(sh.get(f"{{{_NS['r']}}}id"), "")
        part = target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
        out.append((sh.get("name", ""), posixpath.normpath(part)))
    return out


_CELL_TAG = f"{{{_NS['m']}}}c"
_F_TAG = f"{{{_NS['m']}}}f"
_V_TAG = f"{{{_NS['m']}}}v"


def _formulas_without_values(path: Path) -> list[Finding]:
    """Cells holding a formula but no saved result (files written by scripts, not Excel/WPS).

    A reader sees such a cell as empty, i.e. as 0 元. The check scans the sheet XML
    directly and only when it contains a formula at all, so ordinary exports cost nothing.
    """
    cells: list[tuple[str, str]] = []
    with zipfile.ZipFile(path) as zf:
        for name, part in _sheet_parts(zf):
            try:
                data = zf.read(part)
            except KeyError:
                continue
            if b"<f" not in data and b":f" not in data:
                continue
            for el in ElementTree.fromstring(data).iter(_CELL_TAG):
                f, v = el.find(_F_TAG), el.find(_V_TAG)
                if f is not None and (v is None or not (v.text or "").strip()):
                    cells.append((name, el.get("r", "")))
    if not cells:
        return []
    first = cells[:20]
    findings = [
        Finding(
            ERROR,
            "IN-08",
            "单元格是公式，但文件中没有保存计算结果（文件可能由 Excel/WPS 以外的程序生成），"
            "读取会得到空值。" + _SAVE_AGAIN,
            f"{sheet}!{ref}",
            "公式的计算结果",
            "无",
        )
        for sheet, ref in first
    ]
    if len(cells) > len(first):
        findings.append(
            Finding(ERROR, "IN-08", f"另有 {len(cells) - len(first)} 个公式单元格没有计算结果。")
        )
    return findings


def _value(v: object) -> object:
    """A calamine cell as the rest of the importer expects it: None for an empty cell,
    an int for a whole number (栏次 1, 2, 3 are stored as 1.0), anything else unchanged."""
    if v == "" or v is None:
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return int(v)
    return v
