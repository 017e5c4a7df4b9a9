"""Word tables written as XML in one go.

python-docx builds a table cell by cell and rescans the whole table for every merge,
which made a document with 26 tables (9 附表 and 17 项目支出绩效自评表) take four
seconds. Here a table is recorded first (texts, spans, styles) and turned into one
``<w:tbl>`` element at the end: the same XML Word writes, in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as XML entities (xml.sax.saxutils.escape, whose module
    imports urllib.request: 25 ms of every start-up)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


#: body rows kept on the page of the header rows: a table never begins with its header
#: alone at the foot of a page (the title and meta lines are kept with the header)
HEAD_ROWS = 2
#: rows at the end kept together: a 合计 or 总分 row is never alone on a page
TAIL_ROWS = 2


def keep_rows(
    n_rows: int,
    header_rows: int,
    head: int = HEAD_ROWS,
    tail: int = TAIL_ROWS,
    note_after: bool = False,
) -> frozenset[int]:
    """The rows that stay on the page of the row after them: the header rows and the
    first ``head`` body rows (so the table's head moves to the next page rather than
    being orphaned), the last ``tail`` rows (kept together), and the last row itself
    when a note follows the table (a 注 line never opens a page alone)."""
    last = n_rows - 1
    keep = set(range(min(header_rows + head - 1, last)))
    keep |= set(range(max(n_rows - tail, 0), last))
    if note_after and n_rows:
        keep.add(last)
    return frozenset(keep)


@dataclass
class _Content:
    text: str = ""
    number: bool = False
    bold: bool = False
    center: bool = False


class CellRef:
    """A handle to a cell (or to the first cell of a merged range)."""

    __slots__ = ("table", "r", "c")

    def __init__(self, table: FastTable, r: int, c: int):
        self.table, self.r, self.c = table, r, c


class FastTable:
    """A table recorded in memory and written as one XML element by :meth:`finish`."""

    def __init__(
        self,
        sd,
        rows: int,
        widths: list[int],
        font_pt: float = 9.0,
        cell_margin: int | None = None,
        fonts: tuple[str | None, str | None] = (None, None),
    ):
        self.sd = sd
        self.rows = rows
        self.cols = len(widths)
        self.widths = widths  # twips
        self.font_pt = font_pt
        self.cell_margin = cell_margin
        latin, east = fonts  # the table styles' fonts, written on every run (see document)
        self.rfonts = (
            f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east}" w:hint="eastAsia"/>'
            if latin and east
            else ""
        )
        self.content: dict[tuple[int, int], _Content] = {}
        self.spans: dict[tuple[int, int], tuple[int, int]] = {}  # anchor -> (rows, cols)
        self.covered: dict[tuple[int, int], tuple[int, int]] = {}  # cell -> its anchor

    # --- the python-docx-like surface used by the renderers --------------------------

    def cell(self, r: int, c: int) -> CellRef:
        return CellRef(self, r, c)

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> CellRef:
        self.spans[(r1, c1)] = (r2 - r1 + 1, c2 - c1 + 1)
        for r in range(r1, r2 + 1):
            for c in range(c1, c2 + 1):
                if (r, c) != (r1, c1):
                    self.covered[(r, c)] = (r1, c1)
        return CellRef(self, r1, c1)

    def set(self, ref: CellRef, text: str, number=False, bold=False, center=False) -> None:
        self.content[(ref.r, ref.c)] = _Content(text, number, bold, center)

    # --- XML ---------------------------------------------------------------------------

    def _paragraph(self, content: _Content | None, keep: bool = False) -> str:
        keep_next = "<w:keepNext/>" if keep else ""
        if content is None:
            return f'<w:p><w:pPr><w:pStyle w:val="TableText"/>{keep_next}</w:pPr></w:p>'
        style = "TableNumber" if content.number else "TableText"
        ppr = f'<w:pStyle w:val="{style}"/>{keep_next}' + (
            '<w:jc w:val="center"/>' if content.center else ""
        )
        if not content.text:
            return f"<w:p><w:pPr>{ppr}</w:pPr></w:p>"
        rpr = (
            self.rfonts
            + ("<w:b/>" if content.bold else "")
            + (f'<w:sz w:val="{int(self.font_pt * 2)}"/>' if self.font_pt != 9.0 else "")
        )
        text = escape(content.text)
        return (
            f"<w:p><w:pPr>{ppr}</w:pPr><w:r><w:rPr>{rpr}</w:rPr>"
            f'<w:t xml:space="preserve">{text}</w:t></w:r></w:p>'
        )

    def _row(self, r: int, header: bool, keep: bool = False) -> str:
        """One ``<w:tr>``: never split across pages (``w:cantSplit``), repeated at the top
        of every page when ``header`` (``w:tblHeader``), kept on the page of the next row
        (or of the paragraph after the table) when ``keep``: Word and LibreOffice honour
        "keep with next" on the paragraphs of a row, so every cell's paragraph has it,
        the empty ones under a vertical merge included."""
        cells = []
        c = 0
        while c < self.cols:
            anchor = self.covered.get((r, c))
            if anchor is not None and anchor[0] == r:  # inside a horizontal span: skip
                c += 1
                continue
            key = anchor or (r, c)
            n_rows, n_cols = self.spans.get(key, (1, 1))
            width = sum(self.widths[c : c + n_cols])
            props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
            if n_cols > 1:
                props += f'<w:gridSpan w:val="{n_cols}"/>'
            if anchor is not None:  # below the first row of a vertical merge
                props += "<w:vMerge/>"
                body = self._paragraph(None, keep)
            else:
                if n_rows > 1:
                    props += '<w:vMerge w:val="restart"/>'
                body = self._paragraph(self.content.get(key), keep)
            if (
                self.content.get(key) is not None
                and anchor is None
                and not self.content[key].number
            ):
                props += '<w:vAlign w:val="center"/>'
            cells.append(f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>")
            c += n_cols
        trpr = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
        return f"<w:tr><w:trPr>{trpr}</w:trPr>{''.join(cells)}</w:tr>"

    def xml(self, header_rows: int, keep: frozenset[int] = frozenset()) -> str:
        total = sum(self.widths)
        margin = ""
        if self.cell_margin is not None:
            m = self.cell_margin
            margin = (
                f'<w:tblCellMar><w:left w:w="{m}" w:type="dxa"/>'
                f'<w:right w:w="{m}" w:type="dxa"/></w:tblCellMar>'
            )
        grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in self.widths)
        rows = "".join(self._row(r, r < header_rows, r in keep) for r in range(self.rows))
        return (
            f"<w:tbl {nsdecls('w')}><w:tblPr>"
            f'<w:tblStyle w:val="TableGrid"/><w:tblW w:w="{total}" w:type="dxa"/>'
            f'<w:jc w:val="center"/><w:tblLayout w:type="fixed"/>{margin}'
            f'<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" '
            f'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>'
            f"</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"
        )

    def finish(
        self,
        header_rows: int,
        head: int = HEAD_ROWS,
        tail: int = TAIL_ROWS,
        note_after: bool = False,
    ) -> None:
        """Write the table into the document body, where the next block would go: the
        first ``header_rows`` repeat on every page, and the rows :func:`keep_rows` names
        stay on the page of what follows them."""
        keep = keep_rows(self.rows, header_rows, head, tail, note_after)
        tbl = parse_xml(self.xml(header_rows, keep))
        body = self.sd.element.body
        sect = body.find(qn("w:sectPr"))
        if sect is not None:
            sect.addprevious(tbl)
        else:
            body.append(tbl)
