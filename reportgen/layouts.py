"""Table layouts: what one 公开表 looks like, read from a profile's ``tables/<key>.toml``.

One description per table serves three readers: the workbook writer (``reportgen init``
and the bundled example), the importer (which finds a table by its title and maps its
columns), and the document (which prints the table again). The layouts themselves are
data (templates/<profile>/tables/, see docs/profiles.md); this module holds their types,
the loader, and the default layout (``yunnan-2021``: the 云南 公开01–09表 export of seed
001) under the names older code and tools use (``LAYOUTS``, ``BY_KEY``…).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: What a negative amount means, said per column (and per labelled row where a row is a
#: balance in a table of flows). Read by the importer (a negative budget is an error,
#: IN-17) and by check R63 (a negative income or expense is a warning).
NONNEG = "nonneg"  #: income or expense: never negative in a real 决算 (警告)
SIGNED = "signed"  #: a balance (结转结余, 结余分配, 使用结余): may be negative
BUDGET = "budget"  #: a budget (预算数): negative is an error


@dataclass(frozen=True)
class Column:
    """One amount column of a table."""

    key: str
    label: str
    sign: str = NONNEG
    #: the header words above the column, outermost first ("本年支出", "合计"): how a
    #: layout without a 栏次 row finds it (default: the label split at "·")
    header: tuple[str, ...] = ()

    @property
    def words(self) -> tuple[str, ...]:
        return self.header or tuple(self.label.split("·"))


@dataclass(frozen=True)
class HeaderCell:
    """A header cell spanning ``rows`` x ``cols`` starting at (row, col), 0-based."""

    row: int
    col: int
    text: str
    rows: int = 1
    cols: int = 1


@dataclass(frozen=True)
class Item:
    """A labelled row of a fixed-row table (公开01/04 sides, 公开09)."""

    key: str
    label: str
    #: 行次 printed in the export
    line: int | None = None
    #: overrides the column's sign rule for this row (a balance row among flows)
    sign: str = NONNEG
    #: a count (批次, 人次, 辆), read as a whole number, never converted
    count: bool = False
    #: the export prints "—" in the budget column: no budget exists for this row
    no_budget: bool = False
    #: pairs tables: the header words above this item's (预算数, 决算数) columns
    header: tuple[str, ...] = ()
    #: a heading row ("一、“三公”经费支出"): the export prints "—" in every amount column
    heading: bool = False


@dataclass(frozen=True)
class TableLayout:
    key: str
    number: str  # "公开01表"
    title: str  # "收入支出决算总表"
    kind: str  # "coded" | "summary" | "economic" | "items"
    note: str
    columns: tuple[Column, ...] = ()
    header: tuple[HeaderCell, ...] = ()
    header_rows: int = 0
    width: int = 0  # total number of columns in the sheet layout
    landscape: bool = False
    empty_note: str = ""  # sentence printed under an empty table
    extra: dict = field(default_factory=dict)
    #: other titles the same table is published under (matched like the title)
    aliases: tuple[str, ...] = ()
    #: the export has a 栏次 row (1, 2, 3…) under the header; without one, columns are
    #: found by their header words (:attr:`Column.words`)
    column_numbers: bool = True
    #: the export prints 行次 beside labelled rows (summary and items tables)
    line_numbers: bool = True
    #: where the 合计 row stands when the table is printed: "top" or "bottom"
    total_row: str = "top"
    #: coded tables as printed: 3 code columns (类/款/项) or 1 (the whole code)
    code_columns: int = 3
    #: IN-06 when the workbook lacks it (tables a layout keeps even when empty)
    required: bool = True
    #: the unit ``reportgen init`` writes ("元" or "万元"); reading takes the table's own
    unit: str = "元"
    #: the line under the title, as printed: {department}, {number}, {unit}, and a tab
    meta: str = "部门：{department}\t{number}    金额单位：{unit}"

    @property
    def name(self) -> str:
        """How messages name the table: its number when it has one, else its title."""
        return self.number or f"“{self.title}”"

    @property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    def item(self, key: str) -> Item | None:
        """The labelled row ``key`` as the importer stores it ("R:…" for the right side)."""
        ex = self.extra
        if key.startswith("R:"):
            rows: tuple[Item, ...] = tuple(ex.get("right_tail", ()))
            key = key[2:]
        else:
            rows = (*ex.get("left", ()), *ex.get("left_tail", ()), *ex.get("items", ()))
        return next((it for it in rows if it.key == key), None)

    def sign(self, column: str, item: str | None = None) -> str:
        """The sign rule (NONNEG, SIGNED, BUDGET) of a value in ``column`` of row ``item``."""
        col = next((c.sign for c in self.columns if c.key == column), NONNEG)
        row = self.item(item) if item else None
        return row.sign if row is not None and row.sign != NONNEG else col


CN_NUMERALS = [
    "一",
    "二",
    "三",
    "四",
    "五",
    "六",
    "七",
    "八",
    "九",
    "十",
    "十一",
    "十二",
    "十三",
    "十四",
    "十五",
    "十六",
    "十七",
    "十八",
    "十九",
    "二十",
    "二十一",
    "二十二",
    "二十三",
    "二十四",
    "二十五",
    "二十六",
    "二十七",
    "二十八",
    "二十九",
    "三十",
]


def cn_ordinal(i: int) -> str:
    """1 -> 一, 12 -> 十二 (up to 30, enough for any list in these tables)."""
    return CN_NUMERALS[i - 1]


#: 人员经费 = 工资福利支出 + 对个人和家庭的补助; everything else in 基本支出 is 公用经费
#: (national: every layout's 基本支出 splits this way).
PERSONNEL_CLASSES = ("301", "303")


def normalize_label(text: object) -> str:
    """Compare labels the way a person reads them: no spaces, unified quotes/brackets."""
    s = "" if text is None else str(text)
    for a, b in (("(", "（"), (")", "）"), ('"', "“"), ("”", "“"), ("：", ":")):
        s = s.replace(a, b)
    return "".join(s.split())


# --- layouts as data (a profile's tables/<key>.toml) ---------------------------------------

_KINDS = ("coded", "summary", "economic", "items", "pairs")
_SIGNS = (NONNEG, SIGNED, BUDGET)


class LayoutError(ValueError):
    """A table file of a profile is wrong; the message names the file and the field."""


def _item(d: dict, where: str) -> Item:
    if "key" not in d:
        raise LayoutError(f"{where}：行缺少 key。")
    sign = d.get("sign", NONNEG)
    if sign not in _SIGNS:
        raise LayoutError(f"{where}：行 {d['key']} 的 sign “{sign}” 无效（{'/'.join(_SIGNS)}）。")
    return Item(
        key=str(d["key"]),
        label=str(d.get("label", "")),
        line=d.get("line"),
        sign=sign,
        count=bool(d.get("count", False)),
        no_budget=bool(d.get("no_budget", False)),
        header=tuple(d.get("header", ())),
        heading=bool(d.get("heading", False)),
    )


def _column(d: dict, where: str) -> Column:
    sign = d.get("sign", NONNEG)
    if sign not in _SIGNS or "key" not in d:
        raise LayoutError(f"{where}：栏 {d.get('key', '?')} 缺少 key 或 sign 无效。")
    label = str(d.get("label") or "·".join(d.get("header", ())) or d["key"])
    return Column(str(d["key"]), label, sign, tuple(d.get("header", ())))


def layout_from_dict(conf: dict, where: str = "") -> TableLayout:
    """A :class:`TableLayout` from one table file's contents (see docs/profiles.md)."""
    where = where or str(conf.get("key", "?"))
    kind = conf.get("kind")
    if kind not in _KINDS:
        raise LayoutError(f"{where}：kind “{kind}” 无效，只能是 {'、'.join(_KINDS)}。")
    for name in ("key", "title"):
        if not conf.get(name):
            raise LayoutError(f"{where}：缺少 {name}。")
    header = tuple(HeaderCell(*cell) for cell in conf.get("header", ()))
    extra: dict = {}
    for part in ("left", "left_tail", "right_tail", "items"):
        if part in conf:
            extra[part] = tuple(_item(d, where) for d in conf[part])
    if "right_cols" in conf:
        extra["right_cols"] = tuple(conf["right_cols"])
    if "classes" in conf:
        extra["classes"] = tuple((str(c), str(n)) for c, n in conf["classes"])
    if "groups" in conf:
        extra["groups"] = tuple(tuple(str(c) for c in g) for g in conf["groups"])
    if "totals" in conf:  # economic: {"personnel": "人员经费合计", ...}
        extra["totals"] = dict(conf["totals"])
    width = int(conf.get("width") or (max((h.col + h.cols for h in header), default=0)))
    return TableLayout(
        key=str(conf["key"]),
        number=str(conf.get("number", "")),
        title=str(conf["title"]),
        kind=kind,
        note=str(conf.get("note", "")),
        columns=tuple(_column(d, where) for d in conf.get("columns", ())),
        header=header,
        header_rows=int(conf.get("header_rows", max((h.row + h.rows for h in header), default=0))),
        width=width,
        landscape=bool(conf.get("landscape", False)),
        empty_note=str(conf.get("empty_note", "")),
        extra=extra,
        aliases=tuple(conf.get("aliases", ())),
        column_numbers=bool(conf.get("column_numbers", True)),
        line_numbers=bool(conf.get("line_numbers", True)),
        total_row=str(conf.get("total_row", "top")),
        code_columns=int(conf.get("code_columns", 3)),
        required=bool(conf.get("required", True)),
        unit=str(conf.get("unit", "元")),
        meta=str(conf.get("meta", TableLayout.meta)),
    )


def tail_rows(lay: TableLayout) -> list[tuple[Item | None, Item | None]]:
    """A summary table's total rows as printed, (left, right) side by side. When one side
    has fewer (财政拨款收入支出决算总表: 年初 splits into three 资金性质 rows on the left,
    年末 is one row on the right), it is padded with empty rows before its last row, so
    both 总计 rows stand on the table's last line."""
    left = list(lay.extra.get("left_tail", ()))
    right = list(lay.extra.get("right_tail", ()))
    n = max(len(left), len(right))

    def padded(side: list[Item]) -> list[Item | None]:
        if not side:
            return [None] * n
        return [*side[:-1], *([None] * (n - len(side))), side[-1]]

    return list(zip(padded(left), padded(right), strict=True))


def fill(template: str, where: str = "", **values: object) -> str:
    """``template`` (a layout's ``meta`` or ``empty_note``) with its {name} fields replaced
    by ``values`` as plain text: a value (the department's name, which the user typed) is
    never read as a template, so braces in it print as they are. An unknown field is a
    :class:`LayoutError` naming ``where``."""
    import string

    out = []
    try:
        for literal, name, _spec, _conv in string.Formatter().parse(template):
            out.append(literal)
            if name is None:
                continue
            if name not in values:
                known = "、".join(f"{{{k}}}" for k in values)
                raise LayoutError(f"{where}：“{template}”中的 {{{name}}} 无效，只能用 {known}。")
            out.append(str(values[name]))
    except ValueError as exc:  # a single "{" or "}"
        raise LayoutError(f"{where}：“{template}”的花括号不成对（{exc}）。") from exc
    return "".join(out)


def load_layout_file(path) -> TableLayout:
    """Read one ``tables/<key>.toml``; a wrong file is a :class:`LayoutError` naming it."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            conf = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise LayoutError(f"{path}：TOML 格式错误：{exc}") from exc
    return layout_from_dict(conf, str(path))


#: The layout of workbooks that name none (and of every earlier ``reportgen init``).
DEFAULT_LAYOUT = "yunnan-2021"


def _default_layouts() -> tuple[TableLayout, ...]:
    import tomllib

    from .bundled import bundled_dir

    folder = bundled_dir("reportgen._templates") / DEFAULT_LAYOUT
    with open(folder / "profile.toml", "rb") as fh:
        order = tomllib.load(fh)["tables"]
    return tuple(load_layout_file(folder / "tables" / f"{key}.toml") for key in order)


LAYOUTS: tuple[TableLayout, ...] = _default_layouts()
BY_KEY = {lay.key: lay for lay in LAYOUTS}
#: 公开01/04表 right-hand side: 支出功能分类 类 in the order of the 2021 export
FUNCTION_CLASSES_2021: tuple[tuple[str, str], ...] = BY_KEY["t01"].extra["classes"]
SUMMARY_INCOME_ITEMS: tuple[Item, ...] = BY_KEY["t01"].extra["left"]
#: 公开06表's three blocks: 人员经费 (301, 303), 公用经费 (302, 307), continued (310, 312, 399)
ECONOMIC_BLOCKS: tuple[tuple[str, ...], ...] = BY_KEY["t06"].extra["groups"]
SANGONG_ITEMS: tuple[Item, ...] = BY_KEY["t09"].extra["items"]
#: 公开09表 rows that are counts, not money: read as integers, never converted
SANGONG_COUNT_KEYS = frozenset(it.key for it in SANGONG_ITEMS if it.count)
#: 公开09表 rows where the export prints "—" in the budget column
SANGONG_NO_BUDGET = frozenset(it.key for it in SANGONG_ITEMS if it.no_budget)
