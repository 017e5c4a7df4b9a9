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
from reportgen.evaluation import FundLine, Indicator, ProjectEvaluation, check_project, grade, score
from reportgen.evaluation_inputs import read_project
from reportgen.inputs import Reader
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
    assert s.total_score == sum(D(min(sc, w)) for w, sc in pairs) + s.rate_score
    assert 0 <= s.rate_score <= 10
    assert s.grade == grade(s.total_score)


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
    p_findings = {
        (f.rule, f.where, f.expected, f.found) for f in findings if f.rule.startswith("P")
    }
    assert p_findings == {
        ("P04", "公开12表!H23", "100.00", "80.00"),
        ("P06", "公开12表!H23", "80.00", "100.00"),
        ("P07", "公开12表!I23", "78.33", "98.33"),
        ("P08", "公开12表!J23", "中", "优"),
    }


@pytest.mark.parametrize(
    "mutate, rule, where",
    [
        (
            lambda p: p["funds"].__setitem__(
                0, ("年度资金总额", "600.00", "600.00", "500.00", "10.00", "85.00", "8.33")
            ),
            "P01",
            "公开12表!H7",
        ),
        (
            lambda p: p["funds"].__setitem__(
                0, ("年度资金总额", "600.00", "600.00", "500.00", "10.00", "83.33", "10.00")
            ),
            "P02",
            "公开12表!I7",
        ),
        (
            lambda p: p["indicators"].__setitem__(
                0, (*p["indicators"][0][:7], "10.00", "12.00", "无")
            ),
            "P03",
            "公开12表!I16",
        ),
        (lambda p: p.__setitem__("indicator_subtotal", ("85.00", "90.00")), "P05", "公开12表!H15"),
        (
            lambda p: p["funds"].__setitem__(
                1, ("其中：当年财政拨款", "500.00", "600.00", "500.00", "", "", "")
            ),
            "P09",
            "公开12表!D7",
        ),
    ],
)
def test_each_scoring_rule_names_its_cell(make_workbook, mutate, rule, where):
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
    found = {(f.rule, f.where) for f in findings}
    assert (rule, where) in found, sorted(found)
    assert not [f for f in findings if f.is_error]


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
    assert summary.startswith(
        "玉溪市互联网信息办公室对17个项目开展了项目支出绩效自评（全年预算数合计3508.50万元，"
        "全年执行数合计1307.13万元），平均得分79.36分，其中：自评等级为优的9个，自评等级为良的4个，"
        "自评等级为中的2个，自评等级为差的2个。各项目自评得分：信息惠民城市运营中心购买服务费专项经费78.33分（中）；"
    )
    tables = [t for t in docx.Document(str(built.path)).tables if t.cell(0, 0).text == "项目名称"]
    assert len(tables) == 17
    first = tables[0]
    texts = [[c.text for c in row.cells] for row in first.rows]
    assert texts[0][2] == "信息惠民城市运营中心购买服务费专项经费"
    fund = next(r for r in texts if r[1] == "年度资金总额")
    assert fund[3:9] == ["600.00", "600.00", "500.00", "10.00", "83.33%", "8.33"]
    assert texts[-1][7:] == ["80.00", "78.33", "中"]  # computed, not the printed 100 / 98.33 / 优
    overall = [t for t in docx.Document(str(built.path)).tables if t.cell(0, 0).text == "一级指标"]
    assert len(overall) == 1 and len(overall[0].rows) == 15
