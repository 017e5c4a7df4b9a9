"""The standard 公开表 layouts (公开01表–公开09表), as data.

One description per table serves three readers: the workbook writer (``reportgen init``
and the bundled example), the importer (which finds a table by its title and maps its
columns), and the document (which prints the table again in 第五部分 附表). Layouts follow
the 决算 software export shown in seed 001 (云南 公开01–09表, 2021).
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


# --- shared pieces -------------------------------------------------------------------

#: 公开01/04表 right-hand side: 支出功能分类 类 in the order of the 2021 export.
FUNCTION_CLASSES_2021: tuple[tuple[str, str], ...] = (
    ("201", "一般公共服务支出"),
    ("202", "外交支出"),
    ("203", "国防支出"),
    ("204", "公共安全支出"),
    ("205", "教育支出"),
    ("206", "科学技术支出"),
    ("207", "文化旅游体育与传媒支出"),
    ("208", "社会保障和就业支出"),
    ("210", "卫生健康支出"),
    ("211", "节能环保支出"),
    ("212", "城乡社区支出"),
    ("213", "农林水支出"),
    ("214", "交通运输支出"),
    ("215", "资源勘探工业信息等支出"),
    ("216", "商业服务业等支出"),
    ("217", "金融支出"),
    ("219", "援助其他地区支出"),
    ("220", "自然资源海洋气象等支出"),
    ("221", "住房保障支出"),
    ("222", "粮油物资储备支出"),
    ("223", "国有资本经营预算支出"),
    ("224", "灾害防治及应急管理支出"),
    ("229", "其他支出"),
    ("231", "债务还本支出"),
    ("232", "债务付息支出"),
    ("234", "抗疫特别国债安排的支出"),
)

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


def _coded_header(
    groups: list[tuple[str, list[str]]], n_code_cols: int = 4
) -> tuple[tuple[HeaderCell, ...], int, int]:
    """Header of a table keyed by 功能分类科目: 项目 / 编码(类款项) / 科目名称, then groups.

    ``groups`` are (group label, [column labels][, sign]); a group with one column and the
    same label spans both header rows. Returns (cells, header_rows, width).
    """
    cells = [
        HeaderCell(0, 0, "项目", 1, n_code_cols),
        HeaderCell(1, 0, "支出功能分类科目编码", 1, 3),
        HeaderCell(1, 3, "科目名称", 2, 1),
        HeaderCell(2, 0, "类"),
        HeaderCell(2, 1, "款"),
        HeaderCell(2, 2, "项"),
    ]
    col = n_code_cols
    for label, subs, *_sign in groups:
        if len(subs) == 1 and subs[0] == label:
            cells.append(HeaderCell(0, col, label, 3, 1))
        else:
            cells.append(HeaderCell(0, col, label, 1, len(subs)))
            for j, sub in enumerate(subs):
                cells.append(HeaderCell(1, col + j, sub, 2, 1))
        col += len(subs)
    return tuple(cells), 3, col


def _coded(key, number, title, note, groups, keys, landscape=False, empty_note=""):
    header, rows, width = _coded_header(groups)
    # a column's own label says which group it belongs to ("本年支出·合计")
    labels = [s if len(subs) == 1 else f"{g}·{s}" for g, subs, *_ in groups for s in subs]
    signs = [(sign or [NONNEG])[0] for _g, subs, *sign in groups for _s in subs]
    assert len(labels) == len(keys), title
    return TableLayout(
        key=key,
        number=number,
        title=title,
        kind="coded",
        note=note,
        columns=tuple(
            Column(k, lab, sign) for k, lab, sign in zip(keys, labels, signs, strict=True)
        ),
        header=header,
        header_rows=rows,
        width=width,
        landscape=landscape,
        empty_note=empty_note,
    )


# --- 公开01表 ------------------------------------------------------------------------

SUMMARY_INCOME_ITEMS = (
    Item("gpb", "一、一般公共预算财政拨款收入", 1),
    Item("gov_fund", "二、政府性基金预算财政拨款收入", 2),
    Item("state_capital", "三、国有资本经营预算财政拨款收入", 3),
    Item("superior", "四、上级补助收入", 4),
    Item("business", "五、事业收入", 5),
    Item("operating", "六、经营收入", 6),
    Item("affiliated", "七、附属单位上缴收入", 7),
    Item("other", "八、其他收入", 8),
)
SUMMARY_TAIL_LEFT = (
    Item("income_total", "本年收入合计"),
    Item("use_nonfiscal_surplus", "使用非财政拨款结余", sign=SIGNED),
    Item("open_balance", "年初结转和结余", sign=SIGNED),
    Item("grand_total", "总计"),
)
SUMMARY_TAIL_RIGHT = (
    Item("expense_total", "本年支出合计"),
    Item("surplus_distribution", "结余分配", sign=SIGNED),
    Item("close_balance", "年末结转和结余", sign=SIGNED),
    Item("grand_total", "总计"),
)

T01 = TableLayout(
    key="t01",
    number="公开01表",
    title="收入支出决算总表",
    kind="summary",
    note="注：本表反映部门本年度的总收支和年初、年末结转结余情况。",
    columns=(Column("amount", "金额"),),
    header=(
        HeaderCell(0, 0, "收入", 1, 3),
        HeaderCell(0, 3, "支出", 1, 3),
        HeaderCell(1, 0, "项目"),
        HeaderCell(1, 1, "行次"),
        HeaderCell(1, 2, "金额"),
        HeaderCell(1, 3, "项目（按功能分类）"),
        HeaderCell(1, 4, "行次"),
        HeaderCell(1, 5, "金额"),
    ),
    header_rows=2,
    width=6,
    landscape=True,
    extra={
        "left": SUMMARY_INCOME_ITEMS,
        "left_tail": SUMMARY_TAIL_LEFT,
        "right_tail": SUMMARY_TAIL_RIGHT,
        "right_cols": ("amount",),
    },
)

# --- 公开02表 / 公开03表 -------------------------------------------------------------

T02 = _coded(
    "t02",
    "公开02表",
    "收入决算表",
    "注：本表反映部门本年度取得的各项收入情况。",
    [
        ("本年收入合计", ["本年收入合计"]),
        ("财政拨款收入", ["财政拨款收入"]),
        ("上级补助收入", ["上级补助收入"]),
        ("事业收入", ["小计", "其中：教育收费"]),
        ("经营收入", ["经营收入"]),
        ("附属单位上缴收入", ["附属单位上缴收入"]),
        ("其他收入", ["其他收入"]),
    ],
    ["total", "fiscal", "superior", "business", "edu_fee", "operating", "affiliated", "other"],
    landscape=True,
)

T03 = _coded(
    "t03",
    "公开03表",
    "支出决算表",
    "注：本表反映部门本年度各项支出情况。",
    [
        ("本年支出合计", ["本年支出合计"]),
        ("基本支出", ["基本支出"]),
        ("项目支出", ["项目支出"]),
        ("上缴上级支出", ["上缴上级支出"]),
        ("经营支出", ["经营支出"]),
        ("对附属单位补助支出", ["对附属单位补助支出"]),
    ],
    ["total", "basic", "project", "to_superior", "operating", "to_affiliated"],
    landscape=True,
)

# --- 公开04表 ------------------------------------------------------------------------

FISCAL_INCOME_ITEMS = (
    Item("gpb", "一、一般公共预算财政拨款", 1),
    Item("gov_fund", "二、政府性基金预算财政拨款", 2),
    Item("state_capital", "三、国有资本经营预算财政拨款", 3),
)
FISCAL_TAIL_LEFT = (
    Item("income_total", "本年收入合计"),
    Item("open_fiscal", "年初财政拨款结转和结余", sign=SIGNED),
    Item("open_gpb", "一、一般公共预算财政拨款", sign=SIGNED),
    Item("open_gov_fund", "二、政府性基金预算财政拨款", sign=SIGNED),
    Item("open_state_capital", "三、国有资本经营预算财政拨款", sign=SIGNED),
    Item("grand_total", "总计"),
)
FISCAL_TAIL_RIGHT = (
    Item("expense_total", "本年支出合计"),
    Item("close_fiscal", "年末财政拨款结转和结余", sign=SIGNED),
    Item("close_gpb", "", sign=SIGNED),
    Item("close_gov_fund", "", sign=SIGNED),
    Item("close_state_capital", "", sign=SIGNED),
    Item("grand_total", "总计"),
)

T04 = TableLayout(
    key="t04",
    number="公开04表",
    title="财政拨款收入支出决算总表",
    kind="summary",
    note=(
        "注：本表反映部门本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算"
        "财政拨款的总收支和年初、年末结转结余情况。"
    ),
    columns=(
        Column("total", "合计"),
        Column("gpb", "一般公共预算财政拨款"),
        Column("gov_fund", "政府性基金预算财政拨款"),
        Column("state_capital", "国有资本经营预算财政拨款"),
    ),
    header=(
        HeaderCell(0, 0, "收入", 1, 3),
        HeaderCell(0, 3, "支出", 1, 6),
        HeaderCell(1, 0, "项目"),
        HeaderCell(1, 1, "行次"),
        HeaderCell(1, 2, "决算数"),
        HeaderCell(1, 3, "项目（按功能分类）"),
        HeaderCell(1, 4, "行次"),
        HeaderCell(1, 5, "合计"),
        HeaderCell(1, 6, "一般公共预算财政拨款"),
        HeaderCell(1, 7, "政府性基金预算财政拨款"),
        HeaderCell(1, 8, "国有资本经营预算财政拨款"),
    ),
    header_rows=2,
    width=9,
    landscape=True,
    extra={
        "left": FISCAL_INCOME_ITEMS,
        "left_tail": FISCAL_TAIL_LEFT,
        "right_tail": FISCAL_TAIL_RIGHT,
        "right_cols": ("total", "gpb", "gov_fund", "state_capital"),
    },
)

# --- 公开05表 / 公开07表 / 公开08表 --------------------------------------------------

_BALANCE_GROUPS_05 = [
    ("年初结转和结余", ["合计", "基本支出结转", "项目支出结转和结余"], SIGNED),
    ("本年收入", ["合计", "基本支出", "项目支出"]),
    ("本年支出", ["合计", "基本支出小计", "人员经费", "公用经费", "项目支出"]),
    ("年末结转和结余", ["合计", "基本支出结转", "项目支出结转和结余"], SIGNED),
]
_BALANCE_KEYS_05 = [
    "open_total",
    "open_basic",
    "open_project",
    "income_total",
    "income_basic",
    "income_project",
    "exp_total",
    "exp_basic",
    "exp_personnel",
    "exp_public",
    "exp_project",
    "close_total",
    "close_basic",
    "close_project",
]

T05 = _coded(
    "t05",
    "公开05表",
    "一般公共预算财政拨款收入支出决算表",
    "注：本表反映部门本年度一般公共预算财政拨款的收支和年初、年末结转结余情况。",
    _BALANCE_GROUPS_05,
    _BALANCE_KEYS_05,
    landscape=True,
)

T07 = _coded(
    "t07",
    "公开07表",
    "政府性基金预算财政拨款收入支出决算表",
    "注：本表反映部门本年度政府性基金预算财政拨款的收支和年初、年末结转结余情况。",
    [
        ("年初结转和结余", ["合计", "基本支出结转", "项目支出结转和结余"], SIGNED),
        ("本年收入", ["合计", "基本支出", "项目支出"]),
        ("本年支出", ["合计", "基本支出", "项目支出"]),
        ("年末结转和结余", ["合计", "基本支出结转", "项目支出结转和结余"], SIGNED),
    ],
    [
        "open_total",
        "open_basic",
        "open_project",
        "income_total",
        "income_basic",
        "income_project",
        "exp_total",
        "exp_basic",
        "exp_project",
        "close_total",
        "close_basic",
        "close_project",
    ],
    landscape=True,
    empty_note="本单位本年度无政府性基金预算财政拨款收入支出，故此表为空。",
)

T08 = _coded(
    "t08",
    "公开08表",
    "国有资本经营预算财政拨款收入支出决算表",
    "注：本表反映部门本年度国有资本经营预算财政拨款的收支和年初、年末结转结余情况。",
    [
        ("年初结转和结余", ["合计", "结转", "结余"], SIGNED),
        ("本年收入", ["本年收入"]),
        ("本年支出", ["本年支出"]),
        ("年末结转和结余", ["合计", "结转", "结余"], SIGNED),
    ],
    [
        "open_total",
        "open_carry",
        "open_surplus",
        "income_total",
        "exp_total",
        "close_total",
        "close_carry",
        "close_surplus",
    ],
    landscape=True,
    empty_note="本单位本年度无国有资本经营预算财政拨款收入支出，故此表为空。",
)

# --- 公开06表 ------------------------------------------------------------------------

#: The three blocks of the export: 人员经费 (301, 303), 公用经费 (302, 307) and
#: 公用经费 continued (310, 312, 399). Codes listed in the export's order.
ECONOMIC_BLOCKS: tuple[tuple[str, ...], ...] = (
    (
        "301",
        "30101",
        "30102",
        "30103",
        "30106",
        "30107",
        "30108",
        "30109",
        "30110",
        "30111",
        "30112",
        "30113",
        "30114",
        "30199",
        "303",
        "30301",
        "30302",
        "30303",
        "30304",
        "30305",
        "30306",
        "30307",
        "30308",
        "30309",
        "30310",
        "30311",
        "30399",
    ),
    (
        "302",
        "30201",
        "30202",
        "30203",
        "30204",
        "30205",
        "30206",
        "30207",
        "30208",
        "30209",
        "30211",
        "30212",
        "30213",
        "30214",
        "30215",
        "30216",
        "30217",
        "30218",
        "30224",
        "30225",
        "30226",
        "30227",
        "30228",
        "30229",
        "30231",
        "30239",
        "30240",
        "30299",
        "307",
        "30701",
        "30702",
        "30703",
        "30704",
    ),
    (
        "310",
        "31001",
        "31002",
        "31003",
        "31005",
        "31006",
        "31007",
        "31008",
        "31009",
        "31010",
        "31011",
        "31012",
        "31013",
        "31019",
        "31021",
        "31022",
        "31099",
        "312",
        "31201",
        "31203",
        "31204",
        "31205",
        "31299",
        "399",
        "39906",
        "39907",
        "39908",
        "39999",
    ),
)
#: 人员经费 = 工资福利支出 + 对个人和家庭的补助; everything else in 基本支出 is 公用经费.
PERSONNEL_CLASSES = ("301", "303")

T06 = TableLayout(
    key="t06",
    number="公开06表",
    title="一般公共预算财政拨款基本支出决算表",
    kind="economic",
    note="注：本表反映部门本年度一般公共预算财政拨款基本支出经济分类支出情况。",
    columns=(Column("amount", "金额"),),
    header=(
        HeaderCell(0, 0, "人员经费", 1, 3),
        HeaderCell(0, 3, "公用经费", 1, 6),
        HeaderCell(1, 0, "科目编码"),
        HeaderCell(1, 1, "科目名称"),
        HeaderCell(1, 2, "金额"),
        HeaderCell(1, 3, "科目编码"),
        HeaderCell(1, 4, "科目名称"),
        HeaderCell(1, 5, "金额"),
        HeaderCell(1, 6, "科目编码"),
        HeaderCell(1, 7, "科目名称"),
        HeaderCell(1, 8, "金额"),
    ),
    header_rows=2,
    width=9,
    landscape=True,
)

# --- 公开09表 ------------------------------------------------------------------------

SANGONG_ITEMS = (
    Item("sg_head", "一、“三公”经费支出", 1),
    Item("sg_total", "（一）支出合计", 2),
    Item("abroad", "1. 因公出国（境）费", 3),
    Item("car_total", "2. 公务用车购置及运行维护费", 4),
    Item("car_purchase", "（1）公务用车购置费", 5),
    Item("car_operation", "（2）公务用车运行维护费", 6),
    Item("reception", "3. 公务接待费", 7),
    Item("reception_domestic", "（1）国内接待费", 8),
    Item("reception_foreign_affairs", "其中：外事接待费", 9),
    Item("reception_abroad", "（2）国（境）外接待费", 10),
    Item("stats_head", "（二）相关统计数", 11),
    Item("abroad_groups", "1. 因公出国（境）团组数（个）", 12),
    Item("abroad_people", "2. 因公出国（境）人次数（人）", 13),
    Item("cars_purchased", "3. 公务用车购置数（辆）", 14),
    Item("cars_held", "4. 公务用车保有量（辆）", 15),
    Item("reception_batches", "5. 国内公务接待批次（个）", 16),
    Item("fa_batches", "其中：外事接待批次（个）", 17),
    Item("reception_people", "6. 国内公务接待人次（人）", 18),
    Item("fa_people", "其中：外事接待人次（人）", 19),
    Item("abroad_reception_batches", "7. 国（境）外公务接待批次（个）", 20),
    Item("abroad_reception_people", "8. 国（境）外公务接待人次（人）", 21),
    Item("admin_cost", "二、机关运行经费", 22),
    Item("admin_cost_admin", "（一）行政单位", 23),
    Item("admin_cost_civil", "（二）参照公务员法管理事业单位", 24),
)
#: Rows that are counts, not money: they are read as integers, never converted.
SANGONG_COUNT_KEYS = frozenset(
    {
        "abroad_groups",
        "abroad_people",
        "cars_purchased",
        "cars_held",
        "reception_batches",
        "fa_batches",
        "reception_people",
        "fa_people",
        "abroad_reception_batches",
        "abroad_reception_people",
    }
)
#: Rows where the export prints "—" in the budget column (no budget exists for them).
SANGONG_NO_BUDGET = frozenset(
    {
        "sg_head",
        "reception_domestic",
        "reception_foreign_affairs",
        "reception_abroad",
        "stats_head",
        "admin_cost",
        "admin_cost_admin",
        "admin_cost_civil",
    }
    | SANGONG_COUNT_KEYS
)

T09 = TableLayout(
    key="t09",
    number="公开09表",
    title="“三公”经费、行政参公单位机关运行经费情况表",
    kind="items",
    note=(
        "注：1.“三公”经费为单位使用一般公共预算财政拨款安排的支出，包括当年一般公共预算财政"
        "拨款和以前年度一般公共预算财政拨款结转结余资金安排的实际支出。“三公”经费相关统计数"
        "是指使用一般公共预算财政拨款负担费用的相关批次、人次及车辆情况。\n"
        "2.“机关运行经费”为行政单位和参照公务员法管理的事业单位使用一般公共预算财政拨款安排的"
        "基本支出中的公用经费支出。"
    ),
    columns=(Column("budget", "预算数", BUDGET), Column("actual", "决算统计数")),
    header=(
        HeaderCell(0, 0, "项目"),
        HeaderCell(0, 1, "行次"),
        HeaderCell(0, 2, "预算数"),
        HeaderCell(0, 3, "决算统计数"),
    ),
    header_rows=1,
    width=4,
    extra={"items": SANGONG_ITEMS},
)

LAYOUTS: tuple[TableLayout, ...] = (T01, T02, T03, T04, T05, T06, T07, T08, T09)
BY_KEY = {lay.key: lay for lay in LAYOUTS}


def normalize_label(text: object) -> str:
    """Compare labels the way a person reads them: no spaces, unified quotes/brackets."""
    s = "" if text is None else str(text)
    for a, b in (("(", "（"), (")", "）"), ('"', "“"), ("”", "“"), ("：", ":")):
        s = s.replace(a, b)
    return "".join(s.split())
