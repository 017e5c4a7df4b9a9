"""Every place in checks.py that reports a finding is pinned by a bad-input case.

Rule ids are too coarse a measure: a rule such as R40 checks two sums (公务用车 = 购置 +
运行维护, 公务接待 = 国内 + 国（境）外), and dropping one of them passed every test while
one case per rule id existed (tests-review, mutants M06/M07). Here a *site* is every call in
reportgen/checks.py of ``Finding(…)``, ``_eq(…)`` or a helper that makes findings
(``_row_sum(…)``, ``_hierarchy(…)``, ``_wrong_name(…)``…: R23's three sums are three sites,
though one helper makes them).

A site is pinned by a case of tests/test_bad_inputs.py when the case asserts a finding
(rule and cell) that, in that case, only this site makes: deleting the site then fails the
case. A finding made on the side, unasserted, or also made by another site, would not.

The corpus records what each case made as its own tests run (``test_bad_inputs.FIRED``);
here only the cases this session has not run yet are run, so this file also works alone.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from test_bad_inputs import ERRORS, FIRED, WARNINGS, Case, Made, _make, recording_sites

import reportgen.checks as checks
from reportgen import check

#: Sites that no workbook can reach, by the name the failure message gives them ("r40 → _eq
#: #2") → why. Keep this list short and honest; a site unreachable because of a bug is a bug.
UNREACHABLE: dict[str, str] = {}

#: checks.py as it was imported (other developers may be editing it while the tests run)
SOURCE = Path(checks.__file__).read_text(encoding="utf-8")


def _functions(source: str) -> list[ast.FunctionDef]:
    return [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.FunctionDef)]


def _calls(fn: ast.FunctionDef) -> list[ast.Call]:
    return [n for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]


def _reporters(fns: list[ast.FunctionDef]) -> set[str]:
    """Finding, _eq and every checks.py function that calls one of them (transitively)."""
    found = {"Finding", "_eq"}
    while True:
        more = {fn.name for fn in fns if any(c.func.id in found for c in _calls(fn))}
        if more <= found:
            return found
        found |= more


def _sites(source: str = SOURCE) -> dict[tuple[int, int], str]:
    """(first line, last line) of every call of a reporter → its name, "function → callee"
    numbered in source order when a function has more than one ("r40 → _eq #2")."""
    fns = _functions(source)
    reporters = _reporters(fns)
    out = {}
    for fn in fns:
        if fn.name == "_eq":
            continue
        calls = sorted(
            (c for c in _calls(fn) if c.func.id in reporters),
            key=lambda c: (c.lineno, c.col_offset),
        )
        for i, c in enumerate(calls, 1):
            name = f"{fn.name} → {c.func.id}"
            if sum(o.func.id == c.func.id for o in calls) > 1:
                name += f" #{sum(o.func.id == c.func.id for o in calls[:i])}"
            out[(c.lineno, c.end_lineno or c.lineno)] = name
    return out


def _cases() -> dict[str, Case]:
    assert not set(ERRORS) & set(WARNINGS), "a case name in both ERRORS and WARNINGS"
    return {**ERRORS, **WARNINGS}


@pytest.fixture(scope="module")
def fired(tmp_path_factory, example_path) -> dict[str, set[Made]]:
    """case name → the findings it made in checks.py, for every case of the corpus."""
    from conftest import example_factory

    folder = tmp_path_factory.mktemp("sites")
    for i, (name, case) in enumerate(_cases().items()):
        if name in FIRED:  # its test ran in this session and recorded it
            continue
        tmp = folder / f"c{i}"
        tmp.mkdir()
        with recording_sites(FIRED.setdefault(name, set())):
            check(_make(case, example_factory(tmp), tmp, example_path))
    return FIRED


def _pins(case: Case, made: set[Made], first: int, last: int) -> bool:
    """The case asserts a finding, and every finding it made with that rule and cell went
    through lines first…last: without the site the case would fail."""
    target = [stack for stack, rule, where in made if (rule, where) == (case.rule, case.where)]
    return bool(target) and all(any(first <= n <= last for n in stack) for stack in target)


def test_every_finding_site_in_checks_is_pinned_by_some_case(fired):
    cases = _cases()
    lines = SOURCE.splitlines()
    missing = []
    for (first, last), site in sorted(_sites().items()):
        if site in UNREACHABLE or any(
            _pins(cases[name], made, first, last) for name, made in fired.items() if name in cases
        ):
            continue
        aside = sorted(
            f"{rule} {where} ({name})"
            for name, made in fired.items()
            for stack, rule, where in made
            if any(first <= n <= last for n in stack)
        )
        note = f" — made, not pinned: {'; '.join(aside[:3])}" if aside else ""
        missing.append(f"{site} (line {first}) {lines[first - 1].strip()}{note}")
    assert missing == [], "sites no bad-input case pins:\n" + "\n".join(missing)


def test_unreachable_sites_are_sites():
    assert set(UNREACHABLE) <= set(_sites().values())


SAMPLE = """
def _eq(rule, where, expected, found):
    return [] if expected == found else [Finding("错误", rule, "", where)]

def _sum_check(t, rule):
    return _eq(rule, "A1", t.total, t.parts)

def _wrong(where):
    return Finding("警告", "R51", "", where)

def r1(rep):
    out = _sum_check(rep.a, "R01")
    out += _sum_check(rep.b, "R01")
    out.append(_wrong("B2"))
    out.append(len(out))
    return out
"""


def test_a_site_is_each_call_of_a_function_that_makes_findings():
    """R23's three sums go through one helper: each call is a site of its own (the one in
    ``_eq`` is not: every ``_eq(…)`` call is)."""
    assert _sites(SAMPLE) == {
        (6, 6): "_sum_check → _eq",
        (9, 9): "_wrong → Finding",
        (12, 12): "r1 → _sum_check #1",
        (13, 13): "r1 → _sum_check #2",
        (14, 14): "r1 → _wrong",
    }


def test_a_finding_made_at_two_sites_pins_neither():
    case = Case("R01", "A1")
    both = {((3, 6, 12), "R01", "A1"), ((3, 6, 13), "R01", "A1")}
    assert not _pins(case, both, 12, 12) and not _pins(case, both, 13, 13)
    one = {((3, 6, 12), "R01", "A1"), ((3, 6, 13), "R01", "A2")}
    assert _pins(case, one, 12, 12) and not _pins(case, one, 13, 13)
    assert _pins(case, one, 6, 6)  # the helper's own _eq call
    assert not _pins(Case("R01", "A3"), one, 12, 12)  # the case asserts another cell
