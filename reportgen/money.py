"""Money and percentage arithmetic: Decimal only, half-up rounding.

Amounts are carried in 元 as ``Decimal`` from the moment they are read until they are
printed. Every conversion to 万元 or to a percentage happens here, so the rounding rule
(四舍五入, never banker's rounding) lives in one place.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal("0")
CENT = Decimal("0.01")
TEN_THOUSAND = Decimal("10000")
HUNDRED = Decimal("100")

#: Units an export may use, with the factor that turns one of them into 元.
UNIT_FACTORS: dict[str, Decimal] = {"元": Decimal("1"), "万元": TEN_THOUSAND}

#: No department's 决算 reaches this (in 元, either sign): a larger figure is a typo or a
#: pasted account number, and would print as nonsense ("完成全年预算0.00%").
MAX_YUAN = Decimal(10) ** 12
#: A float from Excel that lies this close (relative) to a whole 分 is that 分: binary
#: noise such as 0.30000000000000004, never an amount a person typed …
FLOAT_NOISE = Decimal("1e-9")
#: … but the allowance never grows past a tenth of a 分, however large the amount.
_NOISE_CAP = Decimal("0.001")

_PLACEHOLDERS = {"", "—", "–", "-", "－", "——", "/", "＿", "_"}
_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_GROUPED_RE = re.compile(r"^\(?[+-]?\d{1,3}(,\d{3})+(\.\d*)?\)?$")


class AmountError(ValueError):
    """A cell that should hold an amount holds something else."""


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """Round to ``places`` decimals, 四舍五入 (0.005 -> 0.01)."""
    quantum = Decimal(1).scaleb(-places)
    return value.quantize(quantum, rounding=ROUND_HALF_UP)


def parse_amount(raw: object) -> Decimal | None:
    """Read one amount cell as written by 决算 software or by hand.

    Returns ``None`` for an empty cell or a placeholder such as "—"; raises
    :class:`AmountError` for text that is not a number. Floats coming from openpyxl are
    converted through ``repr`` so 15433353.26 stays 15433353.26 and never becomes
    15433353.2599999998.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise AmountError(f"不是金额：{raw}")
    if isinstance(raw, Decimal):
        return raw
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise AmountError(f"不是金额：{raw}")
        return Decimal(repr(raw))
    text = (
        str(raw).strip().replace("，", ",").replace(" ", "").replace("（", "(").replace("）", ")")
    )
    text = text.replace("\u3000", "").replace("\xa0", "")
    if "," in text:
        # "1,234.56" is a separator; "5,26" (seed 004's typo for 5.26) is not a number
        if not _GROUPED_RE.match(text):
            raise AmountError(f"千位分隔符位置不对：{raw!r}")
        text = text.replace(",", "")
    if text in _PLACEHOLDERS:
        return None
    negative = text.startswith("(") and text.endswith(")")
    if negative:
        text = text[1:-1]
    if not _NUMBER_RE.match(text):
        raise AmountError(f"不是金额：{raw!r}")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - regex already guards this
        raise AmountError(f"不是金额：{raw!r}") from exc
    return -value if negative else value


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Convert an amount in ``unit`` (元 or 万元) to 元, exactly."""
    return value * UNIT_FACTORS[unit]


def whole_cents(yuan: Decimal, from_float: bool = False) -> Decimal | None:
    """``yuan`` as a whole number of 分, or None when it holds a fraction of a 分.

    A value read from a float (calamine returns floats) may carry binary noise
    (15433353.259999998); within :data:`FLOAT_NOISE` of a 分 it is taken as that 分.
    Text and exact values are never adjusted. ``yuan`` must not exceed :data:`MAX_YUAN`.
    """
    cents = round_half_up(yuan, 2)
    if cents == yuan:
        return yuan
    allowance = min(FLOAT_NOISE * max(abs(yuan), Decimal(1)), _NOISE_CAP)
    if from_float and abs(yuan - cents) <= allowance:
        return cents
    return None


def wan(yuan: Decimal | None) -> Decimal:
    """元 → 万元 rounded half-up to 2 decimals (the text unit)."""
    return round_half_up((yuan or ZERO) / TEN_THOUSAND, 2)


def fmt_wan(yuan: Decimal | None) -> str:
    """Format an amount in 元 as the text shows it: 万元, 2 decimals, no separators."""
    return f"{wan(yuan):.2f}"


def fmt_table(yuan: Decimal | None, unit: str = "元", blank_zero: bool = True) -> str:
    """Format an amount for a 附表 cell in the table's own unit, with separators.

    Exports leave zero cells blank; ``blank_zero`` keeps that convention.
    """
    if yuan is None:
        return ""
    value = yuan / UNIT_FACTORS[unit]
    if blank_zero and value == 0:
        return ""
    return f"{round_half_up(value, 2):,.2f}"


def ratio(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole as an unrounded Decimal fraction, or None when whole is zero."""
    if whole == 0:
        return None
    return part / whole


def fmt_percent(fraction: Decimal, decimals: int = 2) -> str:
    """A fraction (0.7553…) printed as a percentage number ("75.53"), half-up."""
    return f"{round_half_up(fraction * HUNDRED, decimals):.{decimals}f}"
