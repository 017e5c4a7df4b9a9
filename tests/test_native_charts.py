"""图1–图7 as native Word charts (``--charts native``): parts, content types and
relationships as Word writes them, python-docx reading each as an inline chart, the
embedded workbook holding the figures the text prints, chart XML in schema order with
everything LibreOffice needs explicit, and the PDF showing every chart (ink in its area,
its labels in the text layer). Zero and absent cases as with pictures."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import docx
import matplotlib
import openpyxl
import pytest
from click.testing import CliRunner
from docx.enum.shape import WD_INLINE_SHAPE
from docx.shared import Cm
from lxml import etree
from seed004_data import seed004_data

from reportgen import build, codes, native_charts
from reportgen.charts import ChartSpec, _style_path, chart_specs, draw
from reportgen.cli import main
from reportgen.computed import compute
from reportgen.narrative import TemplateProblem
from reportgen.native_charts import CHART_URI, FONT, build_chart, parse_style
from reportgen.pipeline import check_profile
from reportgen.workbook import write_workbook

ROOT = Path(__file__).resolve().parents[1]
SHANGHAI = ROOT / "inputs" / "example" / "2024年度上海市某某区文化和旅游局.xlsx"
C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RT_CHART = R + "/chart"
RT_PACKAGE = R + "/package"
NS = {"c": C, "a": A, "r": R}

CAPTIONS = [
    "图1 收、支决算总计变动情况",
    "图2 收入决算结构",
    "图3 支出决算结构",
    "图4 财政拨款收、支决算总计变动情况",
    "图5 一般公共预算财政拨款支出决算变动情况",
    "图6 一般公共预算财政拨款支出决算结构",
    "图7 “三公”经费财政拨款支出结构",
]
#: the embedded workbook of each chart of the example, row by row: the 万元 amounts and
#: shares the text prints (二、收入决算情况说明 “一般公共预算财政拨款收入1543.34万元，
#: 占75.53%”, and so on; checked by hand against the document)
WORKBOOKS = {
    1: [
        [None, "2020年度", "2021年度"],
        ["收入总计", 1856.23, 2043.42],
        ["支出总计", 1856.23, 2043.42],
    ],
    2: [
        [None, "收入决算结构"],
        ["一般公共预算财政拨款收入 1543.34万元 75.53%", 1543.34],
        ["政府性基金预算财政拨款收入 500.00万元 24.47%", 500],
    ],
    3: [
        [None, "支出决算结构"],
        ["基本支出 721.81万元 35.32%", 721.81],
        ["项目支出 1321.53万元 64.68%", 1321.53],
    ],
    4: [
        [None, "2020年度", "2021年度"],
        ["财政拨款收入总计", 1856.15, 2043.34],
        ["财政拨款支出总计", 1856.15, 2043.34],
    ],
    5: [
        [None, "2020年度", "2021年度"],
        ["合计", 1421.68, 1543.34],
        ["基本支出", 698.12, 721.81],
        ["项目支出", 723.56, 821.53],
    ],
    6: [
        [None, "一般公共预算财政拨款支出决算结构"],
        ["一般公共服务支出 646.49万元 41.89%", 646.49],
        ["教育支出 612.09万元 39.66%", 612.09],
        ["科学技术支出 8.82万元 0.57%", 8.82],
        ["社会保障和就业支出 47.25万元 3.06%", 47.25],
        ["卫生健康支出 34.75万元 2.25%", 34.75],
        ["资源勘探工业信息等支出 141.55万元 9.17%", 141.55],
        ["住房保障支出 52.38万元 3.39%", 52.38],
    ],
    7: [
        [None, "“三公”经费财政拨款支出结构"],
        ["公务用车购置及运行维护费 2.02万元 47.11%", 2.02],
        ["公务接待费 2.27万元 52.89%", 2.27],
    ],
}
#: the ring labels: the printed share on each slice of at least 8%, none (None) on the
#: narrower ones, which only the legend names
RING_LABELS = {
    2: ["75.53%", "24.47%"],
    3: ["35.32%", "64.68%"],
    6: ["41.89%", "39.66%", None, None, None, "9.17%", None],
    7: ["47.11%", "52.89%"],
}
BARS = (1, 4, 5)
#: charts/reportgen.mplstyle as matplotlib itself reads it (the oracle for the parser)
RC = matplotlib.rc_params_from_file(_style_path(), use_default_template=False)
PALETTE = [c.lstrip("#").upper() for c in RC["axes.prop_cycle"].by_key()["color"]]


# --- the example with native charts ---------------------------------------------------


@pytest.fixture(scope="module")
def native_docx(tmp_path_factory, example_path) -> Path:
    """The example built with ``reportgen build --charts native``."""
    out = tmp_path_factory.mktemp("native")
    res = CliRunner().invoke(
        main, ["build", str(example_path), "-o", str(out), "--charts", "native"]
    )
    assert res.exit_code == 0, res.output
    (path,) = out.glob("*.docx")
    return path


@pytest.fixture(scope="module")
def package(native_docx) -> dict[str, bytes]:
    with zipfile.ZipFile(native_docx) as z:
        return {n: z.read(n) for n in z.namelist()}


def _charts(package) -> dict[int, etree._Element]:
    return {
        int(m.group(1)): etree.fromstring(package[n])
        for n in package
        if (m := re.fullmatch(r"word/charts/chart(\d+)\.xml", n))
    }


def _rels(blob: bytes) -> list[dict]:
    return [dict(el.attrib) for el in etree.fromstring(blob).iter(f"{{{PR}}}Relationship")]


def test_the_example_holds_seven_charts_with_their_workbooks_and_no_chart_picture(package):
    assert sorted(n for n in package if n.startswith("word/charts/chart")) == [
        f"word/charts/chart{i}.xml" for i in range(1, 8)
    ]
    assert sorted(n for n in package if n.startswith("word/embeddings/")) == [
        f"word/embeddings/Microsoft_Excel_Sheet{i}.xlsx" for i in range(1, 8)
    ]
    assert [n for n in package if n.startswith("word/media/")] == []


def test_content_types_name_the_charts_and_the_workbooks(package):
    types = etree.fromstring(package["[Content_Types].xml"])
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    overrides = {el.get("PartName"): el.get("ContentType") for el in types.iter(ns + "Override")}
    defaults = {el.get("Extension"): el.get("ContentType") for el in types.iter(ns + "Default")}
    for i in range(1, 8):
        assert overrides[f"/word/charts/chart{i}.xml"] == CT_CHART
    assert defaults["xlsx"] == CT_XLSX
    assert "png" not in defaults


def test_document_relates_each_chart_and_each_chart_its_workbook(package):
    body = etree.fromstring(package["word/document.xml"])
    doc_rels = {r["Id"]: r for r in _rels(package["word/_rels/document.xml.rels"])}
    # the charts in the body's order are chart1 … chart7
    targets = [doc_rels[el.get(f"{{{R}}}id")] for el in body.iter(f"{{{C}}}chart")]
    assert [(t["Type"], t["Target"]) for t in targets] == [
        (RT_CHART, f"charts/chart{i}.xml") for i in range(1, 8)
    ]
    for i, chart in _charts(package).items():
        (rel,) = _rels(package[f"word/charts/_rels/chart{i}.xml.rels"])
        assert (rel["Type"], rel["Target"]) == (
            RT_PACKAGE,
            f"../embeddings/Microsoft_Excel_Sheet{i}.xlsx",
        )
        external = chart.find(f"{{{C}}}externalData")
        assert external.get(f"{{{R}}}id") == rel["Id"]
        assert chart[-1] is external  # nothing after it (printSettings, userShapes unused)


def test_python_docx_reads_each_figure_as_an_inline_chart_above_its_caption(native_docx):
    document = docx.Document(str(native_docx))
    shapes = list(document.inline_shapes)
    assert len(shapes) == 7
    for shape in shapes:
        assert shape.type == WD_INLINE_SHAPE.CHART
        assert shape._inline.graphic.graphicData.uri == CHART_URI
        assert shape.width == Cm(15) and shape.height == int(Cm(15) * native_charts.ASPECT)
    # each chart's paragraph: the 单位 line before it, its caption after it, all kept
    # together as the picture is
    paras = document.paragraphs
    at = [i for i, p in enumerate(paras) if p._p.xpath(".//c:chart")]
    assert [paras[i + 1].text for i in at] == CAPTIONS
    assert [paras[i - 1].text for i in at] == ["单位：万元"] * 7
    assert all(paras[i - 1].paragraph_format.keep_with_next for i in at)
    assert all(paras[i].paragraph_format.keep_with_next for i in at)
    descr = [el.get("descr") for el in document.element.body.iter(docx.oxml.ns.qn("wp:docPr"))]
    assert descr == CAPTIONS


def test_embedded_workbooks_hold_the_printed_figures(package):
    for i, rows in WORKBOOKS.items():
        wb = openpyxl.load_workbook(
            io.BytesIO(package[f"word/embeddings/Microsoft_Excel_Sheet{i}.xlsx"])
        )
        assert [list(r) for r in wb.active.iter_rows(values_only=True)] == rows, i


def test_chart_caches_hold_the_same_figures_as_the_workbooks(package):
    for i, chart in _charts(package).items():
        rows = WORKBOOKS[i]
        series = chart.findall(".//c:ser", NS)
        assert [s.findtext("c:tx//c:v", namespaces=NS) for s in series] == rows[0][1:]
        for j, ser in enumerate(series):
            cats = ser.find("c:cat/c:strRef/c:strCache", NS)
            vals = ser.find("c:val/c:numRef/c:numCache", NS)
            assert cats.find("c:ptCount", NS).get("val") == str(len(rows) - 1)
            assert vals.find("c:ptCount", NS).get("val") == str(len(rows) - 1)
            assert [p.findtext("c:v", namespaces=NS) for p in cats.findall("c:pt", NS)] == [
                r[0] for r in rows[1:]
            ]
            assert [float(p.findtext("c:v", namespaces=NS)) for p in vals.findall("c:pt", NS)] == [
                r[1 + j] for r in rows[1:]
            ]


def _fill(sppr) -> str:
    return sppr.find("a:solidFill/a:srgbClr", NS).get("val")


def test_bars_start_at_zero_with_the_printed_amounts_and_the_palette(package):
    for i in BARS:
        chart = _charts(package)[i]
        assert chart.find(".//c:barChart/c:barDir", NS).get("val") == "col"
        assert chart.find(".//c:barChart/c:grouping", NS).get("val") == "clustered"
        assert float(chart.find(".//c:valAx/c:scaling/c:min", NS).get("val")) == 0
        series = chart.findall(".//c:ser", NS)
        assert [_fill(s.find("c:spPr", NS)) for s in series] == PALETTE[:2]
        for ser in series:
            labels = ser.find("c:dLbls", NS)
            assert labels.find("c:numFmt", NS).get("formatCode") == "0.00"
            assert labels.find("c:numFmt", NS).get("sourceLinked") == "0"
            assert labels.find("c:showVal", NS).get("val") == "1"
            assert labels.find("c:dLblPos", NS).get("val") == "outEnd"
        assert chart.find(".//c:legend/c:legendPos", NS).get("val") == "t"
        assert chart.find(".//c:valAx/c:title//a:t", NS).text == "万元"


def test_rings_carry_the_printed_shares_and_one_colour_per_slice(package):
    for i, expected in RING_LABELS.items():
        chart = _charts(package)[i]
        assert chart.find(".//c:doughnutChart/c:holeSize", NS).get("val") == "45"
        assert chart.find(".//c:doughnutChart/c:firstSliceAng", NS).get("val") == "0"
        points = chart.findall(".//c:ser/c:dPt", NS)
        assert [_fill(p.find("c:spPr", NS)) for p in points] == PALETTE[: len(expected)]
        labels = {}
        for dlbl in chart.findall(".//c:ser/c:dLbls/c:dLbl", NS):
            idx = int(dlbl.find("c:idx", NS).get("val"))
            deleted = dlbl.find("c:delete", NS)
            labels[idx] = None if deleted is not None else dlbl.findtext(".//a:t", namespaces=NS)
        assert [labels[k] for k in range(len(expected))] == expected
        assert chart.find(".//c:legend/c:legendPos", NS).get("val") == "r"


def test_every_text_names_its_latin_and_east_asian_font_and_fills_are_explicit(package):
    for i, chart in _charts(package).items():
        runs = chart.findall(".//a:defRPr", NS) + chart.findall(".//a:rPr", NS)
        assert len(runs) >= 3
        for rpr in runs:
            assert rpr.find("a:latin", NS).get("typeface") == FONT, i
            assert rpr.find("a:ea", NS).get("typeface") == FONT, i
            assert float(rpr.get("sz")) >= 900, i  # legible at print size (≥ 9 pt)
        # the chart area: a white fill, no border
        space_sppr = chart.find("c:spPr", NS)
        assert _fill(space_sppr) == "FFFFFF"
        assert space_sppr.find("a:ln/a:noFill", NS) is not None
        assert chart.find("c:chart/c:autoTitleDeleted", NS).get("val") == "1"
        assert chart.find("c:roundedCorners", NS).get("val") == "0"


#: child order of the DrawingML chart elements written here (ECMA-376 Part 1,
#: dml-chart.xsd and dml-main.xsd): Word refuses a chart part whose children are out of
#: order or repeated
SEQUENCES = {
    "c:chartSpace": "date1904 lang roundedCorners AlternateContent style clrMapOvr pivotSource "
    "protection chart spPr txPr externalData printSettings userShapes extLst",
    "c:chart": "title autoTitleDeleted pivotFmts view3D floor sideWall backWall plotArea legend "
    "plotVisOnly dispBlanksAs showDLblsOverMax extLst",
    "c:barChart": "barDir grouping varyColors ser+ dLbls gapWidth overlap serLines axId+ extLst",
    "c:doughnutChart": "varyColors ser+ dLbls firstSliceAng holeSize extLst",
    "c:ser": "idx order tx spPr invertIfNegative pictureOptions explosion dPt+ dLbls trendline "
    "errBars cat val shape extLst",
    "c:dPt": "idx invertIfNegative marker bubble3D explosion spPr pictureOptions extLst",
    "c:dLbls": "dLbl+ delete numFmt spPr txPr dLblPos showLegendKey showVal showCatName "
    "showSerName showPercent showBubbleSize separator showLeaderLines leaderLines extLst",
    "c:dLbl": "idx delete layout tx numFmt spPr txPr dLblPos showLegendKey showVal showCatName "
    "showSerName showPercent showBubbleSize separator extLst",
    "c:valAx": "axId scaling delete axPos majorGridlines minorGridlines title numFmt "
    "majorTickMark minorTickMark tickLblPos spPr txPr crossAx crosses crossesAt crossBetween "
    "majorUnit minorUnit dispUnits extLst",
    "c:catAx": "axId scaling delete axPos majorGridlines minorGridlines title numFmt "
    "majorTickMark minorTickMark tickLblPos spPr txPr crossAx crosses crossesAt auto lblAlgn "
    "lblOffset tickLblSkip tickMarkSkip noMultiLvlLbl extLst",
    "c:scaling": "logBase orientation max min extLst",
    "c:legend": "legendPos legendEntry+ layout overlay spPr txPr extLst",
    "c:manualLayout": "layoutTarget xMode yMode wMode hMode x y w h extLst",
    "c:title": "tx layout overlay spPr txPr extLst",
    "a:rPr": "ln noFill solidFill gradFill blipFill pattFill grpFill effectLst effectDag "
    "highlight uLnTx uLn uFillTx uFill latin ea cs sym hlinkClick hlinkMouseOver rtl extLst",
}
SEQUENCES["a:defRPr"] = SEQUENCES["a:rPr"]
FILL_CHOICE = {"noFill", "solidFill", "gradFill", "blipFill", "pattFill", "grpFill"}


def _order_problems(root) -> list[str]:
    """Children out of their schema order, unknown or repeated where one is allowed."""
    problems = []
    prefix = {C: "c", A: "a"}
    for el in root.iter():
        q = etree.QName(el)
        name = f"{prefix.get(q.namespace, '?')}:{q.localname}"
        if name not in SEQUENCES:
            continue
        seq = SEQUENCES[name].split()
        order = {s.rstrip("+"): k for k, s in enumerate(seq)}
        many = {s.rstrip("+") for s in seq if s.endswith("+")}
        last, seen = -1, set()
        for child in el:
            local = etree.QName(child).localname
            if local not in order:
                problems.append(f"{name}: unknown {local}")
                continue
            k = order[local]
            repeated = local in seen and local not in many
            fill_twice = name.startswith("a:") and local in FILL_CHOICE and seen & FILL_CHOICE
            if k < last or repeated or fill_twice:
                problems.append(f"{name}: {local} out of order or repeated")
            last, seen = max(last, k), seen | {local}
    return problems


def test_chart_xml_follows_the_schema_order(package):
    for i, chart in _charts(package).items():
        assert _order_problems(chart) == [], i


def test_the_order_check_can_fail(package):
    """Control: a chart with two ``c:lang`` and a swapped axis child is caught."""
    chart = etree.fromstring(etree.tostring(_charts(package)[1]))
    chart.insert(1, etree.fromstring(f'<c:lang xmlns:c="{C}" val="en-US"/>'))
    val_ax = chart.find(".//c:valAx", NS)
    val_ax.find("c:axId", NS).addnext(val_ax.find("c:crossAx", NS))
    problems = _order_problems(chart)
    assert problems[:3] == [
        "c:chartSpace: lang out of order or repeated",
        "c:valAx: scaling out of order or repeated",
        "c:valAx: delete out of order or repeated",
    ]


# --- style, determinism ---------------------------------------------------------------


def test_the_style_is_the_matplotlib_style_file_as_matplotlib_reads_it():
    st = native_charts.style()
    assert PALETTE[:2] == ["1F3864", "F4B183"]  # the oracle did read the file
    assert list(st.colors) == PALETTE
    assert (st.text, st.legend, st.category, st.value, st.label) == (
        RC["font.size"],
        RC["legend.fontsize"],
        RC["xtick.labelsize"],
        RC["ytick.labelsize"],
        RC["axes.labelsize"],
    )
    assert (st.grid_color, st.grid_width) == (
        RC["grid.color"].lstrip("#").upper(),
        RC["grid.linewidth"],
    )


def test_a_native_chart_takes_the_room_of_the_picture(example_path):
    """Same width (15 cm) and the matplotlib figure's height over width."""
    spec = ChartSpec(
        "fig2", 2, "收入决算结构", "pie", slices=(("甲", D(3), D(75)), ("乙", D(1), D(25)))
    )
    png = draw(spec)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert abs(native_charts.ASPECT - height / width) < 0.005


def test_parse_style_reads_palette_sizes_and_grid_with_matplotlibs_defaults():
    st = parse_style(
        "# a comment\naxes.prop_cycle: cycler('color', ['#112233', 'aabbcc'])  # two\n"
        "legend.fontsize: 11\ngrid.color: white\n"
    )
    assert st.colors == ("112233", "AABBCC")
    assert (st.text, st.legend, st.category, st.value, st.label) == (10, 11, 10, 9, 10)
    assert (st.grid_color, st.grid_width, st.edge_color, st.edge_width) == (
        "FFFFFF",
        0.8,
        "000000",
        0.8,
    )


def test_a_changed_style_file_restyles_the_charts(monkeypatch):
    """No second palette: the colours and sizes come from the style only."""
    spec = ChartSpec(
        "fig2", 2, "收入决算结构", "pie", slices=(("甲", D(300), D(75)), ("乙", D(100), D(25)))
    )
    changed = parse_style(
        "axes.prop_cycle: cycler('color', ['010203', '040506'])\nlegend.fontsize: 12\n"
    )
    monkeypatch.setattr(native_charts, "style", lambda: changed)
    chart = etree.fromstring(build_chart(spec).xml)
    assert [_fill(p.find("c:spPr", NS)) for p in chart.findall(".//c:dPt", NS)] == [
        "010203",
        "040506",
    ]
    assert chart.find(".//c:legend//a:defRPr", NS).get("sz") == "1200"


def test_same_data_same_chart_bytes(example_path):
    report, _findings, pack = check_profile(example_path)
    specs = chart_specs(compute(report), pack.decimals)
    first = {r: build_chart(s) for r, s in specs.items()}
    again = {r: build_chart(s) for r, s in specs.items()}
    assert first == again
    assert [first[r].caption for r in specs] == CAPTIONS


def test_an_unavailable_chart_is_not_built():
    spec = ChartSpec("fig1", 1, "收、支决算总计变动情况", "bars", available=False)
    with pytest.raises(ValueError, match="没有可绘制的数据"):
        build_chart(spec)
    assert replace(spec, available=True).caption == "图1 收、支决算总计变动情况"


# --- zero and absent cases, profiles, options -------------------------------------------


def _chart_parts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.startswith("word/charts/chart"))


def _media(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return sorted(n for n in z.namelist() if n.startswith("word/media/"))


def test_seed004_all_zero_sangong_draws_six_native_charts_numbered_among_them(tmp_path):
    wb = tmp_path / "seed004.xlsx"
    write_workbook(wb, seed004_data(), names=codes.economic_name_map(2023))
    result = build(wb, tmp_path / "out", template="sichuan-2023", charts="native")
    document = docx.Document(str(result.path))
    descr = [el.get("descr") for el in document.element.body.iter(docx.oxml.ns.qn("wp:docPr"))]
    captions = [p.text for p in document.paragraphs if re.match(r"^图\d ", p.text)]
    assert (
        descr == captions == [f"图{i} " + c.split(" ", 1)[1] for i, c in enumerate(CAPTIONS[:6], 1)]
    )
    assert _chart_parts(result.path) == [f"word/charts/chart{i}.xml" for i in range(1, 7)]
    assert _media(result.path) == []
    paras = [p.text for p in document.paragraphs]
    assert "2023年度因公出国（境）费、公务用车购置及运行维护费、公务接待费支出决算均为零。" in paras


def test_a_profile_without_charts_has_none_either_way(tmp_path):
    result = build(SHANGHAI, tmp_path / "out", charts="native")
    assert _chart_parts(result.path) == [] and _media(result.path) == []


def _child_pack(root: Path, name: str, settings: str) -> None:
    d = root / name
    (d / "sections").mkdir(parents=True)
    (d / "pack.toml").write_text(
        f'name = "{name}"\nextends = "sichuan-2021"\ndescription = "测试"\n{settings}',
        encoding="utf-8",
    )


def test_the_wording_or_profile_setting_chooses_native_and_the_option_overrides_it(
    example_path, tmp_path
):
    root = tmp_path / "packs"
    _child_pack(root, "本局", 'chart_engine = "native"\n')
    native = build(example_path, tmp_path / "a", template="本局", template_dir=root)
    assert len(_chart_parts(native.path)) == 7 and _media(native.path) == []
    pictures = build(
        example_path, tmp_path / "b", template="本局", template_dir=root, charts="matplotlib"
    )
    assert _chart_parts(pictures.path) == []
    assert _media(pictures.path) == [f"word/media/image{i}.png" for i in range(1, 8)]


def test_an_unknown_chart_engine_is_a_pack_error_and_nothing_is_written(example_path, tmp_path):
    root = tmp_path / "packs"
    _child_pack(root, "错引擎", 'chart_engine = "excel"\n')
    out = tmp_path / "out"
    with pytest.raises(TemplateProblem) as err:
        build(example_path, out, template="错引擎", template_dir=root)
    assert (
        str(err.value)
        == "词句包“错引擎”的 chart_engine = “excel” 无效，只能是 matplotlib 或 native。"
    )
    assert not out.exists() or not any(out.iterdir())
    res = CliRunner().invoke(
        main, ["build", str(example_path), "-o", str(out), "--charts", "excel"]
    )
    assert res.exit_code == 2 and "excel" in res.output


def test_matplotlib_stays_the_default(built):
    assert _chart_parts(built.path) == []
    assert _media(built.path) == [f"word/media/image{i}.png" for i in range(1, 8)]


def test_batch_passes_the_engine_to_every_unit(example_path, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    shutil.copy(example_path, src / "玉溪.xlsx")
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main, ["batch", str(src), "-o", str(out), "-j", "1", "--charts", "native"]
    )
    assert res.exit_code == 0, res.output
    (doc,) = (out / "玉溪").glob("*.docx")
    assert len(_chart_parts(doc)) == 7 and _media(doc) == []


# --- the PDF shows every chart --------------------------------------------------------

HAVE_PDF = bool(shutil.which("soffice") or shutil.which("libreoffice")) and bool(
    shutil.which("pdftoppm")
)
if os.environ.get("REPORTGEN_REQUIRE_PDF") == "1" and not HAVE_PDF:
    raise RuntimeError("REPORTGEN_REQUIRE_PDF=1 but LibreOffice/poppler are not installed")
DPI = 60
#: the figures each chart prints (the text's own), as words of the PDF's text layer:
#: bar labels, ring labels and legend amounts and shares
PRINTED = {
    1: ["1856.23", "1856.23", "2043.42", "2043.42"],
    2: ["75.53%", "75.53%", "24.47%", "24.47%", "1543.34", "500.00"],
    3: ["35.32%", "35.32%", "64.68%", "64.68%", "721.81", "1321.53"],
    4: ["1856.15", "1856.15", "2043.34", "2043.34"],
    5: ["1421.68", "698.12", "723.56", "1543.34", "721.81", "821.53"],
    6: ["41.89%", "41.89%", "39.66%", "39.66%", "0.57%", "3.06%", "2.25%", "9.17%", "9.17%"]
    + ["3.39%", "646.49", "612.09", "8.82", "47.25", "34.75", "141.55", "52.38"],
    7: ["47.11%", "47.11%", "52.89%", "52.89%", "2.02", "2.27"],
}


@pytest.fixture(scope="module")
def native_pdf(native_docx) -> Path:
    if not HAVE_PDF:
        pytest.skip("LibreOffice or poppler not installed")
    from reportgen.pdf import to_pdf

    return to_pdf(native_docx)


def _words(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Each page's words with their boxes (points), from ``pdftotext -bbox``."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        pages.append(
            [
                (float(x0), float(y0), float(x1), float(y1), text)
                for x0, y0, x1, y1, text in re.findall(
                    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                    page,
                )
            ]
        )
    return pages


def _chart_area(words, number: int) -> tuple[float, float] | None:
    """(top, bottom) of the chart numbered ``number`` on a page: between the nearest 单位
    line above its caption and the caption."""
    texts = [w[4] for w in words]
    for k, text in enumerate(texts):
        if text == f"图{number}" or (
            text == "图" and k + 1 < len(texts) and texts[k + 1] == str(number)
        ):
            bottom = words[k][1]
            units = [w[3] for w in words if w[4].startswith("单位") and w[3] < bottom]
            return (max(units), bottom) if units else None
    return None


def test_the_pdf_shows_every_native_chart_with_its_labels(native_pdf):
    from visual import pdf_pages

    pages = pdf_pages(native_pdf, dpi=DPI)
    words = _words(native_pdf)
    found = {}
    for n in range(1, 8):
        hits = [(p, area) for p, ws in enumerate(words) if (area := _chart_area(ws, n))]
        assert len(hits) == 1, f"图{n}"
        ((p, (top, bottom)),) = hits
        found[n] = p
        # the chart takes its height on the page (15 cm × ASPECT) …
        assert bottom - top >= 15 / 2.54 * 72 * native_charts.ASPECT, f"图{n}"
        # … and is drawn there: ink in the area (bars or ring, labels, legend)
        px = pages[p][int(top * DPI / 72) : int(bottom * DPI / 72), :]
        assert float((px < 200).mean()) >= 0.04, f"图{n}"
        inside = [w[4] for w in words[p] if top <= (w[1] + w[3]) / 2 <= bottom]
        for label in set(PRINTED[n]):
            assert inside.count(label) == PRINTED[n].count(label), (n, label, inside)
    assert sorted(found.values()) == list(found.values())  # in the document's order
