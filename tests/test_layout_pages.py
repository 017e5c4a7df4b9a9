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

import os
import re
import shutil
import zipfile
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from pathlib import Path

import pytest
from lxml import etree
from matplotlib.text import Text
from visual import page_texts, pdf_pages

from reportgen import charts, check
from reportgen.charts import (
    FIGSIZE_CM,
    SMALL_SLICE,
    TITLES,
    ChartSpec,
    chart_specs,
    figure,
    print_points,
)
from reportgen.computed import compute
from reportgen.docx_table import keep_rows
from reportgen.evaluation_tables import PROJECT_HEADER_ROWS, PROJECT_TAIL_ROWS
from reportgen.pdf import find_soffice

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


def test_the_cover_has_a_page_of_its_own(example_body):
    """The template's title alone on the first page: the 目录's title starts the next one
    (no break inside the title paragraph, which would push an empty line onto it)."""
    paras = list(example_body.iter(f"{W}p"))
    (title,) = [p for p in paras if p.find(f"{W}pPr/{W}pStyle[@{W}val='Title']") is not None]
    toc = next(p for p in paras if _text(p) == "目  录")
    assert toc.find(f"{W}pPr/{W}pageBreakBefore") is not None
    assert title.find(f".//{W}br") is None
    assert _text(title) == "玉溪市互联网信息办公室2021年度部门决算"


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


# --- the PDF ---------------------------------------------------------------------------

HAVE_PDF = find_soffice() is not None and shutil.which("pdftoppm") is not None
if os.environ.get("REPORTGEN_REQUIRE_PDF") == "1" and not HAVE_PDF:
    raise RuntimeError("REPORTGEN_REQUIRE_PDF=1 but LibreOffice/poppler are not installed")

#: the page's text area (A4 portrait, the template's margins), in cm from the top
TEXT_TOP_CM, TEXT_BOTTOM_CM, PAGE_CM = 3.7, 29.7 - 3.5, 29.7


@pytest.fixture(scope="module")
def pdfs(built, tmp_path_factory) -> dict[str, Path]:
    """The example's PDF and the Shanghai example's, made once for the module."""
    if not HAVE_PDF:
        pytest.skip("LibreOffice or poppler not installed")
    from reportgen import build
    from reportgen.pdf import to_pdf

    out = tmp_path_factory.mktemp("layout-pdf")
    # a copy: the conversion writes the numbered 目录 back into the .docx it converts, and
    # the session's example document must stay as built for the other tests
    yunnan = out / "yunnan.docx"
    shutil.copy(built.path, yunnan)
    return {
        "yunnan": to_pdf(yunnan, out / "yunnan.pdf"),
        "shanghai": to_pdf(build(SHANGHAI, out).path, out / "shanghai.pdf"),
    }


def _lines(page: str) -> list[str]:
    """A page's text lines without the page number, spaces removed (pdftotext spaces
    out justified CJK text)."""
    lines = [re.sub(r"\s+", "", line) for line in page.splitlines()]
    return [line for line in lines if line and not re.fullmatch(r"—\d+—", line)]


@pytest.mark.parametrize("which", ["yunnan", "shanghai"])
def test_no_page_opens_with_a_tables_note(pdfs, which):
    """A table's 注 line (or the 说明 under an empty table) always follows some of its
    table on the same page."""
    pages = [_lines(t) for t in page_texts(pdfs[which])]
    notes = [
        i for i, lines in enumerate(pages, 1) if lines and lines[0].startswith(("注：", "说明："))
    ]
    assert notes == []
    assert sum(1 for lines in pages for line in lines if line.startswith("注：")) >= 9  # control


@pytest.mark.parametrize(
    ("which", "cover"),
    [
        ("yunnan", ["玉溪市互联网信息办公室2021年度部门决算"]),
        ("shanghai", ["上海市某某区文化和旅游局", "2024年度部门决算"]),
    ],
)
def test_the_cover_is_alone_on_the_first_page(pdfs, which, cover):
    pages = [_lines(t) for t in page_texts(pdfs[which])]
    assert pages[0] == cover
    assert pages[1][0] == "目录"


def test_total_score_rows_stay_with_the_rows_above(pdfs):
    """Every page with a 总分 row also has the 其他需要说明的事项 row above it."""
    pages = [_lines(t) for t in page_texts(pdfs["yunnan"])]
    totals = [i for i, lines in enumerate(pages) if any("总分值" in line for line in lines)]
    assert len(totals) == 17
    for i in totals:
        text = "".join(pages[i])
        assert "其他需要说明的事" in text, (i + 1, pages[i])
        assert not pages[i][0].startswith("总分"), i + 1


def test_project_tables_name_their_project_on_each_continuation_page(pdfs, example_body):
    """A 项目支出绩效自评表 continued on another page opens it with its 项目名称 and
    主管部门 rows again. The example's fourth project runs over three pages."""
    names = [_text(_rows(t)[0].findall(f"{W}tc")[1]) for t in _project_tables(example_body)]
    pages = [_lines(t) for t in page_texts(pdfs["yunnan"])]
    start = next(i for i, lines in enumerate(pages) if any(names[0] in line for line in lines))
    end = next(i for i, lines in enumerate(pages) if lines and lines[0] == "第五部分附表")
    current, continued = -1, []
    for i in range(start, end):
        lines = pages[i]
        heading = re.match(r"(\d+)\.", lines[0])
        if heading and i > start:
            current = int(heading.group(1)) - 1
            continue
        if i == start:
            current = 0
            continue
        continued.append(current)
        assert lines[0] == "项目名称" + names[current], (i + 1, lines[:2])
        assert lines[1].startswith("主管部门"), (i + 1, lines[:2])
    assert continued.count(3) == 2, continued  # 4.城市大脑考察学习专项资金


def _fill(page) -> float:
    """How far down the text area the page's last ink reaches (0 top … 1 bottom)."""
    import numpy as np

    rows = np.nonzero((page < 160).any(axis=1))[0]
    h = page.shape[0]
    top, bottom = h * TEXT_TOP_CM / PAGE_CM, h * TEXT_BOTTOM_CM / PAGE_CM
    inked = [r for r in rows if top <= r < bottom]
    return (max(inked) - top) / (bottom - top) if inked else 0.0


def test_no_half_empty_page_before_a_chart(pdfs):
    """Where a chart (its 单位 line) opens a page because it did not fit on the one
    before, that page is at least three fifths full (the 15 × 8.4 cm pictures of before
    left 44 % of page 6 empty); and two charts with text share a page."""
    texts = [_lines(t) for t in page_texts(pdfs["yunnan"])]
    pages = pdf_pages(pdfs["yunnan"], dpi=40)
    pushed = [i for i, lines in enumerate(texts) if lines and lines[0] == "单位：万元"]
    assert pushed, "no chart opens a page: nothing to check"
    fills = {i: round(_fill(pages[i - 1]), 2) for i in pushed}
    assert all(f >= 0.6 for f in fills.values()), fills
    captions = [sum(1 for line in lines if re.match(r"图\d", line)) for lines in texts]
    assert max(captions) >= 2, captions


# --- the charts ------------------------------------------------------------------------


def _pie(*parts: tuple[str, str]) -> ChartSpec:
    """A ring of ``parts`` (label, 元) with its shares rounded half-up to 0.01 %."""
    total = sum(D(a) for _, a in parts)
    slices = tuple(
        (label, D(a), (D(a) * 100 / total).quantize(D("0.01"), ROUND_HALF_UP)) for label, a in parts
    )
    return ChartSpec("fig6", 6, TITLES["fig6"], "pie", slices=slices)


#: 0.38 % and 0.40 % side by side (教育, 科学技术), as a unit with a tiny 支出 class has
TINY = _pie(
    ("一般公共服务支出", "5000000"),
    ("教育支出", "38000"),
    ("科学技术支出", "40000"),
    ("社会保障和就业支出", "3000000"),
    ("卫生健康支出", "1000000"),
    ("住房保障支出", "922000"),
)


@pytest.fixture(scope="module")
def example_specs(example_path) -> list[ChartSpec]:
    report, _ = check(example_path)
    return [s for s in chart_specs(compute(report), 2).values() if s.available]


@pytest.fixture(scope="module")
def corpus_rings(tmp_path_factory) -> list[ChartSpec]:
    """图6 of two corpus units with three slices under 2 % each (0.32/0.45 % and
    0.82/0.40/0.51 %)."""
    from corpus.catalogue import BY_KEY
    from corpus.units import write_unit

    folder = tmp_path_factory.mktemp("rings")
    out = []
    for key in ("transport_3y", "rural_carryover"):
        report, _ = check(write_unit(BY_KEY[key], folder / f"{key}.xlsx"))
        out.append(chart_specs(compute(report), 2)["fig6"])
    return out


def _texts(fig) -> list:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text()]


def test_chart_text_is_at_least_9_points_on_paper(example_specs, built):
    """Legends, bar amounts, ring percents, ticks: 9 pt or more at the size the picture
    is placed at (15 cm wide, the figure's own size, so points are points)."""
    with zipfile.ZipFile(built.path) as z:
        xml = z.read("word/document.xml").decode()
    extents = re.findall(r'<wp:extent cx="(\d+)" cy="(\d+)"', xml)
    assert len(extents) == 7
    for cx, cy in extents:  # EMU: 360000 a cm; the height follows the PNG's pixels
        assert int(cx) == 15 * 360000 and int(cy) == pytest.approx(7 * 360000, rel=0.005)
    for spec in [*example_specs, TINY]:
        fig = figure(spec)
        assert tuple(round(x * 2.54, 2) for x in fig.get_size_inches()) == FIGSIZE_CM
        legend = (fig.legends or [ax.get_legend() for ax in fig.axes if ax.get_legend()])[0]
        assert legend.get_texts()
        for t in legend.get_texts():
            assert print_points(fig, t.get_fontsize()) >= 9, (spec.ref, t.get_text())
        for t in _texts(fig):
            assert print_points(fig, t.get_fontsize()) >= 9, (spec.ref, t.get_text())


def test_print_points_scale_with_the_figure():
    """Control: a figure drawn twice as wide as it is placed prints its text at half size."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2 * FIGSIZE_CM[0] / 2.54, 3))
    assert print_points(fig, 18) == pytest.approx(9)


def _assert_every_slice_labelled_once_without_overlap(spec: ChartSpec) -> None:
    fig = figure(spec)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    percents = [t.get_text() for t in ax.texts]
    assert sorted(percents) == sorted(f"{p:.2f}%" for *_, p in spec.slices), spec.slices
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in _texts(fig)]
    width, height = fig.canvas.get_width_height()
    for text, box in boxes:
        assert box.x0 >= 0 and box.y0 >= 0 and box.x1 <= width and box.y1 <= height, text
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            assert not box_a.overlaps(box_b), (a, b)
    # each label outside the ring has its leader line, from the ring to the label
    outside = [t for t in ax.texts if t.get_position()[0] ** 2 + t.get_position()[1] ** 2 > 1]
    small = [f"{p:.2f}%" for *_, p in spec.slices if p < SMALL_SLICE]
    assert set(small) <= {t.get_text() for t in outside}
    assert len(ax.lines) == len(outside)
    for line in ax.lines:
        (x0, *_, x1), (y0, *_, y1) = line.get_xdata(), line.get_ydata()
        assert x0**2 + y0**2 == pytest.approx(1)  # starts at the ring's edge
        # and ends beside one outside label, at its height
        assert any(
            abs(y1 - t.get_position()[1]) < 1e-9 and abs(abs(t.get_position()[0]) - abs(x1)) < 0.1
            for t in outside
        ), (x1, y1)


def test_small_slices_are_labelled_outside_with_leader_lines(example_specs, corpus_rings):
    rings = [s for s in example_specs if s.kind == "pie"]
    assert len(rings) == 4
    for spec in [*rings, *corpus_rings, TINY]:
        _assert_every_slice_labelled_once_without_overlap(spec)
    assert min(p for *_, p in TINY.slices) == D("0.38")


def test_the_overlap_check_can_fail(monkeypatch):
    """Control: labels not spread apart (all at their slice's height) do overlap."""
    monkeypatch.setattr(charts, "_spread", lambda ys, gap, limit: ys)
    with pytest.raises(AssertionError):
        _assert_every_slice_labelled_once_without_overlap(TINY)
