"""reportgen.portal.diff: what changed between two versions of a unit's document.

The 云南 example is built as it is and with one 公开09表 figure (机关运行经费) and its 主要
职能 changed; the diff reports exactly those sentences, figures and 附表 cells. The
Shanghai fixture with a department name holding <b>&"' shows every text escaped.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLE, ROOT

from reportgen import build
from reportgen.findings import WARNING, Finding
from reportgen.portal.diff import (
    CellChange,
    FigureChange,
    FindingRef,
    SectionDiff,
    Segment,
    SentenceChange,
    VersionDiff,
    diff_html,
    diff_json,
    diff_versions,
    split_sentences,
)
from reportgen.portal.edit import apply_texts

SHANGHAI = ROOT / "tests" / "fixtures" / "shanghai-2024" / "shanghai-2024-whole.xlsx"

OLD_FUNCTIONS = (
    "玉溪市互联网信息办公室（中共玉溪市委网络安全和信息化委员会办公室）的主要职能：贯彻落实中央和省关于"
    "网络安全和信息化工作的方针政策及市委、市政府的部署，组织研究拟订全市网络安全和信息化发展规划、政策和"
    "计划并负责组织实施，牵头制定相关行业网络安全规划及保障评价指标体系，指导推进党政部门、重点行业做好"
    "网络安全保障和信息化等工作。"
)
NEW_FUNCTIONS = OLD_FUNCTIONS.replace("保障和信息化", "保障、数据安全和信息化")
ADDED = "负责全市数据资源的统筹管理。"
T09 = "“三公”经费、行政参公单位机关运行经费情况表"

NAME = "上海市某某区<b>&\"'文旅局"
OLD_NAME = "上海市某某区文化和旅游局"
SH_REASON = "压减一般性支出，办公费、物业管理费和差旅费减少"


@pytest.fixture(scope="module")
def yunnan(built, tmp_path_factory):
    """(original, variant) builds: 公开09表 机关运行经费 (D27) and its 行政单位 line (D28)
    1,246,324.49 → 1,256,324.49 元 (alone, D27 would break R44), and 主要职能 reworded
    with a sentence added (through edit.py)."""
    folder = tmp_path_factory.mktemp("yunnan-variant")
    wb = openpyxl.load_workbook(EXAMPLE)
    wb["公开09表"]["D27"] = wb["公开09表"]["D28"] = 1256324.49
    wb.save(folder / "figures.xlsx")
    variant = folder / "variant.xlsx"
    apply_texts(folder / "figures.xlsx", {"单位基本情况/主要职能": NEW_FUNCTIONS + ADDED}, variant)
    return built, build(variant, folder / "doc")


@pytest.fixture(scope="module")
def shanghai(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shanghai-variant")
    wb = openpyxl.load_workbook(SHANGHAI)
    wb["单位基本情况"]["B4"] = NAME
    wb.save(folder / "name.xlsx")
    variant = folder / "variant.xlsx"
    apply_texts(folder / "name.xlsx", {"变动原因/机关运行经费变动原因": SH_REASON}, variant)
    return build(SHANGHAI, folder / "old"), build(variant, folder / "new")


def _eq(text: str) -> Segment:
    return Segment("equal", text)


def _fig(op: str, text: str) -> Segment:
    return Segment(op, text, figure=True)


YUNNAN_DIFF = VersionDiff(
    sections=(
        SectionDiff(
            ("第一部分 部门概况", "一、基本职能及主要工作", "（一）主要职能。"),
            (
                SentenceChange(
                    "changed",
                    OLD_FUNCTIONS,
                    NEW_FUNCTIONS,
                    (
                        _eq(OLD_FUNCTIONS.split("和信息化等工作。")[0]),
                        Segment("insert", "、数据安全"),
                        _eq("和信息化等工作。"),
                    ),
                ),
                SentenceChange("added", "", ADDED, (Segment("insert", ADDED),)),
            ),
        ),
        SectionDiff(
            (
                "第二部分 2021年度部门决算情况说明",
                "十、其他重要事项的情况说明",
                "（一）机关运行经费支出情况",
            ),
            (
                # 1,256,324.49 元 is 125.63 万元 (half-up)
                SentenceChange(
                    "changed",
                    "2021年度，玉溪市互联网信息办公室机关运行经费支出124.63万元。",
                    "2021年度，玉溪市互联网信息办公室机关运行经费支出125.63万元。",
                    (
                        _eq("2021年度，玉溪市互联网信息办公室机关运行经费支出"),
                        _fig("delete", "124.63万元"),
                        _fig("insert", "125.63万元"),
                        _eq("。"),
                    ),
                    (FigureChange("124.63万元", "125.63万元"),),
                ),
                # the change is the printed difference 125.63 − 119.87 (上年 1,198,655.30 元);
                # the rate 57,669.19 / 1,198,655.30 = 4.811…% from the 元 amounts
                SentenceChange(
                    "changed",
                    "与2020年度相比，机关运行经费增加4.76万元，增长3.98%。",
                    "与2020年度相比，机关运行经费增加5.76万元，增长4.81%。",
                    (
                        _eq("与2020年度相比，机关运行经费增加"),
                        _fig("delete", "4.76万元"),
                        _fig("insert", "5.76万元"),
                        _eq("，增长"),
                        _fig("delete", "3.98%"),
                        _fig("insert", "4.81%"),
                        _eq("。"),
                    ),
                    (FigureChange("4.76万元", "5.76万元"), FigureChange("3.98%", "4.81%")),
                ),
            ),
        ),
    ),
    cells=(
        CellChange(T09, "二、机关运行经费", "决算统计数", "1,246,324.49", "1,256,324.49"),
        CellChange(T09, "（一）行政单位", "决算统计数", "1,246,324.49", "1,256,324.49"),
    ),
)


def test_yunnan_diff_is_exactly_the_changed_sentences_figures_and_cells(yunnan):
    old, new = yunnan
    assert diff_versions(old.path, new.path, old.findings, new.findings) == YUNNAN_DIFF


def test_yunnan_diff_html_marks_figures_and_cells(yunnan):
    old, new = yunnan
    html = str(diff_html(diff_versions(old.path, new.path)))
    assert (
        '<section class="diff-section"><h3>第二部分 2021年度部门决算情况说明 › '
        "十、其他重要事项的情况说明 › （一）机关运行经费支出情况</h3><ul>"
        '<li class="diff-changed"><span class="diff-kind">修改</span> '
        '<span class="diff-eq">2021年度，玉溪市互联网信息办公室机关运行经费支出</span>'
        '<del class="diff-del diff-figure">124.63万元</del>'
        '<ins class="diff-ins diff-figure">125.63万元</ins><span class="diff-eq">。</span>'
        '<ul class="diff-figures"><li><del class="diff-del">124.63万元</del> → '
        '<ins class="diff-ins">125.63万元</ins></li></ul></li>'
    ) in html
    assert (
        '<li class="diff-added"><span class="diff-kind">新增</span> '
        f'<ins class="diff-ins">{ADDED}</ins></li>'
    ) in html
    assert (
        f"<tr><td>{T09}</td><td>（一）行政单位</td><td>决算统计数</td>"
        '<td><del class="diff-del">1,246,324.49</del></td>'
        '<td><ins class="diff-ins">1,256,324.49</ins></td></tr>'
    ) in html


def test_yunnan_diff_json_for_the_api(yunnan):
    old, new = yunnan
    data = diff_json(diff_versions(old.path, new.path))
    json.dumps(data, ensure_ascii=False)  # plain data only
    assert data["empty"] is False
    assert [s["title"] for s in data["sections"]] == [
        "第一部分 部门概况 › 一、基本职能及主要工作 › （一）主要职能。",
        "第二部分 2021年度部门决算情况说明 › 十、其他重要事项的情况说明 › （一）机关运行经费支出情况",
    ]
    assert data["sections"][1]["changes"][1]["figures"] == [
        {"old": "4.76万元", "new": "5.76万元"},
        {"old": "3.98%", "new": "4.81%"},
    ]
    assert data["cells"][0] == {
        "table": T09,
        "row": "二、机关运行经费",
        "column": "决算统计数",
        "old": "1,246,324.49",
        "new": "1,256,324.49",
    }
    assert data["findings_added"] == data["findings_resolved"] == []


def test_identical_documents_give_an_empty_diff(built):
    diff = diff_versions(built.path, built.path, built.findings, list(built.findings))
    assert diff == VersionDiff() and diff.empty
    assert str(diff_html(diff)) == (
        '<div class="version-diff"><p class="diff-empty">两个版本的文字、附表数字和审核结果均相同。</p></div>'
    )
    assert diff_json(diff) == {
        "sections": [],
        "cells": [],
        "findings_added": [],
        "findings_resolved": [],
        "empty": True,
    }


def test_findings_added_and_resolved_by_rule_and_location(built):
    old = [
        Finding(WARNING, "R44", "机关运行经费不等于…", "公开09表!D27"),
        {"severity": WARNING, "rule": "P11", "where": "公开12表!F42", "message": "代码未知"},
    ]
    new = [
        # the same rule at the same cell is the same finding, whatever its wording now
        {"severity": WARNING, "rule": "P11", "where": "公开12表!F42", "message": "另一说法"},
        Finding(WARNING, "P11", "代码未知", "公开12表!F94"),
    ]
    diff = diff_versions(built.path, built.path, old, new)
    assert diff == VersionDiff(
        findings_added=(FindingRef(WARNING, "P11", "公开12表!F94", "代码未知"),),
        findings_resolved=(FindingRef(WARNING, "R44", "公开09表!D27", "机关运行经费不等于…"),),
    )
    html = str(diff_html(diff))
    assert (
        '<h3>新增的审核问题</h3><ul class="diff-findings-added"><li><span class="diff-rule">'
        "P11</span> 公开12表!F94 代码未知</li></ul>"
    ) in html
    assert '<ul class="diff-findings-resolved"><li><span class="diff-rule">R44</span>' in html


class _Collect(HTMLParser):
    """The tags of a page, and its text without what is deleted (the new version's)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text = ""
        self.deleted = 0

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.deleted += tag == "del"

    def handle_endtag(self, tag):
        self.deleted -= tag == "del"

    def handle_data(self, data):
        if not self.deleted:
            self.text += data


def test_shanghai_department_name_changes_are_escaped(shanghai):
    old, new = shanghai
    diff = diff_versions(old.path, new.path, old.findings, new.findings)
    assert diff.cells == ()  # the 表1–9 do not print the name
    changes = [c for s in diff.sections for c in s.changes]
    # every change is the name replaced (the 制度 the unit names keep the old name:
    # they are the workbook's own text), except the reworded reason
    renamed = {c.old.replace(OLD_NAME, NAME) for c in changes}
    renamed |= {c.old.replace(OLD_NAME, NAME, 1) for c in changes}
    reason = [c for c in changes if c.new not in renamed]
    assert reason == [
        SentenceChange(
            "changed",
            "主要原因是压减一般性支出，办公费和物业管理费减少。",
            f"主要原因是{SH_REASON}。",
            (
                _eq("主要原因是压减一般性支出，办公费"),
                Segment("delete", "和"),
                Segment("insert", "、"),
                _eq("物业管理费"),
                Segment("insert", "和差旅费"),
                _eq("减少。"),
            ),
        )
    ]
    assert all(c.kind == "changed" for c in changes)
    headings = [c.new for c in changes if c.heading]
    assert headings == [
        f"第一部分 {NAME}概况",
        f"第二部分 {NAME}2024年度部门决算表",
        f"第三部分 {NAME}2024年度部门决算情况说明",
    ]
    assert diff.sections[0].title == "封面"
    assert diff.sections[0].changes[0].new == f"{NAME}\n2024年度部门决算"
    html = str(diff_html(diff))
    parsed = _Collect()
    parsed.feed(html)
    # the name's <b> is text, never a tag; quotes cannot end an attribute
    assert parsed.tags == {"div", "section", "h3", "ul", "li", "span", "del", "ins"}
    assert 'class="diff-ins">&lt;b&gt;&amp;&#34;&#39;文旅</ins>' in html
    assert f"{NAME}2024年度无国有资本经营预算财政拨款收入和支出。" in parsed.text
    assert "<b>" not in html and "&\"'" not in html
    data = diff_json(diff)
    assert data["sections"][1]["title"] == f"第一部分 {NAME}概况"


def test_sentences_end_at_full_stops_and_semicolons():
    assert split_sentences("收入2,043.42万元；支出1,543.34万元。其中：基本支出") == [
        "收入2,043.42万元；",
        "支出1,543.34万元。",
        "其中：基本支出",
    ]


def test_reading_needs_no_more_than_the_two_documents(tmp_path, built):
    """A path is all it takes (the portal keeps each version's document as a file)."""
    copy = tmp_path / "v1.docx"
    copy.write_bytes(Path(built.path).read_bytes())
    assert diff_versions(copy, built.path).empty
