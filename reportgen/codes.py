"""The bundled code table: 支出功能分类科目 and 部门支出经济分类科目.

Names printed in the document come from here, never from free text, so a 款 name can
never drift from its code (seed 004 printed 住房保障支出（款） for 22102 住房改革支出).
Data files: ``reportgen/data/function_codes.csv`` and ``economic_codes.csv`` (see
``data/SOURCES.md`` for where they come from). Names can differ by year; each row
carries the years it applies to.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    explanation: str
    valid_from: int | None
    valid_to: int | None

    def applies(self, year: int | None) -> bool:
        if year is None:
            return True
        return (self.valid_from is None or year >= self.valid_from) and (
            self.valid_to is None or year <= self.valid_to
        )


def _year(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text else None


@cache
def _load(filename: str) -> dict[str, tuple[Code, ...]]:
    table: dict[str, list[Code]] = {}
    with resources.files("reportgen.data").joinpath(filename).open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code = row["code"].strip()
            table.setdefault(code, []).append(
                Code(
                    code,
                    row["name"].strip(),
                    (row.get("explanation") or "").strip(),
                    _year(row.get("valid_from", "")),
                    _year(row.get("valid_to", "")),
                )
            )
    return {k: tuple(v) for k, v in table.items()}


def _pick(entries: tuple[Code, ...] | None, year: int | None) -> Code | None:
    if not entries:
        return None
    for e in entries:
        if e.applies(year):
            return e
    return None


def function(code: str, year: int | None = None) -> Code | None:
    """The 功能分类 entry for ``code`` valid in ``year`` (None when unknown)."""
    return _pick(_load("function_codes.csv").get(code), year)


def economic(code: str, year: int | None = None) -> Code | None:
    """The 经济分类 entry for ``code`` valid in ``year`` (None when unknown)."""
    return _pick(_load("economic_codes.csv").get(code), year)


def function_names(code: str) -> set[str]:
    """Every name the code has carried in any year (to tell 'old name' from 'wrong')."""
    return {e.name for e in _load("function_codes.csv").get(code, ())}


def economic_names(code: str) -> set[str]:
    return {e.name for e in _load("economic_codes.csv").get(code, ())}


def function_code_for_name(name: str, level_len: int = 3) -> str | None:
    """The 类 code carrying ``name`` (公开01/04表 list classes by name only)."""
    for code, entries in _load("function_codes.csv").items():
        if len(code) == level_len and any(e.name == name for e in entries):
            return code
    return None


def economic_name_map(year: int | None = None) -> dict[str, str]:
    """code -> name for every 经济分类 code valid in ``year`` (for writing 公开06表)."""
    out = {}
    for code, entries in _load("economic_codes.csv").items():
        e = _pick(entries, year)
        if e:
            out[code] = e.name
    return out


def function_path(code: str, year: int | None = None) -> list[Code]:
    """类, 款, 项 entries leading to ``code`` (shorter when a level is unknown)."""
    out = []
    for n in (3, 5, 7):
        if len(code) >= n:
            e = function(code[:n], year)
            if e:
                out.append(e)
    return out
