"""Seed 004 rebuilt as input data (tools/seed004_data.py): it must pass every 勾稽 rule."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from conftest import SHARED
from seed004_data import PUBLISHED, seed004_data

from reportgen import check, codes
from reportgen.figures import LARGEST_REMAINDER, shares
from reportgen.workbook import write_workbook

SEED = SHARED / "seeds" / "004_dac8e1c6e90fb209.txt"
SECTIONS = {
    "一",
    "二",
    "三",
    "四",
    "五（一）",
    "五（二）",
    "五（三）",
    "六",
    "七（一）",
    "七（二）",
    "八",
    "九",
    "十（一）",
    "十（二）",
    "十（三）",
    "十（四）",
}


@pytest.fixture(scope="module")
def seed004_workbook(tmp_path_factory):
    path = tmp_path_factory.mktemp("seed004") / "2023年度攀枝花市东区电子政务建设服务中心.xlsx"
    write_workbook(path, seed004_data(), names=codes.economic_name_map(2023))
    return path


def test_seed004_passes_check(seed004_workbook):
    _report, findings = check(seed004_workbook)
    for f in findings:
        print(f.line())
    errors = [f for f in findings if f.is_error]
    assert not errors, "\n".join(f.line() for f in errors)


def test_seed004_names_from_code_table():
    data = seed004_data()
    for key, coded in data.coded.items():
        for code, name, _vals in coded.rows:
            assert codes.function(code, 2023).name == name, (key, code)
    for code, name, *_ in data.budgets:
        assert codes.function(code, 2023).name == name


def test_seed004_class_shares():
    """五（二）: each share half-up is the published 76.8 / 11.1 / 6.2 / 6 (printed 6.0);
    largest remainder, a pack option, would bend 6.16 % to 6.1 % to reach 100.0."""
    rows = seed004_data().coded["t05"].rows
    parts = [(c, n, v["exp_total"]) for c, n, v in rows if len(c) == 3]
    printed = [s.percent for s in shares(parts, 1)]
    assert printed == [Decimal(x) for x in ("76.8", "11.1", "6.2", "6.0")]
    bent = [s.percent for s in shares(parts, 1, method=LARGEST_REMAINDER)]
    assert bent == [Decimal(x) for x in ("76.8", "11.1", "6.1", "6.0")]


def test_published_entries_are_well_formed():
    assert PUBLISHED
    for section, sentence, status in PUBLISHED:
        assert section in SECTIONS
        assert re.search(r"\d", sentence), sentence
        assert not re.search(r"\s", sentence), sentence
        assert status == "right" or status.startswith("wrong: "), status


@pytest.mark.skipif(not SEED.exists(), reason="../shared is not available")
def test_published_sentences_are_copied_from_the_seed():
    text = re.sub(r"\s+", "", SEED.read_text(encoding="utf-8"))
    for _section, sentence, _status in PUBLISHED:
        assert sentence in text, sentence
