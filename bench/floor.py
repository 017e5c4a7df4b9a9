"""The floor reportgen is measured against: the leanest program that writes the same
document with matplotlib and docxtpl, and nothing else.

It reads no workbook, checks nothing, computes nothing and audits nothing: it is handed
each document's content ready-made (every paragraph and every table cell of reportgen's
own document for the unit, and the data of its charts, see :func:`content_of`) and only
draws the 7 charts as PNG pictures with matplotlib (bars with their amounts, rings with
their percents and legends, the same size and resolution) and fills one docxtpl template
(A4, the same margins, body type and table type) with the paragraphs, the tables and the
pictures, so it makes a document of the same page count. A generator that does more
than that cannot be faster than this, except by doing these two things better.

    python bench/floor.py prepare UNIT.xlsx DOCX CONTENT.json   # untimed preparation
    python bench/floor.py one CONTENT.json OUT.docx             # one document
    python bench/floor.py batch CONTENT_DIR OUT_DIR -j 2        # a warmed forked pool
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import resource
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
FIGSIZE_IN = (15.0 / 2.54, 7.0 / 2.54)  # the pictures reportgen places: 15 × 7 cm
DPI = 160
TEMPLATE = Path(tempfile.gettempdir()) / "reportgen-bench-floor.docx"  # made by prepare


# --- preparation (untimed): the content of reportgen's document ------------------------


def content_of(workbook: Path, docx: Path) -> dict:
    """Blocks of reportgen's document for ``workbook`` (its .docx ``docx``): headings and
    paragraphs as text, its page and section breaks as page breaks, tables as rows of cells (text, columns spanned, width; a cell
    under a vertical merge empty), a picture as the index of its chart; and the data
    of the charts (bars: groups and series in 万元; rings: labels, 万元 and percents)."""
    from lxml import etree

    from reportgen import check
    from reportgen.charts import chart_specs
    from reportgen.computed import compute
    from reportgen.money import wan

    with zipfile.ZipFile(docx) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(f"{W}body")
    blocks, pictures = [], 0
    for el in body:
        if el.tag == f"{W}p":
            if el.find(f".//{W}drawing") is not None:
                blocks.append({"kind": "img", "chart": pictures})
                pictures += 1
                continue
            style = el.find(f"{W}pPr/{W}pStyle")
            heading = style is not None and style.get(f"{W}val", "").startswith("Heading")
            text = "".join(el.itertext())
            if el.find(f"{W}pPr/{W}pageBreakBefore") is not None:
                blocks.append({"kind": "br"})
            if text:
                blocks.append({"kind": "h" if heading else "p", "text": text})
            breaks = el.findall(f".//{W}br[@{W}type='page']")
            if breaks or el.find(f"{W}pPr/{W}sectPr") is not None:
                blocks.append({"kind": "br"})
        elif el.tag == f"{W}tbl":
            widths = [int(g.get(f"{W}w")) for g in el.iter(f"{W}gridCol")]
            size = el.find(f".//{W}r/{W}rPr/{W}sz")
            margin = el.find(f"{W}tblPr/{W}tblCellMar/{W}left")
            rows = []
            for tr in el.findall(f"{W}tr"):
                row, col = [], 0
                for tc in tr.findall(f"{W}tc"):
                    span = tc.find(f"{W}tcPr/{W}gridSpan")
                    n = int(span.get(f"{W}val")) if span is not None else 1
                    merged = tc.find(f"{W}tcPr/{W}vMerge")
                    cont = merged is not None and merged.get(f"{W}val") != "restart"
                    text = "" if cont else "".join(tc.itertext())
                    row.append({"t": text, "s": n, "w": sum(widths[col : col + n])})
                    col += n
                rows.append(row)
            sz = int(size.get(f"{W}val")) if size is not None else 18
            mar = int(margin.get(f"{W}w")) if margin is not None else 108
            blocks.append({"kind": "t", "rows": rows, "widths": widths, "sz": sz, "mar": mar})
    report, _ = check(workbook)
    charts = []
    for spec in chart_specs(compute(report)).values():
        if not spec.available:
            continue
        if spec.kind == "bars":
            series = [[name, [float(wan(v)) for v in vals]] for name, vals in spec.series]
            charts.append({"kind": "bars", "groups": list(spec.groups), "series": series})
        else:
            slices = [[label, float(wan(a)), float(p)] for label, a, p in spec.slices]
            charts.append({"kind": "pie", "slices": slices})
    return {"blocks": blocks, "charts": charts[:pictures]}


def make_template(path: Path = TEMPLATE) -> Path:
    """The docxtpl template: A4 with reportgen's margins, 16 pt body on 28 pt lines, one
    loop over the blocks (heading, paragraph, picture, or a table whose rows and cells
    are loops too, with the column widths and type size of reportgen's table, which
    Jinja writes into the table grid and the cell)."""
    from docx import Document
    from docx.enum.text import WD_BREAK, WD_LINE_SPACING
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "FangSong")
    fmt = normal.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
    fmt.space_after = fmt.space_before = Pt(0)
    fmt.first_line_indent = Pt(32)
    for name in ("Heading 1", "Heading 2"):
        st = doc.styles[name]
        st.font.size = Pt(16)
        st.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        st.paragraph_format.line_spacing = Pt(28)
        st.paragraph_format.space_before = st.paragraph_format.space_after = Pt(0)
    doc.add_paragraph("{%p for b in blocks %}")
    doc.add_paragraph("{%p if b.kind == 'h' %}")
    doc.add_paragraph("{{ b.text }}", style="Heading 2")
    doc.add_paragraph("{%p elif b.kind == 'p' %}")
    doc.add_paragraph("{{ b.text }}")
    doc.add_paragraph("{%p elif b.kind == 'img' %}")
    doc.add_paragraph("{{ images[b.chart] }}").paragraph_format.first_line_indent = Pt(0)
    doc.add_paragraph("{%p elif b.kind == 'br' %}")
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.add_paragraph("{%p elif b.kind == 't' %}")
    table = doc.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    table.cell(0, 0).text = "{%tr for row in b.rows %}"
    for c, text in enumerate(("{%tc for c in row %}", "{{ c.t }}", "{%tc endfor %}")):
        table.cell(1, c).text = text
    table.cell(2, 0).text = "{%tr endfor %}"
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.line_spacing = Pt(11)
                for run in p.runs:
                    run.font.size = Pt(9)
    doc.add_paragraph("{%p endif %}")
    doc.add_paragraph("{%p endfor %}")
    buf = io.BytesIO()
    doc.save(buf)
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                data = _jinja_widths(data.decode()).encode()
            dst.writestr(item, data)
    return path


def _jinja_widths(xml: str) -> str:
    """The table's grid, the cell's width and span and the run's size as Jinja
    expressions."""
    import re

    xml = re.sub(
        r"<w:tblGrid>.*?</w:tblGrid>",
        '<w:tblGrid>{% for w in b.widths %}<w:gridCol w:w="{{ w }}"/>{% endfor %}</w:tblGrid>',
        xml,
        flags=re.S,
    )
    xml = xml.replace(
        '<w:tblW w:type="auto" w:w="0"/>',
        '<w:tblW w:type="auto" w:w="0"/><w:tblLayout w:type="fixed"/>'
        '<w:tblCellMar><w:left w:w="{{ b.mar }}" w:type="dxa"/>'
        '<w:right w:w="{{ b.mar }}" w:type="dxa"/></w:tblCellMar>',
    )
    cell = re.search(r"<w:tc>(?:(?!<w:tc>).)*?\{\{ c\.t \}\}.*?</w:tc>", xml, flags=re.S)
    old = cell.group(0)
    width = '<w:tcW w:w="{{ c.w }}" w:type="dxa"/><w:gridSpan w:val="{{ c.s }}"/>'
    new = re.sub(r"<w:tcW [^>]*/>", width, old)
    new = re.sub(r"<w:sz w:val=\"\d+\"/>", '<w:sz w:val="{{ b.sz }}"/>', new)
    return xml.replace(old, new)


# --- the timed work ----------------------------------------------------------------------


def warm_up() -> None:
    """What a warmed worker has loaded before its first document: matplotlib with the CJK
    font, docxtpl, and one drawing (glyph cache)."""
    setup()
    draw({"kind": "bars", "groups": ["收入总计", "支出总计"], "series": [["2020年度", [1, 2]]]})


def setup() -> None:
    """matplotlib on Agg with the CJK font (the file mplfonts ships, as reportgen's)."""
    import matplotlib

    matplotlib.use("Agg")
    import mplfonts
    from matplotlib import font_manager

    font = Path(mplfonts.__file__).parent / "fonts" / "NotoSansCJKsc-Regular.otf"
    font_manager.fontManager.addfont(str(font))
    matplotlib.rcParams["font.family"] = ["Noto Sans CJK SC"]
    matplotlib.rcParams["font.size"] = 9


def draw(chart: dict) -> bytes:
    """One chart as PNG bytes: a bare Figure on the Agg canvas, saved by savefig."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=FIGSIZE_IN, dpi=DPI)
    FigureCanvasAgg(fig)
    if chart["kind"] == "bars":
        ax = fig.add_axes((0.1, 0.13, 0.88, 0.72))
        n = len(chart["series"])
        for i, (name, values) in enumerate(chart["series"]):
            xs = [g + (i - (n - 1) / 2) * 0.8 / n for g in range(len(values))]
            bars = ax.bar(xs, values, 0.72 / n, label=name)
            ax.bar_label(bars, fmt="%.2f")
        ax.set_xticks(range(len(chart["groups"])), chart["groups"])
        ax.set_ylabel("万元")
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=n)
    else:
        ax = fig.add_axes((0.0, 0.0, 0.45, 1.0))
        labels, amounts, percents = zip(*chart["slices"], strict=True)
        wedges, _ = ax.pie(
            amounts,
            labels=[f"{p:.2f}%" for p in percents],
            startangle=90,
            counterclock=False,
            wedgeprops={"width": 0.45, "edgecolor": "white"},
        )
        legend = [f"{lab} {a:.2f}万元 {p:.2f}%" for lab, a, p in chart["slices"]]
        fig.legend(wedges, legend, loc="center left", bbox_to_anchor=(0.47, 0.5))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI)
    return buf.getvalue()


def one(content: Path, out: Path) -> None:
    """Draw the charts and fill the template: one document written to ``out``."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    data = json.loads(content.read_text(encoding="utf-8"))
    tpl = DocxTemplate(str(TEMPLATE))
    images = [InlineImage(tpl, io.BytesIO(draw(c)), width=Mm(150)) for c in data["charts"]]
    tpl.render({"blocks": data["blocks"], "images": images})
    tpl.save(str(out))


def _worker_one(args: tuple[str, str]) -> float:
    one(Path(args[0]), Path(args[1]))
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MB (Linux: KiB)


def batch(contents: list[Path], out: Path, jobs: int) -> tuple[float, float]:
    """Documents per second of a pool of ``jobs`` forked workers, warmed before the
    clock starts; and the workers' peak RSS (MB)."""
    out.mkdir(parents=True, exist_ok=True)
    warm_up()  # in the parent: the forked workers start warm
    tasks = [(str(c), str(out / (c.stem + ".docx"))) for c in contents]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(_worker_one, tasks[:jobs], chunksize=1)  # every worker warm
        t = time.perf_counter()
        rss = pool.map(_worker_one, tasks, chunksize=1)
        wall = time.perf_counter() - t
    return len(tasks) / wall, max(rss)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("workbook", type=Path)
    p.add_argument("docx", type=Path)
    p.add_argument("content", type=Path)
    o = sub.add_parser("one")
    o.add_argument("content", type=Path)
    o.add_argument("out", type=Path)
    b = sub.add_parser("batch")
    b.add_argument("contents", type=Path)
    b.add_argument("out", type=Path)
    b.add_argument("-j", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    if args.cmd == "prepare":
        sys.path.insert(0, str(ROOT))
        make_template()
        content = content_of(args.workbook, args.docx)
        args.content.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    elif args.cmd == "one":
        setup()  # a fresh process: what the document needs, when it needs it
        one(args.content, args.out)
    else:
        rate, rss = batch(sorted(args.contents.glob("*.json")), args.out, args.j)
        print(json.dumps({"documents_per_s": rate, "peak_rss_mb": rss}))


if __name__ == "__main__":
    main()
