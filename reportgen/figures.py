"""Computed figures: changes, shares and completion rates, as pure functions.

Everything here takes unrounded amounts in 元 and returns small value objects whose
fields the narrative templates print. Deciding *which* wording applies (增加/减少,
持平, new item, no budget …) is done here once, as data (``kind``), so templates never
guess and never leave alternatives in the text.

Rounding follows what a reader with a calculator checks: every rate and share is the
half-up rounding of its exact ratio of unrounded amounts; a change between two amounts
is the difference of the two printed 万元 figures; and where printed parts do not add up
to their printed whole, nothing is bent: the ``*_disagree`` functions below say so, and
the wording pack prints its rounding note there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .money import HUNDRED, TEN_THOUSAND, ZERO, round_half_up, wan

#: Share rounding methods a wording pack may choose (pack.toml ``share_rounding``).
HALF_UP = "half_up"  # each share on its own, as a reader checks it (the default)
LARGEST_REMAINDER = "largest_remainder"  # printed shares always sum to exactly 100
SHARE_ROUNDINGS = (HALF_UP, LARGEST_REMAINDER)


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
    diff: Decimal | None  # exact, in 元 (signed)
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
    def printed_diff(self) -> Decimal | None:
        """current − previous as a reader computes it from the printed figures, in 元.

        Both amounts are printed in 万元 with 2 decimals (the text, 图1/图4/图5, last
        year's own document), so the stated change is the difference of those two
        figures: 2043.42 − 1856.23 = 187.19, even when the exact difference rounds to
        187.18. The rate stays the exact ratio of the unrounded amounts.
        """
        if self.previous is None:
            return None
        return (wan(self.current) - wan(self.previous)) * TEN_THOUSAND

    @property
    def abs_diff(self) -> Decimal:
        """The printed change as a positive amount in 元 (templates print ``|wan``)."""
        printed = self.printed_diff
        return abs(printed) if printed is not None else ZERO


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
    percent: Decimal  # the printed percent, already rounded (see ``shares``)


def shares(
    parts: list[tuple[str, str, Decimal]],
    decimals: int = 2,
    total: Decimal | None = None,
    method: str = HALF_UP,
) -> list[Share]:
    """Shares of a whole, printed with ``decimals`` decimals.

    ``method`` :data:`HALF_UP` (the default) rounds each share's exact fraction on its own,
    so a reader who divides the two amounts gets the printed figure (52.38 / 1543.34 is
    3.39%, never a 3.40% bent to make the list sum to 100); the printed shares may then
    sum to 99.99 or 100.01, which :func:`shares_disagree` reports for the rounding note.
    :data:`LARGEST_REMAINDER` hands out the printed steps by largest remainder, so they
    sum to exactly 100, for packs whose readers expect that.

    ``parts`` are ``(key, label, amount)``; zero parts are dropped (they are not part of
    the structure a reader sees). ``total`` is the whole the text prints (the table's 合计);
    it defaults to the sum of the parts. In a 万元 export each cell is rounded on its own,
    so the printed 合计 may differ from the sum of the printed parts by a few 0.01: a
    half-up share is then taken of the printed 合计, which is what a reader divides by
    (6.53 / 7.66 = 85.2%, not 6.53 / 7.65). Largest-remainder shares are always taken of
    the sum of the parts, since their point is to add up to 100.
    """
    if method not in SHARE_ROUNDINGS:
        raise ValueError(f"未知的占比舍入方法“{method}”，只能是 {'、'.join(SHARE_ROUNDINGS)}")
    kept = [(k, label, a) for k, label, a in parts if a]
    if any(a < 0 for _, _, a in kept):
        raise ValueError("结构占比不能包含负数金额")
    whole = sum((a for _, _, a in kept), ZERO)
    if whole == 0:
        return []
    if method == HALF_UP:
        base = total if total else whole
        percents = [round_half_up(a / base * HUNDRED, decimals) for _, _, a in kept]
    else:
        base = whole
        percents = _largest_remainder([a for _, _, a in kept], whole, decimals)
    return [Share(k, label, a, a / base, percents[i]) for i, (k, label, a) in enumerate(kept)]


def _largest_remainder(amounts: list[Decimal], whole: Decimal, decimals: int) -> list[Decimal]:
    """Printed percents that sum to exactly 100: every share gets its floor in printed
    steps, and the steps left over go to the largest remainders (ties: larger amount,
    then earlier part)."""
    unit = Decimal(1).scaleb(-decimals)  # one printed step, e.g. 0.01 (percent)
    steps_total = int(HUNDRED / unit)
    exact = [a / whole * HUNDRED / unit for a in amounts]  # in printed steps
    floors = [int(x) for x in exact]  # exact >= 0 so int() floors
    remaining = steps_total - sum(floors)
    order = sorted(range(len(amounts)), key=lambda i: (-(exact[i] - floors[i]), -amounts[i], i))
    for i in order[:remaining]:
        floors[i] += 1
    return [Decimal(f) * unit for f in floors]


# --- printed parts against their printed whole (the rounding note) ----------------------


def parts_disagree(whole: Decimal, parts: Iterable[Decimal]) -> bool:
    """True when the parts, each printed in 万元, do not add up to the printed whole
    (人员经费569.55 + 公用经费152.25 = 721.80 against 基本支出721.81)."""
    return sum((wan(p) for p in parts), ZERO) != wan(whole)


def shares_disagree(whole: Decimal, items: list[Share]) -> bool:
    """True when a printed structure does not add up: its amounts against the printed
    whole, or its printed percents against 100."""
    if not items:
        return False
    return parts_disagree(whole, (s.amount for s in items)) or (
        sum((s.percent for s in items), ZERO) != HUNDRED
    )


def changes_disagree(whole: Change, parts: Iterable[Change]) -> bool:
    """True when printed changes of the parts do not add up to the printed change of the
    whole (基本支出增加28.85、项目支出减少71.14 against 合计减少42.29); False when a year
    is missing, since then no change is printed."""
    parts = list(parts)
    if whole.printed_diff is None or any(p.printed_diff is None for p in parts):
        return False
    return sum((p.printed_diff for p in parts), ZERO) != whole.printed_diff


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
