"""图1–图7: chart specifications from the computed figures, and their PNG drawings.

A spec says what a figure shows and whether it can be drawn at all; a figure with no data
(no last-year figures, all zero) is never drawn, and the narrative prints the template's
sentence instead. Every label a chart prints is the text's own figure: pie labels and
legends the very :class:`~reportgen.figures.Share` percents and 万元 amounts of the
structure sentences, bar labels the 万元 amounts the text prints (its stated changes are
their differences, see ``Change.printed_diff``). The same data gives the same bytes.
"""

from __future__ import annotations

import importlib.util
import io
import math
import os
import pickle
import signal
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING

from .bundled import bundled_dir
from .computed import Computed
from .money import wan

if TYPE_CHECKING:
    from matplotlib.figure import Figure

SMALL_SLICE = Decimal("8")  # percent: narrower slices are labelled outside the ring
#: the printed size of a chart (width, height in cm), the size the figure is drawn at:
#: 15 cm wide as the text, 7 cm high, so that with its 单位 line and caption (8.5 cm of
#: the page's 22.5) two charts and some text share a page, and a chart that does not fit
#: in what is left of one leaves less than two fifths of it empty
FIGSIZE_CM = (15.0, 7.0)
ASPECT = FIGSIZE_CM[1] / FIGSIZE_CM[0]  # height over width, for the native charts too
DPI = 160  # 944 × 440 pixels


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
def _matplotlib():
    """matplotlib with the Agg backend, imported at the first drawing: the specs, the
    native charts, ``check`` and the web pages never pay its 0.4 s import."""
    import matplotlib

    matplotlib.use("Agg")
    return matplotlib


@cache
def setup_fonts() -> str:
    """Register the bundled CJK font once per process; returns the family name.

    Uses the Noto Sans CJK SC file shipped by the ``mplfonts`` package, so a fresh
    machine needs no system fonts; a system Noto Sans CJK is used when present.
    """
    _matplotlib()
    from matplotlib import font_manager

    # the font file mplfonts ships, found without importing the package (its
    # __init__ loads fontTools: 20 ms of a start-up)
    spec = importlib.util.find_spec("mplfonts")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = os.path.join(folder, "fonts", "NotoSansCJKsc-Regular.otf")
        if os.path.exists(path):
            font_manager.fontManager.addfont(path)
            break
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
    rc = dict(_matplotlib().rc_params_from_file(_style_path(), use_default_template=False))
    rc["font.family"] = [setup_fonts()]
    return rc


def figure(spec: ChartSpec) -> Figure:
    """The drawn chart as a matplotlib Figure of its printed size, on an Agg canvas.

    The figure is :data:`FIGSIZE_CM`, the size it is placed at in the document, so the
    style file's font sizes are the sizes on paper (9 pt legends and labels).
    """
    if not spec.available:
        raise ValueError(f"{spec.caption} 没有可绘制的数据")
    mpl = _matplotlib()
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    with mpl.rc_context(_rc()):
        fig = Figure(figsize=(FIGSIZE_CM[0] / 2.54, FIGSIZE_CM[1] / 2.54), dpi=DPI)
        FigureCanvasAgg(fig)
        if spec.kind == "bars":
            _draw_bars(fig, spec)
        else:
            _draw_pie(fig, spec)
    return fig


def draw(spec: ChartSpec) -> bytes:
    """Draw one available chart as PNG bytes (deterministic: no timestamps, fixed size).

    A bare Figure on an Agg canvas (no pyplot state), fixed margins rather than a tight
    bounding box, and the pixels encoded by Pillow at a moderate compression level: about
    30 ms a chart, which matters when a bureau generates thousands of documents.
    """
    from PIL import Image

    fig = figure(spec)
    with _matplotlib().rc_context(_rc()):
        fig.canvas.draw()
    width, height = fig.canvas.get_width_height()
    image = Image.frombuffer("RGBA", (width, height), fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "png", compress_level=3)
    return buf.getvalue()


def print_points(fig: Figure, size: float) -> float:
    """A font size of ``fig`` in points on paper, the figure being placed
    :data:`FIGSIZE_CM` wide (1 when the figure is drawn at that size)."""
    return size * (FIGSIZE_CM[0] / 2.54) / fig.get_figwidth()


def _draw_bars(fig: Figure, spec: ChartSpec) -> None:
    """Grouped bars with the printed 万元 amount above each, the legend (上年, 本年) above
    the plot, the value axis from 0.

    The value axis (its labels and grid lines) and the group names are drawn as plain
    lines and texts: matplotlib's axis machinery, a Tick object of two lines, a grid
    line and two labels for every tick, was a third of a bar chart's time."""
    from matplotlib.transforms import blended_transform_factory, offset_copy

    rc = _matplotlib().rcParams
    w, h = fig.get_size_inches()
    # margins in inches: value labels at the left, group names below, the legend above
    left, bottom, top = 0.62, 0.34, 0.40
    ax = fig.add_axes((left / w, bottom / h, 1 - (left + 0.08) / w, 1 - (bottom + top) / h))
    ax.xaxis.set_visible(False)
    ax.yaxis.set_visible(False)
    n_groups, n_series = len(spec.groups), len(spec.series)
    width = 0.8 / n_series
    peak = max((wan(v) for _, vals in spec.series for v in vals), default=Decimal(0))
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
            )
    y_max = float(peak) * 1.2 if peak else 1.0
    ax.set_ylim(0, y_max)
    x_min, x_max = ax.get_xlim()
    ticks = _value_ticks(y_max)
    ax.hlines(
        ticks[1:], x_min, x_max, colors=rc["grid.color"], linewidth=rc["grid.linewidth"],
        zorder=0.5,
    )  # fmt: skip
    at_left = offset_copy(
        blended_transform_factory(ax.transAxes, ax.transData), fig=fig, x=-4, units="points"
    )
    for t, text in zip(ticks, _tick_labels(ticks), strict=True):
        fig.text(0, t, text, transform=at_left, ha="right", va="center",
                 fontsize=rc["ytick.labelsize"])  # fmt: skip
    below = offset_copy(
        blended_transform_factory(ax.transData, ax.transAxes), fig=fig, y=-4, units="points"
    )
    for g, group in enumerate(spec.groups):
        fig.text(g, 0, group, transform=below, ha="center", va="top",
                 fontsize=rc["xtick.labelsize"])  # fmt: skip
    fig.text(0.012, (bottom + (h - bottom - top) / 2) / h, "万元", rotation=90, ha="left",
             va="center", fontsize=rc["axes.labelsize"])  # fmt: skip
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=n_series, borderaxespad=0.2)


def _value_ticks(top: float) -> list[float]:
    """Round values from 0 up to ``top`` for the value axis: at most six, in steps of
    1, 2, 2.5 or 5 times a power of ten (matplotlib's MaxNLocator)."""
    from matplotlib.ticker import MaxNLocator

    locator = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])
    return [float(t) for t in locator.tick_values(0, top) if 0 <= t <= top * (1 + 1e-9)]


def _tick_labels(ticks: list[float]) -> list[str]:
    """The ticks with as many decimals as the finest of them needs (0, 0.5, 1.0 print as
    0.0, 0.5, 1.0), at most three."""
    for decimals in range(4):
        if all(abs(round(t, decimals) - t) < 1e-9 for t in ticks):
            break
    return [f"{t:.{decimals}f}" for t in ticks]


#: the ring: its width as a share of the radius, and the radius at which the percent
#: of a slice wide enough for it is printed on the ring
RING_WIDTH = 0.45
_ON_RING = 1 - RING_WIDTH / 2
#: outside labels (slices too narrow for their percent): the leader line leaves the ring
#: radially to this radius, then runs to the label at _LABEL_X (in radii)
_ELBOW, _LABEL_X = 1.12, 1.3
_GAP_IN = 0.08  # inches between the ring's box and the legend


def _draw_pie(fig: Figure, spec: ChartSpec) -> None:
    """A ring with every slice's percent, the legend (label, 万元, percent) to its right.

    A slice at least :data:`SMALL_SLICE` wide whose arc holds its percent prints it on
    the ring; any other is labelled outside, at the side it points to, by a leader line,
    the labels of one side stacked so none overlaps another. The legend is measured
    first: the ring takes the width it leaves (room for outside labels only at the sides
    that have them), up to the figure's height.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.patches import Patch

    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()  # the legend and the labels are measured
    w_in, h_in = fig.get_size_inches()
    colours = _matplotlib().rcParams["axes.prop_cycle"].by_key()["color"]
    handles = [
        Patch(facecolor=colours[i % len(colours)], edgecolor="white")
        for i in range(len(spec.slices))
    ]
    labels = list(spec.legend_labels())
    wrapped = [f"{label}\n{wan(a):.2f}万元 {p:.{spec.decimals}f}%" for label, a, p in spec.slices]
    legend = None
    for entries, ncol in ((labels, 1), (wrapped, 1), (labels, 2), (wrapped, 2)):
        # the first that fits: one column, beside a ring of at least 44 % of the
        # width; labels too long get their figures on a second line; too many
        # slices for the height, two columns
        if legend is not None:
            legend.remove()
        legend = _legend(fig, handles, entries, ncol)
        box = legend.get_window_extent(renderer)  # laid out once: its width decides
        if box.width <= 0.56 * w_in * fig.dpi and box.height <= h_in * fig.dpi:
            break
    legend_w = box.width / fig.dpi
    box_w = w_in - legend_w - _GAP_IN  # inches: what the legend leaves
    percents = [f"{p:.{spec.decimals}f}%" for *_, p in spec.slices]
    widths = [_text_width(t, renderer) for t in percents]
    mids = _mid_angles([a for _, a, _ in spec.slices])
    label_w = max(widths)
    sides = (-1, 1)
    radius = _ring_radius(box_w, h_in, label_w, sides)
    outside = _outside(spec, mids, widths, radius)
    used = tuple(side for side in sides if any(_side(mids[i]) == side for i in outside))
    if used != sides:  # room for labels only where there are some: a larger ring
        radius = _ring_radius(box_w, h_in, label_w, used)
        outside = _outside(spec, mids, widths, radius)
    # x limits (in radii): the ring and the label room of each side, the rest shared
    left = _LABEL_X + (label_w + 0.04) / radius if -1 in used else 1.02
    right = _LABEL_X + (label_w + 0.04) / radius if 1 in used else 1.02
    # ring and legend side by side, centred as a group
    ring_w = (left + right) * radius
    x0 = (w_in - ring_w - _GAP_IN - legend_w) / 2
    legend.set_bbox_to_anchor((1 - x0 / w_in, 0.5), transform=fig.transFigure)
    ax = fig.add_axes((x0 / w_in, 0, ring_w / w_in, 1))
    _ring(ax, [a for _, a, _ in spec.slices], [h.get_facecolor() for h in handles])
    ax.set_xlim(-left, right)
    ax.set_ylim(-h_in / 2 / radius, h_in / 2 / radius)
    ax.set_aspect("equal")
    ax.axis("off")
    for i, (mid, text) in enumerate(zip(mids, percents, strict=True)):
        if i in outside:
            continue
        ax.text(
            _ON_RING * math.cos(mid),
            _ON_RING * math.sin(mid),
            text,
            ha="center",
            va="center",
            color="black",
            # black on a white tag: legible on any slice colour and in greyscale
            bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.9},
        )
    _outside_labels(
        ax,
        [(mids[i], percents[i]) for i in outside],
        line=_line_height() / radius,
        top=h_in / 2 / radius,
    )


def _ring(ax, amounts, colours) -> None:
    """The slices as wedges of a ring of radius 1, clockwise from the top, as
    ``pie(startangle=90, counterclock=False)`` lays them out, added without its
    per-slice empty labels and data-limit updates (a third of a ring's time)."""
    from matplotlib.patches import Wedge

    total = sum(amounts)
    start = 90.0
    for a, colour in zip(amounts, colours, strict=True):
        end = start - 360 * float(a / total)
        ax.add_artist(
            Wedge((0, 0), 1, end, start, width=RING_WIDTH, facecolor=colour, edgecolor="white",
                  linewidth=1)
        )  # fmt: skip
        start = end


def _mid_angles(amounts) -> list[float]:
    """Each slice's middle angle (radians), as ``pie(startangle=90, counterclock=False)``
    lays the slices out: clockwise from the top."""
    total = sum(amounts)
    out, before = [], Decimal(0)
    for a in amounts:
        out.append(math.radians(90 - 360 * float((before + a / 2) / total)))
        before += a
    return out


def _side(mid: float) -> int:
    return 1 if math.cos(mid) >= 0 else -1


def _ring_radius(box_w: float, h_in: float, label_w: float, sides: tuple[int, ...]) -> float:
    """The ring's radius (inches) in a box ``box_w`` wide: a tenth of the height free
    above and below, and at each side in ``sides`` room for the outside labels."""
    room = len(sides) * (label_w + 0.04)
    per_radius = len(sides) * _LABEL_X + (2 - len(sides)) * 1.02
    return min(h_in / 2.4, (box_w - room) / per_radius)


def _outside(spec: ChartSpec, mids: list[float], widths: list[float], radius: float) -> set:
    """Slices labelled outside the ring: narrower than :data:`SMALL_SLICE`, or whose
    arc at the label's radius is too short for the percent."""
    out = set()
    total = sum(a for _, a, _ in spec.slices)
    for i, ((_, a, p), w) in enumerate(zip(spec.slices, widths, strict=True)):
        arc = 2 * math.pi * float(a / total) * _ON_RING * radius
        if p < SMALL_SLICE or arc < 1.15 * w:
            out.add(i)
    return out


def _legend(fig: Figure, handles, labels: list[str], ncol: int):
    return fig.legend(
        handles,
        labels,
        loc="center right",
        bbox_to_anchor=(1.0, 0.5),
        borderaxespad=0.1,
        ncol=ncol,
    )


def _text_width(text: str, renderer) -> float:
    """Width in inches of ``text`` at the label size (the renderer's own measure, as
    a Text artist would be laid out, without making one)."""
    from matplotlib.font_manager import FontProperties

    width, _, _ = renderer.get_text_width_height_descent(text, FontProperties(), ismath=False)
    return width / renderer.dpi


def _line_height() -> float:
    """Inches from one outside label to the next: the label size and a fifth."""
    return _matplotlib().rcParams["font.size"] * 1.2 / 72


def _outside_labels(ax, labels: list[tuple[float, str]], line: float, top: float) -> None:
    """Labels outside the ring, each with a leader line from its slice: right of the
    ring for slices pointing right, left for the others, stacked one line apart in the
    order of the slices' heights and kept inside the figure."""
    for side in (1, -1):
        mine = sorted(
            (
                (math.sin(mid), mid, text)
                for mid, text in labels
                if (math.cos(mid) >= 0) == (side > 0)
            ),
            reverse=True,
        )
        ys = _spread([_ELBOW * y for y, _, _ in mine], line, top - line / 2)
        for (_, mid, text), y in zip(mine, ys, strict=True):
            ex, ey = _ELBOW * math.cos(mid), _ELBOW * math.sin(mid)
            ax.plot(
                [math.cos(mid), ex, side * (_LABEL_X - 0.04)],
                [math.sin(mid), ey, y],
                color="#595959",
                linewidth=0.6,
                solid_capstyle="butt",
            )
            ax.text(side * _LABEL_X, y, text, ha="left" if side > 0 else "right", va="center")


def _spread(ys: list[float], gap: float, limit: float) -> list[float]:
    """Heights (top first) moved apart by at least ``gap``, within ±``limit``: down from
    the top first, then up from the bottom where they ran past it."""
    out = []
    for y in ys:
        y = min(y, limit, out[-1] - gap) if out else min(y, limit)
        out.append(y)
    for i in range(len(out) - 1, -1, -1):
        floor = -limit if i == len(out) - 1 else out[i + 1] + gap
        out[i] = max(out[i], floor)
    return out


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


# --- drawing beside the rest of a one-document build -------------------------------------


class _Helper:
    """A forked process that imports matplotlib at once and draws the charts it is sent,
    while the process that forked it reads, checks and writes the document: a one-document
    ``reportgen build`` then spends the 0.4 s matplotlib import and the drawing on the
    second core. It talks over two pipes (specs in, PNG bytes out, pickled: both ends are
    this program), and exits with ``os._exit`` (no atexit handlers, no flushed buffers of
    the parent's)."""

    def __init__(self) -> None:
        specs_r, self._specs_w = os.pipe()
        self._pngs_r, pngs_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the helper
            os.close(self._specs_w)
            os.close(self._pngs_r)
            code = 1
            try:
                code = _serve(specs_r, pngs_w)
            finally:
                os._exit(code)
        os.close(specs_r)
        os.close(pngs_w)
        self.sent = False

    def send(self, specs: dict[str, ChartSpec]) -> None:
        with os.fdopen(self._specs_w, "wb") as f:
            pickle.dump(specs, f)
        self.sent = True

    def receive(self) -> dict[str, bytes] | None:
        """The helper's drawings, or None if it failed (the caller draws them itself)."""
        try:
            with os.fdopen(self._pngs_r, "rb") as f:
                out = pickle.load(f)
        except (EOFError, OSError, pickle.UnpicklingError):
            out = None
        _, status = os.waitpid(self.pid, 0)
        return out if status == 0 else None

    def stop(self) -> None:
        """End a helper that will not be needed (native charts, an input error)."""
        if self.sent:
            os.kill(self.pid, signal.SIGTERM)
        else:
            os.close(self._specs_w)  # the helper reads EOF and exits
        os.close(self._pngs_r)
        os.waitpid(self.pid, 0)


def _serve(specs_r: int, pngs_w: int) -> int:
    """The helper's work: import and set up matplotlib, wait for specs, draw them."""
    figure_setup()
    with os.fdopen(specs_r, "rb") as f:
        try:
            specs = pickle.load(f)
        except EOFError:  # not needed after all
            return 0
    out = {ref: draw(spec) for ref, spec in specs.items()}
    with os.fdopen(pngs_w, "wb") as f:
        pickle.dump(out, f)
    return 0


def figure_setup() -> None:
    """Everything a first drawing needs, done ahead: matplotlib and its Agg canvas, the
    CJK font, the style."""
    _matplotlib()
    from matplotlib.backends import backend_agg  # noqa: F401
    from matplotlib.figure import Figure  # noqa: F401

    _rc()


_helper: _Helper | None = None


def start_helper() -> bool:
    """Fork the drawing helper for a one-document build, where that can only help: two
    or more cores, a single-threaded main process (never a batch or web worker, which
    share the cores already, nor a threaded host), ``os.fork`` available, and
    ``REPORTGEN_CHART_HELPER`` not ``0``. Whether a helper runs."""
    global _helper
    import multiprocessing
    import threading

    if (
        _helper is not None
        or not hasattr(os, "fork")
        or (os.cpu_count() or 1) < 2
        or threading.active_count() > 1
        or multiprocessing.parent_process() is not None
        or os.environ.get("REPORTGEN_CHART_HELPER") == "0"
    ):
        return _helper is not None
    _helper = _Helper()
    return True


def stop_helper() -> None:
    """End the helper if one runs and is not needed."""
    global _helper
    helper, _helper = _helper, None
    if helper is not None:
        helper.stop()


class _Drawn(Mapping):
    """The PNG bytes of each chart, waited for on first use: the helper draws while the
    build goes on with the text."""

    def __init__(self, specs: dict[str, ChartSpec], helper: _Helper):
        self._specs, self._helper, self._pngs = specs, helper, None

    def _all(self) -> dict[str, bytes]:
        if self._pngs is None:
            got = self._helper.receive()
            self._pngs = got if got is not None else {r: draw(s) for r, s in self._specs.items()}
        return self._pngs

    def __getitem__(self, ref: str) -> bytes:
        return self._all()[ref]

    def __iter__(self):
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)


def draw_all(specs: dict[str, ChartSpec]) -> Mapping[str, bytes]:
    """Every spec drawn as PNG bytes: by the helper when one was started (its result is
    waited for when a picture is first needed; if it fails, they are drawn here), else
    here and now. The bytes are the same either way."""
    global _helper
    helper, _helper = _helper, None
    if helper is not None and not specs:  # a profile without charts (Shanghai's)
        helper.stop()
        return {}
    if helper is None:
        return {ref: draw(spec) for ref, spec in specs.items()}
    helper.send(specs)
    return _Drawn(specs, helper)
