"""Seed 002 (眉山市政府信息技术中心 2021) as input data: it passes every check, and the figures
computed from it are the ones the seed prints (except where PUBLISHED marks them wrong)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from seed002_data import PUBLISHED, seed002_data

import reportgen
from reportgen import codes
from reportgen.computed import compute
from reportgen.findings import to_text
from reportgen.money import HUNDRED, round_half_up, wan
from reportgen.workbook import write_workbook

SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "002_9d2c51ba6ae1c49f.txt"


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    path = tmp_path_factory.mktemp("seed002") / "2021年度眉山市政府信息技术中心.xlsx"
    write_workbook(path, seed002_data(), names=codes.economic_name_map(2021))
    return reportgen.check(path)


def test_workbook_has_no_errors(checked):
    report, findings = checked
    errors = [f for f in findings if f.is_error]
    assert report is not None and not errors, to_text(findings)


def _pct(fraction: Decimal) -> str:
    return f"{round_half_up(fraction * HUNDRED, 2):.2f}"


def _w(yuan: Decimal) -> str:
    return f"{wan(yuan):.2f}"


def test_computed_figures_are_the_published_ones(checked):
    report, _ = checked
    c = compute(report)
    t = c.totals
    # 一、四
    for key in ("income_grand", "fiscal_income"):
        assert (_w(t[key].current), _w(t[key].abs_diff), _pct(t[key].rate)) == (
            "461.19",
            "338.35",
            "42.32",
        )
    for key in ("expense_grand", "fiscal_expense"):
        assert (_w(t[key].abs_diff), _pct(t[key].rate), t[key].kind) == ("294.29", "38.95", "down")
    # 二、三 (each share half-up on its own; here they also sum to 100.00)
    income = [(s.label, _w(s.amount), f"{s.percent:.2f}") for s in c.income_shares]
    assert income == [
        ("一般公共预算财政拨款收入", "356.49", "77.30"),
        ("政府性基金预算财政拨款收入", "104.69", "22.70"),
    ]
    expense = [(s.label, _w(s.amount), f"{s.percent:.2f}") for s in c.expense_shares]
    assert expense == [("基本支出", "212.94", "46.17"), ("项目支出", "248.24", "53.83")]
    # 五、（一）（二）
    g = c.gpb
    assert (_w(g["total"].current), _pct(g["share_of_expense"])) == ("356.49", "77.30")
    assert (g["total"].kind, _w(g["total"].abs_diff), _pct(g["total"].rate)) == (
        "up",
        "9.10",
        "2.62",
    )
    classes = [(s.label, _w(s.amount), f"{s.percent:.2f}") for s in g["class_shares"]]
    assert classes == [
        ("一般公共服务支出", "336.16", "94.29"),
        ("社会保障和就业支出", "7.23", "2.03"),
        ("卫生健康支出", "4.88", "1.37"),
        ("住房保障支出", "8.23", "2.31"),
    ]
    for shares in (c.income_shares, c.expense_shares, g["class_shares"]):
        assert all(f"{s.percent:.2f}" == _pct(s.fraction) for s in shares)
    # 五、（三）: 100 %, 决算数等于预算数, overall and for every 项
    assert (_pct(g["completion"].rate), g["completion"].relation) == ("100.00", "equal")
    items = [(it.code, _w(it.actual), it.completion.relation) for it in g["items"]]
    assert items == [
        ("2010301", "68.50", "equal"),
        ("2010350", "124.11", "equal"),
        ("2010399", "143.55", "equal"),
        ("2080506", "7.23", "equal"),
        ("2101101", "4.88", "equal"),
        ("2210201", "8.23", "equal"),
    ]
    # 六: 基本支出 and 公用经费 as published; 人员经费 derived (published 180.44 is wrong)
    b = c.basic
    assert (_w(b["total"]), _w(b["personnel"]), _w(b["public"])) == ("212.94", "180.53", "32.41")
    assert b["personnel"] + b["public"] == b["total"]
    # 七 八 九 十
    s = c.sangong
    assert (s["total"], _w(s["budget"]), s["items"]["reception"].change.kind) == (
        0,
        "0.80",
        "both_zero",
    )
    assert _w(c.gov_fund["expense"]) == "104.69" and not c.state_capital["expense"]
    p = c.procurement
    assert (_w(p["total"]), _pct(p["sme_share"]), _pct(p["small_share"])) == (
        "0.82",
        "100.00",
        "100.00",
    )
    assert not c.admin_cost["applicable"]
    # printed parts against printed wholes (the rounding note): 356.49 + 104.69 ≠ 461.19,
    # 212.94 + 248.24 ≠ 461.19, the classes and the 项 sum to 356.50, 人员经费 items to 180.54
    gaps = {place for place, gap in c.rounding_gaps.items() if gap}
    assert gaps == {"income", "expense", "gpb_classes", "gpb_items", "basic"}


def test_published_statuses():
    assert all(st == "right" or st.startswith("wrong: ") for _s, _t, st in PUBLISHED)
    wrong = [text for _s, text, st in PUBLISHED if st != "right"]
    assert len(wrong) == 1 and wrong[0].startswith("人员经费180.44万元")


@pytest.mark.skipif(not SEED.exists(), reason="shared/ seeds not available")
def test_published_sentences_are_verbatim():
    text = SEED.read_text(encoding="utf-8")
    missing = [sentence for _s, sentence, _st in PUBLISHED if sentence not in text]
    assert not missing
