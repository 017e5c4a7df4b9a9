"""Page layout (issue 16, item 4): tables that break well, figures kept whole, no
half-empty page before a chart, legible chart text.

Two kinds of checks. The Word XML carries the properties Word and LibreOffice lay the
pages out by (``w:cantSplit`` on every table row, ``w:tblHeader`` on the rows repeated at
the top of a continuation page, ``w:keepNext`` on the paragraphs that must share a page
with what follows), read back row by row and paragraph by paragraph. The PDF made from
the example (云南) and from the Shanghai example shows what a reader gets: read page by
page with ``pdftotext`` (no page opening with a table's 注 line, 总分 always with the
rows above it, each 项目支出绩效自评表 naming its project again on a continuation page) and
as page images (the page before a chart is at least half full).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from reportgen.docx_table import keep_rows
from reportgen.evaluation_tables import PROJECT_HEADER_ROWS, PROJECT_TAIL_ROWS

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ROOT / "inputs" / "example" / "2024年度上海市某某区文化和旅游局.xlsx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


# --- the Word XML ----------------------------------------------------------------------


def _body(docx_path: Path) -> etree._Element:
    with zipfile.ZipFile(docx_path) as z:
        return etree.fromstring(z.read("word/document.xml")).find(f"{W}body")


def _text(el: etree._Element) -> str:
    return "".join(el.itertext())


def _keeps(p: etree._Element) -> bool:
    """Whether a paragraph has "keep with next" of its own (not through its style)."""
    kn = p.find(f"{W}pPr/{W}keepNext")
    return kn is not None and kn.get(f"{W}val") not in ("0", "false")


def _row_keeps(tr: etree._Element) -> bool:
    """A row is kept with the next only when every paragraph of every cell says so."""
    paras = tr.findall(f"{W}tc/{W}p")
    assert paras, "a row without cells"
    kept = [_keeps(p) for p in paras]
    assert all(kept) or not any(kept), f"some paragraphs of the row keep, some not: {kept}"
    return kept[0]


def _rows(tbl: etree._Element) -> list[etree._Element]:
    return tbl.findall(f"{W}tr")


def _header_rows(tbl: etree._Element) -> list[int]:
    return [i for i, tr in enumerate(_rows(tbl)) if tr.find(f"{W}trPr/{W}tblHeader") is not None]


def _kept(tbl: etree._Element) -> list[int]:
    return [i for i, tr in enumerate(_rows(tbl)) if _row_keeps(tr)]


def _first_cell(tbl: etree._Element) -> str:
    return _text(_rows(tbl)[0].find(f"{W}tc"))


@pytest.fixture(scope="module")
def example_body(built) -> etree._Element:
    return _body(built.path)


def _project_tables(body) -> list[etree._Element]:
    return [t for t in body.iter(f"{W}tbl") if _first_cell(t) == "项目名称"]


def test_keep_rows_counts():
    """Header 3 rows + 2 body rows together, the last 2 together, the last with the note."""
    assert keep_rows(12, 3) == {0, 1, 2, 3, 10}
    assert keep_rows(12, 3, note_after=True) == {0, 1, 2, 3, 10, 11}
    assert keep_rows(12, 1, head=1, tail=4) == {0, 8, 9, 10}
    assert keep_rows(3, 2, note_after=True) == {0, 1, 2}  # a small table stays whole
    assert keep_rows(1, 1) == set()


def test_every_table_row_is_never_split(example_body):
    tables = list(example_body.iter(f"{W}tbl"))
    assert len(tables) == 9 + 1 + 17  # 附表, 部门整体支出绩效指标, 项目支出绩效自评表
    for tbl in tables:
        for tr in _rows(tbl):
            assert tr.find(f"{W}trPr/{W}cantSplit") is not None, _first_cell(tbl)


def test_project_tables_repeat_their_name_and_keep_head_and_total(example_body):
    """项目名称 and 主管部门 rows repeat on a continuation page; everything above the
    first indicator row (and that row) stays together; the last indicator, 其他需要说明
    的事项 and the two 总分 rows stay together; rows between may break."""
    tables = _project_tables(example_body)
    assert len(tables) == 17
    for tbl in tables:
        rows = _rows(tbl)
        texts = [[_text(tc) for tc in tr.findall(f"{W}tc")] for tr in rows]
        assert _header_rows(tbl) == list(range(PROJECT_HEADER_ROWS)) == [0, 1]
        assert texts[1][0] == "主管部门"
        first_indicator = next(i for i, t in enumerate(texts) if t[0] == "一级指标") + 1
        other = next(i for i, t in enumerate(texts) if t[0] == "其他需要说明的事项")
        assert texts[-2][0] == "总分" and other == len(rows) - 3
        assert len(rows) - PROJECT_TAIL_ROWS == other - 1  # the last indicator row
        assert _kept(tbl) == [*range(first_indicator), *range(other - 1, len(rows) - 1)], texts[0]


def test_annex_tables_keep_title_head_last_rows_and_note_together(example_body):
    """Each 附表: title and meta line kept with the table; its header rows repeat; the
    first two body rows stay with them; the last row stays with the 注 line after it."""
    children = list(example_body)
    annex = [t for t in example_body.iter(f"{W}tbl") if _first_cell(t) != "项目名称"][1:]
    assert len(annex) == 9
    for tbl in annex:
        i = children.index(tbl)
        title, meta, note = children[i - 2], children[i - 1], children[i + 1]
        assert _keeps(title) and _keeps(meta), _text(title)
        assert _text(note).startswith("注：") or "故此表为空" in _text(note), _text(title)
        n_head = len(_header_rows(tbl))
        assert n_head >= 1 and _header_rows(tbl) == list(range(n_head)), _text(title)
        n = len(_rows(tbl))
        assert _kept(tbl) == sorted(keep_rows(n, n_head, note_after=True)), _text(title)
        assert n - 1 in _kept(tbl)  # with the note


def test_overall_indicators_title_goes_with_the_table(example_body):
    children = list(example_body)
    (tbl,) = [t for t in example_body.iter(f"{W}tbl") if _first_cell(t) == "一级指标"]
    title = children[children.index(tbl) - 1]
    assert _text(title) == "2021年度玉溪市互联网信息办公室部门整体支出绩效指标"
    assert _keeps(title)
    assert _header_rows(tbl) == [0]
    n = len(_rows(tbl))
    assert _kept(tbl) == [0, 1, n - 2]


def test_figure_unit_line_picture_and_caption_stay_together(example_body):
    children = list(example_body)
    pictures = [p for p in children if p.find(f".//{W}drawing") is not None]
    assert len(pictures) == 7
    for pic in pictures:
        i = children.index(pic)
        unit, caption = children[i - 1], children[i + 1]
        assert _text(unit) == "单位：万元" and _keeps(unit)
        assert _keeps(pic)
        assert re.fullmatch(r"图\d .+", _text(caption)), _text(caption)
