from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from reportgen.figures import change, completion, shares
from reportgen.money import fmt_percent, fmt_wan, round_half_up


def test_seed001_three_public_rates_come_from_unrounded_yuan():
    # seed 001 公开10表: 公务用车运行维护费 2.02万元，比上年减少0.05万元，下降2.29%
    car = change(D("20194.82"), D("20668.12"))
    assert (car.kind, car.word, car.rate_word) == ("down", "减少", "下降")
    assert fmt_wan(car.abs_diff) == "0.05"
    assert fmt_percent(car.rate) == "2.29"  # 0.05 / 2.07 would print 2.42
    # 公务接待费 2.27万元，比上年增加1.45万元，增长178.45%
    rec = change(D("22671.00"), D("8141.86"))
    assert fmt_wan(rec.abs_diff) == "1.45" and fmt_percent(rec.rate) == "178.45"


def test_change_cases():
    assert change(D(5), None).kind == "no_prior"
    assert change(D(0), D(0)).kind == "both_zero"
    new = change(D(5), D(0))
    assert new.kind == "new" and new.rate is None  # never "增长100%" from nothing
    assert change(D(0), D(5)).kind == "ceased"
    assert change(D(5), D(5)).kind == "flat"


def test_completion_cases():
    assert completion(D(0), D(0)).kind == "none"  # no "完成预算0%" for a zero budget
    assert completion(D(5), D(0)).kind == "no_budget"
    assert completion(D(5), None).kind == "unknown"
    c = completion(D("42865.82"), D("63404.00"))
    assert c.relation == "below" and fmt_percent(c.rate) == "67.61"


def test_seed004_structure_shares_sum_to_100():
    # seed 004 printed 76.8 + 11.1 + 6.2 + 6 = 100.1
    parts = [
        ("a", "一般公共服务支出", D("1688900")),
        ("b", "社会保障和就业支出", D("244200")),
        ("c", "卫生健康支出", D("135500")),
        ("d", "住房保障支出", D("131200")),
    ]
    got = shares(parts, 1)
    assert sum(s.percent for s in got) == D("100.0")
    assert [str(s.percent) for s in got] == ["76.8", "11.1", "6.1", "6.0"]


@given(
    st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=12),
    st.sampled_from([1, 2]),
)
def test_printed_shares_always_sum_to_100(amounts, decimals):
    parts = [(str(i), str(i), D(a) / 100) for i, a in enumerate(amounts)]
    got = shares(parts, decimals)
    if any(amounts):
        assert sum(s.percent for s in got) == 100
        # each printed share is within one printed step of the exact share
        step = D(1).scaleb(-decimals)
        for s in got:
            assert abs(s.percent - s.fraction * 100) < step
    else:
        assert got == []


@given(
    st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=1, max_value=10**12)
)
def test_direction_word_matches_sign(cur, prev):
    ch = change(D(cur) / 100, D(prev) / 100)
    diff = D(cur) - D(prev)
    if cur == 0:
        assert ch.kind == "ceased"
    elif diff > 0:
        assert (ch.word, ch.rate_word) == ("增加", "增长")
    elif diff < 0:
        assert (ch.word, ch.rate_word) == ("减少", "下降")
    else:
        assert ch.kind == "flat"


@given(st.integers(min_value=0, max_value=10**10))
def test_half_up_at_every_005_boundary(n):
    """x.xx5 always rounds away from zero (四舍五入), never to even."""
    value = D(n) / 100 + D("0.005")
    assert round_half_up(value, 2) == D(n) / 100 + D("0.01")
    # the same in the text unit: 元 ending in 50 round up to the next 0.01 万元
    assert fmt_wan(D(n) * 100 + 50) == f"{(D(n) + 1) / 100:.2f}"


@given(st.integers(min_value=1, max_value=10**11), st.integers(min_value=1, max_value=10**11))
def test_rates_come_from_unrounded_amounts(cur_fen, prev_fen):
    """The rate is |cur − prev| / prev of the exact 元 amounts, not of printed 万元."""
    cur, prev = D(cur_fen) / 100, D(prev_fen) / 100
    ch = change(cur, prev)
    if cur == prev:
        assert ch.kind == "flat"
    else:
        assert ch.rate == abs(cur - prev) / prev
        assert ch.diff == cur - prev


@given(st.integers(min_value=0, max_value=10**11), st.integers(min_value=0, max_value=10**11))
def test_completion_is_never_a_rate_of_a_zero_budget(actual_fen, budget_fen):
    cp = completion(D(actual_fen) / 100, D(budget_fen) / 100)
    if budget_fen == 0:
        assert cp.kind in ("no_budget", "none") and cp.rate is None
    else:
        assert cp.kind == "rate" and cp.rate == D(actual_fen) / D(budget_fen)
