"""Golden text: seeds 002 and 004 rebuilt as data, their 第二部分 regenerated.

Every figure of every published sentence that is right must appear in the generated
section (numerically: 100% and 100.0% are the same figure; a published 0 may be written
as 零/无/未, the zero case's own sentence). Every published sentence that is wrong
(../shared/README.md and tools/seed00N_data.py say why) is generated differently, and
the tests below say exactly how.
"""

from __future__ import annotations

import re
from decimal import Decimal

import docx
import pytest
from seed002_data import PUBLISHED as PUBLISHED_002
from seed002_data import seed002_data
from seed004_data import PUBLISHED as PUBLISHED_004
from seed004_data import seed004_data

from reportgen import build, codes
from reportgen.workbook import write_workbook

_TOP = re.compile(r"^([一二三四五六七八九十]+)、")
_SUB = re.compile(r"^（([一二三四五六七八九十]+)）")
#: numbers that are not figures: years, list numbers, dates, fixed thresholds
_NOT_FIGURES = re.compile(r"20\d\d年度?|^\d+[.．]|\d+月\d+日|单价\d+万元|（\d+）")
_NUM = re.compile(r"\d+(?:\.\d+)?")


def sections(docx_path) -> dict[str, str]:
    """第二部分 text by section key ("一", "五（三）"), headings excluded."""
    paras = [
        p.text
        for p in docx.Document(str(docx_path)).paragraphs
        if p.style.name.lower()[:3] != "toc"
    ]
    start = next(i for i, p in enumerate(paras) if p.startswith("第二部分"))
    end = next(i for i, p in enumerate(paras) if p.startswith("第三部分"))
    out: dict[str, list[str]] = {}
    top = sub = ""
    for p in paras[start + 1 : end]:
        if _TOP.match(p) and p.endswith("说明"):
            top, sub = _TOP.match(p).group(1), ""
            continue
        if _SUB.match(p) and len(p) < 40 and not p.endswith("。"):
            sub = _SUB.match(p).group(1)
            continue
        out.setdefault(top + (f"（{sub}）" if sub else ""), []).append(p)
    return {k: "\n".join(v) for k, v in out.items()}


def figures(text: str) -> list[Decimal]:
    lines = [_NOT_FIGURES.sub(" ", line.replace(",", "")) for line in text.split("\n")]
    return [Decimal(n) for line in lines for n in _NUM.findall(line)]


def _build(tmp_path_factory, data, year, pack, name):
    d = tmp_path_factory.mktemp(name)
    wb = d / f"{name}.xlsx"
    write_workbook(wb, data, names=codes.economic_name_map(year))
    return sections(build(wb, d / "out", template=pack).path)


@pytest.fixture(scope="module")
def doc002(tmp_path_factory):
    return _build(tmp_path_factory, seed002_data(), 2021, "sichuan-2021", "seed002")


@pytest.fixture(scope="module")
def doc004(tmp_path_factory):
    return _build(tmp_path_factory, seed004_data(), 2023, "sichuan-2023", "seed004")


def _missing(published: str, generated: str) -> list[Decimal]:
    have = figures(generated)
    says_zero = any(w in generated for w in ("零", "无", "未"))
    return [n for n in figures(published) if n not in have and not (n == 0 and says_zero)]


#: the seeds' sentences the generator must reproduce (wrong ones have explicit tests below)
RIGHT_002 = [i for i, (_s, _t, status) in enumerate(PUBLISHED_002) if status == "right"]
RIGHT_004 = [
    i
    for i, (section, _t, status) in enumerate(PUBLISHED_004)
    if status == "right" and section not in {"十（四）"}  # 绩效自评 scores: see test_evaluation
]


@pytest.mark.parametrize("i", RIGHT_002)
def test_seed002_right_sentences_are_reproduced_figure_for_figure(doc002, i):
    section, sentence, _status = PUBLISHED_002[i]
    assert section in doc002, section
    assert _missing(sentence, doc002[section]) == [], doc002[section]


@pytest.mark.parametrize("i", RIGHT_004)
def test_seed004_right_sentences_are_reproduced_figure_for_figure(doc004, i):
    section, sentence, _status = PUBLISHED_004[i]
    assert section in doc004, section
    assert _missing(sentence, doc004[section]) == [], doc004[section]


# --- where the seeds are wrong, the generated text is right ------------------------


def test_seed002_personnel_plus_public_equals_basic(doc002):
    text = doc002["六"]
    assert "人员经费180.53万元" in text and "公用经费32.41万元" in text
    assert "180.44" not in text  # 180.44 + 32.41 ≠ 212.94


def test_seed004_gpb_change_reason_adds_up(doc004):
    text = doc004["五（一）"]
    assert "基本支出较上年增加28.85万元，项目支出比上年减少71.14万元" in text
    assert "74.14" not in text


def test_seed004_structure_shares_sum_to_exactly_100(doc004):
    text = doc004["五（二）"]
    assert "卫生健康支出13.55万元，占6.1%；住房保障支出13.12万元，占6.0%。" in text
    shares = [Decimal(x) for x in re.findall(r"占([\d.]+)%", text)]
    assert shares == [Decimal("76.8"), Decimal("11.1"), Decimal("6.1"), Decimal("6.0")]


def test_seed004_health_items_add_up_to_their_class(doc004):
    text = doc004["五（三）"]
    assert "卫生健康支出（类）行政事业单位医疗（款）行政单位医疗（项）：支出决算为8.13万元" in text
    assert "行政单位医疗（项）：支出决算为13.55万元" not in text


def test_seed004_code_22102_is_named_from_the_code_table(doc004):
    text = doc004["五（三）"]
    assert "住房保障支出（类）住房改革支出（款）住房公积金（项）" in text
    assert "住房保障支出（款）" not in text


def test_seed004_all_zero_sangong_has_its_own_sentences(doc004):
    text = doc004["七（一）"] + doc004["七（二）"]
    assert "2023年度本部门未安排“三公”经费财政拨款预算，也未发生“三公”经费财政拨款支出。" in text
    assert "与上年一致，均为零" in text
    for wrong in ("完成预算100", "完成预算0", "完成调整预算0", "占0%", "/"):
        assert wrong not in text, wrong


def test_no_template_alternatives_anywhere(doc002, doc004):
    for doc in (doc002, doc004):
        text = "\n".join(doc.values())
        assert not re.search(r"增加/减少|增长/下降|/持平|（或", text)


def test_seed002_income_and_expense_changes_share_one_comparison(doc002):
    assert doc002["一"].split("\n")[0] == (
        "2021年度收、支总计均为461.19万元。与2020年度相比，收入总计减少338.35万元，下降42.32%；"
        "支出总计减少294.29万元，下降38.95%。主要变动原因是2021年有2名职工退休,且负责建设的项目减少,"
        "故总收入、支出均有大幅下降。"
    )
