"""The bundled example (seed 001 figures) end to end: exact sentences, figures, tables."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal

import docx


def _para_after(paragraphs: list[str], heading: str, n: int = 1) -> list[str]:
    i = paragraphs.index(heading)
    return [p for p in paragraphs[i + 1 :] if p.strip()][:n]


def test_output_name_and_order(built, doc_paragraphs):
    assert built.path.name == "2021年度玉溪市互联网信息办公室部门决算公开.docx"
    heads = [p for p in doc_paragraphs if re.match(r"^第[一二三四五]部分 ", p)]
    assert heads == [
        "第一部分 部门概况",
        "第二部分 2021年度部门决算情况说明",
        "第三部分 名词解释",
        "第四部分 附件",
        "第五部分 附表",
    ]
    sections = [p for p in doc_paragraphs if re.match(r"^[一二三四五六七八九十]+、.*说明$", p)]
    assert len(sections) == 10  # 第二部分 一 to 十


def test_section_one_totals(doc_paragraphs):
    assert _para_after(doc_paragraphs, "一、收入支出决算总体情况说明") == [
        # 图1 prints 1856.23 and 2043.42: the change is their difference 187.19 (the exact
        # difference 18,718.4585… 元 would round to 187.18); the rate is from the 元 amounts
        "2021年度收、支总计均为2043.42万元。与2020年度相比，收、支总计增加187.19万元，增长10.08%。"
        "主要变动原因是政府性基金预算安排的信息化建设项目增加。"
    ]


def test_section_two_income(doc_paragraphs):
    assert _para_after(doc_paragraphs, "二、收入决算情况说明") == [
        "2021年度本年收入合计2043.34万元，其中：一般公共预算财政拨款收入1543.34万元，占75.53%；"
        "政府性基金预算财政拨款收入500.00万元，占24.47%。"
    ]


def test_section_three_expense(doc_paragraphs):
    assert _para_after(doc_paragraphs, "三、支出决算情况说明") == [
        "2021年度本年支出合计2043.34万元，其中：基本支出721.81万元，占35.32%；"
        "项目支出1321.53万元，占64.68%。"
    ]


def test_section_five_two_structure(doc_paragraphs):
    text = _para_after(doc_paragraphs, "（二）一般公共预算财政拨款支出决算结构情况")[0]
    assert text == (
        "2021年度一般公共预算财政拨款支出1543.34万元，主要用于以下方面：一般公共服务支出646.49万元，"
        "占41.89%；教育支出612.09万元，占39.66%；科学技术支出8.82万元，占0.57%；社会保障和就业支出"
        "47.25万元，占3.06%；卫生健康支出34.75万元，占2.25%；资源勘探工业信息等支出141.55万元，"
        "占9.17%；住房保障支出52.38万元，占3.39%。因四舍五入，部分合计数与各分项数值之和可能存在尾差。"
    )
    # each share is its exact ratio half-up (52.38 / 1543.34 = 3.394 %), so they sum to
    # 99.99 and the class amounts to 1543.33: the rounding note says so, once
    shares = [Decimal(x) for x in re.findall(r"占([\d.]+)%", text)]
    assert sum(shares) == Decimal("99.99")
    amounts = [Decimal(x) for x in re.findall(r"([\d.]+)万元，占", text)]
    assert sum(amounts) == Decimal("1543.33")


def test_rounding_note_only_where_printed_parts_and_whole_disagree(doc_paragraphs):
    """五（二） and 六 disagree (above); 二、三、七（二）、八 add up, and 一、四、五（一）、九 print
    no parts."""
    note = "因四舍五入，部分合计数与各分项数值之和可能存在尾差。"
    heading_of, current = {}, ""
    for p in doc_paragraphs:
        if re.match(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)", p) and len(p) < 40:
            current = p
        heading_of.setdefault(current, []).append(p)
    for heading, count in (
        ("（二）一般公共预算财政拨款支出决算结构情况", 1),
        ("六、一般公共预算财政拨款基本支出决算情况说明", 1),
        ("一、收入支出决算总体情况说明", 0),
        ("二、收入决算情况说明", 0),
        ("三、支出决算情况说明", 0),
        ("四、财政拨款收入支出决算总体情况说明", 0),
        ("（一）一般公共预算财政拨款支出决算总体情况", 0),
        ("（二）“三公”经费财政拨款支出决算具体情况说明", 0),
        ("八、政府性基金预算支出决算情况说明", 0),
        ("九、国有资本经营预算支出决算情况说明", 0),
    ):
        assert "\n".join(heading_of[heading]).count(note) == count, heading


def test_section_five_three_items_name_their_budget(doc_paragraphs):
    items = [
        p for p in doc_paragraphs if re.match(r"^\d+\..*（类）.*（款）.*（项）：全年预算为", p)
    ]
    assert len(items) == 14
    assert items[3] == (
        "4.一般公共服务支出（类）网信事务（款）其他网信事务支出（项）：全年预算为65.00万元，"
        "支出决算为59.07万元，完成全年预算的90.88%，决算数小于预算数，主要原因是部分专项业务费"
        "因合同尚未履行完毕，未在年内支付。"
    )
    assert items[12].startswith("13.住房保障支出（类）住房改革支出（款）住房公积金（项）")


def test_section_six_basic(doc_paragraphs):
    got = _para_after(doc_paragraphs, "六、一般公共预算财政拨款基本支出决算情况说明", 3)
    assert got[0] == "2021年度一般公共预算财政拨款基本支出721.81万元，其中："
    assert got[1] == (
        "人员经费569.55万元，主要包括：基本工资116.63万元、津贴补贴76.79万元、奖金61.05万元、"
        "绩效工资173.86万元、机关事业单位基本养老保险缴费40.78万元、职业年金缴费6.47万元、"
        "职工基本医疗保险缴费21.23万元、公务员医疗补助缴费12.79万元、其他社会保障缴费7.53万元、"
        "住房公积金47.56万元、其他工资福利支出2.41万元、生活补助2.44万元、奖励金0.02万元。"
    )
    assert got[2].startswith(
        "公用经费152.25万元，主要包括：办公费12.61万元、印刷费1.01万元、水费0.05万元"
    )
    # 569.55 + 152.25 = 721.80 against 721.81, and the lists sum to 569.56 and 152.26:
    # no figure is bent, the section ends with the rounding note once
    assert got[2].endswith(
        "其他商品和服务支出6.72万元、办公设备购置3.40万元。"
        "因四舍五入，部分合计数与各分项数值之和可能存在尾差。"
    )
    for line, subtotal in ((got[1], "569.56"), (got[2], "152.26")):
        items = re.findall(r"[、：][^、：]+?([\d.]+)万元", line)
        assert sum(Decimal(x) for x in items) == Decimal(subtotal)
    assert "尾差" not in got[0] + got[1]


def test_sangong_matches_seed_published_changes(doc_paragraphs):
    text = "\n".join(doc_paragraphs)
    assert "公务用车购置及运行维护费支出决算比2020年度减少0.05万元，下降2.29%。" in text
    # 2.27 − 0.81 (上年 8,141.86 元) = 1.46; seed 001 printed the rounded exact difference 1.45
    assert "公务接待费支出决算比2020年度增加1.46万元，增长178.45%。" in text
    assert "国内公务接待26批次、299人次（不包括陪同人员）" in text


def test_zero_cases_have_their_own_sentences(doc_paragraphs):
    text = "\n".join(doc_paragraphs)
    assert "2021年度本部门无国有资本经营预算财政拨款收入、支出。" in text
    assert "1.因公出国（境）费支出为零，未安排预算。" in text
    assert not re.search(r"完成\S{0,4}预算0", text)


def test_no_alternatives_template_syntax_or_empty_amounts(built):
    d = docx.Document(str(built.path))
    texts = [p.text for p in d.paragraphs]
    for t in d.tables:
        texts += [c.text for row in t.rows for c in row.cells]
    whole = "\n".join(texts)
    for bad in ("增加/减少", "增长/下降", "{{", "{%", "}}", "None", "nan", "NaN"):
        assert bad not in whole, bad
    assert not re.search(r"(为|支出|合计|收入)万元", whole)  # an amount left empty
    assert not re.search(r"占%", whole)


def test_seven_figures_embedded(built, doc_paragraphs):
    captions = [p for p in doc_paragraphs if re.match(r"^图\d ", p)]
    assert captions == [
        "图1 收、支决算总计变动情况",
        "图2 收入决算结构",
        "图3 支出决算结构",
        "图4 财政拨款收、支决算总计变动情况",
        "图5 一般公共预算财政拨款支出决算变动情况",
        "图6 一般公共预算财政拨款支出决算结构",
        "图7 “三公”经费财政拨款支出结构",
    ]
    with zipfile.ZipFile(built.path) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
        xml = z.read("word/document.xml").decode("utf-8")
    assert len(media) == 7
    assert xml.count("<pic:pic") == 7


def test_every_annex_table_with_input_totals(built, doc_paragraphs):
    d = docx.Document(str(built.path))
    titles = [
        p
        for p in doc_paragraphs
        if p
        in (
            "收入支出决算总表",
            "收入决算表",
            "支出决算表",
            "财政拨款收入支出决算总表",
            "一般公共预算财政拨款收入支出决算表",
            "一般公共预算财政拨款基本支出决算表",
            "政府性基金预算财政拨款收入支出决算表",
            "国有资本经营预算财政拨款收入支出决算表",
            "“三公”经费、行政参公单位机关运行经费情况表",
        )
    ]
    assert len(titles) == 9
    cells = [[c.text for c in row.cells] for t in d.tables for row in t.rows]
    flat = [x for row in cells for x in row]
    # 公开01 总计, 公开02/03 合计, 公开05 合计, 公开06 合计, 公开09 三公 合计
    for figure in (
        "20,434,183.26",
        "20,433,353.26",
        "15,433,353.26",
        "5,695,542.63",
        "1,522,530.63",
        "42,865.82",
        "63,404.00",
        "1,246,324.49",
        "5,000,000.00",
    ):
        assert figure in flat, figure
    assert "本单位本年度无国有资本经营预算财政拨款收入支出，故此表为空。" in doc_paragraphs


def test_toc_field_and_fonts(built):
    with zipfile.ZipFile(built.path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
        styles = z.read("word/styles.xml").decode("utf-8")
        settings = z.read("word/settings.xml").decode("utf-8")
    assert 'TOC \\o "1-2"' in xml
    assert "updateFields" in settings
    assert 'w:eastAsia="仿宋_GB2312"' in styles
    assert 'w:eastAsia="黑体"' in styles
    assert 'w:eastAsia="方正小标宋简体"' in styles
