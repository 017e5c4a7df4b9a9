"""Zero and missing data: each case gets its own sentence, never an empty figure or 0%."""

from __future__ import annotations

import re
import zipfile

import docx

from reportgen import build


def test_new_unit_and_all_zero_sangong(make_workbook, tmp_path):
    """A unit founded this year (no 上年决算数) with no 三公 at all: its own sentences, no
    comparison, no word about missing input, figures numbered 图1–图3 without gaps."""

    def mutate(data):
        data.kv["上年决算数"] = {"本年新成立单位": "是"}
        data.kv["变动原因"] = {}
        data.kv["三公经费补充"] = {}  # no cars at all
        data.sangong = {k: v for k, v in data.sangong.items() if k.startswith("admin_cost")}

    result = build(make_workbook(mutate), tmp_path)
    d = docx.Document(str(result.path))
    paras = [p.text for p in d.paragraphs if not p.style.name.lower().startswith("toc")]
    text = "\n".join(paras)
    assert (
        "2021年度收、支总计均为2043.42万元。玉溪市互联网信息办公室为2021年新成立单位，"
        "无上年决算数，本年收支不作上年对比。" in paras
    )
    assert "2021年度本部门未安排“三公”经费财政拨款预算，也未发生“三公”经费财政拨款支出。" in paras
    assert "2021年度因公出国（境）费、公务用车购置及运行维护费、公务接待费支出决算均为零。" in paras
    assert "3.公务接待费支出为零，未安排预算。全年未发生公务接待。" in paras
    assert "与2020年度相比" not in text  # no comparison without last year's figures
    assert "未提供" not in text and "从略" not in text
    assert not re.search(r"完成\S{0,4}预算0(\.0+)?%", text)
    captions = [p for p in paras if re.match(r"^图\d ", p)]
    assert captions == [
        "图1 收入决算结构",
        "图2 支出决算结构",
        "图3 一般公共预算财政拨款支出决算结构",
    ]
    with zipfile.ZipFile(result.path) as z:
        assert len([n for n in z.namelist() if n.startswith("word/media/")]) == 3


def test_user_text_cannot_inject_markup(make_workbook, tmp_path):
    def mutate(data):
        data.kv["单位基本情况"]["机构设置"] = (
            '<h1>伪造标题</h1><figure ref="fig1"></figure>{{ 7*7 }} & 内设3个科室'
        )

    result = build(make_workbook(mutate), tmp_path)
    paras = [p.text for p in docx.Document(str(result.path)).paragraphs]
    assert '<h1>伪造标题</h1><figure ref="fig1"></figure>{{ 7*7 }} & 内设3个科室' in paras
    assert "伪造标题" not in [p for p in paras if p == "伪造标题"]
