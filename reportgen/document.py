"""Assemble the Word document: the pack's docxtpl template plus the rendered blocks.

The template (``templates/<pack>/document.docx``) owns page setup, styles, footer and
title line; this module fills ``{{p toc }}`` and ``{{p body }}`` with sub-documents built
from the narrative blocks, the chart PNGs and the 附表 tables. Every run gets its
East-Asian font from the styles, and text is inserted as text (never as XML), so what a
user typed cannot break the file.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.text.paragraph import Paragraph
from docxtpl import DocxTemplate
from jinja2 import Environment
from markupsafe import Markup

from .charts import ChartSpec
from .docx_table import CellRef, FastTable
from .layouts import (
    BUDGET,
    ECONOMIC_BLOCKS,
    FUNCTION_CLASSES_2021,
    Item,
    TableLayout,
    cn_ordinal,
    fill,
    tail_rows,
)
from .model import Table
from .money import fmt_table
from .narrative import Block, Pack

if TYPE_CHECKING:
    from .native_charts import NativeChart

_XML_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
A4 = (Cm(21.0), Cm(29.7))
PORTRAIT_MARGINS = (Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6))  # top bottom left right
LANDSCAPE_MARGINS = (Cm(2.2), Cm(2.2), Cm(2.5), Cm(2.5))


def clean(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (a pasted control character would break Word)."""
    return _XML_BAD.sub("", text)


def build_docx(
    pack: Pack,
    title: str,
    blocks: list[Block],
    charts: dict[str, ChartSpec],
    figures: Mapping[str, bytes | NativeChart],
    tables: dict[str, Table],
    extra_tables: dict[str, Callable] | None = None,
) -> bytes:
    """The .docx bytes. ``figures`` holds each drawn chart as PNG bytes (matplotlib) or
    as a :class:`~reportgen.native_charts.NativeChart` (a Word chart); ``extra_tables``
    maps other table refs (第四部分's 绩效自评表) to functions that draw them into the body."""
    template = pack.find("document.docx")
    if template is None:
        raise FileNotFoundError(f"词句包 {pack.name} 缺少 document.docx")
    tpl = DocxTemplate(str(template))
    # The template is rendered with one-line markers for the 目录 and the body; the
    # content is then written straight into the rendered document and moved to the
    # markers. (Passing the whole body as a sub-document made docxtpl serialise and
    # re-parse a megabyte of XML: a fifth of a document's time in a batch.)
    # (Each marker is the XML of its paragraph, as a one-paragraph sub-document would
    # render, without opening python-docx's default document twice: 45 ms.)
    markers = {
        key: Markup(f"<w:p><w:r><w:t>§§{key}§§</w:t></w:r></w:p>") for key in ("toc", "body")
    }
    tpl.render({"title": clean(title), **markers}, jinja_env=_docx_env())
    doc = tpl.docx
    with _at_marker(doc, "§§toc§§"):
        _toc(doc, blocks)
    _cover(doc, [b.text for b in blocks if b.kind == "title"])
    writer = _BodyWriter(doc, charts, figures, tables, extra_tables or {})
    with _at_marker(doc, "§§body§§"):
        for block, after in zip(blocks, [*blocks[1:], None], strict=True):
            writer.add(block, after)
    if writer.orient == "landscape":
        _landscape(tpl.docx.sections[-1])
    _footers_in_every_section(tpl.docx)
    _east_asian_fonts_on_every_run(tpl.docx)
    _update_fields_on_open(tpl.docx)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def _cover(doc, lines: list[str]) -> None:
    """The cover on a page of its own: the template's title paragraph, holding the
    profile's own cover lines (``<title>`` blocks) one per line where it has some, and
    the 目录 starting the next page (a property of the 目录's title, not a break inside
    the cover's paragraph, which would leave an empty line at the top of the 目录)."""
    title = next((p for p in doc.paragraphs if p.style.name == "Title"), None)
    if title is None:
        return
    if lines:
        for run in title.runs[1:]:
            run._r.getparent().remove(run._r)
        first = title.runs[0] if title.runs else title.add_run()
        first.text = clean(lines[0])
        for line in lines[1:]:
            first.add_break()
            first.add_text(clean(line))
    toc = next((p for p in doc.paragraphs if p.style.name == "TOC Title"), None)
    if toc is not None:
        toc.paragraph_format.page_break_before = True
    else:
        title.add_run().add_break(WD_BREAK.PAGE)


@contextmanager
def _at_marker(doc, marker: str):
    """Content added inside the block lands where the marker paragraph stands."""
    body = doc.element.body
    spot = next((p for p in body.iterchildren(qn("w:p")) if marker in "".join(p.itertext())), None)
    if spot is None:
        raise ValueError(f"Word 模板中找不到 {marker} 的位置（{{{{p toc }}}}、{{{{p body }}}}）")
    # everything is added just before the body's final sectPr
    start = len(body) - 1
    yield
    for el in list(body)[start:-1]:
        spot.addprevious(el)
    body.remove(spot)


def _footers_in_every_section(doc) -> None:
    """Give every section the template's footer (page number).

    The 附表 sections are created inside the body sub-document, where the template's
    footer relationship is unknown; a section without a footerReference has no page
    number in the first section and in LibreOffice, so the references are copied from
    the document's last (template) section.
    """
    body = doc.element.body
    final = body.find(qn("w:sectPr"))
    if final is None:
        return
    refs = [el for el in final if el.tag in (qn("w:footerReference"), qn("w:headerReference"))]
    for sect in body.iter(qn("w:sectPr")):
        if sect is final or sect.find(qn("w:footerReference")) is not None:
            continue
        for ref in reversed(refs):
            sect.insert(0, copy.deepcopy(ref))


def _style_fonts(doc) -> dict[str, tuple[str, str]]:
    """style id -> (Latin, East-Asian) font, following basedOn up to docDefaults."""
    styles = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.iter(qn("w:style"))}
    default = styles.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}"
    )
    base_fonts = (
        default.get(qn("w:ascii")) if default is not None else None,
        default.get(qn("w:eastAsia")) if default is not None else None,
    )

    def resolve(sid: str | None, depth: int = 0) -> tuple[str | None, str | None]:
        st = by_id.get(sid or "")
        if st is None or depth > 10:
            return base_fonts
        rf = st.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        based = st.find(qn("w:basedOn"))
        parent = resolve(based.get(qn("w:val")) if based is not None else None, depth + 1)
        if rf is None:
            return parent
        return (rf.get(qn("w:ascii")) or parent[0], rf.get(qn("w:eastAsia")) or parent[1])

    return {sid: resolve(sid) for sid in by_id}


_P, _R, _PPR, _PSTYLE, _RPR, _RFONTS = (
    qn("w:p"),
    qn("w:r"),
    qn("w:pPr"),
    qn("w:pStyle"),
    qn("w:rPr"),
    qn("w:rFonts"),
)
_ASCII, _HANSI, _EASTASIA, _HINT, _VAL = (
    qn("w:ascii"),
    qn("w:hAnsi"),
    qn("w:eastAsia"),
    qn("w:hint"),
    qn("w:val"),
)


def _east_asian_fonts_on_every_run(doc) -> None:
    """Write the paragraph style's fonts on every run (w:rFonts with w:eastAsia).

    Styles already carry them, but Word re-applies fonts run by run when text is edited
    or pasted, and some versions fall back to a Latin font for a run without its own
    East-Asian attribute; official documents are checked for exactly this.
    """
    fonts = _style_fonts(doc)
    normal = fonts.get("Normal", (None, None))
    # table cells are written with their fonts already (docx_table); only paragraphs
    # outside tables are visited
    for p in doc.element.body.iterchildren(_P):
        ppr = p.find(_PPR)
        pstyle = ppr.find(_PSTYLE) if ppr is not None else None
        latin, east = fonts.get(pstyle.get(_VAL), normal) if pstyle is not None else normal
        if not east:
            continue
        for r in p.iter(_R):
            rpr = r.find(_RPR)
            if rpr is None:
                rpr = OxmlElement("w:rPr")
                r.insert(0, rpr)
            rfonts = rpr.find(_RFONTS)
            if rfonts is None:
                rfonts = OxmlElement("w:rFonts")
                rpr.insert(0, rfonts)
            if latin and rfonts.get(_ASCII) is None:
                rfonts.set(_ASCII, latin)
                rfonts.set(_HANSI, latin)
            if rfonts.get(_EASTASIA) is None:
                rfonts.set(_EASTASIA, east)
            rfonts.set(_HINT, "eastAsia")


@cache
def _docx_env() -> Environment:
    """One Jinja environment for the Word template per process (its compiled templates
    are cached), autoescaping the title as docxtpl's own would."""
    return Environment(autoescape=True)


def _update_fields_on_open(doc) -> None:
    """Ask Word to refresh the 目录 (TOC) and page fields when the file is opened."""
    settings = doc.settings.element
    el = settings.find(qn("w:updateFields"))
    if el is None:
        el = OxmlElement("w:updateFields")
        settings.append(el)
    el.set(qn("w:val"), "true")


# --- 目录 ----------------------------------------------------------------------------


def _fld(run, kind: str) -> None:
    fc = OxmlElement("w:fldChar")
    fc.set(qn("w:fldCharType"), kind)
    run._r.append(fc)


def _toc(sd, blocks: list[Block]) -> None:
    """A real TOC field whose cached result already lists the headings (no page numbers
    until Word updates it), so the 目录 reads correctly even in viewers that never
    update fields."""
    para = _Paragraphs(sd).add
    para("目  录", style="TOC Title")
    entries = [b for b in blocks if b.kind == "heading" and b.level <= 2]
    first = para(style="toc 1")
    r = first.add_run()
    _fld(r, "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = ' TOC \\o "1-2" \\h \\z \\u '
    r._r.append(instr)
    _fld(r, "separate")
    line = first
    for i, b in enumerate(entries):
        if i > 0:
            line = para(style=f"toc {b.level}")
        else:
            line.style = f"toc {b.level}"
        line.add_run(clean(b.text))
    end = para(style="toc 1") if entries else first
    _fld(end.add_run(), "end")


# --- body ----------------------------------------------------------------------------


class _BodyWriter:
    def __init__(self, sd, charts, pngs, tables, extra_tables):
        self.extra_tables = extra_tables
        self.sd = sd
        self.para = _Paragraphs(sd).add
        self.charts = charts
        self.pngs = pngs
        self.tables = tables
        self.orient = "portrait"
        self.started = ""  # the table whose page its heading has already started
        self.part_top = False  # the last block was a 部分's heading (a page just began)

    def add(self, b: Block, after: Block | None = None) -> None:
        """Write one block; ``after`` is the next one (a heading that names the table
        after it starts that table's page, so it is never left on the page before)."""
        heads_table = (
            b.kind == "heading" and after is not None and after.kind == "table"
            and after.ref in self.tables
        )  # fmt: skip
        fresh = False  # a section break has just started a page
        text = b.kind in ("heading", "para", "figure")
        if text and self.orient == "landscape" and not heads_table:
            # text after a landscape table: back to portrait
            self._section_break(landscape=True)
            self.orient, fresh = "portrait", True
        if heads_table:
            fresh = not self._table_page(self.tables[after.ref].layout)
            self.started = after.ref
        if b.kind == "heading":
            p = self.para(clean(b.text), style=f"Heading {min(b.level, 4)}")
            if heads_table or b.level == 1:
                # each 部分 starts a page (the first one follows the 目录), and so does a
                # heading naming the table after it, unless it follows its 部分's own
                # heading directly; a property of the heading, not an empty paragraph
                # holding a break, which leaves an empty line or a blank page depending
                # on the renderer
                p.paragraph_format.page_break_before = not fresh and not self.part_top
            if heads_table:
                p.paragraph_format.keep_with_next = True
            self.part_top = b.level == 1
            return
        self.part_top = False
        if b.kind == "para":
            style = "Center Title" if b.style == "center-title" else "Normal"
            p = self.para(clean(b.text), style=style)
            if after is not None and after.kind == "table" and after.ref in self.extra_tables:
                # the title line of a 第四部分 table goes with the table's head (a 附表
                # starts a page of its own instead)
                p.paragraph_format.keep_with_next = True
        elif b.kind == "figure":
            self._figure(b.ref)
        elif b.kind == "table" and b.ref in self.extra_tables:
            self.extra_tables[b.ref](self.sd)
        elif b.kind == "table":
            self._table(b.ref)
        elif b.kind == "pagebreak":
            self.para().add_run().add_break(WD_BREAK.PAGE)

    def _figure(self, ref: str) -> None:
        spec = self.charts[ref]
        unit = self.para("单位：万元", style="Unit Line")
        unit.paragraph_format.keep_with_next = True  # never strand the unit line above a page break
        p = self.para(style="Figure")
        figure = self.pngs[ref]
        if isinstance(figure, bytes):
            p.add_run().add_picture(io.BytesIO(figure), width=Cm(15))
        else:  # a native Word chart, as wide as the picture would be
            figure.insert(p.add_run(), width=Cm(15))
        p.paragraph_format.keep_with_next = True
        self.para(spec.caption, style="Caption")

    def _table_page(self, lay: TableLayout) -> bool:
        """Start a table's page: a landscape or portrait section when the orientation
        changes (then False: the section break has started the page), else True: the
        first paragraph must break the page itself."""
        wanted = "landscape" if lay.landscape else "portrait"
        if wanted != self.orient:
            self._section_break(landscape=self.orient == "landscape")
            self.orient = wanted
            return False
        return True

    def _table(self, key: str) -> None:
        """One 附表 on a page of its own (with the heading that names it, if any); wide
        tables get a landscape section."""
        table = self.tables[key]
        lay = table.layout
        started, self.started = self.started == key, ""
        new_page = False if started else self._table_page(lay)
        head = self.para(lay.title, style="Table Title")
        head.paragraph_format.page_break_before = new_page
        meta = self.para(style="Table Meta")
        for i, part in enumerate(meta_line(table).split("\t")):
            if i or part:  # one run per tab stop; the tab opens the run after it
                meta.add_run(("\t" if i else "") + part)
        _right_tab(meta, landscape=lay.landscape)
        # title and meta line go with the table's head (see docx_table.keep_rows)
        head.paragraph_format.keep_with_next = meta.paragraph_format.keep_with_next = True
        notes = lay.note.split("\n")  # an empty note is still a paragraph after the table
        if table.is_empty and lay.empty_note:
            notes.append(fill(lay.empty_note, _where(lay), department=clean(table.department)))
        grid, header_rows = _RENDERERS[lay.kind](self.sd, table)
        grid.finish(header_rows, note_after=any(notes))
        for i, line in enumerate(notes):
            note = self.para(line, style="Table Note")
            # a note of several lines is kept whole, and with the table's last row
            note.paragraph_format.keep_with_next = i < len(notes) - 1

    def _section_break(self, landscape: bool) -> None:
        """End the current section; ``landscape`` says what the ending section was."""
        p = self.para()
        ppr = p._p.get_or_add_pPr()
        sect = OxmlElement("w:sectPr")
        pg = OxmlElement("w:pgSz")
        w, h = A4
        if landscape:
            pg.set(qn("w:w"), str(int(h.twips)))
            pg.set(qn("w:h"), str(int(w.twips)))
            pg.set(qn("w:orient"), "landscape")
            margins = LANDSCAPE_MARGINS
        else:
            pg.set(qn("w:w"), str(int(w.twips)))
            pg.set(qn("w:h"), str(int(h.twips)))
            margins = PORTRAIT_MARGINS
        mar = OxmlElement("w:pgMar")
        for attr, v in zip(("w:top", "w:bottom", "w:left", "w:right"), margins, strict=True):
            mar.set(qn(attr), str(int(v.twips)))
        mar.set(qn("w:header"), "851")
        mar.set(qn("w:footer"), str(int(Cm(2.5).twips) if not landscape else 700))
        mar.set(qn("w:gutter"), "0")
        sect.append(pg)
        sect.append(mar)
        ppr.append(sect)
        p.paragraph_format.line_spacing = Pt(2)


def _landscape(section) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = A4[1], A4[0]
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = (
        LANDSCAPE_MARGINS
    )


def _right_tab(paragraph, landscape: bool) -> None:
    pos = int((Cm(29.7 - 5.0) if landscape else Cm(21.0 - 5.4)).twips)
    ppr = paragraph._p.get_or_add_pPr()
    tabs = OxmlElement("w:tabs")
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(pos))
    tabs.append(tab)
    ppr.append(tabs)


# --- 附表 renderers --------------------------------------------------------------------


def meta_line(table: Table) -> str:
    """The line under a table's title as the layout prints it ("部门：…\t公开01表    金额单位：
    元", "\t单位：万元"); the department is inserted as text."""
    lay = table.layout
    return fill(
        lay.meta,
        _where(lay),
        department=clean(table.department),
        number=lay.number,
        unit=table.unit,
    )


def _where(lay: TableLayout) -> str:
    return f"tables/{lay.key}.toml"


#: relative column widths, by the kind of column: text columns wide, amounts equal. A
#: summary with one amount column per side (收入支出决算总表) gives its labels more room;
#: one without 行次 columns gives the labels theirs, so the longest item or class
#: (“三、国有资本经营预算财政拨款收入”) stays on one line. Keyed by n_right == 1.
_SUMMARY_WEIGHTS = {  # (项目, 行次, 金额) left, then right
    True: ((5.2, 1.0, 3.0), (5.2, 1.0, 3.0)),
    False: ((4.6, 0.9, 2.8), (4.4, 0.9, 2.8)),
}
_SUMMARY_WEIGHTS_NO_LINES = {  # (项目, 金额) left, then right
    True: ((5.6, 2.4), (5.2, 2.4)),
    False: ((5.5, 2.8), (5.3, 2.8)),
}
_ECONOMIC_GROUP = (1.3, 3.6, 2.4)  # 科目编码, 科目名称, 金额
_ITEM_LABEL, _ITEM_LINE, _ITEM_AMOUNT = 9.0, 1.2, 3.2
_CODE_DIGIT, _WHOLE_CODE, _AMOUNT = 0.9, 1.8, 2.6  # a 类/款/项 column, a whole-code column
_TEXT_WIDTH_CM = {False: 15.6, True: 24.7}


def _weights(lay: TableLayout) -> tuple[float, ...]:
    """Relative widths of the printed columns, from the table's kind and shape."""
    if lay.kind == "summary":
        n_right = len(lay.extra["right_cols"])
        if lay.line_numbers:
            (l_label, l_line, l_amount), (r_label, r_line, r_amount) = _SUMMARY_WEIGHTS[
                n_right == 1
            ]
            return (l_label, l_line, l_amount, r_label, r_line) + (r_amount,) * n_right
        (l_label, l_amount), (r_label, r_amount) = _SUMMARY_WEIGHTS_NO_LINES[n_right == 1]
        return (l_label, l_amount, r_label) + (r_amount,) * n_right
    if lay.kind == "economic":
        return _ECONOMIC_GROUP * len(_groups(lay))
    if lay.kind == "items":
        line = (_ITEM_LINE,) if lay.line_numbers else ()
        return (_ITEM_LABEL, *line) + (_ITEM_AMOUNT,) * len(lay.columns)
    if lay.kind == "pairs":
        return (_AMOUNT,) * (len(lay.extra["items"]) * len(lay.columns))
    # coded: 类 款 项 (or the whole code), 科目名称, then amounts
    n_amount = len(lay.columns)
    codes = (_WHOLE_CODE,) if lay.code_columns == 1 else (_CODE_DIGIT,) * lay.code_columns
    return codes + (4.2 if n_amount <= 8 else 3.0,) + (_AMOUNT,) * n_amount


def _new_table(sd, rows: int, lay: TableLayout) -> FastTable:
    weights = _weights(lay)
    total = _TEXT_WIDTH_CM[lay.landscape]
    scale = total / sum(weights)
    widths = [int(Cm(w * scale).twips) for w in weights]
    narrowest = min(w * scale for w in weights if w >= 2.4)
    # "15,433,353.26" must fit on one line: smaller type and margins for wide tables
    font_pt = 9.0 if narrowest >= 2.3 else (7.5 if narrowest >= 1.9 else 6.5)
    return FastTable(
        sd, rows, widths, font_pt, cell_margin=28 if font_pt < 9 else None, fonts=table_fonts(sd)
    )


def table_fonts(doc) -> tuple[str | None, str | None]:
    """(Latin, East-Asian) font of the TableText style, looked up once per document."""
    fonts = getattr(doc, "_reportgen_table_fonts", None)
    if fonts is None:
        fonts = _style_fonts(doc).get("TableText", (None, None))
        doc._reportgen_table_fonts = fonts
    return fonts


class _Paragraphs:
    """``sd.add_paragraph(text, style=name)`` without python-docx's per-call style search
    (it scans every style by name: a quarter of a second per document)."""

    def __init__(self, sd):
        self.sd = sd
        ids = getattr(sd, "_reportgen_style_ids", None)
        if ids is None:  # once per document
            ids = sd._reportgen_style_ids = {st.name: st.style_id for st in sd.styles}
        self.ids = ids
        self.body = sd.element.body
        # paragraphs go before the body's final sectPr (python-docx's add_paragraph
        # looks for it among all the body's children for every paragraph)
        last = self.body[-1] if len(self.body) else None
        self.sect = last if last is not None and last.tag == qn("w:sectPr") else None

    def add(self, text: str = "", style: str | None = None):
        if self.sect is None or self.sect.getparent() is not self.body:
            p = self.sd.add_paragraph(text)
        else:
            el = OxmlElement("w:p")
            self.sect.addprevious(el)
            p = Paragraph(el, self.sd._body)
            if text:
                p.add_run(text)
        if style and style != "Normal":
            p._p.get_or_add_pPr().style = self.ids[style]
        return p


def _style_id(paragraph, style_id: str) -> None:
    """Set a paragraph style by id (the by-name setter searches all styles each call)."""
    paragraph._p.get_or_add_pPr().style = style_id


def _set(cell: CellRef, text: str, number: bool = False, bold: bool = False, center: bool = False):
    cell.table.set(cell, clean(text), number=number, bold=bold, center=center)


def _header(t: FastTable, lay: TableLayout) -> None:
    for h in lay.header:
        if h.rows > 1 or h.cols > 1:
            cell = t.merge(h.row, h.col, h.row + h.rows - 1, h.col + h.cols - 1)
        else:
            cell = t.cell(h.row, h.col)
        _set(cell, h.text, bold=True, center=True)


def _money(table: Table, value: Decimal | None) -> str:
    return fmt_table(value, table.unit)


def _render_coded(sd, table: Table) -> tuple[FastTable, int]:
    """A 功能分类 table: header, 栏次 row (when the layout has one), 合计 at the top or the
    bottom, one row per 科目; the code in 3 merged 类/款/项 columns or in 1."""
    lay = table.layout
    name_col = lay.code_columns  # the code columns come first, then 科目名称
    first = name_col + 1  # the first amount column
    n_head = lay.header_rows + (1 if lay.column_numbers else 0)
    t = _new_table(sd, n_head + 1 + len(table.rows), lay)
    _header(t, lay)
    r = lay.header_rows
    if lay.column_numbers:
        _set(t.merge(r, 0, r, name_col), "栏次", center=True)
        for i in range(len(lay.columns)):
            _set(t.cell(r, first + i), str(i + 1), center=True)
        r += 1
    top = lay.total_row != "bottom"
    if top:
        _coded_total(t, table, r, first)
        r += 1
    for row in table.rows:
        code = t.merge(r, 0, r, name_col - 1) if name_col > 1 else t.cell(r, 0)
        _set(code, row.code)
        _set(t.cell(r, name_col), row.name)
        for i, col in enumerate(lay.columns):
            _set(t.cell(r, first + i), _money(table, row.values.get(col.key)), number=True)
        r += 1
    if not top:
        _coded_total(t, table, r, first)
    return t, n_head


def _coded_total(t: FastTable, table: Table, r: int, first: int) -> None:
    _set(t.merge(r, 0, r, first - 1), "合计", bold=True, center=True)
    for i, col in enumerate(table.layout.columns):
        _set(t.cell(r, first + i), _money(table, table.total.get(col.key)), number=True, bold=True)


def _render_summary(sd, table: Table) -> tuple[FastTable, int]:
    """收入支出决算总表 / 财政拨款收入支出决算总表: the income items on the left, the
    layout's 功能分类 classes on the right, then the total rows side by side; 行次 columns
    and the 栏次 row only where the layout prints them."""
    lay = table.layout
    ex = lay.extra
    right_cols = ex["right_cols"]
    ln = 1 if lay.line_numbers else 0
    # columns: 项目, [行次], 金额 | 项目, [行次], one per right_cols
    amount, r_label = 1 + ln, 2 + ln
    r_line, r_first = r_label + 1, r_label + 1 + ln
    class_list = ex.get("classes") or FUNCTION_CLASSES_2021
    classes = {row.code: row for row in table.rows}
    left = list(ex["left"])
    n_body = max(len(class_list), len(left))
    tails = tail_rows(lay)
    n_head = lay.header_rows + (1 if lay.column_numbers else 0)
    t = _new_table(sd, n_head + n_body + len(tails), lay)
    _header(t, lay)
    r = lay.header_rows
    if lay.column_numbers:
        _set(t.merge(r, 0, r, amount - 1), "栏次", center=True)
        _set(t.cell(r, amount), "1", center=True)
        _set(t.merge(r, r_label, r, r_first - 1), "栏次", center=True)
        for j in range(len(right_cols)):
            _set(t.cell(r, r_first + j), str(2 + j), center=True)
        r += 1
    first_right = n_body + len(tails) + 1
    for i in range(n_body):
        if i < len(left):
            _set(t.cell(r, 0), left[i].label)
            _set(t.cell(r, amount), _money(table, _item(table, left[i].key)), number=True)
        if ln:
            _set(t.cell(r, 1), str(i + 1), center=True)
        if i < len(class_list):
            code, name = class_list[i]
            _set(t.cell(r, r_label), f"{cn_ordinal(i + 1)}、{name}")
            if ln:
                _set(t.cell(r, r_line), str(first_right + i), center=True)
            row = classes.get(code)
            for j, col in enumerate(right_cols):
                value = row.values.get(col) if row else None
                _set(t.cell(r, r_first + j), _money(table, value), number=True)
        r += 1
    for k, (lt, rt) in enumerate(tails):  # a side with fewer rows has empty ones
        if lt is not None:
            bold_l = lt.key in ("income_total", "grand_total")
            _set(t.cell(r, 0), lt.label, bold=bold_l)
            if ln:
                _set(t.cell(r, 1), str(n_body + 1 + k), center=True)
            value = _money(table, _item(table, lt.key))
            _set(t.cell(r, amount), value, number=True, bold=bold_l)
        if rt is not None:
            bold_r = rt.key in ("expense_total", "grand_total")
            _set(t.cell(r, r_label), rt.label, bold=bold_r)
            if ln:
                _set(t.cell(r, r_line), str(first_right + n_body + k), center=True)
            vals = table.items.get("R:" + rt.key, {})
            for j, col in enumerate(right_cols):
                value = _money(table, vals.get(col))
                _set(t.cell(r, r_first + j), value, number=True, bold=bold_r)
        r += 1
    return t, n_head


def _item(table: Table, key: str, col: str = "amount") -> Decimal | None:
    """A labelled row's value as read (None when blank or absent)."""
    return (table.items.get(key) or {}).get(col)


def _groups(lay: TableLayout) -> tuple[tuple[str, ...], ...]:
    return lay.extra.get("groups") or ECONOMIC_BLOCKS


def _render_economic(sd, table: Table) -> tuple[FastTable, int]:
    """基本支出 by 经济分类: the layout's groups side by side (科目编码, 科目名称, 金额 each),
    then 人员经费合计 under the first group and 公用经费合计 across the others."""
    lay = table.layout
    groups = _groups(lay)
    by_code = {row.code: row for row in table.rows}
    height = max(len(g) for g in groups)
    t = _new_table(sd, lay.header_rows + height + 1, lay)
    _header(t, lay)
    for i in range(height):
        r = lay.header_rows + i
        for b, group in enumerate(groups):
            if i >= len(group):
                continue
            code = group[i]
            row = by_code.get(code)
            cls = len(code) == 3
            _set(t.cell(r, 3 * b), code, bold=cls)
            _set(t.cell(r, 3 * b + 1), row.name if row else "", bold=cls)
            _set(
                t.cell(r, 3 * b + 2),
                _money(table, row.values.get("amount") if row else None),
                number=True,
                bold=cls,
            )
    r = lay.header_rows + height
    last = 3 * len(groups) - 1
    labels = lay.extra.get("totals", {})
    _set(t.merge(r, 0, r, 1), labels.get("personnel", "人员经费合计"), bold=True, center=True)
    _set(t.cell(r, 2), _money(table, table.total.get("personnel")), number=True, bold=True)
    if len(groups) > 1:
        _set(
            t.merge(r, 3, r, last - 1), labels.get("public", "公用经费合计"), bold=True, center=True
        )
        _set(t.cell(r, last), _money(table, table.total.get("public")), number=True, bold=True)
    return t, lay.header_rows


def _render_items(sd, table: Table) -> tuple[FastTable, int]:
    """A fixed-row table (“三公”经费、机关运行经费情况表): label, 行次 (when printed), then
    one cell per column; "—" where the layout says the row has no such figure."""
    lay = table.layout
    items = lay.extra["items"]
    ln = 1 if lay.line_numbers else 0
    n_head = lay.header_rows + (1 if lay.column_numbers else 0)
    t = _new_table(sd, n_head + len(items), lay)
    _header(t, lay)
    r = lay.header_rows
    if lay.column_numbers:
        _set(t.cell(r, 0), "栏次", center=True)
        for j in range(len(lay.columns)):
            _set(t.cell(r, 1 + ln + j), str(j + 1), center=True)
        r += 1
    for it in items:
        vals = table.items.get(it.key, {})
        _set(t.cell(r, 0), it.label)
        if ln:
            _set(t.cell(r, 1), str(it.line), center=True)
        for j, col in enumerate(lay.columns):
            _item_cell(t.cell(r, 1 + ln + j), table, it, col.key, vals.get(col.key))
        r += 1
    return t, n_head


def _item_cell(cell: CellRef, table: Table, it: Item, col: str, value) -> None:
    """One value of a labelled row: "—" for a heading, or a budget the row has none of;
    a count as a whole number; else an amount in the table's unit."""
    if it.heading or (it.no_budget and table.layout.sign(col) == BUDGET):
        _set(cell, "—", center=True)
    elif it.count:
        _set(cell, str(value) if value else "", number=True)
    else:
        _set(cell, _money(table, value), number=True)


def _render_pairs(sd, table: Table) -> tuple[FastTable, int]:
    """财政拨款“三公”经费支出决算表: the layout's header, then one row holding each item's
    columns in turn (预算数, 决算数)."""
    lay = table.layout
    t = _new_table(sd, lay.header_rows + 1, lay)
    _header(t, lay)
    r = lay.header_rows
    n = len(lay.columns)
    for i, it in enumerate(lay.extra["items"]):
        vals = table.items.get(it.key, {})
        for j, col in enumerate(lay.columns):
            _item_cell(t.cell(r, n * i + j), table, it, col.key, vals.get(col.key))
    return t, lay.header_rows


_RENDERERS = {
    "coded": _render_coded,
    "summary": _render_summary,
    "economic": _render_economic,
    "items": _render_items,
    "pairs": _render_pairs,
}
