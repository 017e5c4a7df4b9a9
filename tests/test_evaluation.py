"""绩效自评 (公开10–12表): reading seed 001's tables, the scoring rules, findings, rendering."""

from __future__ import annotations

import re
from decimal import Decimal as D

import docx
import pytest
import seed001_performance as perf
from hypothesis import given
from hypothesis import strategies as st

from reportgen import check
from reportgen.evaluation import (
    COMPUTED,
    GIVEN,
    FundLine,
    Indicator,
    ProjectEvaluation,
    check_project,
    grade,
    rules_from_settings,
    score,
    shown,
    summary,
)
from reportgen.evaluation_inputs import read_project
from reportgen.inputs import Reader
from reportgen.money import round_half_up
from reportgen.narrative import TemplateProblem
from reportgen.sheets import Grid

# --- the rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "total, expected",
    [
        ("100", "优"),
        ("90", "优"),
        ("89.99", "良"),
        ("80", "良"),
        ("79.99", "中"),
        ("60", "中"),
        ("59.99", "差"),
        ("0", "差"),
    ],
)
def test_grade_boundaries(total, expected):
    assert grade(D(total)) == expected


def _project(full_year, executed, weight="10", indicators=(("90", "90"),)) -> ProjectEvaluation:
    p = ProjectEvaluation(name="测试项目")
    p.funds = [
        FundLine("年度资金总额", D(full_year), D(full_year), executed and D(executed), D(weight))
    ]
    p.indicators = [
        Indicator("产出指标", "数量指标", f"指标{i}", weight=D(w), score=D(s))
        for i, (w, s) in enumerate(indicators)
    ]
    return p


def test_rate_score_is_capped_at_full_marks_and_zero_without_execution():
    over = score(_project("100", "120"))
    assert (
        over.rate == D("1.2") and over.rate_score == D("10.00") and over.total_score == D("100.00")
    )
    none = score(_project("80", None))
    assert (
        none.rate == 0 and none.rate_score == 0 and none.total_score == D(90) and none.grade == "优"
    )
    no_budget = score(_project("0", None))
    assert no_budget.rate is None and no_budget.rate_score == 0


@given(
    st.integers(min_value=1, max_value=10**7),
    st.integers(min_value=0, max_value=2 * 10**7),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=1, max_size=8),
)
def test_total_is_indicators_plus_rate_score(budget, executed, pairs):
    p = _project(
        str(D(budget) / 100),
        str(D(executed) / 100),
        indicators=[(str(w), str(min(s, w))) for w, s in pairs],
    )
    s = score(p)
    total = sum(D(min(sc, w)) for w, sc in pairs) + s.rate_score
    assert s.total_score == total
    assert s.rate_score == round_half_up(D(10) * min(D(executed) / D(budget), D(1)), 2)
    expected = "优" if total >= 90 else "良" if total >= 80 else "中" if total >= 60 else "差"
    assert s.grade == expected


# --- seed 001 ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(example_path):
    return check(example_path)


def test_all_seed001_projects_are_read(example):
    report, _ = example
    assert [p.name for p in report.projects] == [p["name"] for p in perf.PROJECTS]
    assert len(report.projects) == 17
    assert len(report.evaluation.sections) == len(perf.OVERALL_TEXT) == 13
    assert len(report.evaluation.indicators) == len(perf.OVERALL_TABLE["indicators"]) == 14
    first = report.projects[0]
    assert (first.total_line.full_year, first.total_line.executed) == (D("600"), D("500"))
    assert [i.level3 for i in first.indicators][:2] == ["前台建设数量", "后台建设数量"]
    assert (first.subtotal_weight, first.subtotal_score) == (D("70"), D("70"))


def test_given_and_computed_scores_agree_except_where_the_seed_is_wrong(example):
    report, findings = example
    for p, printed in zip(report.projects, perf.PROJECTS, strict=True):
        s = score(p)
        total_w, total_s, printed_grade = printed["total"]
        if p.name == "信息惠民城市运营中心购买服务费专项经费":
            # indicators 70 + 执行率 10: 80 分值, 70 + 8.33 = 78.33 得分 -> 中, printed 100 / 98.33 / 优
            assert (s.total_weight, s.total_score, s.grade) == (D(80), D("78.33"), "中")
            continue
        assert (s.total_weight, s.total_score, s.grade) == (
            D(total_w),
            D(total_s),
            printed_grade,
        ), p.name
    # one finding per given figure, at its cell: 应为 computed, 实为 given, both in the message
    name = "项目支出绩效自评表“信息惠民城市运营中心购买服务费专项经费”："
    p_findings = [
        (f.rule, f.where, f.message, f.expected, f.found)
        for f in findings
        if f.rule.startswith("P") and f.rule != "P11"
    ]
    assert p_findings == [
        (
            "P06",
            "公开12表!H23",
            name + "总分值填写为100.00，各指标分值（70.00）与执行率分值（10.00）之和为80.00"
            "（满分100.00）。",
            "80.00",
            "100.00",
        ),
        (
            "P07",
            "公开12表!I23",
            name + "总得分填写为98.33，各指标得分（70.00）与执行率得分（8.33）之和为78.33。",
            "78.33",
            "98.33",
        ),
        ("P08", "公开12表!J23", name + "自评等级填写为“优”，按总得分78.33分应为“中”。", "中", "优"),
    ]


def _fund(p, k: int, values: tuple) -> None:
    p["funds"][k] = values


def _indicator(p, k: int, **changes) -> None:
    keys = ("l1", "l2", "l3", "nature", "target", "unit", "actual", "weight", "score", "dev")
    row = dict(zip(keys, p["indicators"][k], strict=True)) | changes
    p["indicators"][k] = tuple(row[key] for key in keys)


@pytest.mark.parametrize(
    "mutate, expected",
    [
        (
            lambda p: _fund(
                p, 0, ("年度资金总额", "600.00", "600.00", "500.00", "10.00", "85.00", "8.33")
            ),
            {("P01", "公开12表!H7", "83.33", "85.00")},
        ),
        (
            lambda p: _fund(
                p, 0, ("年度资金总额", "600.00", "600.00", "500.00", "10.00", "83.33", "10.00")
            ),
            {("P02", "公开12表!I7", "8.33", "10.00")},
        ),
        (
            # a score above its 分值 also moves the sums: each given sum is named once
            lambda p: _indicator(p, 0, weight="10.00", score="12.00"),
            {
                ("P03", "公开12表!I16", "≤ 10.00", "12.00"),
                ("P05", "公开12表!I15", "92.00", "90.00"),
                ("P07", "公开12表!I26", "100.33", "98.33"),
            },
        ),
        (
            # 分值 add up to 95 and the unit's 总分值 says 95: the parts miss full marks
            lambda p: (
                _indicator(p, 0, weight="5.00", score="5.00"),
                p.__setitem__("indicator_subtotal", ("85.00", "85.00")),
                p.__setitem__("total", ("95.00", "93.33", "优")),
            ),
            {("P04", "公开12表!H26", "100.00", "95.00")},
        ),
        (
            lambda p: p.__setitem__("indicator_subtotal", ("85.00", "90.00")),
            {("P05", "公开12表!H15", "90.00", "85.00")},
        ),
        (
            # 总分值 typed 95 while the parts make 100: one finding, not a second "应为100"
            lambda p: p.__setitem__("total", ("95.00", "98.33", "优")),
            {("P06", "公开12表!H26", "100.00", "95.00")},
        ),
        (
            lambda p: p.__setitem__("total", ("100.00", "95.00", "优")),
            {("P07", "公开12表!I26", "98.33", "95.00")},
        ),
        (
            lambda p: p.__setitem__("total", ("100.00", "98.33", "良")),
            {("P08", "公开12表!J26", "优", "良")},
        ),
        (
            lambda p: _fund(p, 1, ("其中：当年财政拨款", "500.00", "600.00", "500.00", "", "", "")),
            {("P09", "公开12表!D7", "500.00", "600.00")},
        ),
        (
            lambda p: _indicator(p, 0, unit="999"),
            {("P11", "公开12表!F16", "名称", "999")},
        ),
    ],
)
def test_each_scoring_rule_names_its_cell_once(make_workbook, mutate, expected):
    import copy

    def change(data):
        data.projects = copy.deepcopy(
            perf.PROJECTS[2:3]
        )  # 玉溪市全市电子政务基础网络专项资金 (consistent)
        data.projects[0]["funds"] = list(data.projects[0]["funds"])
        data.projects[0]["funds"][0] = (
            "年度资金总额",
            "600.00",
            "600.00",
            "500.00",
            "10.00",
            "83.33",
            "8.33",
        )
        data.projects[0]["funds"][1] = (
            "其中：当年财政拨款",
            "600.00",
            "600.00",
            "500.00",
            "",
            "83.33",
            "",
        )
        data.projects[0]["indicators"] = list(data.projects[0]["indicators"])
        data.projects[0]["total"] = ("100.00", "98.33", "优")
        data.kv["预算绩效管理"]["开展绩效自评项目数"] = 1
        mutate(data.projects[0])

    _, findings = check(make_workbook(change))
    found = {(f.rule, f.where, f.expected, f.found) for f in findings if f.rule[0] == "P"}
    assert found == expected
    assert not [f for f in findings if f.is_error]


def test_the_messages_name_both_values():
    p = _project("600", "500", indicators=(("90", "90"),))
    p.funds[0].rate, p.funds[0].score = D("85"), D("10")
    p.total_weight, p.total_score, p.grade = D("100"), D("98.33"), "良"
    assert [(f.rule, f.message) for f in check_project(p)] == [
        (
            "P01",
            "项目支出绩效自评表“测试项目”：执行率填写为85.00%，按全年执行数500.00 ÷ 全年预算数600.00"
            "应为83.33%。",
        ),
        (
            "P02",
            "项目支出绩效自评表“测试项目”：执行率得分填写为10.00，按分值10.00 × 执行率83.33%"
            "（以分值为限）应为8.33。",
        ),
        (
            "P08",
            "项目支出绩效自评表“测试项目”：自评等级填写为“良”，按总得分98.33分应为“优”。",
        ),
    ]


def test_a_rate_score_from_the_printed_rate_is_accepted():
    # 10 / 81 = 12.345…%: 分值 30 × 0.12345… = 3.70, while 30 × the printed 12.35% = 3.705
    # → 3.71; a unit that multiplied the printed rate is right too
    p = _project("81", "10", weight="30", indicators=(("70", "70"),))
    p.funds[0].rate, p.funds[0].score = D("12.35"), D("3.71")
    assert check_project(p) == []
    p.funds[0].score = D("3.72")
    assert [(f.rule, f.expected, f.found) for f in check_project(p)] == [("P02", "3.70", "3.72")]


# --- printed figures: the unit's or the rules' ----------------------------------------------


def test_shown_figures_are_the_units_and_blanks_take_the_rules():
    p = _project("80", None, indicators=(("90", "88"),))  # seed 001's second table
    p.total_weight, p.total_score, p.grade = D("100"), D("88"), "良"
    s = shown(p)
    assert (s.line_rates, s.rate_weight, s.rate_score) == ((D("0.00"),), D("10"), D(0))
    assert (s.total_weight, s.total_score, s.grade, s.source) == (D(100), D(88), "良", GIVEN)
    p.total_score, p.grade = None, ""
    blank = shown(p)
    assert (blank.total_score, blank.grade) == (D(88), "良")
    p.total_score, p.grade = D("95"), "优"  # typed wrong: printed as typed, unless computed
    assert (shown(p).total_score, shown(p).grade) == (D(95), "优")
    c = shown(p, source=COMPUTED)
    assert (c.total_weight, c.total_score, c.grade, c.source) == (D(100), D(88), "良", COMPUTED)


def test_the_summary_follows_the_printed_figures():
    a = _project("10", "10", indicators=(("90", "85"),))  # 95 优
    b = _project("10", "5", indicators=(("90", "80"),))  # 85 良
    b.total_score, b.grade = D("60"), "中"
    given, computed = summary([a, b]), summary([a, b], source=COMPUTED)
    assert (given["average"], given["grades"]) == (D("77.50"), [("优", 1), ("中", 1)])
    assert (computed["average"], computed["grades"]) == (D("90.00"), [("优", 1), ("良", 1)])
    assert [i["score"] for i in given["items"]] == [D("95.00"), D("60")]


def test_a_pack_declares_its_grades_and_full_marks():
    rules = rules_from_settings(
        {
            "evaluation_grades": [[95, "优秀"], [75, "良好"], [55.5, "合格"]],
            "evaluation_grade_below": "不合格",
            "evaluation_full_marks": 100,
        }
    )
    assert [rules.grade(D(x)) for x in ("95", "94.99", "75", "55.5", "55.49")] == [
        "优秀",
        "良好",
        "良好",
        "合格",
        "不合格",
    ]
    assert rules.names == ("优秀", "良好", "合格", "不合格")
    assert rules.wording_phrases() == ("95分", "75分", "55.5分", "100分")
    assert rules_from_settings({}).wording_phrases() == ("90分", "80分", "60分", "100分")


@pytest.mark.parametrize(
    "settings, message",
    [
        (
            {"evaluation_grades": [[80, "良"], [90, "优"]]},
            "词句包的 evaluation_grades 应按下限从高到低排列，且下限各不相同。",
        ),
        (
            {"evaluation_grades": [[110, "优"]]},
            "词句包的 evaluation_grades 的最高下限 110 超过满分 100。",
        ),
        ({"evaluation_grades": [["九十", "优"]]}, "词句包的 evaluation_grades = “九十” 不是数字。"),
        (
            {"evaluation_grades": [90, 80]},
            '词句包的 evaluation_grades 应为 [[下限, 等级名称], …]，如 [[90, "优"], [80, "良"]]。',
        ),
        ({"evaluation_grade_below": "优"}, "词句包的自评等级名称不能为空，也不能重复。"),
        ({"evaluation_full_marks": 0}, "词句包的 evaluation_full_marks = “0” 应为正数。"),
    ],
)
def test_bad_scoring_settings_are_pack_errors(settings, message):
    with pytest.raises(TemplateProblem) as err:
        rules_from_settings(settings)
    assert str(err.value) == message


def test_an_unknown_score_source_is_a_pack_error():
    from reportgen.evaluation import score_source

    assert score_source({}) == GIVEN and score_source({"evaluation_scores": "computed"}) == COMPUTED
    with pytest.raises(TemplateProblem) as err:
        score_source({"evaluation_scores": "mixed"})
    assert str(err.value) == "词句包的 evaluation_scores = “mixed” 无效，只能是 given 或 computed。"


def test_total_on_the_same_row_as_its_label_and_blank_parent_indicators_are_read():
    rows = [
        ["2021年度项目支出绩效自评表"],
        ["项目名称", None, "刷脸就行工程专项资金"],
        [
            "项目资金（万元）",
            None,
            None,
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ],
        [None, "年度资金总额", None, 30, 30, None, 10, None, None],
        ["年度总体目标", "预期目标", None, None, None, "实际完成情况"],
        [None, "完成建设", None, None, None, "已完成"],
        [
            "绩效指标",
            None,
            None,
            "年度指标值",
            None,
            None,
            "实际完成值",
            "分值",
            "得分",
            "偏差原因分析及改进措施",
        ],
        ["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位"],
        ["产出指标", "数量指标", "覆盖人数", "3", "1000", "人", "1200", 50, 50, ""],
        [None, None, "开工时间", "3", "2021年", "", "2021年", 20, 20, ""],
        ["效益指标", "社会效益指标", "满意度", "3", "95", "%", "96", 20, 18, ""],
        ["总分", None, None, None, None, None, None, 100, 88, "良"],
    ]
    rd = Reader("x.xlsx")
    p = read_project(rd, Grid("公开12表", rows), 0, len(rows))
    assert not rd.findings
    assert [(i.level1, i.level2, i.level3) for i in p.indicators][1] == (
        "产出指标",
        "数量指标",
        "开工时间",
    )
    assert (p.total_weight, p.total_score, p.grade) == (D(100), D(88), "良")
    assert p.cells["grade"] == Grid("公开12表", rows).cell(11, 9)
    s = score(p)
    assert (s.total_weight, s.total_score, s.grade) == (D(100), D(88), "良")
    assert check_project(p) == []


# --- the document -----------------------------------------------------------------------


def test_part_four_and_section_ten_four_come_from_the_tables(built, doc_paragraphs):
    assert "2021年度玉溪市互联网信息办公室部门整体支出绩效自评情况" in doc_paragraphs
    assert "七、其他需说明的情况" in doc_paragraphs
    heads = [
        p.text
        for p in docx.Document(str(built.path)).paragraphs
        if p.style.name == "Heading 4" and re.match(r"^\d+\.\S", p.text)
    ]
    assert heads[0] == "1.信息惠民城市运营中心购买服务费专项经费" and len(heads) == 17
    summary = next(
        p
        for p in doc_paragraphs
        if p.startswith("玉溪市互联网信息办公室对17个项目开展了项目支出绩效自评")
    )
    # the unit's own scores (seed 001 as published): 1369.19 / 17 = 80.54
    items = "；".join(f"{p['name']}{p['total'][1]}分（{p['total'][2]}）" for p in perf.PROJECTS)
    assert summary == (
        "玉溪市互联网信息办公室对17个项目开展了项目支出绩效自评（全年预算数合计3508.50万元，"
        "全年执行数合计1307.13万元），平均得分80.54分，其中：自评等级为优的10个，自评等级为良的4个，"
        f"自评等级为中的1个，自评等级为差的2个。各项目自评得分：{items}。各项目支出绩效自评表见第四部分。"
    )
    tables = [t for t in docx.Document(str(built.path)).tables if t.cell(0, 0).text == "项目名称"]
    assert len(tables) == 17
    first = tables[0]
    texts = [[c.text for c in row.cells] for row in first.rows]
    assert texts[0][2] == "信息惠民城市运营中心购买服务费专项经费"
    fund = next(r for r in texts if r[1] == "年度资金总额")
    assert fund[3:9] == ["600.00", "600.00", "500.00", "10.00", "83.33%", "8.33"]
    assert texts[-1][7:] == [
        "100.00",
        "98.33",
        "优",
    ]  # the unit's, not the computed 80 / 78.33 / 中
    overall = [t for t in docx.Document(str(built.path)).tables if t.cell(0, 0).text == "一级指标"]
    assert len(overall) == 1 and len(overall[0].rows) == 15
