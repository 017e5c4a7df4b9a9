"""图1–图7: CJK glyphs present, identical bytes for identical data, greyscale-safe palette,
and no chart of zeros (seed 004's all-zero 三公)."""

from __future__ import annotations

import re
import warnings
import zipfile
from decimal import Decimal as D
from pathlib import Path

import pytest
from seed004_data import seed004_data

from reportgen import build, check, codes
from reportgen.charts import TITLES, ChartSpec, _style_path, chart_specs, draw
from reportgen.computed import compute
from reportgen.layouts import FUNCTION_CLASSES_2021
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
