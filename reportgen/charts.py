"""图1–图7: chart specifications from the computed figures, and their PNG drawings.

A spec says what a figure shows and whether it can be drawn at all; a figure with no data
(no last-year figures, all zero) is never drawn, and the narrative prints the template's
sentence instead. Every label a chart prints is the text's own figure: pie labels and
legends the very :class:`~reportgen.figures.Share` percents and 万元 amounts of the
structure sentences, bar labels the 万元 amounts the text prints (its stated changes are
their differences, see ``Change.printed_diff``). The same data gives the same bytes.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from .bundled import bundled_dir
from .computed import Computed  # noqa: E402
from .money import wan  # noqa: E402

SMALL_SLICE = Decimal("8")  # percent: narrower slices are labelled in the legend only
DPI = 150


@dataclass(frozen=True)
class ChartSpec:
    ref: str  # "fig1"
    number: int
    title: str
    kind: str  # "bars" | "pie"
    groups: tuple[str, ...] = ()
    series: tuple[tuple[str, tuple[Decimal, ...]], ...] = ()  # (name, values in 元)
    slices: tuple[tuple[str, Decimal, Decimal], ...] = ()  # (label, amount 元, printed %)
    decimals: int = 2
    available: bool = True

    @property
    def caption(self) -> str:
        return f"图{self.number} {self.title}"

    def value_labels(self) -> tuple[tuple[str, ...], ...]:
        """Bar labels, one tuple per series: each amount as the text prints it (万元)."""
        return tuple(tuple(f"{wan(v):.2f}" for v in values) for _name, values in self.series)

    def slice_labels(self) -> tuple[str, ...]:
        """Pie labels on the ring: the text's percent; slices narrower than
        :data:`SMALL_SLICE` are labelled in the legend only."""
        return tuple(f"{p:.{self.decimals}f}%" if p >= SMALL_SLICE else "" for *_, p in self.slices)

    def legend_labels(self) -> tuple[str, ...]:
        """Pie legend: label, 万元 amount and percent, as the structure sentence prints them."""
        return tuple(
            f"{label} {wan(a):.2f}万元 {p:.{self.decimals}f}%" for label, a, p in self.slices
        )


TITLES = {
    "fig1": "收、支决算总计变动情况",
    "fig2": "收入决算结构",
    "fig3": "支出决算结构",
    "fig4": "财政拨款收、支决算总计变动情况",
    "fig5": "一般公共预算财政拨款支出决算变动情况",
    "fig6": "一般公共预算财政拨款支出决算结构",
    "fig7": "“三公”经费财政拨款支出结构",
}


def _bars(ref: str, number: int, year: int, pairs, decimals: int) -> ChartSpec:
    """Grouped bars 上年 vs 本年; available only when every group has last year's figure."""
    pairs = [(label, ch) for label, ch in pairs]
    ok = (
        bool(pairs)
        and all(ch.previous is not None for _, ch in pairs)
        and any(ch.current or ch.previous for _, ch in pairs)
    )
    series = ()
    if ok:
        series = (
            (f"{year - 1}年度", tuple(ch.previous for _, ch in pairs)),
            (f"{year}年度", tuple(ch.current for _, ch in pairs)),
        )
    return ChartSpec(
        ref,
        number,
        TITLES[ref],
        "bars",
        tuple(label for label, _ in pairs),
        series,
        decimals=decimals,
        available=ok,
    )


def _pie(ref: str, number: int, shares, decimals: int) -> ChartSpec:
    slices = tuple((s.label, s.amount, s.percent) for s in shares)
    return ChartSpec(
        ref, number, TITLES[ref], "pie", slices=slices, decimals=decimals, available=bool(slices)
    )


def chart_specs(c: Computed, decimals: int = 2) -> dict[str, ChartSpec]:
    t, y = c.totals, c.year
    g = c.gpb
    specs = [
        _bars(
            "fig1",
            1,
            y,
            [("收入总计", t["income_grand"]), ("支出总计", t["expense_grand"])],
            decimals,
        ),
        _pie("fig2", 2, c.income_shares, decimals),
        _pie("fig3", 3, c.expense_shares, decimals),
        _bars(
            "fig4",
            4,
            y,
            [("财政拨款收入总计", t["fiscal_income"]), ("财政拨款支出总计", t["fiscal_expense"])],
            decimals,
        ),
        _bars(
            "fig5",
            5,
            y,
            [("合计", g["total"])]
            + [
                (label, g[k])
                for k, label in (("basic", "基本支出"), ("project", "项目支出"))
                if g[k].previous is not None
            ],
            decimals,
        ),
        _pie("fig6", 6, g["class_shares"], decimals),
        _pie("fig7", 7, c.sangong["shares"], decimals),
    ]
    return number_in_order({s.ref: s for s in specs})


# --- drawing ------------------------------------------------------------------------


@cache
def setup_fonts() -> str:
    """Register the bundled CJK font once per process; returns the family name.

    Uses the Noto Sans CJK SC file shipped by the ``mplfonts`` package, so a fresh
    machine needs no system fonts; a system Noto Sans CJK is used when present.
    """
    try:
        import mplfonts

        path = os.path.join(
            os.path.dirname(mplfonts.__file__), "fonts", "NotoSansCJKsc-Regular.otf"
        )
        if os.path.exists(path):
            font_manager.fontManager.addfont(path)
    except ImportError:  # pragma: no cover - mplfonts is a declared dependency
        pass
    family = "Noto Sans CJK SC"
    names = {f.name for f in font_manager.fontManager.ttflist}
    if family not in names:
        for alt in ("Noto Sans CJK JP", "Source Han Sans SC", "SimHei", "WenQuanYi Zen Hei"):
            if alt in names:
                family = alt
                break
    return family


def _style_path() -> str:
    return str(bundled_dir("reportgen._charts") / "reportgen.mplstyle")


@cache
def _rc() -> dict:
    """The style file and the CJK font as rc parameters, read once per process."""
    rc = dict(matplotlib.rc_params_from_file(_style_path(), use_default_template=False))
    rc["font.family"] = [setup_fonts()]
    return rc


def draw(spec: ChartSpec) -> bytes:
    """Draw one available chart as PNG bytes (deterministic: no timestamps, fixed size).

    A bare Figure on an Agg canvas (no pyplot state), fixed margins rather than a tight
    bounding box, and the pixels encoded by Pillow at a moderate compression level: about
    30 ms a chart, which matters when a bureau generates thousands of documents.
    """
    if not spec.available:
        raise ValueError(f"{spec.caption} 没有可绘制的数据")
    with matplotlib.rc_context(_rc()):
        fig = Figure(figsize=(6.4, 3.6), dpi=DPI)
        canvas = FigureCanvasAgg(fig)
        if spec.kind == "bars":
            _draw_bars(fig, spec)
        else:
            _draw_pie(fig, spec)
        canvas.draw()
        width, height = canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buf = io.BytesIO()
        image.convert("RGB").save(buf, "png", compress_level=3)
    return buf.getvalue()


def _draw_bars(fig, spec: ChartSpec) -> None:
    ax = fig.add_axes((0.1, 0.2, 0.86, 0.66))
    n_groups, n_series = len(spec.groups), len(spec.series)
    width = 0.8 / n_series
    top = max((wan(v) for _, vals in spec.series for v in vals), default=Decimal(0))
    for i, ((name, vals), labels) in enumerate(zip(spec.series, spec.value_labels(), strict=True)):
        xs = [g + (i - (n_series - 1) / 2) * width for g in range(n_groups)]
        heights = [float(wan(v)) for v in vals]
        bars = ax.bar(xs, heights, width * 0.9, label=name)
        for b, text in zip(bars, labels, strict=True):
            ax.annotate(
                text,
                (b.get_x() + b.get_width() / 2, b.get_height()),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=8,
            )
    ax.set_xticks(range(n_groups), spec.groups)
    ax.set_ylim(0, float(top) * 1.18 if top else 1)
    ax.set_ylabel("万元")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 1.16), ncol=n_series)


def _draw_pie(fig, spec: ChartSpec) -> None:
    ax = fig.add_axes((0.02, 0.04, 0.5, 0.9))
    amounts = [float(a) for _, a, _ in spec.slices]
    wedges, _texts = ax.pie(
        amounts,
        labels=list(spec.slice_labels()),
        startangle=90,
        counterclock=False,
        labeldistance=0.72,
        wedgeprops={"linewidth": 1, "edgecolor": "white", "width": 0.55},
        textprops={"fontsize": 8, "color": "black"},
    )
    for text in _texts:
        text.set_horizontalalignment("center")  # pie() aligns outward; centre on the ring
        # black on a white tag: legible on any slice colour, in greyscale, and where the
        # label is wider than the ring
        text.set_bbox({"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9})
    ax.set_aspect("equal")
    fig.legend(
        wedges,
        list(spec.legend_labels()),
        loc="center left",
        bbox_to_anchor=(0.52, 0.5),
        fontsize=8.5,
    )


def number_in_order(specs: dict[str, ChartSpec]) -> dict[str, ChartSpec]:
    """Figures numbered 图1…图N among those that are drawn, in the order of ``specs``
    (the document's order): a unit without one chart gets no gap in the numbering."""
    out, n = {}, 0
    for ref, spec in specs.items():
        if spec.available:
            n += 1
            spec = replace(spec, number=n)
        out[ref] = spec
    return out
