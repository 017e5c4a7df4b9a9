"""Render the wording pack's section templates into document blocks.

Templates are Jinja2 text under ``templates/<pack>/sections/``, written by maintainers,
rendered in a :class:`~jinja2.sandbox.SandboxedEnvironment` with ``StrictUndefined`` and
autoescaping. Their output is a tiny markup (``<h2>``, ``<p>``, ``<figure>``,
``<annex-table>``) parsed here into :class:`Block` objects; because values are
autoescaped, text from the workbook can never turn into a heading or a figure.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import (
    ChoiceLoader,
    FileSystemBytecodeCache,
    FileSystemLoader,
    PrefixLoader,
    StrictUndefined,
    TemplateError,
    pass_context,
)
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from . import schema
from .bundled import bundled_dir
from .figures import HALF_UP, SHARE_ROUNDINGS
from .layouts import LayoutError, TableLayout, cn_ordinal, load_layout_file
from .money import fmt_percent, fmt_wan, round_half_up
from .schema import SheetSpec

DEFAULT_PACK = "sichuan-2021"
#: the rounding note of a pack that does not set ``rounding_note``
ROUNDING_NOTE = "因四舍五入，部分合计数与各分项数值之和可能存在尾差。"


class TemplateProblem(Exception):
    """A template could not be rendered; the message names the file and line."""


@dataclass(frozen=True)
class Block:
    kind: str  # heading | para | figure | table | pagebreak | toc | title
    text: str = ""
    level: int = 0
    ref: str = ""
    style: str = ""
    source: str = ""  # the template file that wrote it ("sichuan-2021/sections/…")


#: the file that makes a folder a profile (``pack.toml``: the name of earlier versions)
PROFILE_FILES = ("profile.toml", "pack.toml")


@dataclass
class Pack:
    """A profile: its folder chain (child first) and its merged settings.

    A profile that declares ``tables`` is a *layout* (what the workbook holds and how the
    tables look); one that only extends a layout is a *wording variant* (sections,
    glossary, document.docx). Every file is looked up most specific first along the chain
    (see docs/profiles.md).
    """

    name: str
    dirs: list[Path]
    settings: dict = field(default_factory=dict)
    #: the folder of each profile in the chain, by name
    by_name: dict[str, Path] = field(default_factory=dict)
    #: the nearest profile in the chain that declares ``tables``
    layout_name: str = ""

    @property
    def decimals(self) -> int:
        return int(self.settings.get("percent_decimals", 2))

    @property
    def budget_basis(self) -> str:
        return self.settings.get("budget_basis", "adjusted")

    @property
    def share_rounding(self) -> str:
        """How structure shares are rounded (``share_rounding``): ``half_up``, each share
        as a reader checks it (default), or ``largest_remainder``, summing to 100."""
        value = self.settings.get("share_rounding", HALF_UP)
        if value not in SHARE_ROUNDINGS:
            raise TemplateProblem(
                f"词句包“{self.name}”的 share_rounding = “{value}” 无效，"
                f"只能是 {' 或 '.join(SHARE_ROUNDINGS)}。"
            )
        return value

    @property
    def rounding_note(self) -> str:
        """The sentence printed where printed parts do not add up to their whole."""
        return str(self.settings.get("rounding_note", ROUNDING_NOTE))

    def find(self, relative: str) -> Path | None:
        for d in self.dirs:
            p = d / relative
            if p.exists():
                return p
        return None

    @property
    def tables(self) -> tuple[TableLayout, ...]:
        """The layout's tables in printing order, each from the most specific
        ``tables/<key>.toml`` of the chain."""
        cached = self.__dict__.get("_tables")
        if cached is None:
            out = []
            for key in self.settings.get("tables", ()):
                path = self.find(f"tables/{key}.toml")
                if path is None:
                    raise TemplateProblem(f"版式“{self.layout_name}”缺少 tables/{key}.toml。")
                out.append(_layout(path))
            cached = self.__dict__["_tables"] = tuple(out)
        return cached

    @property
    def sheets(self) -> tuple[SheetSpec, ...]:
        """The supplementary sheets: the most specific ``sheets.toml``, else the built-in
        set (the 云南 workbook's, and that of every earlier ``reportgen init``)."""
        cached = self.__dict__.get("_sheets")
        if cached is None:
            path = self.find("sheets.toml")
            try:
                cached = schema.load_sheets(path) if path else schema.SHEETS
            except schema.SheetsError as exc:
                raise TemplateProblem(str(exc)) from exc
            self.__dict__["_sheets"] = cached
        return cached

    def sheet(self, name: str) -> SheetSpec | None:
        return next((s for s in self.sheets if s.name == name), None)

    @property
    def declared_rules(self) -> tuple:
        """The 勾稽 rules the chain's rules.toml files declare (child over parent)."""
        from .declared_rules import RulesError, for_chain

        try:
            return for_chain(self.dirs)
        except RulesError as exc:
            raise TemplateProblem(str(exc)) from exc

    @property
    def skip_rules(self) -> frozenset[str]:
        return frozenset(self.settings.get("skip_rules", ()))

    def format_title(self, name: str, year: int) -> str:
        return str(self.settings.get("title", "{name}{year}年度部门决算")).format(
            name=name, year=year
        )


#: table files as loaded, by path and modification time: every Pack of a process shares
#: the same layout objects (a batch worker loads the profiles once per unit to detect
#: the layout), and an edited file is read again
_LAYOUTS: dict[tuple[str, int], TableLayout] = {}


def _layout(path: Path) -> TableLayout:
    key = (str(path), path.stat().st_mtime_ns)
    lay = _LAYOUTS.get(key)
    if lay is None:
        try:
            lay = _LAYOUTS[key] = load_layout_file(path)
        except LayoutError as exc:
            raise TemplateProblem(str(exc)) from exc
    return lay


def packs_root() -> Path:
    """The installed templates folder (top-level templates/ in a checkout)."""
    return bundled_dir("reportgen._templates")


def _profile_file(d: Path) -> Path | None:
    return next((d / f for f in PROFILE_FILES if (d / f).exists()), None)


def _declares_layout(folder: Path, conf: dict) -> bool:
    """A profile is a layout when it lists tables or changes one (``tables/``): a
    workbook of its region is then recognised as it, not as its parent."""
    return "tables" in conf or (folder / "tables").is_dir()


def available_packs(extra_root: Path | None = None, layouts: bool | None = None) -> list[str]:
    """Profile names (``layouts``: True only layouts, False only wording, None all;
    ``base`` is never listed: it is not used on its own)."""
    roots = [extra_root] if extra_root else []
    roots.append(packs_root())
    names = set()
    for root in roots:
        for p in root.iterdir():
            f = _profile_file(p) if p.is_dir() else None
            if f is None or p.name == "base":
                continue
            if layouts is not None:
                with open(f, "rb") as fh:
                    is_layout = _declares_layout(p, tomllib.load(fh))
                if is_layout != layouts:
                    continue
            names.add(p.name)
    return sorted(names)


def load_pack(name: str = DEFAULT_PACK, extra_root: Path | None = None) -> Pack:
    """Load profile ``name`` (looking in ``extra_root`` first), following ``extends``."""
    dirs: list[Path] = []
    settings: dict = {}
    by_name: dict[str, Path] = {}
    layout_name = ""
    seen = set()
    current = name
    while current:
        if current in seen:
            raise TemplateProblem(f"词句包 extends 形成循环：{current}")
        seen.add(current)
        d, f = None, None
        for root in ([extra_root] if extra_root else []) + [packs_root()]:
            f = _profile_file(root / current)
            if f is not None:
                d = root / current
                break
        if d is None or f is None:
            raise TemplateProblem(
                f"找不到词句包“{current}”。可用：{'、'.join(available_packs(extra_root))}"
            )
        try:
            with open(f, "rb") as fh:
                conf = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise TemplateProblem(f"{f.parent.name}/{f.name} 格式错误：{exc}") from exc
        dirs.append(d)
        by_name[current] = d
        if not layout_name and _declares_layout(d, conf):
            layout_name = current
        for k, v in conf.items():
            settings.setdefault(k, v)
        current = conf.get("extends", "")
        if not current and name != "base" and "base" not in seen:
            current = "base"  # every chain ends in the national defaults
    return Pack(name, dirs, settings, by_name, layout_name)


# --- filters ------------------------------------------------------------------------


def _paras(text: object) -> Markup:
    """User text -> one escaped <p> per non-empty line."""
    lines = [s.strip() for s in str(text or "").splitlines() if s.strip()]
    return Markup("").join(Markup("<p>{}</p>").format(s) for s in lines)


def _reason(text: object) -> str:
    """A reason as a clause: no trailing 。；, so the template adds its own punctuation."""
    return str(text or "").strip().rstrip("。；;.，, ")


_ENVS: dict[tuple, SandboxedEnvironment] = {}


def make_env(pack: Pack) -> SandboxedEnvironment:
    """The pack's Jinja environment, one per process: compiled templates are cached (and
    recompiled when a file changes), which halves the time of a document in a batch."""
    key = (tuple(str(d) for d in pack.dirs), pack.decimals)
    env = _ENVS.get(key)
    if env is None:
        env = _ENVS[key] = _new_env(pack)
    return env


@cache
def _bytecode_cache() -> FileSystemBytecodeCache | None:
    """The compiled wording templates kept between processes, so a one-document
    ``reportgen build`` does not compile two dozen templates (0.1–0.2 s) every time.

    A folder of reportgen's own (never Jinja's default one, which other programs share
    and may fill from unsandboxed environments), private to the user (0700, checked);
    Jinja drops an entry whose template source or Jinja version changed. Without a
    usable folder (read-only home), templates are compiled as before.
    """
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "reportgen", "jinja-sandbox")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        st = os.stat(folder)
        if st.st_uid != os.getuid() or st.st_mode & 0o077:
            return None
    except (OSError, AttributeError):  # no getuid on Windows: no cache there
        return None
    return FileSystemBytecodeCache(folder)


def _new_env(pack: Pack) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        # a name resolves child pack first; "<pack>:sections/x.j2" names one pack's file,
        # so a child template can {% extends "sichuan-2021:sections/x.j2" %} and
        # override a single {% block %}
        loader=ChoiceLoader(
            [FileSystemLoader(str(d)) for d in pack.dirs]
            + [PrefixLoader({d.name: FileSystemLoader(str(d)) for d in pack.dirs}, delimiter=":")]
        ),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        extensions=["jinja2.ext.do"],
        bytecode_cache=_bytecode_cache(),
    )
    decimals = pack.decimals

    def pct(fraction: Decimal | None) -> str:
        if fraction is None:
            raise TemplateProblem("模板对不存在的比例调用了 pct（应先判断是否为 None）")
        return fmt_percent(fraction, decimals)

    def pctv(percent: Decimal) -> str:
        return f"{round_half_up(percent, decimals):.{decimals}f}"

    env.filters.update(
        wan=fmt_wan,
        pct=pct,
        pctv=pctv,
        dec2=lambda v: f"{round_half_up(v, 2):.2f}",  # 分 and 万元 figures given in 万元
        cn=cn_ordinal,
        reason=_reason,
        paras=_paras,
    )

    @pass_context
    def figure(ctx, ref: str, absent: str = "") -> Markup:
        """The chart ``ref`` when it can be drawn; else the pack's ``absent`` sentence, or
        nothing (figures are numbered among those drawn, so no gap shows)."""
        spec = (ctx.get("_charts") or {}).get(ref)
        if spec is not None and spec.available:
            return Markup('<figure ref="{}"></figure>').format(ref)
        return Markup("<p>{}</p>").format(absent) if absent else Markup("")

    def annex_table(ref: str) -> Markup:
        return Markup('<annex-table ref="{}"></annex-table>').format(ref)

    env.globals.update(figure=figure, annex_table=annex_table, escape=escape)
    return env


# --- rendering ----------------------------------------------------------------------


class _BlockParser(HTMLParser):
    _HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._tag: str | None = None
        self._attrs: dict = {}
        self._buf: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in ("figure", "annex-table"):
            self.blocks.append(
                Block("figure" if tag == "figure" else "table", ref=a.get("ref", ""))
            )
        elif tag == "pagebreak":
            self.blocks.append(Block("pagebreak"))
        elif tag == "toc":
            self.blocks.append(Block("toc"))
        elif tag in self._HEADINGS or tag in ("p", "title"):
            self._tag, self._attrs, self._buf = tag, a, []

    def handle_endtag(self, tag):
        if tag != self._tag:
            return
        text = _squash("".join(self._buf))
        if tag in self._HEADINGS:
            self.blocks.append(Block("heading", text, level=self._HEADINGS[tag]))
        elif tag == "title":
            self.blocks.append(Block("title", text))
        elif text:
            self.blocks.append(Block("para", text, style=self._attrs.get("class", "")))
        self._tag = None

    def handle_data(self, data):
        if self._tag:
            self._buf.append(data)


def _squash(text: str) -> str:
    """Template line breaks are layout, not content: join lines, keep single spaces
    only between Latin words."""
    parts = [s.strip() for s in text.splitlines()]
    out = ""
    for s in parts:
        if not s:
            continue
        if out and re.match(r"[A-Za-z0-9]", s[0]) and re.match(r"[A-Za-z0-9]", out[-1]):
            out += " "
        out += s
    return out


def render_sections(pack: Pack, context: dict, charts: dict | None = None) -> list[Block]:
    """Render every section listed in the pack's ``sections`` setting, in order."""
    env = make_env(pack)
    context = {**context, "_charts": charts or {}}
    blocks: list[Block] = []
    for name in pack.settings.get("sections", []):
        try:
            template = env.get_template(f"sections/{name}")
            text = template.render(**context)
        except TemplateError as exc:
            raise TemplateProblem(_describe(exc, name)) from exc
        parser = _BlockParser()
        parser.feed(text)
        parser.close()
        source = _relative_to_packs(template.filename or name, pack)
        blocks.extend(dataclasses.replace(b, source=source) for b in parser.blocks)
    return blocks


def _relative_to_packs(filename: str, pack: Pack) -> str:
    """ "…/templates/sichuan-2021/sections/x.j2" -> "sichuan-2021/sections/x.j2"."""
    path = Path(filename)
    for d in pack.dirs:
        if path.is_relative_to(d):
            return f"{d.name}/{path.relative_to(d).as_posix()}"
    return filename


def _describe(exc: TemplateError, name: str) -> str:
    """Name the template file and line: syntax errors carry them, runtime errors are
    found in the traceback frames Jinja maps back to the template source."""
    lineno = getattr(exc, "lineno", None)
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None)
    if lineno is None:
        tb = exc.__traceback__
        while tb is not None:
            fname = tb.tb_frame.f_code.co_filename
            if fname.endswith(".j2"):
                filename, lineno = fname, tb.tb_lineno
            tb = tb.tb_next
    filename = filename or f"sections/{name}"
    where = f"{filename}" + (f" 第{lineno}行" if lineno else "")
    return f"模板错误（{where}）：{exc.message if hasattr(exc, 'message') else exc}"
