from decimal import Decimal as D
from fractions import Fraction

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from reportgen.figures import (
    HALF_UP,
    LARGEST_REMAINDER,
    change,
    changes_disagree,
    completion,
    parts_disagree,
    shares,
    shares_disagree,
)
from reportgen.money import fmt_percent, fmt_wan, round_half_up


def test_seed001_three_public_rates_come_from_unrounded_yuan():
    # seed 001 公开10表: 公务用车运行维护费 2.02万元，比上年减少0.05万元，下降2.29%
    car = change(D("20194.82"), D("20668.12"))
    assert (car.kind, car.word, car.rate_word) == ("down", "减少", "下降")
    assert fmt_wan(car.abs_diff) == "0.05"  # 2.02 − 2.07
    assert fmt_percent(car.rate) == "2.29"  # 0.05 / 2.07 would print 2.42
    # 公务接待费 2.27万元 against last year's printed 0.81万元: the change a reader computes
    # is 1.46 (seed 001 prints the rounded exact difference 1.45); the rate stays 178.45%
    rec = change(D("22671.00"), D("8141.86"))
    assert fmt_wan(rec.diff) == "1.45"
    assert (fmt_wan(rec.abs_diff), fmt_percent(rec.rate)) == ("1.46", "178.45")


def test_a_stated_change_is_the_difference_of_the_printed_amounts():
    # the example's 收、支总计: 图1 prints 1856.23 and 2043.42; the text says 增加187.19
    ch = change(D("20434183.26"), D("18562337.41"))
    assert fmt_wan(ch.diff) == "187.18"  # the exact difference, rounded: not what a reader gets
    assert (fmt_wan(ch.current), fmt_wan(ch.previous)) == ("2043.42", "1856.23")
    assert ch.printed_diff == D("1871900") and fmt_wan(ch.abs_diff) == "187.19"
    assert fmt_percent(ch.rate) == "10.08"  # from the unrounded amounts
    # a decrease keeps its sign in printed_diff and its magnitude in abs_diff
    down = change(D("18562337.41"), D("20434183.26"))
    assert down.printed_diff == D("-1871900") and fmt_wan(down.abs_diff) == "187.19"
    assert change(D(5), None).printed_diff is None and change(D(5), None).abs_diff == 0


def test_example_structure_shares_are_each_half_up():
    """五（二）: 52.38 / 1543.34 = 3.394 % prints 3.39 (largest remainder bent it to 3.40)."""
    parts = [
        ("201", "一般公共服务支出", D("6464930.84")),
        ("205", "教育支出", D("6120890.00")),
        ("206", "科学技术支出", D("88200.00")),
        ("208", "社会保障和就业支出", D("472519.43")),
        ("210", "卫生健康支出", D("347530.76")),
        ("215", "资源勘探工业信息等支出", D("1415501.00")),
        ("221", "住房保障支出", D("523781.23")),
    ]
    whole = sum(a for *_, a in parts)
    got = shares(parts, 2)
    assert [str(s.percent) for s in got] == [
        "41.89",
        "39.66",
        "0.57",
        "3.06",
        "2.25",
        "9.17",
        "3.39",
    ]
    assert sum(s.percent for s in got) == D("99.99")
    assert shares_disagree(whole, got)  # so 五（二） carries the rounding note
    bent = shares(parts, 2, method=LARGEST_REMAINDER)
    assert str(bent[-1].percent) == "3.40" and sum(s.percent for s in bent) == 100


def test_unknown_share_rounding_is_refused():
    with pytest.raises(ValueError, match="half_up"):
        shares([("a", "a", D(1))], 2, method="banker")


def test_parts_against_their_printed_whole():
    # the example's 六: 569.55 + 152.25 = 721.80 against 基本支出 721.81
    assert parts_disagree(D("7218073.26"), [D("5695542.63"), D("1522530.63")])
    assert not parts_disagree(D("7218073.26"), [D("7218073.26")])
    assert not parts_disagree(D(0), [])
    # 基本支出增加28.85、项目支出减少71.14, 合计减少42.29 (seed 004): they add up
    total = change(D("2199830"), D("2622730"))
    basic, project = change(D("1731070"), D("1442570")), change(D("468760"), D("1180160"))
    assert not changes_disagree(total, [basic, project])
    # 0.006 + 0.006 万元 print as 0.01 each, their sum 0.012 as 0.01
    tiny = change(D("60"), D("0")), change(D("60"), D("0"))
    assert changes_disagree(change(D("120"), D("0")), tiny)
    assert not changes_disagree(change(D("120"), None), tiny)  # no change printed


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


def test_seed004_structure_shares():
    """Each share half-up: 76.8 + 11.1 + 6.2 + 6.0 = 100.1, as seed 004 prints them (it
    lost the decimal of 6.0 and the rounding note); largest remainder gives 6.1 / 6.0."""
    parts = [
        ("a", "一般公共服务支出", D("1688930")),
        ("b", "社会保障和就业支出", D("244200")),
        ("c", "卫生健康支出", D("135500")),
        ("d", "住房保障支出", D("131200")),
    ]
    got = shares(parts, 1)
    assert [str(s.percent) for s in got] == ["76.8", "11.1", "6.2", "6.0"]
    assert shares_disagree(D("2199830"), got)
    bent = shares(parts, 1, method=LARGEST_REMAINDER)
    assert [str(s.percent) for s in bent] == ["76.8", "11.1", "6.1", "6.0"]
    assert not shares_disagree(D("2199830"), bent)


def _printed_wan(yuan: D) -> D:
    return D(fmt_wan(yuan))


def _reference_half_up(amounts: list[int], decimals: int) -> list[Fraction]:
    """Half-up percents in exact rational arithmetic: floor(x + 1/2) in printed steps."""
    whole = sum(amounts)
    step = Fraction(1, 10**decimals)
    return [
        (Fraction(a * 100, whole) / step + Fraction(1, 2)).__floor__() * step for a in amounts if a
    ]


def _reference_largest_remainder(amounts: list[int], decimals: int) -> list[Fraction]:
    """Hamilton's method, written independently: quotas in printed steps, floors, then one
    step each to the largest remainders (ties to the larger amount, then the earlier)."""
    kept = [a for a in amounts if a]
    whole = sum(kept)
    steps = 100 * 10**decimals
    quotas = [Fraction(a * steps, whole) for a in kept]
    got = [q.numerator // q.denominator for q in quotas]
    left = steps - sum(got)
    ranked = sorted(range(len(kept)), key=lambda i: (quotas[i] - got[i], kept[i], -i), reverse=True)
    for i in ranked[:left]:
        got[i] += 1
    return [Fraction(g, 10**decimals) for g in got]


@given(
    st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=12),
    st.sampled_from([1, 2]),
)
@example([1, 15], 1)  # 1/16 = 6.25 %: half-up 6.3, never the banker's 6.2
@example([1, 1, 1], 2)  # 33.33 × 3 = 99.99; largest remainder gives the first 33.34
def test_shares_match_reference_implementations(amounts, decimals):
    """Both methods against exact-fraction references; half-up is each share on its own."""
    parts = [(str(i), str(i), D(a) / 100) for i, a in enumerate(amounts)]
    if not any(amounts):
        assert (
            shares(parts, decimals) == []
            and shares(parts, decimals, method=LARGEST_REMAINDER) == []
        )
        return
    half_up = shares(parts, decimals, method=HALF_UP)
    assert [Fraction(s.percent) for s in half_up] == _reference_half_up(amounts, decimals)
    assert all(s.percent == round_half_up(s.fraction * 100, decimals) for s in half_up)
    largest = shares(parts, decimals, method=LARGEST_REMAINDER)
    assert [Fraction(s.percent) for s in largest] == _reference_largest_remainder(amounts, decimals)
    assert sum(s.percent for s in largest) == 100
    # the note is called for exactly when the half-up percents miss 100 (amounts here are
    # whole 分, printed in 万元: the amounts may also miss their printed whole)
    whole = sum(D(a) / 100 for a in amounts)
    misses_100 = sum(s.percent for s in half_up) != 100
    misses_whole = sum(_printed_wan(s.amount) for s in half_up) != _printed_wan(whole)
    assert shares_disagree(whole, half_up) == (misses_100 or misses_whole)


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


@given(st.integers(min_value=0, max_value=10**11), st.integers(min_value=0, max_value=10**11))
def test_a_printed_change_is_the_difference_of_the_printed_amounts(cur_fen, prev_fen):
    """|本年 − 上年| as printed, never against the direction word: rounding is monotonic,
    so a printed difference is zero or has the exact difference's sign."""
    cur, prev = D(cur_fen) / 100, D(prev_fen) / 100
    ch = change(cur, prev)
    printed = D(fmt_wan(cur)) - D(fmt_wan(prev))
    assert D(fmt_wan(ch.abs_diff)) == abs(printed)
    assert ch.printed_diff == printed * 10000
    if printed:
        assert (printed > 0) == (ch.word == "增加") == (ch.diff > 0)


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
