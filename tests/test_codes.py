"""The bundled code table against every 科目 the seeds publish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen import codes

SHARED = Path(__file__).resolve().parents[2] / "shared"

SEED001 = SHARED / "seeds" / "001_9e86a554072ef02b.txt"
SEED004 = SHARED / "seeds" / "004_dac8e1c6e90fb209.txt"
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared/ not beside the repo")


@needs_shared
def test_every_function_code_of_seed001_has_its_published_name():
    pairs = set()
    for line in SEED001.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d{3}|\d{5}|\d{7})\t+([^\t\d][^\t]*)\t", line)
        if m and not m.group(1).startswith("3"):
            pairs.add((m.group(1), m.group(2).strip()))
    assert len(pairs) == 31  # 类, 款 and 项 of 公开02/03/05/07表
    wrong = {(c, n, getattr(codes.function(c, 2021), "name", None)) for c, n in pairs}
    assert {w for w in wrong if w[1] != w[2]} == set()


@needs_shared
def test_every_economic_code_of_seed001_has_its_published_name():
    pairs = set()
    for line in SEED001.read_text(encoding="utf-8").splitlines():
        for m in re.finditer(r"(?:^|\t)(3\d{2}(?:\d{2})?)\t([^\t\d][^\t]*)", line):
            pairs.add((m.group(1), m.group(2).strip()))
    assert len(pairs) >= 80
    wrong = {(c, n, getattr(codes.economic(c, 2021), "name", None)) for c, n in pairs}
    assert {w for w in wrong if w[1] != w[2]} == set()


@needs_shared
def test_seed004_items_exist_in_2023_under_their_kuan():
    """Seed 004 names 类/款 in short form (一般公共服务（类）); its 项 names are exact."""
    text = SEED004.read_text(encoding="utf-8")
    found = set(
        re.findall(r"([^\d.，。\s]+?)（类）([^，。\s]+?)（款）([^，。\s:：]+?)（项）", text)
    )
    assert found
    for lei, kuan, xiang in found:
        lei_code = next(
            c
            for c in ("201", "208", "210", "221", "229")
            if codes.function(c, 2023).name.startswith(lei)
        )
        kuan_codes = [
            c
            for c in (f"{lei_code}{i:02d}" for i in range(1, 100))
            if codes.function(c, 2023) and codes.function(c, 2023).name.startswith(kuan)
        ]
        assert kuan_codes, (lei, kuan)
        names = {
            codes.function(f"{k}{i:02d}", 2023).name
            for k in kuan_codes
            for i in range(1, 100)
            if codes.function(f"{k}{i:02d}", 2023)
        }
        # seed 004 shortens 其他网信事务支出 to 其他网信事务; both name the same 项
        assert xiang in names or f"{xiang}支出" in names, (lei, kuan, xiang)


def test_renamed_codes_carry_both_vintages():
    assert codes.function("20805", 2020).name == "行政事业单位离退休"
    assert codes.function("20805", 2021).name == "行政事业单位养老支出"
    assert codes.function("210", 2018).name == "医疗卫生与计划生育支出"
    assert codes.function("210", 2019).name == "卫生健康支出"
    assert codes.function("22102", 2023).name == "住房改革支出"
    assert codes.function("20140", 2023) is None and codes.function("20140", 2024) is not None
