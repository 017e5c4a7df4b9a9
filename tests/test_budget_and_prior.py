"""五（三）as accountants write it, and missing last-year figures (issue 14, items 3 and 6).

五（三）names for the total and each 项 the budget actually supplied (年初预算 / the pack's
全年预算 or 调整预算), its amount, the 决算数, the completion rate and, where they differ,
the reason. A unit's missing 上年决算数 is an input error, unless it declares it was
founded this year; the document then says so once, draws no comparison and numbers its
figures without gaps. The document never speaks about the tool or about missing input.
"""

from __future__ import annotations

from decimal import Decimal as D

import docx
import pytest

from reportgen import build, check
from reportgen.findings import InputError

TOOL_TALK = ("未提供", "从略", "不计算完成比例", "另行公开", "数据缺失")


def paragraphs(path) -> list[str]:
    return [
        p.text
        for p in docx.Document(str(path)).paragraphs
        if not p.style.name.lower().startswith("toc")
    ]


def captions(path) -> list[str]:
    return [p.text for p in docx.Document(str(path)).paragraphs if p.style.name == "Caption"]


def set_budget(code: str, initial=None, adjusted=None, reason=None):
    def mutate(data):
        for i, (c, name, ini, adj, why) in enumerate(data.budgets):
            if c == code:
                data.budgets[i] = (
                    c,
                    name,
                    ini if initial is None else initial,
                    adj if adjusted is None else adjusted,
                    why if reason is None else reason,
                )

    return mutate


def only_initial(data):
    """A unit that supplied only 年初预算数 (the 调整预算数 column left empty)."""
    data.budgets = [(c, n, ini, None, why) for c, n, ini, _adj, why in data.budgets]


def drop_budget(code: str):
    def mutate(data):
        data.budgets = [b for b in data.budgets if b[0] != code]

    return mutate


def new_unit(data):
    data.kv["上年决算数"] = {"本年新成立单位": "是"}


# --- 五（三） ------------------------------------------------------------------------------


def test_example_part_five_three_names_budget_actual_rate_and_reason(built, doc_paragraphs):
    assert (
        "2021年度一般公共预算财政拨款支出全年预算为1549.27万元，支出决算为1543.34万元，"
        "完成全年预算的99.62%，决算数小于预算数。其中：" in doc_paragraphs
    )
    assert (
        "1.一般公共服务支出（类）网信事务（款）行政运行（项）：全年预算为241.93万元，"
        "支出决算为241.93万元，完成全年预算的100.00%，决算数等于预算数。" in doc_paragraphs
    )
    assert (
        "4.一般公共服务支出（类）网信事务（款）其他网信事务支出（项）：全年预算为65.00万元，"
        "支出决算为59.07万元，完成全年预算的90.88%，决算数小于预算数，主要原因是部分专项业务费"
        "因合同尚未履行完毕，未在年内支付。" in doc_paragraphs
    )
    # 59.07 / 65.00 from the unrounded 元: 590700 / 650000 = 90.877 %
    assert not [p for p in doc_paragraphs if any(t in p for t in TOOL_TALK)]


def test_sangong_names_budget_and_actual(doc_paragraphs):
    assert any(
        p.startswith(
            "2021年度“三公”经费财政拨款预算为6.34万元，支出决算为4.29万元，完成预算的67.61%，"
            "决算数小于预算数，主要原因是严格执行中央八项规定精神"
        )
        for p in doc_paragraphs
    )
    assert any(
        p.startswith(
            "3.公务接待费预算为4.03万元，支出决算为2.27万元，完成预算的56.26%，决算数小于预算数。"
        )
        for p in doc_paragraphs
    )


def test_only_initial_budget_is_named_as_such(make_workbook, tmp_path):
    result = build(make_workbook(only_initial), tmp_path / "out")
    paras = paragraphs(result.path)
    assert (
        "2.一般公共服务支出（类）网信事务（款）一般行政管理事务（项）：年初预算为70.00万元，"
        "支出决算为72.05万元，完成年初预算的102.92%，决算数大于预算数。" in paras
    )
    assert any(p.startswith("2021年度一般公共预算财政拨款支出年初预算为") for p in paras)
    assert not [p for p in paras if "全年预算" in p and "（项）" in p]


def test_mixed_budgets_call_the_total_plain_budget(make_workbook, tmp_path):
    """One 项 with only 年初预算, the rest with 调整预算: the total is against "预算"."""
    mutate = set_budget("2013702", adjusted=None)

    def one_initial(data):
        mutate(data)
        data.budgets = [
            (c, n, ini, None if c == "2013702" else adj, why)
            for c, n, ini, adj, why in data.budgets
        ]

    paras = paragraphs(build(make_workbook(one_initial), tmp_path / "out").path)
    assert any(p.startswith("2021年度一般公共预算财政拨款支出预算为") for p in paras)
    assert any(
        p.startswith(
            "2.一般公共服务支出（类）网信事务（款）一般行政管理事务（项）：年初预算为70.00万元"
        )
        for p in paras
    )
    assert any(
        p.startswith("1.一般公共服务支出（类）网信事务（款）行政运行（项）：全年预算为241.93万元")
        for p in paras
    )


def test_a_spent_item_without_a_budget_line_is_an_error(make_workbook, tmp_path):
    path = make_workbook(drop_budget("2013799"))
    with pytest.raises(InputError) as err:
        build(path, tmp_path / "out")
    found = [(f.rule, f.where) for f in err.value.findings if f.rule == "R80"]
    assert found == [("R80", "公开05表!K14")]  # the 支出合计 cell of 2013799
    assert not (tmp_path / "out").exists()


def test_a_large_difference_without_a_reason_is_a_warning(make_workbook):
    _report, findings = check(make_workbook(set_budget("2013799", reason="")))
    r81 = [(f.severity, f.where, f.expected, f.found) for f in findings if f.rule == "R81"]
    assert r81 == [("警告", "项目预算!A7", "预算 650,000.00", "590,700.00")]


def test_a_small_difference_needs_no_reason(make_workbook):
    """72.05 against 70.00 年初预算 is 2.9 %: under the 5 % threshold."""
    _report, findings = check(make_workbook(only_initial))
    assert not [f for f in findings if f.rule == "R81" and "2013702" in f.message]


# --- last year's figures -------------------------------------------------------------------


def test_missing_prior_year_is_an_error_naming_the_cell(make_workbook):
    def drop(data):
        del data.kv["上年决算数"]["财政拨款收入总计"]

    _report, findings = check(make_workbook(drop))
    r71 = [(f.severity, f.where) for f in findings if f.rule == "R71"]
    assert r71 == [("错误", "上年决算数!B9")]
    assert any("本年新成立单位" in f.message for f in findings if f.rule == "R71")


def test_empty_prior_sheet_is_one_error_for_the_sheet(make_workbook):
    def empty(data):
        data.kv["上年决算数"] = {}

    _report, findings = check(make_workbook(empty))
    assert [(f.rule, f.where) for f in findings if f.rule == "R71"] == [("R71", "上年决算数")]


def test_a_new_unit_says_so_once_and_numbers_its_figures_without_gaps(make_workbook, tmp_path):
    result = build(make_workbook(new_unit), tmp_path / "out")
    paras = paragraphs(result.path)
    said = [p for p in paras if "为2021年新成立单位，无上年决算数，本年收支不作上年对比。" in p]
    assert len(said) == 1 and said[0].startswith("2021年度收、支总计均为2043.42万元。")
    assert not [p for p in paras if "与2020年度相比" in p or "比2020年度" in p]
    assert not [p for p in paras if any(t in p for t in TOOL_TALK)]
    assert captions(result.path) == [
        "图1 收入决算结构",
        "图2 支出决算结构",
        "图3 一般公共预算财政拨款支出决算结构",
        "图4 “三公”经费财政拨款支出结构",
    ]
    assert len(docx.Document(str(result.path)).inline_shapes) == 4


def test_example_figures_are_numbered_one_to_seven(built):
    assert [c.split(" ")[0] for c in captions(built.path)] == [f"图{n}" for n in range(1, 8)]


def test_a_prior_year_of_zero_is_not_missing(make_workbook):
    def zero(data):
        data.kv["上年决算数"]["一般公共预算财政拨款支出"] = D("0")

    _report, findings = check(make_workbook(zero))
    assert not [f for f in findings if f.rule == "R71"]
