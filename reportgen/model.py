"""The department-year in memory: tables as read, plus the supplementary facts.

Everything downstream (checks, figures, narrative, document) works from a
:class:`Report`; nothing downstream reads the workbook again. Every amount is a
``Decimal`` in 元 and keeps the :class:`Cell` it came from, so a finding can name the
sheet and cell a person must correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from .layouts import TableLayout
from .money import ZERO


def _default_prior():
    from .schema import PRIOR

    return PRIOR


if TYPE_CHECKING:  # evaluation imports Cell from here
    from .evaluation import OverallEvaluation, ProjectEvaluation
    from .schema import SheetSpec


class Unpublished(LookupError):
    """A figure the table's layout does not publish (not the same as zero): a check that
    needs it does not apply to this layout, a sentence that needs it is not written."""


@dataclass(frozen=True)
class Cell:
    """Where a value was read: sheet name and A1 reference."""

    sheet: str
    ref: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.ref}"


@dataclass
class Row:
    """A data row keyed by 科目编码 (功能分类 in 公开02/03/05/07/08, 经济分类 in 公开06)."""

    code: str
    name: str
    values: dict[str, Decimal | None]
    cells: dict[str, Cell]
    where: Cell  # the code cell

    @property
    def level(self) -> str:
        """类 / 款 / 项 by code length (3 / 5 / 7 digits)."""
        return {3: "类", 5: "款", 7: "项"}.get(len(self.code), "")

    def amount(self, key: str) -> Decimal:
        """The row's amount in column ``key`` (0 when blank); :class:`Unpublished` when
        the layout has no such column (every published column is in ``values``)."""
        if key not in self.values:
            raise Unpublished(key)
        return self.values[key] or ZERO


#: the 合计 figures of an economic table (人员经费合计, 公用经费合计)
_TOTAL_KEYS = frozenset({"personnel", "public"})


@dataclass
class Table:
    """One 公开表 as read from the workbook."""

    layout: TableLayout
    sheet: str
    unit: str  # unit of the export: "元" or "万元" (amounts here are already in 元)
    department: str
    title_cell: Cell
    rows: list[Row] = field(default_factory=list)
    total: dict[str, Decimal | None] = field(default_factory=dict)
    total_cells: dict[str, Cell] = field(default_factory=dict)
    #: labelled rows (公开01/04 both sides, 公开09): key -> column -> value
    items: dict[str, dict[str, Decimal | None]] = field(default_factory=dict)
    item_cells: dict[str, dict[str, Cell]] = field(default_factory=dict)
    #: the year printed in the table's heading ("2021年度"), when there is one
    year: int | None = None
    year_cell: Cell | None = None

    #: items a supplementary sheet gave (figures this layout does not print in the table)
    supplied: set[str] = field(default_factory=set)

    def has(self, key: str) -> bool:
        """Whether the layout publishes item ``key`` ("R:…" for a summary's right side) or
        column ``key``, or a sheet supplied it."""
        lay = self.layout
        return (
            key in self.supplied
            or key in lay.column_keys
            or (key in _TOTAL_KEYS and lay.kind == "economic")
            or lay.item(key) is not None
        )

    def item(self, key: str, col: str = "amount") -> Decimal:
        """A labelled row's amount (0 when blank); :class:`Unpublished` when the layout
        has no such row and no sheet supplied it."""
        if key not in self.items and not self.has(key):
            raise Unpublished(f"{self.layout.key}.{key}")
        return (self.items.get(key) or {}).get(col) or ZERO

    def total_of(self, col: str) -> Decimal:
        """The 合计 row's amount in ``col`` (0 when blank); :class:`Unpublished` when the
        layout has no such column."""
        if col not in self.total and not self.has(col):
            raise Unpublished(f"{self.layout.key}.{col}")
        return self.total.get(col) or ZERO

    @property
    def is_empty(self) -> bool:
        """No amount anywhere: the document prints the table with its 为空 note."""
        if any(v for r in self.rows for v in r.values.values()):
            return False
        if any(v for v in self.total.values()):
            return False
        return not any(v for vals in self.items.values() for v in vals.values())


@dataclass
class MemberUnit:
    """One unit of the department (sheet 决算单位构成): its name and its own 单位性质."""

    name: str
    nature: str
    where: Cell | None = None


@dataclass
class UnitInfo:
    """单位基本情况 and 决算单位构成: who the department is (第一部分)."""

    name: str
    year: int
    #: the nature that decides 机关运行经费 (see :func:`reportgen.schema.department_nature`):
    #: the department's own, or that of a 行政/参公 unit it includes
    nature: str
    functions: str
    main_work: str = ""
    organization: str = ""
    #: names of the units in the department's 决算 (from the table, or the old one-per-line field)
    member_units: list[str] = field(default_factory=list)
    #: the units with their natures, when the 决算单位构成 table is filled
    units: list[MemberUnit] = field(default_factory=list)

    @property
    def nature_counts(self) -> dict[str, int]:
        """Units by group (第一部分: 行政单位 / 参公 / 其他事业单位 / 其他) and in total."""
        from .schema import NATURE_GROUPS

        counts = {"total": len(self.units), "admin": 0, "civil": 0, "institution": 0, "other": 0}
        for u in self.units:
            counts[NATURE_GROUPS.get(u.nature, "other")] += 1
        return counts


@dataclass
class BudgetLine:
    """Budget of one 项 of 一般公共预算财政拨款支出 (sheet 项目预算)."""

    code: str
    name: str
    initial: Decimal | None
    adjusted: Decimal | None
    reason: str
    where: Cell
    #: 资金性质: 一般公共预算 (the default), 政府性基金 or 国有资本经营
    fund: str = "一般公共预算"
    #: what the 项 is mainly spent on ("主要用于：…")
    purpose: str = ""


@dataclass
class Report:
    """One department-year: everything the document is written from."""

    unit: UnitInfo
    tables: dict[str, Table]
    prior: dict[str, Decimal] = field(default_factory=dict)
    prior_cells: dict[str, Cell] = field(default_factory=dict)
    budgets: dict[str, BudgetLine] = field(default_factory=dict)
    #: budgets of 政府性基金 / 国有资本经营 项 (fund -> code -> line), for layouts that
    #: state each 项 against its 年初预算
    fund_budgets: dict[str, dict[str, BudgetLine]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    facts: dict[str, dict[str, object]] = field(default_factory=dict)
    fact_cells: dict[str, dict[str, Cell]] = field(default_factory=dict)
    overall_performance: list[tuple[str, str]] = field(default_factory=list)
    #: 绩效自评 (公开10–12表): see reportgen.evaluation
    evaluation: OverallEvaluation | None = None
    projects: list[ProjectEvaluation] = field(default_factory=list)
    source: str = ""
    #: the layout the workbook was read with ("yunnan-2021", "shanghai-2024")
    profile: str = ""
    #: the 上年决算数 sheet as the profile describes it (which figures are required)
    prior_spec: SheetSpec = field(default_factory=lambda: _default_prior())

    def table(self, key: str) -> Table | None:
        return self.tables.get(key)

    def fact(self, sheet: str, label: str) -> object:
        return (self.facts.get(sheet) or {}).get(label)
