"""Open a workbook file and turn every sheet into a grid of plain cell values.

This is the only module that knows file formats: .xlsx and legacy .xls, both read by
calamine, recognised by their first bytes rather than by the file name, because users
rename files. It also guards the rest of the program against files it must not trust:
oversized or zip-bomb-like workbooks are refused before they are unpacked, password-
protected ones are named as such, and formulas saved without a computed value are
reported instead of being read as empty (which would silently turn an amount into zero).

Excel error values (#REF!, #DIV/0!, …) would be read as empty too: calamine reads them
as "" (and refuses a workbook holding a newer one such as #SPILL!). They are found in the
file itself (the sheet XML of an .xlsx; xlrd for an .xls) and put into the grid as
:class:`ExcelError` markers; a grid remembers each marker a reader looks at, so every
reader, present or future, reports the cells it actually read and no others.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from .findings import ERROR, Finding, InputError
from .model import Cell


def get_column_letter(index: int) -> str:
    """Column letters of a 1-based index (1 → A, 27 → AA), as openpyxl.utils' function
    of that name: importing openpyxl for it cost every build 0.3 s."""
    letters = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index_from_string(letters: str) -> int:
    """The 1-based index of column letters (A → 1, AA → 27)."""
    index = 0
    for ch in letters.upper():
        index = index * 26 + ord(ch) - 64
    return index


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


class ExcelError(str):
    """An Excel error value in a cell ("#REF!", "#DIV/0!", …), as its text.

    A str so that label scans pass over it harmlessly; readers of values test for it.
    """

    __slots__ = ()


@dataclass
class Grid:
    """A sheet's values as a list of rows (0-based), with its name for cell references."""

    name: str
    rows: list[list[object]]
    #: the :class:`ExcelError` cells a reader has looked at, (row, col) in reading order
    errors_read: dict[tuple[int, int], ExcelError] = field(default_factory=dict)
    #: merged ranges (first row, first col, last row, last col), 0-based, inclusive: a
    #: header label spans the columns it stands over (see reportgen.headers)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)

    def cell(self, r: int, c: int) -> Cell:
        return Cell(self.name, f"{get_column_letter(c + 1)}{r + 1}")

    def value(self, r: int, c: int) -> object:
        """The cell's value as read (None when empty); an error value is remembered."""
        v = self.rows[r][c] if c < len(self.rows[r]) else None
        if isinstance(v, ExcelError):
            self.errors_read.setdefault((r, c), v)
        return v

    def text(self, r: int, c: int) -> str:
        v = self.value(r, c)
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
        findings, errors, patched = _scan_xlsx(path)
        source = _patched_copy(path, patched) if patched else None
        return _load_calamine(path, findings, errors, source), findings
    if head == OLE_MAGIC:
        grids = _load_calamine(path, [], {})
        _mark_errors(grids, _xls_error_cells(path))
        return grids, []
    raise _fail(
        "IN-02",
        f"{path.name} 不是 Excel 工作簿（.xlsx 或 .xls）。请在 Excel 或 WPS 中打开后另存为 .xlsx。",
        path.name,
    )


# --- .xlsx ---------------------------------------------------------------------------


def _load_calamine(
    path: Path,
    findings: list[Finding],
    errors: dict[str, dict[tuple[int, int], str]],
    source: Path | io.BytesIO | None = None,
) -> list[Grid]:
    """Every sheet's cached values, via calamine (Rust): a tenth of openpyxl's time, and
    the same reader for .xlsx and legacy .xls (BIFF, still written by some software).

    ``errors`` (sheet -> (row, col) -> "#REF!") become :class:`ExcelError` markers;
    ``source`` is what calamine reads when it is not the file itself."""
    from python_calamine import CalamineWorkbook

    try:
        with _open(source or path) as fh:  # a file object: a renamed workbook still opens
            book = CalamineWorkbook.from_filelike(fh)
            grids = []
            for name in book.sheet_names:
                sheet = book.get_sheet_by_name(name)
                grids.append(_grid_from_rows(name, sheet, findings, errors.get(name, {})))
            book.close()
    except InputError:
        raise
    except Exception as exc:  # calamine raises its own error types for broken files
        if _encrypted(path, exc):
            raise _fail(
                "IN-13",
                f"工作簿 {path.name} 设有打开密码，无法读取。请在 Excel 或 WPS 中打开后取消密码"
                "（文件→信息→保护工作簿→用密码进行加密，清空密码）再保存，然后重新运行。",
                path.name,
            ) from exc
        raise _fail(
            "IN-02",
            f"无法读取工作簿 {path.name}（{type(exc).__name__}）。请在 Excel 或 WPS 中打开后另存为 .xlsx。",
            path.name,
        ) from exc
    return grids


def _open(source: Path | io.BytesIO):
    return source if isinstance(source, io.BytesIO) else source.open("rb")


def _encrypted(path: Path, exc: Exception) -> bool:
    """Whether a workbook calamine could not open is password-protected: an encrypted
    .xlsx is an OLE file holding EncryptionInfo and EncryptedPackage streams (calamine
    then sees no known format); an encrypted .xls makes calamine raise PasswordError."""
    from python_calamine import PasswordError

    if isinstance(exc, PasswordError):
        return True
    with path.open("rb") as fh:
        if fh.read(8) != OLE_MAGIC:
            return False
    from xlrd.compdoc import CompDoc

    try:
        names = {d.name for d in CompDoc(path.read_bytes(), logfile=io.StringIO()).dirlist}
    except Exception:  # a damaged OLE file: not ours to explain, IN-02 says it is unreadable
        return False
    return {"EncryptionInfo", "EncryptedPackage"} <= names


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


def _grid_from_rows(
    name: str, sheet, findings: list[Finding], errors: dict[tuple[int, int], str]
) -> Grid:
    # calamine's rows start at row 1 but at the sheet's first used column: pad them so
    # that (row, col) is always the cell's own position (a sheet may leave column A empty)
    pad = [None] * (sheet.start[1] if sheet.start else 0)
    out: list[list[object]] = []
    for i, row in enumerate(sheet.iter_rows()):
        if i >= MAX_ROWS:
            findings.append(
                Finding(ERROR, "IN-03", f"工作表“{name}”超过 {MAX_ROWS} 行，已停止读取。", name)
            )
            break
        out.append((pad + [_value(v) for v in row])[:MAX_COLS])
    grid = Grid(name, out)
    try:
        ranges = sheet.merged_cell_ranges or []
    except Exception:  # not every format calamine reads reports merges
        ranges = []
    grid.merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in ranges]
    _mark_errors([grid], {name: errors})
    while out and all(v is None for v in out[-1]):
        out.pop()
    return grid


def _mark_errors(grids: list[Grid], errors: dict[str, dict[tuple[int, int], str]]) -> None:
    """Put an :class:`ExcelError` into each error cell (within the limits read)."""
    for g in grids:
        for (r, c), text in errors.get(g.name, {}).items():
            if r >= MAX_ROWS or c >= MAX_COLS:
                continue
            while len(g.rows) <= r:
                g.rows.append([])
            row = g.rows[r]
            row.extend([None] * (c + 1 - len(row)))
            row[c] = ExcelError(text)


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
_ROW_TAG = f"{{{_NS['m']}}}row"
_F_TAG = f"{{{_NS['m']}}}f"
_V_TAG = f"{{{_NS['m']}}}v"
#: the cell-type attribute of an error cell, as Excel, WPS and openpyxl write it
_ERROR_TYPE = re.compile(rb"""(<(?:\w+:)?c\s[^>]*?)\bt=(["'])e\2""")
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _scan_xlsx(
    path: Path,
) -> tuple[list[Finding], dict[str, dict[tuple[int, int], str]], dict[str, bytes]]:
    """What calamine cannot be trusted with, from the sheet XML: formulas without a saved
    result (IN-08 findings), error cells (sheet -> (row, col) -> "#REF!"), and the sheet
    parts with those cells retyped as text (calamine refuses #SPILL! and newer errors).

    A part is parsed only when its bytes contain a formula or an error cell, so ordinary
    exports cost nothing.
    """
    missing: list[tuple[str, str]] = []
    errors: dict[str, dict[tuple[int, int], str]] = {}
    patched: dict[str, bytes] = {}
    with zipfile.ZipFile(path) as zf:
        for name, part in _sheet_parts(zf):
            try:
                data = zf.read(part)
            except (KeyError, zipfile.BadZipFile, zlib.error, EOFError):
                continue  # a damaged member: calamine reports the file as unreadable (IN-02)
            has_formula = b"<f" in data or b":f" in data
            has_error = b't="e"' in data or b"t='e'" in data
            if not (has_formula or has_error):
                continue
            try:
                root = ElementTree.fromstring(data)
            except ElementTree.ParseError:
                continue  # calamine reports the broken part (IN-02)
            if has_formula:
                missing += [(name, ref) for ref in _formulas_without_values(root)]
            if has_error:
                errors[name] = _error_cells(root)
                patched[part] = _ERROR_TYPE.sub(rb'\1t="str"', data)
    return _missing_value_findings(missing), errors, patched


def _formulas_without_values(root: ElementTree.Element) -> list[str]:
    """Cells holding a formula but no saved result (files written by scripts, not Excel/WPS).

    A reader sees such a cell as empty, i.e. as 0 元.
    """
    refs = []
    for el in root.iter(_CELL_TAG):
        f, v = el.find(_F_TAG), el.find(_V_TAG)
        if f is not None and (v is None or not (v.text or "").strip()):
            refs.append(el.get("r", ""))
    return refs


def _error_cells(root: ElementTree.Element) -> dict[tuple[int, int], str]:
    """(row, col) -> error text of every t="e" cell; positions as calamine counts them
    (the r attributes, or the order of rows and cells where a writer left them out)."""
    out: dict[tuple[int, int], str] = {}
    r = -1
    for row in root.iter(_ROW_TAG):
        r = int(row.get("r")) - 1 if (row.get("r") or "").isdigit() else r + 1
        c = -1
        for el in row.iter(_CELL_TAG):
            m = _REF.match(el.get("r") or "")
            c = column_index_from_string(m.group(1)) - 1 if m else c + 1
            if el.get("t") == "e":
                v = el.find(_V_TAG)
                out[(r, c)] = ((v.text or "") if v is not None else "").strip() or "#错误"
    return out


def _patched_copy(path: Path, parts: dict[str, bytes]) -> io.BytesIO | None:
    """The workbook in memory, uncompressed, with ``parts`` replaced (its size is bounded
    by IN-07); None when a member cannot be read (calamine then reports the file)."""
    buf = io.BytesIO()
    try:
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w") as dst:
            for info in src.infolist():
                dst.writestr(info.filename, parts.get(info.filename) or src.read(info))
    except (zipfile.BadZipFile, zlib.error, EOFError):
        return None
    buf.seek(0)
    return buf


def _xls_error_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Error cells of a legacy .xls, via xlrd: calamine reads them as "" and says nothing.

    xlrd is used for this alone (it reads BIFF, the .xls format, and nothing newer).
    """
    import xlrd

    try:
        book = xlrd.open_workbook(
            file_contents=path.read_bytes(), on_demand=True, logfile=io.StringIO()
        )
    except Exception:  # calamine has read the file; an xlrd quirk must not stop the build
        return {}
    out: dict[str, dict[tuple[int, int], str]] = {}
    try:
        for i, name in enumerate(book.sheet_names()):
            sheet = book.sheet_by_index(i)
            for r in range(min(sheet.nrows, MAX_ROWS)):
                types = sheet.row_types(r)
                for c, kind in enumerate(types[:MAX_COLS]):
                    if kind == xlrd.XL_CELL_ERROR:
                        code = sheet.cell_value(r, c)
                        text = xlrd.error_text_from_code.get(code, f"#错误{code}")
                        out.setdefault(name, {})[(r, c)] = text
    finally:
        book.release_resources()
    return out


def _missing_value_findings(cells: list[tuple[str, str]]) -> list[Finding]:
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
