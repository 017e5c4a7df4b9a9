"""The free-text parts a workbook holds (主要职能, 变动原因, 差异原因…): list them, write them back.

A unit edits these texts in the portal's page, and the change must be in the workbook it
downloads again, so the workbook stays the one source of the document. Which cells are
free text is read from the profile's supplementary sheets (``schema.SheetSpec``, a
profile's ``sheets.toml``), located the way ``reportgen.inputs`` reads them (label in
column A of a 项目/内容 sheet; column heads of the 项目预算 list; rows of 整体绩效自评),
so a field is edited exactly where the importer will look for it.

Writing back changes only the edited cells of the sheet XML; every other part of the
.xlsx package is copied byte for byte. openpyxl is not used for the write: it re-saves
every sheet and drops what it does not model — the cached results of formulas (a 公开表
pasted from Excel with =SUM totals would then read as "formula without a value", IN-08),
charts, images and shapes. A value is stored as an inline string, never as a formula (a
text starting with "=" stays text, and its cell gets Excel's quotePrefix so editing it in
Excel keeps it text too).

Legacy .xls workbooks are refused (:class:`EditError`): the format cannot be rewritten in
place, and converting it would silently lose its formatting, so the unit is asked to save
it as .xlsx (Excel/WPS: 另存为 .xlsx) and upload that.
"""

from __future__ import annotations

import copy
import io
import re
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from lxml import etree

from .. import schema
from ..atomic import write_atomic
from ..findings import InputError
from ..layouts import normalize_label
from ..narrative import Pack, load_pack
from ..profiles import choose
from ..sheets import (
    OLE_MAGIC,
    Grid,
    _sheet_parts,
    column_index_from_string,
    get_column_letter,
    load_grids,
)

#: Excel keeps at most this many characters in a cell; a longer text would be cut.
EXCEL_MAX_CHARS = 32767

#: Text fields that are not prose: the department's name identifies the document (title,
#: file name, the tables' 部门： line, the portal's unit); a 科目's code and name are
#: read as a code (the name must agree with it). They are changed in the workbook.
NOT_PROSE = ("部门名称", "科目编码", "科目名称")

#: column heads the 项目预算 reader also accepts for a field (inputs._read_budgets)
_COLUMN_ALIASES = {"主要用于": ("主要用途",)}

#: the fund of a 项目预算 row with an empty 资金性质 (inputs._FUNDS[0])
_DEFAULT_FUND = "一般公共预算"

#: right-to-left overrides and isolates: they make a text display otherwise than it reads
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

#: a text starting with one of these is a formula when typed into Excel
_FORMULA_STARTS = ("=", "+", "-", "@")


class EditError(ValueError):
    """A workbook or a value the editor refuses; every problem is Chinese and names the field."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


@dataclass(frozen=True)
class TextField:
    """One free-text cell of the workbook, as the edit page shows it."""

    #: stable key: "变动原因/收支总计变动原因", "项目预算/决算数与预算数差异原因/2013799"
    #: (row key: the 科目编码, "政府性基金:2120803" for another fund), "整体绩效自评/内容/5"
    key: str
    sheet: str  # the sheet's name in the workbook
    cell: str  # "单位基本情况!B7"
    label: str  # the label as the sheet shows it (column A, or the column's head)
    value: str  # the current text ("" when empty)
    multiline: bool  # the spec allows paragraphs (可分段), or the text has several lines
    max_length: int = EXCEL_MAX_CHARS
    #: list sheets: which row ("2013799 其他网信事务支出"); "" on 项目/内容 sheets
    row_label: str = ""
    help: str = ""  # the spec's 填写说明
    #: False when the sheet lacks the field's row: writing it appends the row (label in
    #: column A) at ``cell``, where the reader finds it as any other
    row_exists: bool = True

    @property
    def ref(self) -> str:
        """The cell's reference without the sheet ("B7")."""
        return self.cell.rsplit("!", 1)[1]


class Change(NamedTuple):
    """A value actually changed by :func:`apply_texts`."""

    key: str
    old: str
    new: str


# --- listing ---------------------------------------------------------------------------


def editable_texts(workbook: Path, pack_or_profile: Pack | str | None = None) -> list[TextField]:
    """Every free-text field of the workbook's supplementary sheets, in the profile's order.

    ``pack_or_profile``: a loaded profile, the name of a layout or wording, or None to
    recognise the layout from the workbook's tables as ``reportgen build`` does.
    Raises :class:`EditError` for a workbook that cannot be read or edited (.xls).
    """
    grids = _grids(Path(workbook))
    pack = _pack(Path(workbook), grids, pack_or_profile)
    out: list[TextField] = []
    for spec in pack.sheets:
        g = _grid(grids, spec.name)
        if g is None:
            continue  # a sheet the workbook lacks is not added (the check says it is missing)
        if spec.kind == "kv":
            out += _kv_fields(g, spec)
        elif spec.kind == "budget":
            out += _budget_fields(g, spec)
        elif spec.kind == "sections":
            out += _section_fields(g, spec)
    return out


def _grids(path: Path) -> list[Grid]:
    """The workbook's sheets as the importer reads them (示例： rows blanked), or EditError."""
    try:
        grids, _findings = load_grids(path)
    except InputError as exc:
        raise EditError([f.message for f in exc.findings]) from exc
    with path.open("rb") as fh:
        if fh.read(8) == OLE_MAGIC:
            raise EditError(
                f"{path.name} 是旧式 .xls 工作簿，网页中不能修改其中的文字。"
                "请在 Excel 或 WPS 中打开后“另存为”Excel 工作簿（.xlsx），上传 .xlsx 后再修改。"
            )
    for g in grids:
        g.rows = [[None] * len(row) if schema.is_example_row(row) else row for row in g.rows]
    return grids


def _pack(path: Path, grids: list[Grid], pack_or_profile: Pack | str | None) -> Pack:
    if isinstance(pack_or_profile, Pack):
        return pack_or_profile
    try:
        if pack_or_profile:
            return load_pack(pack_or_profile)
        return choose(grids, source=path.name)
    except InputError as exc:
        raise EditError([f.message for f in exc.findings]) from exc


def _grid(grids: list[Grid], name: str) -> Grid | None:
    return next((g for g in grids if normalize_label(g.name) == normalize_label(name)), None)


def _is_prose(f: schema.Field) -> bool:
    return f.kind == "text" and not f.legacy and f.label not in NOT_PROSE


def _multiline(f: schema.Field, value: str) -> bool:
    return "分段" in f.help or "换行" in f.help or "\n" in value


def _kv_fields(g: Grid, spec: schema.SheetSpec) -> list[TextField]:
    """项目/内容 sheets: the row whose column A is the field's label (the last such row,
    as the reader keeps it); a field without a row gets one after the sheet's last row."""
    by_label = {normalize_label(f.label): f for f in spec.fields}
    rows: dict[str, int] = {}
    for r in range(2, len(g.rows)):
        label = normalize_label(g.text(r, 0))
        if label and label != "项目" and label in by_label:
            rows[by_label[label].name] = r
    out, next_row = [], len(g.rows)
    for f in spec.fields:
        if not _is_prose(f):
            continue
        r = rows.get(f.name)
        exists = r is not None
        if r is None:
            r, next_row = next_row, next_row + 1
        value = _text(g, r, 1) if exists else ""
        out.append(
            TextField(
                key=f"{spec.name}/{f.name}",
                sheet=g.name,
                cell=str(g.cell(r, 1)),
                label=g.text(r, 0) if exists else f.label,
                value=value,
                multiline=_multiline(f, value),
                help=f.help,
                row_exists=exists,
            )
        )
    return out


def _budget_fields(g: Grid, spec: schema.SheetSpec) -> list[TextField]:
    """项目预算: one field per text column (差异原因, 主要用于) and 科目 row, keyed by code."""
    head = next(
        (r for r in range(len(g.rows)) if "科目编码" in [normalize_label(t) for t in _row(g, r)]),
        None,
    )
    if head is None:
        return []
    cols = {normalize_label(g.text(head, c)): c for c in range(len(g.rows[head]))}

    def col(label: str) -> int | None:
        names = (label, *_COLUMN_ALIASES.get(label, ()))
        return next((cols[k] for k in map(normalize_label, names) if k in cols), None)

    cc, cn, cf = col("科目编码"), col("科目名称"), col("资金性质")
    texts = [(f, c) for f in spec.fields if _is_prose(f) and (c := col(f.label)) is not None]
    out, seen = [], set()
    for r in range(head + 1, len(g.rows)):
        code = g.text(r, cc).replace(" ", "")
        if not re.fullmatch(r"\d{7}", code):
            continue  # not a 项 row (the reader reports a bad code)
        fund = (g.text(r, cf) if cf is not None else "") or _DEFAULT_FUND
        if (fund, code) in seen:
            continue  # a repeated code: the reader uses the first row (IN-37)
        seen.add((fund, code))
        row_key = code if fund == _DEFAULT_FUND else f"{fund}:{code}"
        name = g.text(r, cn) if cn is not None else ""
        row_label = " ".join(t for t in (fund if cf is not None else "", code, name) if t)
        for f, c in texts:
            value = _text(g, r, c)
            out.append(
                TextField(
                    key=f"{spec.name}/{f.name}/{row_key}",
                    sheet=g.name,
                    cell=str(g.cell(r, c)),
                    label=g.text(head, c),
                    value=value,
                    multiline=_multiline(f, value),
                    row_label=row_label,
                    help=f.help,
                )
            )
    return out


def _section_fields(g: Grid, spec: schema.SheetSpec) -> list[TextField]:
    """整体绩效自评: 标题 (column A) and 内容 (column B) of every filled row, keyed by row."""
    out = []
    for r in range(2, len(g.rows)):
        title, body = g.text(r, 0), g.text(r, 1)
        if normalize_label(title) == "标题" or not (title or body):
            continue
        for c, f in enumerate(spec.fields[:2]):
            value = _text(g, r, c)
            out.append(
                TextField(
                    key=f"{spec.name}/{f.name}/{r + 1}",
                    sheet=g.name,
                    cell=str(g.cell(r, c)),
                    label=f.label,
                    value=value,
                    multiline=_multiline(f, value),
                    row_label=title,
                    help=f.help,
                )
            )
    return out


def _row(g: Grid, r: int) -> list[str]:
    return [g.text(r, c) for c in range(len(g.rows[r]))]


def _text(g: Grid, r: int, c: int) -> str:
    """A cell's text as the reader takes it (a number typed into a text cell as written)."""
    raw = g.value(r, c) if r < len(g.rows) else None
    if raw is None:
        return ""
    return f"{raw:g}" if isinstance(raw, float) else str(raw).strip()


# --- checking values -------------------------------------------------------------------


def _where(f: TextField) -> str:
    row = f"（{f.row_label}）" if f.row_label else ""
    return f"“{f.sheet}”的“{f.label}”{row}（{f.cell}）"


def clean_value(f: TextField, value: object) -> str:
    """The text as it will be stored: line ends as \\n, trailing spaces of each line and
    trailing empty lines removed; EditError for what a cell must not hold."""
    if not isinstance(value, str):
        raise EditError(f"{_where(f)}：应为文字。")
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    for i, ch in enumerate(text):
        cat = unicodedata.category(ch)
        if (cat == "Cc" and ch not in "\n\t") or cat == "Cs" or ch in _BIDI_CONTROLS:
            raise EditError(
                f"{_where(f)}：第{i + 1}个字符是不可见的控制字符（U+{ord(ch):04X}），"
                "不能写入单元格。请删去后重新填写（可使用换行和制表符）。"
            )
    text = "\n".join(line.rstrip() for line in text.split("\n")).rstrip()
    if len(text) > f.max_length:
        raise EditError(f"{_where(f)}：文字过长（{len(text)} 字，最多 {f.max_length} 字）。")
    return text


# --- writing ---------------------------------------------------------------------------


def apply_texts(
    workbook: Path,
    values: Mapping[str, str],
    out: Path,
    pack_or_profile: Pack | str | None = None,
) -> list[Change]:
    """Write ``values`` (field key → new text) into the workbook and save it as ``out``.

    Every value is checked first; any unknown key or bad value raises :class:`EditError`
    listing each problem, and nothing is written. ``out`` (which may be ``workbook``)
    is written atomically. Returns the fields actually changed, in listing order.
    """
    workbook = Path(workbook)
    fields = editable_texts(workbook, pack_or_profile)
    by_key = {f.key: f for f in fields}
    problems = [f"没有可修改的文字项“{k}”。" for k in values if k not in by_key]
    new: dict[str, str] = {}
    for key, value in values.items():
        if key in by_key:
            try:
                new[key] = clean_value(by_key[key], value)
            except EditError as exc:
                problems += exc.problems
    if problems:
        raise EditError(problems)
    changes = [
        Change(f.key, f.value, new[f.key]) for f in fields if new.get(f.key, f.value) != f.value
    ]
    edits = [(by_key[c.key], c.new) for c in changes]
    data = _rewrite(workbook, edits) if edits else workbook.read_bytes()
    write_atomic(out, data)
    return changes


_M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")


def _q(tag: str) -> str:
    return f"{{{_M}}}{tag}"


def _parser() -> etree.XMLParser:
    # no entities, no network: the package is the user's file
    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _rewrite(workbook: Path, edits: list[tuple[TextField, str]]) -> bytes:
    """The .xlsx bytes with each edited cell replaced; all other members copied as they are."""
    with zipfile.ZipFile(workbook) as zf:
        parts = dict(_sheet_parts(zf))
        styles = _Styles(zf)
        replaced: dict[str, bytes] = {}
        drop_calc = False
        for sheet in dict.fromkeys(f.sheet for f, _ in edits):
            part = parts.get(sheet)
            if part is None or part not in zf.namelist():
                raise EditError(
                    f"{workbook.name} 中找不到工作表“{sheet}”的内容，无法写入。"
                    "请在 Excel 或 WPS 中打开后另存为 .xlsx，再上传。"
                )
            root = etree.fromstring(zf.read(part), _parser())
            sheet_data = root.find(_q("sheetData"))
            _number_rows(sheet_data)
            for f, text in ((f, t) for f, t in edits if f.sheet == sheet):
                if not f.row_exists:
                    label_ref = "A" + _REF.match(f.ref).group(2)
                    _set_cell(sheet_data, label_ref, f.label, styles, f)
                drop_calc |= _set_cell(sheet_data, f.ref, text, styles, f)
            _widen_dimension(root, sheet_data)
            replaced[part] = _serialize(root)
        replaced.update(styles.parts())
        drop = set()
        if drop_calc:  # a formula was replaced: Excel rebuilds the chain, a stale one is "damaged"
            drop, extra = _without_calc_chain(zf)
            replaced.update(extra)
        return _repack(zf, replaced, drop)


def _number_rows(sheet_data: etree._Element) -> None:
    """Give every row and cell its explicit reference (writers may leave them implicit),
    so cells can be found and inserted in order."""
    r = 0
    for row in sheet_data.iter(_q("row")):
        r = int(row.get("r")) if (row.get("r") or "").isdigit() else r + 1
        row.set("r", str(r))
        c = 0
        for cell in row.iter(_q("c")):
            m = _REF.match(cell.get("r") or "")
            c = column_index_from_string(m.group(1)) if m else c + 1
            cell.set("r", f"{get_column_letter(c)}{r}")


def _set_cell(sheet_data, ref: str, text: str, styles: _Styles, f: TextField) -> bool:
    """Store ``text`` at ``ref`` as an inline string (or empty it); True when a formula
    was removed. The cell keeps its style; a new cell takes that of the cell above."""
    col, row_no = _REF.match(ref).groups()
    row = _find_or_insert(sheet_data, _q("row"), int(row_no), lambda e: int(e.get("r")))
    row.set("r", row_no)
    cell = _find_or_insert(row, _q("c"), column_index_from_string(col), _col_of)
    if cell.get("r") is None:
        cell.set("r", ref)
        style = _style_above(sheet_data, col, int(row_no))
        if style is not None:
            cell.set("s", style)
    formula = cell.find(_q("f"))
    if formula is not None and formula.get("t") == "shared" and formula.get("ref"):
        raise EditError(
            f"{_where(f)}：单元格是其他单元格共用的公式，请在 Excel 中改为文字后再上传。"
        )
    for child in list(cell):
        cell.remove(child)
    for attr in ("t", "cm", "vm"):
        cell.attrib.pop(attr, None)
    if text:
        cell.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(cell, _q("is")), _q("t"))
        t.text = text
        t.set(_XML_SPACE, "preserve")
        if text.startswith(_FORMULA_STARTS):
            quoted = styles.quoted(cell.get("s"))
            if quoted is not None:
                cell.set("s", quoted)
    return formula is not None


def _col_of(cell) -> int:
    return column_index_from_string(_REF.match(cell.get("r")).group(1))


def _find_or_insert(parent, tag: str, number: int, number_of):
    """The child ``tag`` numbered ``number``, or a new one inserted in order."""
    children = parent.findall(tag)
    for child in children:
        n = number_of(child)
        if n == number:
            return child
        if n > number:
            new = etree.Element(tag)
            child.addprevious(new)
            return new
    new = etree.Element(tag)
    if children:
        children[-1].addnext(new)
    else:
        parent.append(new)
    return new


def _style_above(sheet_data, col: str, row_no: int) -> str | None:
    """The style of the nearest cell above in the same column (an appended 项目/内容 row
    looks like the rows before it)."""
    best = None
    for row in sheet_data.findall(_q("row")):
        if int(row.get("r")) >= row_no:
            break
        for cell in row.findall(_q("c")):
            if cell.get("r") == f"{col}{row.get('r')}" and cell.get("s") is not None:
                best = cell.get("s")
    return best


def _widen_dimension(root, sheet_data) -> None:
    """Keep ``<dimension ref>`` covering every cell (readers size the sheet by it)."""
    dim = root.find(_q("dimension"))
    if dim is None:
        return
    refs = [c.get("r") for c in sheet_data.iter(_q("c")) if c.get("r")]
    if not refs:
        return
    cols = [column_index_from_string(_REF.match(r).group(1)) for r in refs]
    rows = [int(_REF.match(r).group(2)) for r in refs]
    old = re.fullmatch(r"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?", dim.get("ref") or "")
    if old:
        cols += [column_index_from_string(old.group(1))]
        rows += [int(old.group(2))]
        if old.group(3):
            cols += [column_index_from_string(old.group(3))]
            rows += [int(old.group(4))]
    dim.set(
        "ref",
        f"{get_column_letter(min(cols))}{min(rows)}:{get_column_letter(max(cols))}{max(rows)}",
    )


class _Styles:
    """styles.xml, cloned cell formats with quotePrefix added only when asked for."""

    def __init__(self, zf: zipfile.ZipFile):
        self.zf = zf
        self.part = _styles_part(zf)
        self.root = None
        self.cache: dict[str, str] = {}

    def quoted(self, s: str | None) -> str | None:
        """The index of cell format ``s`` with quotePrefix="1" (None: no styles part)."""
        if self.part is None:
            return None
        if self.root is None:
            self.root = etree.fromstring(self.zf.read(self.part), _parser())
        xfs = self.root.find(_q("cellXfs"))
        if xfs is None:
            return None
        key = s or "0"
        if key not in self.cache:
            items = xfs.findall(_q("xf"))
            index = int(key) if key.isdigit() and int(key) < len(items) else 0
            base = items[index]
            if base.get("quotePrefix") == "1":
                self.cache[key] = str(index)
            else:
                clone = copy.deepcopy(base)
                clone.set("quotePrefix", "1")
                items[-1].addnext(clone)
                xfs.set("count", str(len(items) + 1))
                self.cache[key] = str(len(items))
        return self.cache[key]

    def parts(self) -> dict[str, bytes]:
        return {self.part: _serialize(self.root)} if self.root is not None else {}


def _workbook_rels(zf: zipfile.ZipFile) -> tuple[str, etree._Element] | None:
    name = "xl/_rels/workbook.xml.rels"
    try:
        return name, etree.fromstring(zf.read(name), _parser())
    except (KeyError, etree.XMLSyntaxError):
        return None


def _styles_part(zf: zipfile.ZipFile) -> str | None:
    rels = _workbook_rels(zf)
    if rels is None:
        return None
    for rel in rels[1].findall(f"{{{_REL}}}Relationship"):
        if rel.get("Type", "").endswith("/styles"):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return part if part in zf.namelist() else None
    return None


def _without_calc_chain(zf: zipfile.ZipFile) -> tuple[set[str], dict[str, bytes]]:
    """Drop xl/calcChain.xml with its relationship and content type (as Excel does when
    the chain is out of date); Excel rebuilds it on the next save."""
    name = "xl/calcChain.xml"
    if name not in zf.namelist():
        return set(), {}
    out: dict[str, bytes] = {}
    rels = _workbook_rels(zf)
    if rels is not None:
        for rel in rels[1].findall(f"{{{_REL}}}Relationship"):
            if rel.get("Type", "").endswith("/calcChain"):
                rels[1].remove(rel)
        out[rels[0]] = _serialize(rels[1])
    types = etree.fromstring(zf.read("[Content_Types].xml"), _parser())
    for override in types.findall(f"{{{_CT}}}Override"):
        if override.get("PartName") == "/" + name:
            types.remove(override)
    out["[Content_Types].xml"] = _serialize(types)
    return {name}, out


def _repack(zf: zipfile.ZipFile, replaced: dict[str, bytes], drop: set[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as dst:
        for info in zf.infolist():
            if info.filename in drop:
                continue
            data = replaced.get(info.filename)
            member = zipfile.ZipInfo(info.filename, info.date_time)
            member.compress_type = info.compress_type
            member.external_attr = info.external_attr
            dst.writestr(member, data if data is not None else zf.read(info))
    return buf.getvalue()
