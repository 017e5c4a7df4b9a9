"""第四部分 附件 and 十、（四）: what a unit publishes from its 公开10–12表.

Exact sentences and table cells, for the bundled example and for a unit unlike it (two
projects scored 95 and 85, no 公开10/11表); the unit's own scores against the computed
ones, both ways; codes, dates, rates and punctuation of the export as a reader expects.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal as D

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from reportgen import build, check
from reportgen.evaluation_text import (
    cjk_punctuation,
    excel_date,
    indicator_text,
    iso_date,
    nature_name,
    percent_value,
    unit_entry,
)

UNIT = "玉溪市互联网信息办公室"
FIRST = "信息惠民城市运营中心购买服务费专项经费"
GRADE_RULE = "自评等级按总得分确定：90分及以上为优，80分及以上为良，60分及以上为中，60分以下为差。"
SCORE_RULE = (
    "表中执行率、执行率得分、总分值、总得分和自评等级按评分规则计算：执行率为全年执行数除以全年预算数，"
    "执行率得分为分值乘以执行率（以该项分值为限），总得分为各指标得分与执行率得分之和。"
)


def body(path) -> list[str]:
    return [
        p.text
        for p in docx.Document(str(path)).paragraphs
        if not p.style.name.lower().startswith("toc")
    ]


def part4(paras: list[str]) -> list[str]:
    """The paragraphs of 第四部分, heading included, up to 第五部分 (page breaks left out)."""
    start = paras.index("第四部分 附件")
    end = next(i for i, p in enumerate(paras) if p.startswith("第五部分"))
    return [p for p in paras[start:end] if p]


def section_ten_four(paras: list[str]) -> list[str]:
    """The paragraphs under 十、（四） up to the next part."""
    start = paras.index("（四）预算绩效管理情况") + 1
    end = next(i for i, p in enumerate(paras) if i > start and p.startswith("第三部分"))
    return paras[start:end]


def rows(table) -> list[list[str]]:
    """Each row's cells, a merged cell once."""
    out = []
    for r in table.rows:
        cells, seen = [], set()
        for c in r.cells:
            if id(c._tc) not in seen:
                seen.add(id(c._tc))
                cells.append(c.text)
        out.append(cells)
    return out


def project_tables(path) -> list[list[list[str]]]:
    return [rows(t) for t in docx.Document(str(path)).tables if t.cell(0, 0).text == "项目名称"]


# --- a unit unlike the example -----------------------------------------------------------

#: 社区卫生服务站: 52 万元 spent in full (执行率 100%, 10 分), indicators 25 + 30 + 20 + 10 = 85
#: of 90 → 95.00 优. Its name has half-width parentheses, its rates are fractions, its
#: 完成时间 are Excel serials (44561 = 2021-12-31, 44560 = 2021-12-30).
PROJECT_A = {
    "name": "社区卫生服务站运行补助(2021年)",
    "department": UNIT,
    "implementer": "红塔区社区卫生服务站",
    "funds": [
        ("年度资金总额", "52.00", "52.00", "52.00", "10.00", "100.00", "10.00"),
        ("其中：当年财政拨款", "52.00", "52.00", "52.00", "", "100.00", ""),
        ("上年结转资金", "", "", "", "", "", ""),
        ("其他资金", "", "", "", "", "", ""),
    ],
    "goal_expected": "保障服务站正常运行,服务人次不少于12000人次;群众满意度不低于92%。",
    "goal_actual": "服务站全年正常开放(含节假日),服务12500人次。",
    "indicator_subtotal": ("", ""),
    "indicators": [
        ("产出指标", "数量指标", "服务人次", "4", "12000", "18", "12500", "25.00", "25.00", ""),
        (
            "产出指标",
            "时效指标",
            "项目完成时间",
            "5",
            "44561",
            "232",
            "44560",
            "30.00",
            "30.00",
            "",
        ),
        (
            "效益指标",
            "社会效益指标",
            "群众满意度",
            "4",
            "0.92",
            "1",
            "0.93",
            "25.00",
            "20.00",
            "宣传不足",
        ),
        (
            "效益指标",
            "可持续影响指标",
            "服务站开放天数",
            "4",
            "300",
            "45",
            "310",
            "10.00",
            "10.00",
            "",
        ),
    ],
    "notes": "",
    "total": ("100.00", "95.00", "优"),
}
#: 农村饮水安全巡查: 30 of 40 万元 (执行率 75%, 7.50 分), indicators 77.50 → 85.00 良.
PROJECT_B = {
    "name": "农村饮水安全巡查经费",
    "department": UNIT,
    "implementer": UNIT,
    "funds": [
        ("年度资金总额", "40.00", "40.00", "30.00", "10.00", "75.00", "7.50"),
        ("其中：当年财政拨款", "40.00", "40.00", "30.00", "", "75.00", ""),
        ("上年结转资金", "", "", "", "", "", ""),
        ("其他资金", "", "", "", "", "", ""),
    ],
    "goal_expected": "完成全年巡查24次,水质检测全部合格。",
    "goal_actual": "完成巡查27次;水质检测合格率98%。",
    "indicator_subtotal": ("", ""),
    "indicators": [
        ("产出指标", "数量指标", "巡查次数", "4", "24", "27", "27", "30.00", "30.00", ""),
        (
            "产出指标",
            "质量指标",
            "水质检测合格率",
            "3",
            "1",
            "1",
            "0.98",
            "30.00",
            "27.50",
            "个别水样浑浊",
        ),
        (
            "产出指标",
            "时效指标",
            "巡查完成时间",
            "5",
            "44530",
            "232",
            "44540",
            "15.00",
            "10.00",
            "因汛期延误,巡查推迟完成。",
        ),
        (
            "满意度指标",
            "服务对象满意度指标",
            "群众满意度",
            "4",
            "95",
            "1",
            "96",
            "15.00",
            "10.00",
            "",
        ),
    ],
    "notes": "",
    "total": ("100.00", "85.00", "良"),
}


def unlike(data, projects=(PROJECT_A, PROJECT_B), overall: str = "否") -> None:
    """The example's 公开01–09表 with the two projects above and no 公开10/11表."""
    data.overall_text = []
    data.overall_table = {}
    data.sections = []
    data.projects = [copy.deepcopy(p) for p in projects]
    data.kv["预算绩效管理"] = {
        "编制绩效目标项目数": len(projects),
        "编制绩效目标涉及金额": D("920000"),
        "开展绩效监控项目数": len(projects),
        "开展绩效自评项目数": len(projects),
        "开展绩效自评涉及金额": D("920000"),
        "部门整体绩效自评": overall,
    }


@pytest.fixture(scope="module")
def unlike_path(tmp_path_factory):
    from conftest import example_factory

    return example_factory(tmp_path_factory.mktemp("unlike"))(unlike, "unlike.xlsx")


@pytest.fixture(scope="module")
def unlike_built(unlike_path, tmp_path_factory):
    return build(unlike_path, tmp_path_factory.mktemp("unlike-out"))


def test_a_unit_with_two_projects_and_no_overall_evaluation_builds(unlike_built):
    assert not [f for f in unlike_built.findings if f.rule.startswith("P")]
    paras = body(unlike_built.path)
    assert section_ten_four(paras) == [
        f"根据预算绩效管理要求，{UNIT}在2021年度预算编制阶段，组织对2个项目编制了绩效目标，"
        "涉及资金92.00万元；预算执行过程中，对2个项目开展了绩效监控；年度终了，对2个项目开展了绩效自评，"
        "涉及资金92.00万元。",
        f"{UNIT}对2个项目开展了项目支出绩效自评（全年预算数合计92.00万元，全年执行数合计82.00万元），"
        "平均得分90.00分，其中：自评等级为优的1个，自评等级为良的1个。各项目自评得分："
        "社区卫生服务站运行补助（2021年）95.00分（优）；农村饮水安全巡查经费85.00分（良）。"
        "各项目支出绩效自评表见第四部分。",
    ]
    assert part4(paras) == [
        "第四部分 附件",
        "2021年度项目支出绩效自评表",
        "本年度共对2个项目开展了项目支出绩效自评，各项目自评表如下。" + GRADE_RULE,
        "1.社区卫生服务站运行补助（2021年）",
        "2.农村饮水安全巡查经费",
    ]
    assert "另行公开" not in "\n".join(paras)


def test_the_unlike_units_tables_print_names_dates_and_percentages(unlike_built):
    a, b = project_tables(unlike_built.path)
    assert a[0] == ["项目名称", "社区卫生服务站运行补助（2021年）"]
    assert a[3] == [
        "项目资金（万元）",
        "年度资金总额",
        "52.00",
        "52.00",
        "52.00",
        "10.00",
        "100.00%",
        "10.00",
    ]
    assert a[7:9] == [
        ["年度总体目标", "预期目标", "实际完成情况"],
        [
            "年度总体目标",
            "保障服务站正常运行，服务人次不少于12000人次；群众满意度不低于92%。",
            "服务站全年正常开放（含节假日），服务12500人次。",
        ],
    ]
    assert a[11:15] == [
        ["产出指标", "数量指标", "服务人次", "≥", "12000", "人次", "12500", "25.00", "25.00", ""],
        [
            "产出指标",
            "时效指标",
            "项目完成时间",
            "≤",
            "2021年12月31日",
            "",
            "2021年12月30日",
            "30.00",
            "30.00",
            "",
        ],
        [
            "效益指标",
            "社会效益指标",
            "群众满意度",
            "≥",
            "92",
            "%",
            "93",
            "25.00",
            "20.00",
            "宣传不足",
        ],
        [
            "效益指标",
            "可持续影响指标",
            "服务站开放天数",
            "≥",
            "300",
            "天",
            "310",
            "10.00",
            "10.00",
            "",
        ],
    ]
    assert a[-1] == ["总分", "100.00", "95.00", "优"]
    assert b[11:15] == [
        ["产出指标", "数量指标", "巡查次数", "≥", "24", "次", "27", "30.00", "30.00", ""],
        [
            "产出指标",
            "质量指标",
            "水质检测合格率",
            "=",
            "100",
            "%",
            "98",
            "30.00",
            "27.50",
            "个别水样浑浊",
        ],
        [
            "产出指标",
            "时效指标",
            "巡查完成时间",
            "≤",
            "2021年11月30日",
            "",
            "2021年12月10日",
            "15.00",
            "10.00",
            "因汛期延误，巡查推迟完成。",
        ],
        [
            "满意度指标",
            "服务对象满意度指标",
            "群众满意度",
            "≥",
            "95",
            "%",
            "96",
            "15.00",
            "10.00",
            "",
        ],
    ]
    assert b[3][6:] == ["75.00%", "7.50"] and b[-1] == ["总分", "100.00", "85.00", "良"]


def test_the_unlike_units_data_holds_none_of_the_threshold_constants(unlike_path):
    """The grade thresholds 80 and 60 occur in no figure of this unit: the sentence that
    states them builds because the pack declares them, not because the data has them."""
    from reportgen.audit import texts_with_numbers, traceable_numbers
    from reportgen.computed import compute
    from reportgen.narrative import load_pack
    from reportgen.pipeline import render_context

    report, findings = check(unlike_path)
    pack = load_pack()
    context = render_context(report, pack, compute(report, pack.budget_basis, pack.decimals))
    allowed = traceable_numbers(context, pack.decimals)
    assert "80" not in allowed and "60" not in allowed
    assert {"90分", "80分", "60分", "100分"} <= set(texts_with_numbers(context))


# --- the unit's figures, or the computed ones --------------------------------------------

#: B as typed by a unit that forgot the 执行率: 得分 10.00 (rules: 7.50), 总得分 87.50
#: (rules: 85.00), grade 良 under both.
PROJECT_B_GIVEN = copy.deepcopy(PROJECT_B)
PROJECT_B_GIVEN["funds"][0] = ("年度资金总额", "40.00", "40.00", "30.00", "10.00", "75.00", "10.00")
PROJECT_B_GIVEN["total"] = ("100.00", "87.50", "良")


def _grid_cell(path, label: str, nth: int) -> str:
    """The cell under the ``nth`` (0-based) "总得分"-style label of 公开12表, found in the
    workbook itself (not through the reader)."""
    ws = openpyxl.load_workbook(path)["公开12表"]
    hits = [c for row in ws.iter_rows() for c in row if c.value == label]
    cell = hits[nth]
    return f"公开12表!{cell.column_letter}{cell.row + 1}"


def _rate_score_cell(path, nth: int) -> str:
    """The 得分 cell (column I) of the ``nth`` table's 年度资金总额 row."""
    ws = openpyxl.load_workbook(path)["公开12表"]
    rows_ = [c.row for row in ws.iter_rows() for c in row if c.value == "年度资金总额"]
    return f"公开12表!I{rows_[nth]}"


@pytest.fixture(scope="module")
def given_path(tmp_path_factory):
    from conftest import example_factory

    def mutate(data):
        unlike(data, (PROJECT_A, PROJECT_B_GIVEN))

    return example_factory(tmp_path_factory.mktemp("given"))(mutate, "given.xlsx")


def test_each_disagreement_is_one_finding_naming_cell_and_both_values(given_path):
    _, findings = check(given_path)
    found = [
        (f.rule, f.where, f.message, f.expected, f.found) for f in findings if f.rule[0] == "P"
    ]
    assert found == [
        (
            "P02",
            _rate_score_cell(given_path, 1),
            "项目支出绩效自评表“农村饮水安全巡查经费”：执行率得分填写为10.00，按分值10.00 × "
            "执行率75.00%（以分值为限）应为7.50。",
            "7.50",
            "10.00",
        ),
        (
            "P07",
            _grid_cell(given_path, "总得分", 1),
            "项目支出绩效自评表“农村饮水安全巡查经费”：总得分填写为87.50，各指标得分（77.50）与"
            "执行率得分（7.50）之和为85.00。",
            "85.00",
            "87.50",
        ),
    ]


def test_the_document_prints_the_units_figures_by_default(given_path, tmp_path):
    result = build(given_path, tmp_path)
    b = project_tables(result.path)[1]
    assert b[3][6:] == ["75.00%", "10.00"] and b[-1] == ["总分", "100.00", "87.50", "良"]
    summary = section_ten_four(body(result.path))[1]
    assert "平均得分91.25分，其中：自评等级为优的1个，自评等级为良的1个。" in summary
    assert summary.endswith("农村饮水安全巡查经费87.50分（良）。各项目支出绩效自评表见第四部分。")


def test_computed_scores_on_request(given_path, tmp_path):
    result = build(given_path, tmp_path, computed_scores=True)
    b = project_tables(result.path)[1]
    assert b[3][6:] == ["75.00%", "7.50"] and b[-1] == ["总分", "100.00", "85.00", "良"]
    paras = body(result.path)
    summary = section_ten_four(paras)[1]
    assert "平均得分90.00分，其中：自评等级为优的1个，自评等级为良的1个。" in summary
    assert summary.endswith("农村饮水安全巡查经费85.00分（良）。各项目支出绩效自评表见第四部分。")
    assert part4(paras)[2] == (
        "本年度共对2个项目开展了项目支出绩效自评，各项目自评表如下。" + SCORE_RULE + GRADE_RULE
    )
    # the findings do not depend on what is printed
    assert {(f.rule, f.where) for f in result.findings if f.rule[0] == "P"} == {
        ("P02", _rate_score_cell(given_path, 1)),
        ("P07", _grid_cell(given_path, "总得分", 1)),
    }


@pytest.fixture(scope="module")
def example_computed(tmp_path_factory, example_path):
    return build(example_path, tmp_path_factory.mktemp("computed"), computed_scores=True)


def test_the_example_prints_its_own_first_table_and_on_request_the_computed_one(
    built, example_computed
):
    given = project_tables(built.path)[0]
    computed = project_tables(example_computed.path)[0]
    assert (
        given[3]
        == computed[3]
        == [
            "项目资金（万元）",
            "年度资金总额",
            "600.00",
            "600.00",
            "500.00",
            "10.00",
            "83.33%",
            "8.33",
        ]
    )
    assert given[-1] == ["总分", "100.00", "98.33", "优"]
    assert computed[-1] == ["总分", "80.00", "78.33", "中"]
    # 十（四）: 17 scores; the first is 98.33 given, 78.33 computed (1369.19 / 17 = 80.54;
    # 1349.19 / 17 = 79.36), and one 中 becomes 优
    given_summary = section_ten_four(body(built.path))[1]
    computed_summary = section_ten_four(body(example_computed.path))[1]
    assert (
        "平均得分80.54分，其中：自评等级为优的10个，自评等级为良的4个，自评等级为中的1个，自评等级为差的2个。"
        f"各项目自评得分：{FIRST}98.33分（优）；" in given_summary
    )
    assert (
        "平均得分79.36分，其中：自评等级为优的9个，自评等级为良的4个，自评等级为中的2个，自评等级为差的2个。"
        f"各项目自评得分：{FIRST}78.33分（中）；" in computed_summary
    )


def test_the_cli_option_prints_the_computed_scores(example_path, tmp_path):
    from reportgen.cli import main

    res = CliRunner().invoke(
        main, ["build", str(example_path), "-o", str(tmp_path), "--computed-scores"]
    )
    assert res.exit_code == 0, res.output
    path = res.output.strip().splitlines()[-1]
    assert project_tables(path)[0][-1] == ["总分", "80.00", "78.33", "中"]


def test_the_pack_setting_prints_the_computed_scores(example_path, tmp_path):
    root = tmp_path / "packs"
    d = root / "计算值"
    (d / "sections").mkdir(parents=True)
    (d / "pack.toml").write_text(
        'name = "计算值"\nextends = "sichuan-2021"\nevaluation_scores = "computed"\n',
        encoding="utf-8",
    )
    result = build(example_path, tmp_path / "out", template="计算值", template_dir=root)
    assert project_tables(result.path)[0][-1] == ["总分", "80.00", "78.33", "中"]


# --- the example's 第四部分 and 十（四） -----------------------------------------------------


def test_the_example_cites_the_report_part_four_prints(doc_paragraphs):
    first = section_ten_four(doc_paragraphs)[0]
    assert first == (
        f"根据预算绩效管理要求，{UNIT}在2021年度预算编制阶段，组织对17个项目编制了绩效目标，"
        "涉及资金3508.50万元；预算执行过程中，对17个项目开展了绩效监控；年度终了，对17个项目开展了"
        "绩效自评，涉及资金3508.50万元；同时，对部门整体支出开展了绩效自评，形成了"
        f"《2021年度{UNIT}部门整体支出绩效自评情况》，见第四部分。"
    )
    p4 = part4(doc_paragraphs)
    assert p4[:4] == [
        "第四部分 附件",
        f"2021年度{UNIT}部门整体支出绩效自评情况",
        "一、部门基本情况",
        "（一）部门概况",
    ]
    assert p4[4] == (
        f"{UNIT}（中共玉溪市委网络安全和信息化委员会办公室）的主要职能：贯彻落实中央和省关于网络安全和"
        "信息化工作的方针政策及市委、市政府的部署，组织研究拟订全市网络安全和信息化发展规划、政策和计划并"
        "负责组织实施，牵头制定相关行业网络安全规划及保障评价指标体系，指导推进党政部门、重点行业做好网络"
        "安全保障和信息化等工作。"
    )
    assert ("本年度共对17个项目开展了项目支出绩效自评，各项目自评表如下。" + GRADE_RULE) in p4
    assert "部门整体支出绩效评价报告" not in "\n".join(doc_paragraphs)


def test_the_example_tables_print_names_for_codes_and_dates_for_serials(built):
    tables = project_tables(built.path)
    first = tables[0]
    assert first[11:16] == [
        [
            "产出指标",
            "数量指标",
            "前台建设数量",
            "=",
            "1个信息平台",
            "个",
            "1",
            "10.00",
            "10.00",
            "无",
        ],
        [
            "产出指标",
            "数量指标",
            "后台建设数量",
            "=",
            "1个统一数据库",
            "个",
            "1",
            "10.00",
            "10.00",
            "无",
        ],
        [
            "产出指标",
            "数量指标",
            "技术故障及响应时间",
            "=",
            "7*24小时",
            "小时",
            "7*24",
            "20.00",
            "20.00",
            "无",
        ],
        ["产出指标", "数量指标", "建设时间", "=", "5年期", "年", "5", "10.00", "10.00", "无"],
        ["效益指标", "社会效益指标", "资源共享率", "=", "≥90%", "%", "90", "20.00", "20.00", "无"],
    ]
    face = next(t for t in tables if t[0][1] == "刷脸就行工程专项资金")
    assert face[15] == [
        "产出指标",
        "时效指标",
        "项目开工时间",
        "≤",
        "2021年9月30日",
        "",
        "2021年12月1日",
        "5.00",
        "3.00",
        "因招标采购时间较晚，未能实现预期开工。",
    ]
    # 指标性质 1 and 度量单位 10, 55, … have no known name: printed as given (and P11 says so)
    assert face[17][3:6] == ["1", "80", "%"]
    overall = [
        rows(t) for t in docx.Document(str(built.path)).tables if t.cell(0, 0).text == "一级指标"
    ][0]
    assert overall[8] == ["产出指标", "质量指标", "运维验收合格率", "=", "100", "%", "完成", ""]
    assert overall[13:15] == [
        ["满意度指标", "服务对象满意度指标", "使用单位满意度", "≥", "95", "%", "完成", ""],
        ["满意度指标", "服务对象满意度指标", "网络安全满意度", "≥", "90", "%", "完成", ""],
    ]


def test_an_unknown_code_is_one_warning_per_table_naming_its_first_cell(example_path):
    _, findings = check(example_path)
    p11 = {f.where: (f.message, f.found) for f in findings if f.rule == "P11"}
    assert p11["公开12表!F199"] == (
        "项目支出绩效自评表“玉溪数字云谷项目前期包装专项资金”：度量单位栏的代码 105、51、21 没有对应的名称，"
        "文档按原样印出；请在工作簿中改填名称。",
        "105、51、21",
    )
    assert p11["公开12表!D381"][1] == "1"
    assert len(p11) == 8


# --- other situations ------------------------------------------------------------------


def test_no_evaluation_material_at_all(make_workbook, tmp_path):
    def mutate(data):
        unlike(data, projects=())
        data.kv["预算绩效管理"] = {}

    result = build(make_workbook(mutate), tmp_path)
    paras = body(result.path)
    assert part4(paras) == ["第四部分 附件", "无。"]
    assert section_ten_four(paras) == [f"2021年度{UNIT}未开展项目绩效目标管理。"]


def test_an_overall_evaluation_without_its_text_is_not_cited(make_workbook, tmp_path):
    result = build(make_workbook(lambda d: unlike(d, overall="是")), tmp_path)
    paras = body(result.path)
    assert section_ten_four(paras)[0].endswith(
        "年度终了，对2个项目开展了绩效自评，涉及资金92.00万元；同时，对部门整体支出开展了绩效自评。"
    )
    assert part4(paras)[1] == "2021年度项目支出绩效自评表"
    assert "另行公开" not in "\n".join(paras) and "《" not in section_ten_four(paras)[0]


def test_an_overall_report_from_the_sheet_is_cited_by_its_title(make_workbook, tmp_path):
    def mutate(data):
        unlike(data, overall="是")
        data.sections = [("一、部门概况", "本单位设综合科(办公室)、业务科2个科室。")]

    result = build(make_workbook(mutate), tmp_path)
    paras = body(result.path)
    title = f"2021年度{UNIT}部门整体支出绩效评价报告"
    assert section_ten_four(paras)[0].endswith(
        f"同时，对部门整体支出开展了绩效自评，形成了《{title}》，见第四部分。"
    )
    assert part4(paras)[:4] == [
        "第四部分 附件",
        title,
        "一、部门概况",
        "本单位设综合科（办公室）、业务科2个科室。",
    ]


# --- the text functions ----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, printed",
    [
        ("职能: 贯彻落实, 组织研究; 2、全面", "职能：贯彻落实，组织研究；2、全面"),
        ("(一) 部门概况", "（一）部门概况"),
        (
            "支出(公用支出)148.85万元, 主要用于维修(护)费",
            "支出（公用支出）148.85万元，主要用于维修（护）费",
        ),
        (
            "收入合计2043.34万元, 2021年度支出合计1,307.13万元。",
            "收入合计2043.34万元，2021年度支出合计1,307.13万元。",
        ),
        ("(1)加强领导", "（1）加强领导"),
        ("如下:", "如下："),
        ("时间: 10:30", "时间：10:30"),
        ("IPv6(v6) at 10:30, ok", "IPv6(v6) at 10:30, ok"),
        ("1,307.13", "1,307.13"),
        ("", ""),
    ],
)
def test_half_width_punctuation_in_chinese_text(raw, printed):
    assert cjk_punctuation(raw) == printed


def test_dates_of_the_export():
    assert excel_date("44469") == date(2021, 9, 30) and excel_date("44531") == date(2021, 12, 1)
    assert excel_date("2021") is None and excel_date("44469.5") is None
    assert iso_date("2021-09-30 00:00:00") == date(2021, 9, 30) and iso_date("2021-02-30") is None
    # a serial is a date only where the indicator says so (unit 232, or 时间/日期 in its name)
    assert indicator_text("项目开工时间", "5", "44469", "", "44531").target == "2021年9月30日"
    assert indicator_text("服务人次", "4", "44469", "18", "44531").target == "44469"
    assert indicator_text("竣工", "5", "44469", "232", "2022-01-05").actual == "2022年1月5日"


def test_codes_and_rates_of_the_export():
    assert [nature_name(c) for c in ("3", "4", "5", "1", "定性")] == ["=", "≥", "≤", "1", "定性"]
    assert [unit_entry(c).name for c in ("1", "8", "12", "13", "18", "20", "27", "33", "45")] == [
        "%",
        "万元",
        "年",
        "小时",
        "人次",
        "个",
        "次",
        "场",
        "天",
    ]
    assert (
        unit_entry("232").kind == "date" and unit_entry("10") is None and unit_entry("个") is None
    )
    assert percent_value("0.95", "完成", "%", "使用单位满意度") == "95"
    assert percent_value("1", "完成", "%", "运维验收合格率") == "100"
    assert percent_value("0.9", "≥90%", "%", "资源共享率") == "90"
    assert percent_value("0.955", "", "%", "满意度") == "95.5"
    assert percent_value("0.5", "1", "%", "差错率") == "0.5"  # ≤1%: meant literally
    assert percent_value("0.95", "", "个", "满意度") == "0.95"
