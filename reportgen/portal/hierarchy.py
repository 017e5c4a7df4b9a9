"""Reading the bureau's lists: the unit tree (单位名称, 上级单位, 单位性质, 联系人, 联系电话)
and the accounts (登录名, 角色, 单位名称, 初始密码), from .csv or .xlsx.

A bureau keeps these lists in Excel or exports them from another system, so the reader
is lenient about form — columns in any order, extra columns ignored, CSV in UTF-8 (with
or without BOM) or GBK as Chinese Excel saves it, blank rows skipped — and strict about
content: every problem names its row (the file's own row number, header = 1), and
:mod:`.store` writes nothing when there is any. Checks that need the database (a parent
named nowhere, cycles through units already stored) are made there.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

UNIT_COLUMNS = ("单位名称", "上级单位", "单位性质", "联系人", "联系电话")
USER_COLUMNS = ("登录名", "角色", "单位名称", "初始密码")

#: Longest accepted cell text per column (the database's column widths, in characters).
WIDTHS = {
    "单位名称": 200,
    "上级单位": 200,
    "单位性质": 100,
    "联系人": 100,
    "联系电话": 100,
    "登录名": 100,
    "角色": 16,
    "初始密码": 1000,
}

#: Bigger files are not a bureau's list (the Shanghai district has a few hundred units).
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
#: ... nor is a workbook that unpacks to more than this.
MAX_UNPACKED_BYTES = 50 * 1024 * 1024


class TableError(ValueError):
    """The file cannot be read as a list at all (format, encoding, no header)."""


@dataclass(frozen=True)
class ImportProblem:
    """One problem of an imported list: where (sheet, row) and what, in Chinese."""

    sheet: str
    row: int
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行：{self.message}" if self.row else self.message


@dataclass(frozen=True)
class ImportReport:
    """What an import did: rows added and updated, or (and then nothing) its problems."""

    added: int = 0
    updated: int = 0
    errors: list[ImportProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def text(self) -> str:
        if self.errors:
            return "\n".join(str(p) for p in self.errors) + "\n文件有错误，未导入任何内容。"
        return f"新增 {self.added} 条，更新 {self.updated} 条。"


@dataclass(frozen=True)
class Row:
    """One data row: the file's row number and its cells by column name (only the
    columns the header has; text stripped)."""

    number: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Table:
    sheet: str
    columns: tuple[str, ...]  # the known columns the header has
    rows: list[Row]
    problems: list[ImportProblem]


def clean(text: object) -> str:
    """Cell text as stored: NFC, stripped of spaces (full-width too) and invisible
    characters at both ends; numbers from Excel without a trailing ``.0``."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    value = unicodedata.normalize("NFC", str(text))
    return value.strip().strip("\u200b\ufeff\u3000").strip()


def read_table(path: Path, known: tuple[str, ...], required: tuple[str, ...]) -> Table:
    """The rows of the list in ``path`` (.csv or .xlsx), by the header names in ``known``.

    Raises :class:`TableError` when the file is not such a list; per-row problems (a cell
    too long) and missing required columns are in ``Table.problems``.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise TableError(f"无法读取文件 {path.name}：{exc.strerror or exc}") from exc
    if size > MAX_BYTES:
        raise TableError(f"文件 {path.name} 过大（超过 {MAX_BYTES // 1024 // 1024} MB）。")
    if suffix == ".csv":
        sheet, grid = path.name, _csv_grid(path)
    elif suffix in (".xlsx", ".xlsm"):
        sheet, grid = _xlsx_grid(path, known)
    else:
        raise TableError(f"不支持的文件类型“{path.suffix}”：请使用 .csv 或 .xlsx 文件。")
    return _table(sheet, grid, known, required)


def _csv_grid(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte string
        raise TableError(f"文件 {path.name} 的编码无法识别：请另存为 UTF-8 或 GBK 编码的 CSV。")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise TableError(f"文件 {path.name} 不是有效的 CSV：{exc}") from exc


def _xlsx_grid(path: Path, known: tuple[str, ...]) -> tuple[str, list[list[object]]]:
    """The first sheet whose first non-blank row names a known column (else the first)."""
    import zipfile

    from openpyxl import load_workbook

    invalid = f"文件 {path.name} 不是有效的 .xlsx 工作簿。"
    try:
        with zipfile.ZipFile(path) as packed:
            unpacked = sum(info.file_size for info in packed.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise TableError(invalid) from exc
    if unpacked > MAX_UNPACKED_BYTES:  # a zip bomb, not a list of units
        raise TableError(f"文件 {path.name} 解压后过大，不像单位表或账号表，已拒绝读取。")
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise TableError(invalid) from exc
    try:
        grids = []
        for ws in book.worksheets:
            grid = [list(r) for r in islice(ws.iter_rows(values_only=True), MAX_ROWS + 2)]
            grids.append((ws.title, grid))
    finally:
        book.close()
    if not grids:
        raise TableError(f"工作簿 {path.name} 中没有工作表。")
    for title, grid in grids:
        header = _first_nonblank(grid)
        if header is not None and {clean(c) for c in grid[header]} & set(known):
            return title, grid
    return grids[0]


def _first_nonblank(grid: list[list[object]]) -> int | None:
    for i, row in enumerate(grid):
        if any(clean(c) for c in row):
            return i
    return None


def _table(
    sheet: str, grid: list[list[object]], known: tuple[str, ...], required: tuple[str, ...]
) -> Table:
    header_at = _first_nonblank(grid)
    if header_at is None:
        raise TableError(f"{sheet} 是空的：第一行应为表头（{'、'.join(known)}）。")
    if len(grid) - header_at - 1 > MAX_ROWS:
        raise TableError(f"{sheet} 的行数超过 {MAX_ROWS} 行。")
    header_row = header_at + 1
    positions: dict[str, int] = {}
    problems: list[ImportProblem] = []
    for col, cell in enumerate(grid[header_at]):
        name = clean(cell).lstrip("*＊").rstrip("*＊").strip()
        if name not in known:
            continue
        if name in positions:
            problems.append(ImportProblem(sheet, header_row, f"表头中“{name}”列出现了两次。"))
        else:
            positions[name] = col
    for name in required:
        if name not in positions:
            problems.append(
                ImportProblem(sheet, header_row, f"表头中没有“{name}”列（第一行应为表头）。")
            )
    if problems:
        return Table(sheet, tuple(positions), [], problems)
    rows = []
    for offset, raw in enumerate(grid[header_at + 1 :]):
        number = header_row + 1 + offset
        cells = {name: clean(raw[col]) if col < len(raw) else "" for name, col in positions.items()}
        if not any(cells.values()):
            continue
        for name, value in cells.items():
            if len(value) > WIDTHS.get(name, 200):
                problems.append(
                    ImportProblem(
                        sheet, number, f"“{name}”过长（最多 {WIDTHS.get(name, 200)} 个字符）。"
                    )
                )
        rows.append(Row(number, cells))
    return Table(sheet, tuple(positions), rows, problems)


@dataclass(frozen=True)
class UnitRow:
    row: int
    name: str
    parent: str | None  # None: the file has no 上级单位 column (parent unchanged)
    fields: dict[str, str]  # nature/contact/phone present in the file


_UNIT_FIELDS = {"单位性质": "nature", "联系人": "contact", "联系电话": "phone"}


def read_units(path: Path) -> tuple[str, list[UnitRow], list[ImportProblem]]:
    """The unit rows of ``path`` with the problems found in the file alone: empty names,
    a name twice, a unit its own parent."""
    table = read_table(path, UNIT_COLUMNS, ("单位名称",))
    problems = list(table.problems)
    seen: dict[str, int] = {}
    out = []
    for row in table.rows:
        name = row.get("单位名称")
        if not name:
            problems.append(ImportProblem(table.sheet, row.number, "单位名称为空。"))
            continue
        if name in seen:
            problems.append(
                ImportProblem(table.sheet, row.number, f"单位“{name}”与第 {seen[name]} 行重复。")
            )
            continue
        seen[name] = row.number
        parent = row.get("上级单位") if "上级单位" in table.columns else None
        if parent == name:
            problems.append(
                ImportProblem(table.sheet, row.number, f"单位“{name}”不能是自己的上级单位。")
            )
            continue
        fields = {_UNIT_FIELDS[c]: row.get(c) for c in _UNIT_FIELDS if c in table.columns}
        out.append(UnitRow(row.number, name, parent, fields))
    return table.sheet, out, problems


ROLE_NAMES = {
    "admin": "admin",
    "管理员": "admin",
    "reviewer": "reviewer",
    "审核员": "reviewer",
    "unit": "unit",
    "单位": "unit",
    "单位用户": "unit",
}


@dataclass(frozen=True)
class UserRow:
    row: int
    login: str
    role: str
    unit: str
    password: str


def read_users(path: Path) -> tuple[str, list[UserRow], list[ImportProblem]]:
    """The account rows of ``path`` with the problems found in the file alone."""
    from .auth import password_problem

    table = read_table(path, USER_COLUMNS, ("登录名", "角色"))
    problems = list(table.problems)
    seen: dict[str, int] = {}
    out = []
    for row in table.rows:
        login, role_text = row.get("登录名"), row.get("角色")
        found = len(problems)
        if not login:
            problems.append(ImportProblem(table.sheet, row.number, "登录名为空。"))
        elif login_problem(login):
            problems.append(ImportProblem(table.sheet, row.number, login_problem(login)))
        elif login in seen:
            problems.append(
                ImportProblem(
                    table.sheet, row.number, f"登录名“{login}”与第 {seen[login]} 行重复。"
                )
            )
        role = ROLE_NAMES.get(role_text.lower() if role_text.isascii() else role_text)
        if role is None:
            problems.append(
                ImportProblem(
                    table.sheet,
                    row.number,
                    f"角色“{role_text}”无效：应为 管理员、审核员 或 单位（admin、reviewer、unit）。",
                )
            )
        if role == "unit" and not row.get("单位名称"):
            problems.append(ImportProblem(table.sheet, row.number, "单位用户须填写单位名称。"))
        password = row.get("初始密码")
        if password and password_problem(password):
            problems.append(ImportProblem(table.sheet, row.number, password_problem(password)))
        if len(problems) == found:
            seen[login] = row.number
            out.append(UserRow(row.number, login, role, row.get("单位名称"), password))
    return table.sheet, out, problems


def login_problem(login: str) -> str | None:
    """Why ``login`` cannot name an account: it must be visible text without spaces."""
    if not login:
        return "登录名不能为空。"
    if len(login) > WIDTHS["登录名"]:
        return f"登录名过长（最多 {WIDTHS['登录名']} 个字符）。"
    if any(ch.isspace() or unicodedata.category(ch)[0] in "CZ" for ch in login):
        return f"登录名“{login}”中不能有空格或不可见字符。"
    return None
