"""图1–图7 as native Word charts: the second figure engine (``--charts native``).

A native chart is what Word itself writes for 插入 → 图表: a DrawingML part
``word/charts/chartN.xml`` and the workbook it is drawn from, embedded as
``word/embeddings/Microsoft_Excel_SheetN.xlsx`` and named by the chart's
``c:externalData``. A unit can then restyle the chart or correct its data (编辑数据) in
Word or WPS, and its text stays sharp and searchable. python-docx has no chart API;
python-pptx writes the same DrawingML (``ChartXmlWriter``, ``ChartData.xlsx_blob``) and
has the object model to style it, so the chart is built with python-pptx and placed into
python-docx parts here.

A chart shows exactly what the matplotlib figure shows (the same
:class:`~reportgen.charts.ChartSpec`: groups, series, slices, the text's own printed
figures as labels) and takes its look from the same style file,
``charts/reportgen.mplstyle`` (palette, font sizes, grid), read by a small parser rather
than matplotlib, so this engine never imports matplotlib's drawing machinery.

LibreOffice (the PDF) draws such a chart only when nothing is left to defaults: the value
axis starts at 0, every series and point has its own fill, the text properties name the
Latin and East-Asian fonts, and the caches hold every value. All of them are written.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part, XmlPart
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Length

from .charts import ASPECT, ChartSpec, _style_path
from .money import wan

#: the URI a ``a:graphicData`` holding a chart carries (python-docx reads it as a chart)
CHART_URI = "http://schemas.openxmlformats.org/drawingml/2006/chart"
#: the family the matplotlib engine draws with (``charts.setup_fonts``: Noto Sans CJK SC,
#: bundled by mplfonts); named as both the Latin and the East-Asian typeface
FONT = "Noto Sans CJK SC"
#: the ring's hole, in percent of its outer radius (matplotlib: a wedge width of 0.55)
HOLE = 45
#: a label's white tag (matplotlib: a white box at alpha 0.9 behind each ring label)
TAG_ALPHA = 90_000
_NS_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
_NS_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_NUMBER = "0.00"  # the 万元 amounts as the text prints them


@dataclass(frozen=True)
class Style:
    """What the chart takes from charts/reportgen.mplstyle (sizes in points)."""

    colors: tuple[str, ...]
    text: float  # font.size: the chart's default, the bar and ring labels
    legend: float  # legend.fontsize
    category: float  # xtick.labelsize
    value: float  # ytick.labelsize
    label: float  # axes.labelsize: the value axis title (万元)
    grid_color: str
    grid_width: float
    edge_color: str  # axes.edgecolor: the axis lines
    edge_width: float


#: matplotlib's own defaults, for keys the style file leaves out
_DEFAULTS = {
    "font.size": "10",
    "legend.fontsize": "9",
    "xtick.labelsize": "10",
    "ytick.labelsize": "9",
    "axes.labelsize": "10",
    "grid.color": "B0B0B0",
    "grid.linewidth": "0.8",
    "axes.edgecolor": "000000",
    "axes.linewidth": "0.8",
}
#: a comment: ``#`` and what follows, unless inside quotes (``'#1F3864'``)
_COMMENT = re.compile(r"""#(?=(?:[^'"]*['"][^'"]*['"])*[^'"]*$).*""")
_NAMED = {"white": "FFFFFF", "black": "000000", "k": "000000", "w": "FFFFFF"}


def parse_style(text: str) -> Style:
    """The chart style from a matplotlib style file's ``key: value`` lines (``#``
    comments); the palette is the colour list of ``axes.prop_cycle``."""
    rc = dict(_DEFAULTS)
    for line in text.splitlines():
        line = _COMMENT.sub("", line).strip()
        if ":" in line:
            key, value = line.split(":", 1)
            rc[key.strip()] = value.strip()
    colors = tuple(c.upper() for c in re.findall(r"'#?([0-9A-Fa-f]{6})'", rc["axes.prop_cycle"]))
    if not colors:
        raise ValueError(f"{_style_path()} 的 axes.prop_cycle 没有颜色")
    return Style(
        colors=colors,
        text=_size(rc["font.size"]),
        legend=_size(rc["legend.fontsize"]),
        category=_size(rc["xtick.labelsize"]),
        value=_size(rc["ytick.labelsize"]),
        label=_size(rc["axes.labelsize"]),
        grid_color=_color(rc["grid.color"]),
        grid_width=float(rc["grid.linewidth"]),
        edge_color=_color(rc["axes.edgecolor"]),
        edge_width=float(rc["axes.linewidth"]),
    )


def _size(value: str) -> float:
    return float(value)


def _color(value: str) -> str:
    value = value.strip().strip("'\"").lstrip("#")
    return _NAMED.get(value.lower(), value.upper())


@cache
def style() -> Style:
    """The style file, read once per process (the same file the matplotlib engine uses)."""
    return parse_style(Path(_style_path()).read_text(encoding="utf-8"))


# --- the chart ------------------------------------------------------------------------


@dataclass(frozen=True)
class NativeChart:
    """One chart ready to be placed: its chartSpace XML (without the relationship to its
    workbook, which only exists once the part is in a package) and the workbook."""

    ref: str
    caption: str
    xml: bytes
    xlsx: bytes

    def insert(self, run, width: Length) -> None:
        """Place the chart in ``run`` (a python-docx run of the document's body) as an
        inline drawing ``width`` wide: chart part and embedded workbook in the run's
        package, related as Word relates them."""
        insert_chart(run, self, width)


def build_chart(spec: ChartSpec) -> NativeChart:
    """The native chart of one available spec (deterministic: same data, same bytes)."""
    if not spec.available:
        raise ValueError(f"{spec.caption} 没有可绘制的数据")
    from lxml import etree
    from pptx.chart.chart import Chart
    from pptx.chart.xmlwriter import ChartXmlWriter
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.oxml import parse_xml as pptx_parse

    data = _bar_data(spec) if spec.kind == "bars" else _ring_data(spec)
    kind = XL_CHART_TYPE.COLUMN_CLUSTERED if spec.kind == "bars" else XL_CHART_TYPE.DOUGHNUT
    space = pptx_parse(ChartXmlWriter(kind, data).xml.encode("utf-8"))
    chart = Chart(space, None)
    st = style()
    _common(space, chart, st)
    if spec.kind == "bars":
        _style_bars(space, chart, st)
    else:
        _style_ring(space, chart, spec, st)
    xml = etree.tostring(space, xml_declaration=True, encoding="UTF-8", standalone=True)
    return NativeChart(spec.ref, spec.caption, xml, _workbook(data))


#: the embedded workbook's 创建时间: fixed, so the same data gives the same bytes
#: (XlsxWriter stamps its zip entries 1980-01-01 already)
WORKBOOK_CREATED = datetime(1980, 1, 1)


def _workbook(data) -> bytes:
    """``data.xlsx_blob`` (python-pptx's workbook writer: the sheet the chart's ``c:f``
    ranges name) without the clock in its document properties."""
    from pptx.chart.xlsx import CategoryWorkbookWriter
    from xlsxwriter import Workbook

    class Fixed(CategoryWorkbookWriter):
        @contextmanager
        def _open_worksheet(self, xlsx_file):
            workbook = Workbook(xlsx_file, {"in_memory": True})
            workbook.set_properties({"created": WORKBOOK_CREATED})
            yield workbook, workbook.add_worksheet()
            workbook.close()

    return Fixed(data).xlsx_blob


def _bar_data(spec: ChartSpec):
    """Categories are the groups, one series a year; values the printed 万元 amounts."""
    from pptx.chart.data import CategoryChartData

    data = CategoryChartData(number_format=_NUMBER)
    data.categories = list(spec.groups)
    for name, values in spec.series:
        data.add_series(name, [float(wan(v)) for v in values])
    return data


def _ring_data(spec: ChartSpec):
    """One series; each category is the slice's legend line (label, 万元 amount and
    percent as the structure sentence prints them), its value the printed 万元 amount."""
    from pptx.chart.data import CategoryChartData

    data = CategoryChartData(number_format=_NUMBER)
    data.categories = list(spec.legend_labels())
    data.add_series(spec.title, [float(wan(a)) for _label, a, _p in spec.slices])
    return data


def _common(space, chart, st: Style) -> None:
    """No title (the caption is the document's), square corners, a white chart area
    without border, the default text in the style's size and fonts, Chinese language."""
    chart.has_title = False
    date1904 = space.find(f"{{{_NS_C}}}date1904")
    date1904.addnext(_c(f'<c:lang {nsdecls("c")} val="zh-CN"/>'))
    if space.find(f"{{{_NS_C}}}roundedCorners") is None:  # the ring writer has it
        space.find(f"{{{_NS_C}}}lang").addnext(_c(f'<c:roundedCorners {nsdecls("c")} val="0"/>'))
    txpr = space.find(f"{{{_NS_C}}}txPr")
    txpr.addprevious(_sppr(fill="FFFFFF", line=None))
    _font(chart.font, st.text)
    chart.font.color.rgb = _rgb("000000")
    plot_area = space.find(f"{{{_NS_C}}}chart/{{{_NS_C}}}plotArea")
    plot_area.append(_sppr(fill=None, line=None))


def _style_bars(space, chart, st: Style) -> None:
    """Grouped columns: one colour per series (上年, 本年), each bar labelled with its
    printed amount above it, the value axis from 0 with the style's grid, the legend on
    top, as the matplotlib figure."""
    from pptx.enum.chart import XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.util import Pt

    plot = chart.plots[0]
    plot.vary_by_categories = False
    plot.gap_width = 70  # matplotlib: bars 0.36 wide, 0.24 between groups
    plot.overlap = -10
    for i, series in enumerate(plot.series):
        series.invert_if_negative = False
        _fill(series.format, st.colors[i % len(st.colors)])
        labels = series.data_labels
        labels.number_format, labels.number_format_is_linked = _NUMBER, False
        labels.position = XL_LABEL_POSITION.OUTSIDE_END
        labels.show_value = True
        labels.show_category_name = labels.show_series_name = labels.show_legend_key = False
        labels.show_percentage = False
        _font(labels.font, st.text)
    axis = chart.value_axis
    axis.minimum_scale = 0
    axis.has_major_gridlines = True
    grid = axis.major_gridlines.format.line
    grid.color.rgb, grid.width = _rgb(st.grid_color), Pt(st.grid_width)
    axis.tick_labels.number_format, axis.tick_labels.number_format_is_linked = "General", False
    _font(axis.tick_labels.font, st.value)
    _axis_line(axis, st)
    axis.has_title = True
    title = axis.axis_title.text_frame
    title.text = "万元"
    _font(title.paragraphs[0].runs[0].font, st.label)
    body = axis.axis_title._title.find(f"{{{_NS_C}}}tx/{{{_NS_C}}}rich/{{{_NS_A}}}bodyPr")
    body.set("rot", "-5400000")
    body.set("vert", "horz")
    cat = chart.category_axis
    _font(cat.tick_labels.font, st.category)
    _axis_line(cat, st)
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.TOP
    chart.legend.include_in_layout = False
    _font(chart.legend.font, st.legend)
    _plot_visible_only(space)


def _style_ring(space, chart, spec: ChartSpec, st: Style) -> None:
    """A ring on the left half, the legend (label, amount, percent) on the right: one
    colour per slice with white edges between them, the printed percent on each slice
    that is wide enough (as :meth:`ChartSpec.slice_labels`, black on a white tag), none
    on the narrower ones, whose legend line carries their percent: a ring's labels cannot
    be placed outside it with a leader line (Word offers no outside position for a
    doughnut, and LibreOffice draws no leader line for one), and a label moved off its
    slice without a line would name the wrong one."""
    from pptx.enum.chart import XL_LEGEND_POSITION
    from pptx.util import Pt

    series = chart.plots[0].series[0]
    ser = series._element
    _fill(series.format, "FFFFFF")
    for i, text in enumerate(spec.slice_labels()):
        point = series.points[i]
        _fill(point.format, st.colors[i % len(st.colors)])
        point.format.line.color.rgb, point.format.line.width = _rgb("FFFFFF"), Pt(1)
        if not text:
            dlbl = ser.get_or_add_dLbls().get_or_add_dLbl_for_point(i)
            for child in list(dlbl)[1:]:
                dlbl.remove(child)
            dlbl.append(_c(f'<c:delete {nsdecls("c")} val="1"/>'))
            continue
        label = point.data_label
        label.text_frame.text = text
        run_font = label.text_frame.paragraphs[0].runs[0].font
        _font(run_font, st.text)
        run_font.color.rgb = _rgb("000000")
        dlbl = label._dLbl
        sppr = dlbl.get_or_add_spPr()
        for child in list(sppr):
            sppr.remove(child)
        sppr.extend(list(_sppr(fill="FFFFFF", line=None, alpha=TAG_ALPHA)))
    # the series' own flags (python-pptx writes them all, showing nothing) stand for
    # every slice without a label of its own; no leader lines on a ring
    leaders = ser.get_or_add_dLbls().find(f"{{{_NS_C}}}showLeaderLines")
    if leaders is not None:
        leaders.set("val", "0")
    ring = space.find(f".//{{{_NS_C}}}doughnutChart")
    ring.find(f"{{{_NS_C}}}holeSize").set("val", str(HOLE))
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.RIGHT
    chart.legend.include_in_layout = False
    _font(chart.legend.font, st.legend)
    legend = space.find(f"{{{_NS_C}}}chart/{{{_NS_C}}}legend")
    legend.find(f"{{{_NS_C}}}legendPos").set("val", "r")  # python-pptx leaves the default out
    plot_area = space.find(f"{{{_NS_C}}}chart/{{{_NS_C}}}plotArea")
    _manual_layout(plot_area.find(f"{{{_NS_C}}}layout"), 0.02, 0.04, 0.42, 0.92, inner=True)
    _manual_layout(legend.find(f"{{{_NS_C}}}layout"), 0.46, 0.04, 0.53, 0.92)


# --- DrawingML helpers ----------------------------------------------------------------


def _c(xml: str):
    from pptx.oxml import parse_xml as pptx_parse

    return pptx_parse(xml)


def _rgb(hex6: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex6)


def _fill(fmt, hex6: str) -> None:
    fmt.fill.solid()
    fmt.fill.fore_color.rgb = _rgb(hex6)


def _font(font, size: float) -> None:
    """Size and typefaces of a text run or default run: the Latin one, then the
    East-Asian one (python-pptx names only the Latin), as the schema orders them."""
    from pptx.util import Pt

    font.size = Pt(size)
    font.name = FONT
    rpr = font._rPr
    latin = rpr.find(f"{{{_NS_A}}}latin")
    for tag in ("cs", "ea"):  # inserted right after latin, so ea ends up first
        old = rpr.find(f"{{{_NS_A}}}{tag}")
        if old is not None:
            rpr.remove(old)
        latin.addnext(_c(f'<a:{tag} {nsdecls("a")} typeface="{FONT}"/>'))
    rpr.set("lang", "zh-CN")
    rpr.set("altLang", "en-US")


def _sppr(fill: str | None, line: str | None, alpha: int | None = None):
    """A ``c:spPr``: a solid fill (or none) and a line (or none)."""
    alpha_xml = f'<a:alpha val="{alpha}"/>' if alpha is not None else ""
    fill_xml = (
        f'<a:solidFill><a:srgbClr val="{fill}">{alpha_xml}</a:srgbClr></a:solidFill>'
        if fill
        else "<a:noFill/>"
    )
    line_xml = (
        f'<a:ln><a:solidFill><a:srgbClr val="{line}"/></a:solidFill></a:ln>'
        if line
        else "<a:ln><a:noFill/></a:ln>"
    )
    return _c(f"<c:spPr {nsdecls('c', 'a')}>{fill_xml}{line_xml}</c:spPr>")


def _axis_line(axis, st: Style) -> None:
    from pptx.util import Pt

    line = axis.format.line
    line.color.rgb, line.width = _rgb(st.edge_color), Pt(st.edge_width)


def _plot_visible_only(space) -> None:
    """``c:plotVisOnly`` after the legend (the bar writer leaves it out)."""
    chart = space.find(f"{{{_NS_C}}}chart")
    if chart.find(f"{{{_NS_C}}}plotVisOnly") is None:
        chart.find(f"{{{_NS_C}}}dispBlanksAs").addprevious(
            _c(f'<c:plotVisOnly {nsdecls("c")} val="1"/>')
        )


def _manual_layout(layout, x: float, y: float, w: float, h: float, inner=False) -> None:
    """Fractions of the chart area (the plot area's ``inner`` box: the ring itself)."""
    target = '<c:layoutTarget val="inner"/>' if inner else ""
    layout.append(
        _c(
            f'<c:manualLayout {nsdecls("c")}>{target}<c:xMode val="edge"/><c:yMode val="edge"/>'
            f'<c:x val="{x}"/><c:y val="{y}"/><c:w val="{w}"/><c:h val="{h}"/></c:manualLayout>'
        )
    )


# --- placing it into the document -----------------------------------------------------


def insert_chart(run, chart: NativeChart, width: Length) -> None:
    """Chart part (related from the run's part with RT.CHART), its workbook (related
    from the chart with RT.PACKAGE and named by ``c:externalData``) and the inline
    ``w:drawing`` in ``run``."""
    story = run.part
    package = story.package
    part = XmlPart(
        package.next_partname("/word/charts/chart%d.xml"),
        CT.DML_CHART,
        parse_xml(chart.xml),
        package,
    )
    workbook = Part(
        package.next_partname("/word/embeddings/Microsoft_Excel_Sheet%d.xlsx"),
        CT.SML_SHEET,
        chart.xlsx,
        package,
    )
    data_rid = part.relate_to(workbook, RT.PACKAGE)
    part.element.append(
        parse_xml(
            f'<c:externalData {nsdecls("c", "r")} r:id="{data_rid}">'
            '<c:autoUpdate val="0"/></c:externalData>'
        )
    )
    rid = story.relate_to(part, RT.CHART)
    # the matplotlib figure's height over width: both engines take the same room
    cx, cy = int(width), int(int(width) * ASPECT)
    shape_id = story.next_id
    name = f"图表 {shape_id}"
    run._r.append(
        parse_xml(
            f"<w:drawing {nsdecls('w', 'wp', 'a', 'c', 'r')}>"
            '<wp:inline distT="0" distB="0" distL="0" distR="0">'
            f'<wp:extent cx="{cx}" cy="{cy}"/>'
            '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
            f'<wp:docPr id="{shape_id}" name="{name}" descr="{_attr(chart.caption)}"/>'
            "<wp:cNvGraphicFramePr/>"
            f'<a:graphic><a:graphicData uri="{CHART_URI}">'
            f'<c:chart r:id="{rid}"/>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing>"
        )
    )


def _attr(text: str) -> str:
    """Text as an XML attribute value."""
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def warm_up() -> None:
    """Import python-pptx and read the style once (a batch's parent does this before
    forking its workers, so each starts warm)."""
    build_chart(ChartSpec("fig1", 1, "", "bars", ("甲",), (("2020年度", (Decimal(1),)),)))
    build_chart(ChartSpec("fig2", 2, "", "pie", slices=(("甲", Decimal(1), Decimal(100)),)))
