from decimal import Decimal as D

import pytest

from reportgen.money import AmountError, fmt_percent, fmt_table, fmt_wan, parse_amount, wan


def test_half_up_not_bankers():
    assert wan(D("12345")) == D("1.23")
    assert wan(D("12350")) == D("1.24")  # banker's rounding would give 1.24 too; next one not
    assert wan(D("12250")) == D("1.23")  # banker's: 1.22
    assert fmt_percent(D("0.00125"), 2) == "0.13"  # banker's: 0.12
    assert fmt_percent(D("0.0125"), 1) == "1.3"


@pytest.mark.parametrize(
    "raw, expected",
    [
        (15433353.26, D("15433353.26")),
        ("15,433,353.26", D("15433353.26")),
        (" 1 234.50 ", D("1234.50")),
        ("—", None),
        ("", None),
        (None, None),
        ("(12.00)", D("-12.00")),
        (7, D("7")),
    ],
)
def test_parse_amount(raw, expected):
    assert parse_amount(raw) == expected


def test_parse_amount_rejects_text():
    with pytest.raises(AmountError):
        parse_amount("约五万元")


def test_formats():
    assert fmt_wan(D("20434183.26")) == "2043.42"
    assert fmt_wan(D("5000000")) == "500.00"
    assert fmt_table(D("15433353.26")) == "15,433,353.26"
    assert fmt_table(D("15433353.26"), "万元") == "1,543.34"
    assert fmt_table(D("0")) == ""
