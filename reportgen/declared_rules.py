"""勾稽 rules a profile declares as data (``rules.toml``), beside the built-in ones.

A region checks relations its own tables and sheets make possible (上海: 机关运行经费 ≤ the
公用经费 of 基本支出; grade counts adding up to the projects evaluated). A maintainer states
them without Python, over the same names the templates use::

    [[rule]]
    id = "S01"
    kind = "le"                      # sum: total = Σ parts · equal: left = right · le: left ≤ right
    severity = "错误"                # or "警告"
    left = "facts.机关运行经费.机关运行经费支出"
    right = "t06.total.public"
    message = "机关运行经费支出大于基本支出中的公用经费合计。"

A figure is ``<table>.total.<column>``, ``<table>.item.<row>.<column>`` or
``facts.<sheet>.<field key>``. A rule whose figures the workbook does not publish does not
apply; an empty cell counts as 0. Amounts compare within the tables' rounding (half a 分
of a 万元 table per figure), counts exactly. The finding names the cell of ``left`` (or
``total``).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .findings import ERROR, WARNING, Finding
from .model import Cell, Report, Unpublished
from .money import ZERO

KINDS = ("sum", "equal", "le")


class RulesError(ValueError):
    """A profile's rules.toml is wrong; the message names the file and the rule."""


@dataclass(frozen=True)
class DeclaredRule:
    id: str
    kind: str
    message: str
    severity: str = ERROR
    left: str = ""  # sum: the total
    right: tuple[str, ...] = ()  # sum: the parts; equal/le: one figure
    enabled: bool = True  # a child profile drops a parent's rule with enabled = false


def load(path: Path | None) -> tuple[DeclaredRule, ...]:
    """The rules of one rules.toml (none when the profile has no such file)."""
    if path is None:
        return ()
    try:
        with open(path, "rb") as fh:
            conf = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}：TOML 格式错误：{exc}") from exc
    return tuple(_rule(d, path) for d in conf.get("rule", ()))


def for_chain(dirs: list[Path]) -> tuple[DeclaredRule, ...]:
    """The rules of a profile chain: every rules.toml from ``base`` down, a child's rule
    replacing its parent's of the same id."""
    by_id: dict[str, DeclaredRule] = {}
    for d in reversed(dirs):
        path = d / "rules.toml"
        for rule in load(path if path.is_file() else None):
            by_id[rule.id] = rule
    return tuple(r for r in by_id.values() if r.enabled)


def _rule(d: dict, path: Path) -> DeclaredRule:
    rid, kind = str(d.get("id", "")), d.get("kind")
    if rid and d.get("enabled") is False:
        return DeclaredRule(rid, "le", "", enabled=False)
    if not rid or kind not in KINDS or not d.get("message"):
        raise RulesError(
            f"{path}：规则 {rid or '?'} 缺少 id、message，或 kind 不是 {'、'.join(KINDS)}。"
        )
    severity = d.get("severity", ERROR)
    if severity not in (ERROR, WARNING):
        raise RulesError(f"{path}：规则 {rid} 的 severity 只能是“{ERROR}”或“{WARNING}”。")
    left = d.get("total") if kind == "sum" else d.get("left")
    right = d.get("parts") if kind == "sum" else [d.get("right")]
    if not left or not right or not all(right):
        raise RulesError(f"{path}：规则 {rid} 缺少要比较的数（total/parts 或 left/right）。")
    for ref in (left, *right):
        _check_ref(ref, rid, path)
    return DeclaredRule(rid, kind, str(d["message"]), severity, str(left), tuple(map(str, right)))


def _check_ref(ref: str, rid: str, path: Path) -> None:
    parts = ref.split(".")
    ok = (
        (parts[0] == "facts" and len(parts) == 3)
        or (len(parts) == 3 and parts[1] == "total")
        or (len(parts) == 4 and parts[1] == "item")
    )
    if not ok:
        raise RulesError(
            f"{path}：规则 {rid} 的“{ref}”应写作 表.total.栏、表.item.行.栏 或 facts.表名.项目。"
        )


def _figure(rep: Report, ref: str) -> tuple[Decimal | int, Cell | str | None]:
    """The value a reference names and its cell; Unpublished when there is none."""
    parts = ref.split(".")
    if parts[0] == "facts":
        _f, sheet, key = parts
        if sheet not in rep.facts:
            raise Unpublished(ref)
        value = rep.facts[sheet].get(key)
        cell = (rep.fact_cells.get(sheet) or {}).get(key, sheet)
        return (value if value is not None else 0), cell
    table = rep.table(parts[0])
    if table is None:
        raise Unpublished(ref)
    if parts[1] == "total":
        return table.total_of(parts[2]), table.total_cells.get(parts[2])
    _t, _item, key, col = parts
    return table.item(key, col), (table.item_cells.get(key) or {}).get(col)


def _tolerance(rep: Report, terms: int) -> Decimal:
    """Half a printed 分 per figure when any table is in 万元 (as the built-in rules)."""
    in_wan = any(t.unit == "万元" for t in rep.tables.values())
    return Decimal(50) * terms if in_wan else ZERO


def run(rep: Report, rules: tuple[DeclaredRule, ...]) -> list[Finding]:
    from .checks import _fmt

    out = []
    for rule in rules:
        try:
            left, where = _figure(rep, rule.left)
            right = [_figure(rep, ref)[0] for ref in rule.right]
        except Unpublished:
            continue
        amounts = isinstance(left, Decimal) or any(isinstance(v, Decimal) for v in right)
        target = sum(right, ZERO if amounts else 0)
        slack = _tolerance(rep, len(right) + 1) if amounts else 0
        broken = (
            left > target + slack if rule.kind == "le" else abs(left - target) > slack
        )  # fmt: skip
        if not broken:
            continue
        show = (lambda v: _fmt(Decimal(v))) if amounts else str
        expected = ("≤ " if rule.kind == "le" else "") + show(target)
        out.append(
            Finding(rule.severity, rule.id, rule.message, str(where or ""), expected, show(left))
        )
    return out
