"""How 第四部分 prints the text of 公开10–12表: as a unit publishes it, not as the export holds it.

The 决算 software's export (seed 001) carries traces of the system it comes from:

- 指标性质 and 度量单位 as the system's codes ("3", "20", "232"); their names are in
  ``reportgen/data/indicator_natures.csv`` and ``measure_units.csv`` (each row with the
  evidence it was read from). A code missing from the lists is printed as given, and
  :func:`unknown_codes` lets ``check`` ask the unit to type the name;
- dates as Excel serial numbers ("44469" for 2021年9月30日) or as ISO text from a date cell;
- rates as fractions next to a "%" unit ("满意度 0.95 %" for 95%);
- half-width "," ";" ":" "(" ")" in Chinese sentences (PDF extraction and copy-paste).

Every function here takes and returns text; nothing changes a figure or the model.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

NATURES_FILE = "indicator_natures.csv"
UNITS_FILE = "measure_units.csv"
DATE_KIND = "date"

#: Chinese characters and full-width punctuation (CJK symbols, full-width forms, quotes)
_CJK = "\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019\u2026\u2014"
_IS_CJK = re.compile(f"[{_CJK}]")
_MARK = re.compile(r"[ \t]*([,;:])[ \t]*")
_FULL = {",": "，", ";": "；", ":": "："}
_PAIR = re.compile(r"\(([^()]*)\)")
_CODE = re.compile(r"^\d{1,4}$")

#: Excel's day 0 (the 1900 system, with its phantom 29 February 1900 before day 61)
_EXCEL_EPOCH = date(1899, 12, 30)
#: serials of 2000-01-01 … 2099-12-31: a plain number in this range is a date only where
#: the indicator says it is one (its unit or its name)
_SERIALS = range(36526, 73051)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T]00:00(?::00)?)?$")
_DATE_WORDS = ("时间", "日期")
#: indicators whose value is a share no unit sets at 1% or below: there "0.95" and "1"
#: next to "%" are fractions (95%, 100%)
_RATE_WORDS = ("满意度", "满意率", "合格率", "通过率", "达标率", "完成率", "覆盖率", "知晓率")


@dataclass(frozen=True)
class CodeEntry:
    code: str
    name: str
    kind: str = ""


@cache
def _codes(filename: str) -> dict[str, CodeEntry]:
    with resources.files("reportgen.data").joinpath(filename).open(encoding="utf-8") as fh:
        return {
            row["code"].strip(): CodeEntry(
                row["code"].strip(), row["name"].strip(), (row.get("kind") or "").strip()
            )
            for row in csv.DictReader(fh)
        }


def natures() -> dict[str, CodeEntry]:
    """指标性质 codes of the export and their names ("4" → "≥")."""
    return _codes(NATURES_FILE)


def units() -> dict[str, CodeEntry]:
    """度量单位 codes of the export and their names ("20" → "个")."""
    return _codes(UNITS_FILE)


# --- punctuation --------------------------------------------------------------------


def _cjk(ch: str) -> bool:
    return bool(ch) and bool(_IS_CJK.match(ch))


def cjk_punctuation(text: str) -> str:
    """Half-width "," ";" ":" and "( )" in Chinese text → "，" "；" "：" "（ ）".

    A mark is Chinese when the character before or after it (spaces skipped) is
    Chinese; "1,307.13", "10:30" and "IPv6(v6)" stay as they are. A pair of
    parentheses is Chinese when it holds or touches a Chinese character. The spaces the
    PDF extraction put around the marks go with them."""
    if not text:
        return text
    out = text
    for _ in range(8):  # innermost pairs first; nesting is shallow
        new = _PAIR.sub(lambda m: _paren(m, m.string), out)
        if new == out:
            break
        out = new
    out = re.sub(r"[ \t]*（[ \t]*", "（", out)
    out = re.sub(r"[ \t]*）", "）", out)
    out = re.sub(f"）[ \\t]+(?=[{_CJK}])", "）", out)
    return _MARK.sub(lambda m: _mark(m, m.string), out)


def _paren(m: re.Match, s: str) -> str:
    before = s[: m.start()].rstrip(" \t")[-1:]
    after = s[m.end() :].lstrip(" \t")[:1]
    inner = m.group(1)
    if _IS_CJK.search(inner) or _cjk(before) or _cjk(after):
        return f"（{inner.strip()}）"
    return m.group(0)


def _mark(m: re.Match, s: str) -> str:
    before = s[: m.start()].rstrip(" \t")[-1:]
    after = s[m.end() :].lstrip(" \t")[:1]
    if _cjk(before) or _cjk(after):
        return _FULL[m.group(1)]
    return m.group(0)


# --- dates --------------------------------------------------------------------------


def date_text(d: date) -> str:
    """2021年9月30日 (the seeds' style: no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"


def excel_date(text: str) -> date | None:
    """The date of an Excel serial number ("44469" → 2021-09-30), or None."""
    t = text.strip()
    if not t.isdigit() or int(t) not in _SERIALS:
        return None
    return _EXCEL_EPOCH + timedelta(days=int(t))


def iso_date(text: str) -> date | None:
    """The date of a date cell read as text ("2021-09-30 00:00:00"), or None."""
    m = _ISO_DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# --- indicator cells ----------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorText:
    """The 指标性质, 指标值, 度量单位 and 实际完成值 cells as printed."""

    nature: str
    target: str
    unit: str
    actual: str


def nature_name(value: str) -> str:
    """指标性质 as printed: the name of a known code, else the cell as given."""
    entry = natures().get(value.strip()) if _CODE.match(value.strip()) else None
    return entry.name if entry else cjk_punctuation(value)


def unit_entry(value: str) -> CodeEntry | None:
    """The code list entry of a 度量单位 cell that holds a known code."""
    return units().get(value.strip()) if _CODE.match(value.strip()) else None


def indicator_text(level3: str, nature: str, target: str, unit: str, actual: str) -> IndicatorText:
    """The printed cells of one indicator row (公开11表 or 公开12表)."""
    entry = unit_entry(unit)
    unit_name = entry.name if entry else cjk_punctuation(unit)
    is_date = (entry is not None and entry.kind == DATE_KIND) or any(
        w in level3 for w in _DATE_WORDS
    )
    return IndicatorText(
        nature_name(nature),
        _value(target, actual, unit_name, level3, is_date),
        unit_name,
        _value(actual, target, unit_name, level3, is_date),
    )


def _value(value: str, other: str, unit: str, name: str, is_date: bool) -> str:
    d = iso_date(value) or (excel_date(value) if is_date else None)
    if d is not None:
        return date_text(d)
    return cjk_punctuation(percent_value(value, other, unit, name))


def percent_value(value: str, other: str, unit: str, name: str) -> str:
    """A rate typed as a fraction next to a "%" unit, as a percentage ("0.95" → "95").

    Only where the fraction cannot be meant literally: a 满意度 or 合格率 (never set at 1%
    or below: "0.95" and "1" are 95% and 100%), or a row whose other value (指标值
    against 实际完成值) is on the percent scale, as in "资源共享率 ≥90% … 0.9".
    "差错率 ≤0.5%" stays 0.5."""
    if unit.strip() not in ("%", "％"):
        return value
    v = _number(value)
    if v is None or not (0 < v <= 1):
        return value
    if any(w in name for w in _RATE_WORDS):
        return _plain(v * 100)
    o = _number(re.sub(r"[^\d.]", "", other or ""))
    if v < 1 and o is not None and o >= 10:
        return _plain(v * 100)
    return value


def _number(text: str) -> Decimal | None:
    t = (text or "").strip()
    if not re.fullmatch(r"\d+(?:\.\d+)?", t):
        return None
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def _plain(v: Decimal) -> str:
    """95.00 → "95", 95.50 → "95.5" (no exponent)."""
    text = f"{v:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def unknown_codes(values: list[tuple[str, object]], known: dict[str, CodeEntry]) -> list:
    """(code, cell) of the cells holding a code that ``known`` does not name, first cell
    of each code, in order."""
    seen: dict[str, object] = {}
    for value, cell in values:
        v = value.strip()
        if _CODE.match(v) and v not in known and v not in seen:
            seen[v] = cell
    return list(seen.items())


__all__ = [
    "IndicatorText",
    "cjk_punctuation",
    "date_text",
    "excel_date",
    "indicator_text",
    "iso_date",
    "nature_name",
    "natures",
    "percent_value",
    "unit_entry",
    "units",
    "unknown_codes",
]
