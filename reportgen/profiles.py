"""Which profile a workbook is: detection by its tables, and the ``--profile``/``-t`` choice.

A *layout* profile (``yunnan-2021``, ``shanghai-2024``) says which tables a workbook holds
and how they look; a *wording* variant (``sichuan-2021``) extends a layout. A workbook is
recognised by its tables' titles: a title only one layout uses decides; otherwise the
layout missing the fewest tables, then the one whose header shape (a 栏次 row or none)
fits the most tables. Tables of two layouts in one workbook are refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .findings import ERROR, Finding, InputError
from .inputs import find_tables, has_column_numbers
from .layouts import DEFAULT_LAYOUT, normalize_label
from .narrative import Pack, TemplateProblem, available_packs, load_pack
from .sheets import Grid


@dataclass
class Match:
    """What one layout finds in a workbook."""

    layout: Pack
    found: list[str] = field(default_factory=list)  # table titles found, in layout order
    missing: list[str] = field(default_factory=list)  # required titles not found
    distinctive: list[str] = field(default_factory=list)  # found titles no other layout has
    shape: int = 0  # found tables whose header shape (栏次 row or not) is the layout's

    @property
    def name(self) -> str:
        return self.layout.name


@dataclass
class Detection:
    """The recognised layout (None when none fits) and what each layout found."""

    chosen: Pack | None
    matches: list[Match]
    conflict: bool = False

    def lines(self) -> list[str]:
        """What ``reportgen check`` prints about it, in Chinese."""
        if self.chosen is not None:
            desc = self.chosen.settings.get("description", "")
            out = [f"识别的版式：{self.chosen.name}（{desc}）"]
            match = next(m for m in self.matches if m.layout is self.chosen)
            if match.missing:
                out.append(f"  缺少：{'、'.join(match.missing)}")
            return out
        out = ["未能识别版式：工作簿中的表与任何版式都不完全相符。"]
        for m in self.matches:
            out.append(f"  {m.name}：找到 {len(m.found)} 张（{'、'.join(m.found) or '无'}）")
            if m.missing:
                out.append(f"  {m.name}：缺少 {'、'.join(m.missing)}")
        return out


def layouts(extra_root: Path | None = None) -> list[Pack]:
    """Every layout profile (bundled and in ``extra_root``)."""
    return [load_pack(n, extra_root) for n in available_packs(extra_root, layouts=True)]


def detect(grids: list[Grid], extra_root: Path | None = None) -> Detection:
    candidates = layouts(extra_root)
    titles = {
        c.name: {normalize_label(t) for lay in c.tables for t in (lay.title, *lay.aliases)}
        for c in candidates
    }
    matches = [_match(c, grids, titles) for c in candidates]
    deciding = [m for m in matches if m.distinctive]
    if len(deciding) > 1:
        return Detection(None, matches, conflict=True)
    if deciding:
        return Detection(deciding[0].layout, matches)
    found = [m for m in matches if m.found]
    if not found:
        return Detection(None, matches)
    best = min(found, key=lambda m: (len(m.missing), -len(m.found), -m.shape))
    ties = [
        m
        for m in found
        if (len(m.missing), len(m.found), m.shape)
        == (len(best.missing), len(best.found), best.shape)
    ]
    return Detection(best.layout if len(ties) == 1 else None, matches)


def _match(candidate: Pack, grids: list[Grid], titles: dict[str, set[str]]) -> Match:
    m = Match(candidate)
    others = set().union(*(t for n, t in titles.items() if n != candidate.name))
    seen: dict[str, bool] = {}
    for lay, g, r, _c in find_tables(grids, candidate.tables):
        if lay.key not in seen:
            seen[lay.key] = has_column_numbers(g, r) == lay.column_numbers
    for lay in candidate.tables:
        names = {normalize_label(t) for t in (lay.title, *lay.aliases)}
        if lay.key in seen:
            m.found.append(lay.title)
            m.shape += seen[lay.key]
            if not names & others:
                m.distinctive.append(lay.title)
        elif lay.required:
            m.missing.append(lay.title)
    return m


def _refuse(message: str, where: str = "") -> InputError:
    return InputError([Finding(ERROR, "IN-40", message, where)])


def choose(
    grids: list[Grid],
    profile: str | None = None,
    template: str | None = None,
    extra_root: Path | None = None,
    source: str = "",
) -> Pack:
    """The profile to read and write a workbook with.

    ``profile`` names the layout (else it is detected); ``template`` the wording (else
    the layout's ``default_wording``). A wording of another layout than the workbook's
    is refused, as is a workbook holding tables of two layouts.
    """
    pack = load_pack(template, extra_root) if template else None
    if pack is not None and not pack.layout_name:
        raise TemplateProblem(f"词句包“{template}”不属于任何版式（其继承链中没有 tables）。")
    layout_name = profile
    if layout_name is None:
        detection = detect(grids, extra_root)
        if detection.conflict:
            both = [
                f"{m.name}（{'、'.join(m.distinctive)}）"
                for m in detection.matches
                if m.distinctive
            ]
            raise _refuse(
                "工作簿中同时有两种版式的表：" + "；".join(both) + "。一个工作簿只能是一种版式，"
                "请把不同版式的表分开为两个工作簿，或删去不属于本单位的表。",
                source,
            )
        if detection.chosen is not None:
            layout_name = detection.chosen.name
        elif pack is not None:
            layout_name = pack.layout_name
        else:
            layout_name = DEFAULT_LAYOUT  # the reader then says which tables are missing
    if pack is not None:
        if pack.layout_name != layout_name:
            raise _refuse(
                f"词句包“{pack.name}”属于版式“{pack.layout_name}”，而工作簿是“{layout_name}”"
                f"版式的表。请改用 --profile {pack.layout_name}，或选用“{layout_name}”的词句包。",
                source,
            )
        return pack
    layout = load_pack(layout_name, extra_root)
    if not layout.layout_name:
        raise TemplateProblem(f"“{layout_name}”不是版式（没有 tables），请用 -t 选择词句包。")
    wording = layout.settings.get("default_wording")
    return load_pack(wording, extra_root) if wording else layout


def default_packs(extra_root: Path | None = None) -> list[Pack]:
    """The wording each layout uses when none is named (what a batch may need)."""
    out = []
    for layout in layouts(extra_root):
        wording = layout.settings.get("default_wording")
        out.append(load_pack(wording, extra_root) if wording else layout)
    return out


def packs_for(template: str | None, extra_root: Path | None = None) -> list[Pack]:
    """The named wording pack, or every layout's default one."""
    return [load_pack(template, extra_root)] if template else default_packs(extra_root)


def wording_for(profile: str, extra_root: Path | None = None) -> str:
    """The wording pack a layout uses by default (the layout itself when it has words)."""
    layout = load_pack(profile, extra_root)
    if not layout.layout_name:
        raise TemplateProblem(f"“{profile}”不是版式（没有 tables），请用 -t 选择词句包。")
    return str(layout.settings.get("default_wording") or profile)


def example_of(pack: Pack) -> Path:
    """The bundled example workbook of a profile's layout (``example`` in its
    profile.toml, a file in inputs/example/), else the default example."""
    from .bundled import bundled_dir, example_workbook

    name = pack.settings.get("example")
    if name:
        path = bundled_dir("reportgen._example") / str(name)
        if path.is_file():
            return path
    return example_workbook()
