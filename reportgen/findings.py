"""Findings: what is wrong (错误) or suspicious (警告) in an input, and where.

Produced by the importer (cells that cannot be read) and by the checks (勾稽关系);
printed by ``reportgen check`` and written next to a document as its sidecar report.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

ERROR = "错误"
WARNING = "警告"


@dataclass(frozen=True)
class Finding:
    severity: str  # 错误 / 警告
    rule: str  # e.g. "R01-01"
    message: str  # Chinese, says what is wrong and what is expected
    where: str = ""  # "公开01表!C10" (sheet!cell), or the sheet alone
    expected: str = ""
    found: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def line(self) -> str:
        parts = [f"[{self.severity}] {self.rule}"]
        if self.where:
            parts.append(self.where)
        parts.append(self.message)
        if self.expected or self.found:
            parts.append(f"（应为 {self.expected or '—'}，实为 {self.found or '—'}）")
        return " ".join(parts)


class InputError(Exception):
    """The input cannot produce a document; carries the findings that say why."""

    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("\n".join(f.line() for f in findings))


def has_errors(findings: list[Finding]) -> bool:
    return any(f.is_error for f in findings)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors first, then warnings, each in the order found."""
    return [f for f in findings if f.is_error] + [f for f in findings if not f.is_error]


def to_json(findings: list[Finding]) -> str:
    return json.dumps([asdict(f) for f in findings], ensure_ascii=False, indent=2)


def to_text(findings: list[Finding]) -> str:
    """A readable table for a terminal: one finding per line, errors first."""
    if not findings:
        return "未发现问题。"
    rows = [("级别", "规则", "位置", "说明")]
    for f in sort_findings(findings):
        msg = f.message
        if f.expected or f.found:
            msg += f"（应为 {f.expected or '—'}，实为 {f.found or '—'}）"
        rows.append((f.severity, f.rule, f.where or "—", msg))
    w_rule = max(len(r[1]) for r in rows)
    w_where = max(_width(r[2]) for r in rows)
    lines = []
    for sev, rule, where, msg in rows:
        lines.append(
            f"{sev}  {rule.ljust(w_rule)}  {where}{' ' * (w_where - _width(where))}  {msg}"
        )
    n_err = sum(1 for f in findings if f.is_error)
    lines.append(f"共 {n_err} 个错误，{len(findings) - n_err} 个警告。")
    return "\n".join(lines)


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
