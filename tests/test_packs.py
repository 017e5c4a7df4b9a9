"""Wording packs: choosing, extending, overriding one file or one block, sandbox, self-audit."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal as D

import docx
import pytest

from reportgen import build
from reportgen.narrative import TemplateProblem, packs_root


def body(path) -> list[str]:
    return [
        p.text
        for p in docx.Document(str(path)).paragraphs
        if not p.style.name.lower().startswith("toc")
    ]


def after(paras: list[str], heading: str) -> str:
    return paras[paras.index(heading) + 1]


@pytest.fixture(scope="module")
def built_2023(tmp_path_factory, example_path):
    return build(example_path, tmp_path_factory.mktemp("p23"), template="sichuan-2023")


def test_sichuan_2023_prints_one_decimal_and_adjusted_budget(built_2023):
    paras = body(built_2023.path)
    assert after(paras, "二、收入决算情况说明") == (
        "2021年度本年收入合计2043.34万元，其中：一般公共预算财政拨款收入1543.34万元，占75.5%；"
        "政府性基金预算财政拨款收入500.00万元，占24.5%。"
    )
    structure = after(paras, "（二）一般公共预算财政拨款支出决算结构情况")
    shares = [D(x) for x in re.findall(r"占([\d.]+)%", structure)]
    assert sum(shares) == D("100.0") and all(s.as_tuple().exponent == -1 for s in shares)
    items = after(paras, "（三）一般公共预算财政拨款支出决算具体情况")
    assert (
        items
        == "2021年度一般公共预算财政拨款支出决算数为1543.34万元，完成调整预算99.6%，决算数小于预算数。其中："
    )


def test_sichuan_2023_inherits_what_it_does_not_override(built_2023, doc_paragraphs):
    paras = body(built_2023.path)
    # 六 is not overridden: same text in both packs (it has no percentages)
    assert after(paras, "六、一般公共预算财政拨款基本支出决算情况说明") == after(
        doc_paragraphs, "六、一般公共预算财政拨款基本支出决算情况说明"
    )


def test_sichuan_2023_lists_basic_and_project_changes_when_no_reason_is_given(
    make_workbook, tmp_path
):
    def mutate(data):
        del data.kv["变动原因"]["一般公共预算财政拨款支出变动原因"]

    result = build(make_workbook(mutate), tmp_path, template="sichuan-2023")
    text = after(body(result.path), "（一）一般公共预算财政拨款支出决算总体情况")
    # 基本 7,218,073.26 vs 6,981,204.12; 项目 8,215,280.00 vs 7,235,626.43 (上年决算数)
    assert text == (
        "2021年度一般公共预算财政拨款支出1543.34万元，占本年支出合计的75.5%。与2020年度相比，"
        "一般公共预算财政拨款支出增加121.65万元，增长8.6%。主要变动原因是基本支出较上年增加23.69万元，"
        "项目支出比上年增加97.97万元。"
    )


def _child_pack(root, name: str, extends: str = "sichuan-2021"):
    d = root / name
    (d / "sections").mkdir(parents=True)
    (d / "pack.toml").write_text(
        f'name = "{name}"\nextends = "{extends}"\ndescription = "测试"\n', encoding="utf-8"
    )
    return d


def test_copying_one_template_file_changes_one_sentence(example_path, tmp_path, doc_paragraphs):
    """docs/templates.md, section 三, step by step."""
    root = tmp_path / "我的模板"
    pack = _child_pack(root, "本地-2024")
    src = packs_root() / "sichuan-2021" / "sections" / "part2_02_income.j2"
    dst = pack / "sections" / "part2_02_income.j2"
    shutil.copy(src, dst)
    dst.write_text(
        dst.read_text(encoding="utf-8").replace(
            "万元，其中：{{ m.shares_list", "万元，具体为：{{ m.shares_list"
        ),
        encoding="utf-8",
    )
    result = build(example_path, tmp_path / "out", template="本地-2024", template_dir=root)
    paras = body(result.path)
    assert after(paras, "二、收入决算情况说明").startswith(
        "2021年度本年收入合计2043.34万元，具体为：一般公共预算财政拨款收入1543.34万元，占75.53%；"
    )
    changed = [(a, b) for a, b in zip(paras, doc_paragraphs, strict=True) if a != b]
    assert len(changed) == 1


def test_overriding_one_block_keeps_the_rest_of_the_section(example_path, tmp_path, doc_paragraphs):
    root = tmp_path / "packs"
    pack = _child_pack(root, "block-test")
    (pack / "sections" / "part2_10_other.j2").write_text(
        '{% extends "sichuan-2021:sections/part2_10_other.j2" %}\n'
        "{% block admin_cost %}\n"
        "{% set a = c.admin_cost %}\n"
        "<p>{{ year }}年度机关运行经费支出{{ a.actual|wan }}万元。</p>\n"
        "{% endblock %}\n",
        encoding="utf-8",
    )
    result = build(example_path, tmp_path / "out", template="block-test", template_dir=root)
    paras = body(result.path)
    assert after(paras, "（一）机关运行经费支出情况") == "2021年度机关运行经费支出124.63万元。"
    changed = [(a, b) for a, b in zip(paras, doc_paragraphs, strict=True) if a != b]
    assert len(changed) == 1  # 政府采购, 国有资产, 绩效 untouched


@pytest.mark.parametrize(
    "payload",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ c.__class__.__init__.__globals__ }}",
        "{% include '/etc/passwd' %}",
        "{% include '../../../../../etc/passwd' %}",
    ],
)
def test_sandbox_refuses_escapes(payload, example_path, tmp_path):
    root = tmp_path / "packs"
    pack = _child_pack(root, "evil")
    (pack / "sections" / "part2_02_income.j2").write_text(f"<p>{payload}</p>\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(TemplateProblem) as err:
        build(example_path, out, template="evil", template_dir=root)
    assert "part2_02_income.j2" in str(err.value)
    assert "root:" not in str(err.value)
    assert not out.exists() or not any(out.iterdir())


def test_self_audit_fails_on_a_number_typed_into_a_template(example_path, tmp_path):
    root = tmp_path / "packs"
    pack = _child_pack(root, "typo")
    src = packs_root() / "sichuan-2021" / "sections" / "part2_02_income.j2"
    # a maintainer typed last year's share by hand instead of the filter
    text = src.read_text(encoding="utf-8").replace(
        "{{ m.shares_list(c.income_shares) }}", "一般公共预算财政拨款收入占76.58%"
    )
    (pack / "sections" / "part2_02_income.j2").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(TemplateProblem) as err:
        build(example_path, out, template="typo", template_dir=root)
    msg = str(err.value)
    assert "typo/sections/part2_02_income.j2" in msg and "76.58" in msg
    assert "2021年度本年收入合计2043.34万元，其中：一般公共预算财政拨款收入占76.58%" in msg
    assert not out.exists() or not any(out.iterdir())


def test_packs_command_lists_both(example_path):
    from click.testing import CliRunner

    from reportgen.cli import main

    res = CliRunner().invoke(main, ["packs"])
    assert "sichuan-2021" in res.output and "sichuan-2023" in res.output
