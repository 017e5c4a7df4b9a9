"""图1–图7: what each chart shows is what the text says (bars 上年 then 本年 with the printed
amounts, pies with the text's shares), CJK glyphs present, identical bytes for identical data,
greyscale-safe palette, and no chart of zeros (seed 004's all-zero 三公)."""

from __future__ import annotations

import re
import warnings
import zipfile
from decimal import Decimal as D
from pathlib import Path

import docx
import pytest
from matplotlib.figure import Figure
from seed002_data import seed002_data
from seed004_data import seed004_data

from reportgen import build, check, codes
from reportgen.charts import (
    TITLES,
    ChartSpec,
    _draw_bars,
    _draw_pie,
    _style_path,
    chart_specs,
    draw,
)
from reportgen.computed import compute
from reportgen.layouts import FUNCTION_CLASSES_2021
from reportgen.money import fmt_wan
from reportgen.narrative import load_pack
from reportgen.workbook import write_workbook


def _draw_strict(spec: ChartSpec) -> bytes:
    """Draw, turning matplotlib's missing-glyph warning into a failure."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=r".*[Gg]lyph.*missing.*")
        return draw(spec)


def test_the_glyph_check_can_fail():
    """Control: a character no CJK font has (U+1F9FE) does raise the warning."""
    spec = ChartSpec("fig2", 2, "收入决算结构", "pie", slices=(("\U0001f9fe收据", D(1), D(100)),))
    with pytest.raises(UserWarning, match="[Gg]lyph"):
        _draw_strict(spec)


def test_every_label_the_charts_can_print_has_its_glyphs():
    labels = [name for _code, name in FUNCTION_CLASSES_2021] + [
        "一般公共预算财政拨款收入",
        "政府性基金预算财政拨款收入",
        "国有资本经营预算财政拨款收入",
        "上级补助收入",
        "事业收入",
        "经营收入",
        "附属单位上缴收入",
        "其他收入",
        "基本支出",
        "项目支出",
        "上缴上级支出",
        "经营支出",
        "对附属单位补助支出",
        "因公出国（境）费",
        "公务用车购置及运行维护费",
        "公务接待费",
    ]
    n = len(labels)
    pie = ChartSpec(
        "fig6",
        6,
        TITLES["fig6"],
        "pie",
        slices=tuple((lab, D(1000 + i), D(100) / n) for i, lab in enumerate(labels)),
    )
    _draw_strict(pie)
    bars = ChartSpec(
        "fig4",
        4,
        TITLES["fig4"],
        "bars",
        groups=("财政拨款收入总计", "财政拨款支出总计"),
        series=(
            ("2022年度", (D("2623560"), D("2623560"))),
            ("2023年度", (D("2200660"), D("2200660"))),
        ),
    )
    _draw_strict(bars)


def test_example_charts_draw_without_missing_glyphs_and_identically(example_path):
    report, _ = check(example_path)
    specs = chart_specs(compute(report), 2)
    first = {ref: _draw_strict(s) for ref, s in specs.items() if s.available}
    again = {ref: draw(s) for ref, s in specs.items() if s.available}
    assert len(first) == 7
    assert first == again  # byte-identical: tests and batch runs can compare files
    for png in first.values():
        assert png.startswith(b"\x89PNG") and b"tIME" not in png  # no timestamp chunk


def _luminance(hex_colour: str) -> float:
    r, g, b = (int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return 0.299 * r + 0.587 * g + 0.114 * b


def test_palette_is_distinguishable_in_greyscale():
    style = Path(_style_path()).read_text(encoding="utf-8")
    colours = re.findall(r"'([0-9A-Fa-f]{6})'", style.split("axes.prop_cycle:")[1].split("\n")[0])
    assert len(colours) >= 8
    grey = [_luminance(c) for c in colours[:8]]
    assert min(abs(a - b) for a, b in zip(grey, grey[1:], strict=False)) >= 0.25  # neighbours
    ordered = sorted(grey)
    assert min(b - a for a, b in zip(ordered, ordered[1:], strict=False)) >= 0.05  # all eight


def test_seed004_all_zero_sangong_replaces_figure_7(tmp_path):
    wb = tmp_path / "seed004.xlsx"
    write_workbook(wb, seed004_data(), names=codes.economic_name_map(2023))
    result = build(wb, tmp_path / "out", template="sichuan-2023")
    import docx

    paras = [p.text for p in docx.Document(str(result.path)).paragraphs]
    captions = [p for p in paras if re.match(r"^图\d ", p)]
    assert "图7 “三公”经费财政拨款支出结构" not in captions
    assert len(captions) == 6
    assert "2023年度因公出国（境）费、公务用车购置及运行维护费、公务接待费支出决算均为零。" in paras
    with zipfile.ZipFile(result.path) as z:
        assert len([n for n in z.namelist() if n.startswith("word/media/")]) == 6


# --- chart content against the text beside it ---------------------------------------

#: each pie's structure sentence: the paragraph after this heading
PIE_HEADINGS = {
    "fig2": "二、收入决算情况说明",
    "fig3": "三、支出决算情况说明",
    "fig6": "（二）一般公共预算财政拨款支出决算结构情况",
    "fig7": "（二）“三公”经费财政拨款支出决算具体情况说明",
}
#: each bar chart's paragraph, and for each bar group the subject the text states its
#: change under (the first that occurs)
BAR_TEXT = {
    "fig1": ("一、收入支出决算总体情况说明", {"收入总计": ("收、支总计", "收入总计")}),
    "fig4": (
        "四、财政拨款收入支出决算总体情况说明",
        {"财政拨款收入总计": ("财政拨款收、支总计", "财政拨款收入总计")},
    ),
    "fig5": ("（一）一般公共预算财政拨款支出决算总体情况", {"合计": ("一般公共预算财政拨款支出",)}),
}
_ITEM = re.compile(r"([^：；，。]+?)(\d+\.\d{2})万元，占(\d+(?:\.\d+)?)%")


def _paragraph_after(paras: list[str], heading: str) -> str:
    return paras[paras.index(heading) + 1]


def _stated_change(text: str, subjects: tuple[str, ...]) -> D:
    """The signed change the text states for the first of ``subjects`` it names."""
    for subject in subjects:
        m = re.search(re.escape(subject) + r"(增加|减少)(\d+\.\d{2})万元", text)
        if m:
            return D(m.group(2)) if m.group(1) == "增加" else -D(m.group(2))
    raise AssertionError(f"no change stated for {subjects}: {text}")


def assert_charts_say_what_the_text_says(specs, paras, year: int, report) -> None:
    """Bars: 上年 then 本年, labelled with the printed amounts whose difference is the
    change the text states; pies: the text's labels, amounts and shares, in its order."""
    for ref, (heading, subjects) in BAR_TEXT.items():
        spec, text = specs[ref], _paragraph_after(paras, heading)
        assert [name for name, _ in spec.series] == [f"{year - 1}年度", f"{year}年度"], ref
        before, now = spec.value_labels()
        for i, group in enumerate(spec.groups):
            if group not in subjects:
                continue
            assert f"{now[i]}万元" in text, (ref, group, text)
            assert D(now[i]) - D(before[i]) == _stated_change(text, subjects[group]), ref
    # 图5's 基本支出/项目支出 bars: 公开05表 totals against 上年决算数, in that order
    (_, before5), (_, now5) = specs["fig5"].series
    fig5 = {g: (before5[i], now5[i]) for i, g in enumerate(specs["fig5"].groups)}
    t05 = report.table("t05")
    for group, col, prior in (
        ("基本支出", "exp_basic", "一般公共预算财政拨款基本支出"),
        ("项目支出", "exp_project", "一般公共预算财政拨款项目支出"),
    ):
        if group in fig5:
            assert fig5[group] == (report.prior[prior], t05.total_of(col)), group
        else:
            assert prior not in report.prior, group
    for ref, heading in PIE_HEADINGS.items():
        spec = specs[ref]
        if not spec.available:
            continue
        suffix = "支出决算" if ref == "fig7" else ""
        said = _ITEM.findall(_paragraph_after(paras, heading))
        shown = [(f"{label}{suffix}", fmt_wan(a), str(p)) for label, a, p in spec.slices]
        assert shown == said, ref
        assert list(spec.legend_labels()) == [
            f"{label.removesuffix(suffix)} {amount}万元 {pct}%" for label, amount, pct in said
        ], ref
        assert [x for x in spec.slice_labels() if x] == [
            f"{pct}%" for _l, _a, pct in said if D(pct) >= 8
        ], ref


def _specs(report, pack_name: str):
    pack = load_pack(pack_name)
    c = compute(report, pack.budget_basis, pack.decimals, pack.share_rounding)
    return chart_specs(c, pack.decimals)


def test_example_charts_show_the_texts_figures(example_path, doc_paragraphs):
    report, _ = check(example_path)
    specs = _specs(report, "sichuan-2021")
    assert specs["fig1"].value_labels() == (("1856.23", "1856.23"), ("2043.42", "2043.42"))
    assert specs["fig6"].slices[-1][0] == "住房保障支出" and specs["fig6"].slices[-1][2] == D(
        "3.39"
    )
    assert_charts_say_what_the_text_says(specs, doc_paragraphs, 2021, report)


def test_seed002_charts_show_the_texts_figures(tmp_path):
    wb = tmp_path / "seed002.xlsx"
    write_workbook(wb, seed002_data(), names=codes.economic_name_map(2021))
    result = build(wb, tmp_path / "out")
    paras = [
        p.text
        for p in docx.Document(str(result.path)).paragraphs
        if not p.style.name.lower().startswith("toc")
    ]
    report, _ = check(wb)
    specs = _specs(report, "sichuan-2021")
    # 2020 收入总计 799.54 ≠ 支出总计 755.48 (see tools/seed002_data.py), both decreasing
    assert specs["fig1"].value_labels() == (("799.54", "755.48"), ("461.19", "461.19"))
    assert not specs["fig7"].available  # 三公 all zero: no pie of zeros
    assert_charts_say_what_the_text_says(specs, paras, 2021, report)


def test_drawn_labels_are_the_specs_labels():
    """What matplotlib draws: bar annotations, legend order 上年 then 本年, pie ring and legend."""
    bars = ChartSpec(
        "fig1",
        1,
        TITLES["fig1"],
        "bars",
        groups=("收入总计", "支出总计"),
        series=(
            ("2020年度", (D("18562337.41"), D("18562337.41"))),
            ("2021年度", (D("20434183.26"), D("20434183.26"))),
        ),
    )
    fig = Figure()
    _draw_bars(fig, bars)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["1856.23", "1856.23", "2043.42", "2043.42"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["2020年度", "2021年度"]
    heights = [round(p.get_height(), 2) for p in ax.patches]
    assert heights == [1856.23, 1856.23, 2043.42, 2043.42]
    pie = ChartSpec(
        "fig3",
        3,
        TITLES["fig3"],
        "pie",
        slices=(
            ("基本支出", D("7218073.26"), D("35.32")),
            ("项目支出", D("13215280.00"), D("64.68")),
        ),
    )
    fig = Figure()
    _draw_pie(fig, pie)
    assert [t.get_text() for t in fig.axes[0].texts] == ["35.32%", "64.68%"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [
        "基本支出 721.81万元 35.32%",
        "项目支出 1321.53万元 64.68%",
    ]
