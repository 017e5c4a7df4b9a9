"""Computed figures: changes, shares and completion rates, as pure functions.

Everything here takes unrounded amounts in 元 and returns small value objects whose
fields the narrative templates print. Deciding *which* wording applies (增加/减少,
持平, new item, no budget …) is done here once, as data (``kind``), so templates never
guess and never leave alternatives in the text.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .money import HUNDRED, ZERO, round_half_up, wan


@dataclass(frozen=True)
class Change:
    """Current vs previous amount.

    ``kind`` is one of:
    - ``"up"`` / ``"down"``: both years have amounts and they differ;
    - ``"flat"``: the amounts are equal (持平);
    - ``"new"``: nothing last year, something this year (no rate is meaningful);
    - ``"ceased"``: something last year, nothing this year (下降100%);
    - ``"both_zero"``: nothing in either year;
    - ``"no_prior"``: last year's figure was not given.
    """

    current: Decimal
    previous: Decimal | None
    kind: str
    diff: Decimal | None
    rate: Decimal | None  # unrounded fraction, positive magnitude

    @property
    def word(self) -> str:
        """增加 / 减少 for amounts; only meaningful for up, down, ceased, new."""
        return "增加" if self.kind in ("up", "new") else "减少"

    @property
    def rate_word(self) -> str:
        """增长 / 下降 for rates."""
        return "增长" if self.kind in ("up", "new") else "下降"

    @property
    def abs_diff(self) -> Decimal:
        return abs(self.diff) if self.diff is not None else ZERO


def change(current: Decimal, previous: Decimal | None) -> Change:
    """Compare two amounts in 元; the rate is computed from the unrounded values."""
    current = current or ZERO
    if previous is None:
        return Change(current, None, "no_prior", None, None)
    diff = current - previous
    if previous == 0 and current == 0:
        return Change(current, previous, "both_zero", ZERO, None)
    if previous == 0:
        return Change(current, previous, "new", diff, None)
    if current == 0:
        return Change(current, previous, "ceased", diff, Decimal(1))
    if diff == 0:
        return Change(current, previous, "flat", ZERO, ZERO)
    kind = "up" if diff > 0 else "down"
    return Change(current, previous, kind, diff, abs(diff) / abs(previous))


@dataclass(frozen=True)
class Share:
    """One part of a whole: its amount, its unrounded fraction and its printed percent."""

    key: str
    label: str
    amount: Decimal
    fraction: Decimal
    percent: Decimal  # already rounded so that all printed percents sum to 100


def shares(
    parts: list[tuple[str, str, Decimal]], decimals: int = 2, total: Decimal | None = None
) -> list[Share]:
    """Largest-remainder shares of a whole, printed with ``decimals`` decimals.

    ``parts`` are ``(key, label, amount)``; zero parts are dropped (they are not part of
    the structure a reader sees). The printed percentages add up to exactly 100.
    ``total`` defaults to the sum of the parts; when it is given it must equal that sum,
    since shares that do not describe one whole cannot honestly add up to 100%.
    """
    kept = [(k, label, a) for k, label, a in parts if a]
    if any(a < 0 for _, _, a in kept):
        raise ValueError("结构占比不能包含负数金额")
    whole = sum((a for _, _, a in kept), ZERO)
    if total is not None and total != whole:
        raise ValueError(f"各部分之和 {whole} 与总数 {total} 不等，不能计算结构占比")
    if whole == 0:
        return []
    unit = Decimal(1).scaleb(-decimals)  # one printed step, e.g. 0.01 (percent)
    steps_total = int(HUNDRED / unit)
    exact = [a / whole * HUNDRED / unit for _, _, a in kept]  # in printed steps
    floors = [int(x) for x in exact]  # exact >= 0 so int() floors
    remaining = steps_total - sum(floors)
    order = sorted(range(len(kept)), key=lambda i: (-(exact[i] - floors[i]), -kept[i][2], i))
    for i in order[:remaining]:
        floors[i] += 1
    return [
        Share(k, label, a, a / whole, Decimal(floors[i]) * unit)
        for i, (k, label, a) in enumerate(kept)
    ]


@dataclass(frozen=True)
class Completion:
    """Actual against budget.

    ``kind``: ``"rate"`` (budget > 0: a completion rate exists), ``"no_budget"`` (budget
    zero or absent while spending happened), ``"none"`` (neither budget nor spending),
    ``"unknown"`` (budget not given at all).
    """

    actual: Decimal
    budget: Decimal | None
    kind: str
    rate: Decimal | None
    relation: str  # "equal" | "below" | "above" | ""

    def percent(self, decimals: int = 2) -> Decimal | None:
        return None if self.rate is None else round_half_up(self.rate * HUNDRED, decimals)


def completion(actual: Decimal, budget: Decimal | None) -> Completion:
    """决算数 / 预算数 from unrounded amounts, with the relation used for the reason clause."""
    actual = actual or ZERO
    if budget is None:
        return Completion(actual, None, "unknown", None, "")
    if budget == 0:
        kind = "none" if actual == 0 else "no_budget"
        return Completion(actual, budget, kind, None, "" if actual == 0 else "above")
    relation = "equal" if actual == budget else ("below" if actual < budget else "above")
    return Completion(actual, budget, "rate", actual / budget, relation)


def wan_equal(a: Decimal, b: Decimal) -> bool:
    """True when two 元 amounts print as the same 万元 figure."""
    return wan(a) == wan(b)
