"""Wording packs: choosing, extending, overriding one file or one block, sandbox, self-audit."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal as D

import docx
import pytest
from jinja2.exceptions import SecurityError, TemplateNotFound

from reportgen import build
from reportgen.audit import AuditFailure, audit_blocks, texts_with_numbers, traceable_numbers
from reportgen.evaluation import DEFAULT_RULES
from reportgen.narrative import Block, TemplateProblem, packs_root


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
    # each share half-up to one decimal (2.25 % → 2.3 %, 39.66 % → 39.7 %): they sum to 100.2
    assert structure == (
        "2021年度一般公共预算财政拨款支出1543.34万元，主要用于以下方面：一般公共服务支出646.49万元，"
        "占41.9%；教育支出612.09万元，占39.7%；科学技术支出8.82万元，占0.6%；社会保障和就业支出"
        "47.25万元，占3.1%；卫生健康支出34.75万元，占2.3%；资源勘探工业信息等支出141.55万元，"
        "占9.2%；住房保障支出52.38万元，占3.4%。因四舍五入，部分合计数与各分项数值之和可能存在尾差。"
    )
    shares = [D(x) for x in re.findall(r"占([\d.]+)%", structure)]
    assert sum(shares) == D("100.2") and all(s.as_tuple().exponent == -1 for s in shares)
    items = after(paras, "（三）一般公共预算财政拨款支出决算具体情况")
    assert items == (
        "2021年度一般公共预算财政拨款支出调整预算为1549.27万元，支出决算为1543.34万元，"
        "完成调整预算的99.6%，决算数小于预算数。其中："
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
    # 基本 7,218,073.26 vs 6,981,204.12; 项目 8,215,280.00 vs 7,235,626.43 (上年决算数).
    # Each change is the difference of the printed amounts (1543.34 − 1421.68 = 121.66), so
    # the parts add up: 23.69 + 97.97 = 121.66, and no rounding note is needed
    assert text == (
        "2021年度一般公共预算财政拨款支出1543.34万元，占本年支出合计的75.5%。与2020年度相比，"
        "一般公共预算财政拨款支出增加121.66万元，增长8.6%。主要变动原因是基本支出较上年增加23.69万元，"
        "项目支出比上年增加97.97万元。"
    )


def _child_pack(root, name: str, extends: str = "sichuan-2021", settings: str = ""):
    d = root / name
    (d / "sections").mkdir(parents=True)
    (d / "pack.toml").write_text(
        f'name = "{name}"\nextends = "{extends}"\ndescription = "测试"\n{settings}',
        encoding="utf-8",
    )
    return d


def test_largest_remainder_shares_and_the_rounding_note_are_pack_settings(
    example_path, tmp_path, doc_paragraphs
):
    root = tmp_path / "packs"
    note = "注：合计数与分项之和的差异系四舍五入所致。"
    settings = f'share_rounding = "largest_remainder"\nrounding_note = "{note}"\n'
    _child_pack(root, "最大余数", settings=settings)
    result = build(example_path, tmp_path / "out", template="最大余数", template_dir=root)
    paras = body(result.path)
    structure = after(paras, "（二）一般公共预算财政拨款支出决算结构情况")
    # the shares are bent to sum to 100.00 (3.394 % → 3.40 %); the class amounts still sum
    # to 1543.33 against 1543.34, so the pack's own note is printed there, once
    assert structure.endswith(
        f"资源勘探工业信息等支出141.55万元，占9.17%；住房保障支出52.38万元，占3.40%。{note}"
    )
    assert sum(D(x) for x in re.findall(r"占([\d.]+)%", structure)) == D("100.00")
    assert "尾差" not in "\n".join(paras)
    basic = paras[paras.index("六、一般公共预算财政拨款基本支出决算情况说明") + 3]
    assert basic.endswith(f"办公设备购置3.40万元。{note}")
    # the pack's note stands wherever the default one does; apart from it only 五（二）'s
    # shares change (二 and 三 add up under either method)
    default = "因四舍五入，部分合计数与各分项数值之和可能存在尾差。"
    assert sum(p.count(note) for p in paras) == sum(p.count(default) for p in doc_paragraphs)
    same_note = [p.replace(note, default) for p in paras]
    changed = [(a, b) for a, b in zip(same_note, doc_paragraphs, strict=True) if a != b]
    default_structure = after(doc_paragraphs, "（二）一般公共预算财政拨款支出决算结构情况")
    assert changed == [(structure.replace(note, default), default_structure)]


def test_an_unknown_share_rounding_is_a_pack_error(example_path, tmp_path):
    root = tmp_path / "packs"
    _child_pack(root, "错设置", settings='share_rounding = "round_half_even"\n')
    out = tmp_path / "out"
    with pytest.raises(TemplateProblem) as err:
        build(example_path, out, template="错设置", template_dir=root)
    assert str(err.value) == (
        "词句包“错设置”的 share_rounding = “round_half_even” 无效，只能是 half_up 或 largest_remainder。"
    )
    assert not out.exists() or not any(out.iterdir())


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
    "payload, refusal",
    [
        # the sandbox itself refuses (a plain Environment would render these)
        ("{{ ''.__class__.__mro__ }}", SecurityError),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", SecurityError),
        ("{{ c.__class__.__init__.__globals__ }}", SecurityError),
        # the loader refuses paths outside the pack folders
        ("{% include '/etc/passwd' %}", TemplateNotFound),
        ("{% include '../../../../../etc/passwd' %}", TemplateNotFound),
    ],
)
def test_sandbox_refuses_escapes(payload, refusal, example_path, tmp_path):
    root = tmp_path / "packs"
    pack = _child_pack(root, "evil")
    (pack / "sections" / "part2_02_income.j2").write_text(f"<p>{payload}</p>\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(TemplateProblem) as err:
        build(example_path, out, template="evil", template_dir=root)
    # refused by the sandbox or the loader, not stopped later by the self-audit
    assert isinstance(err.value.__cause__, refusal), repr(err.value.__cause__)
    assert not isinstance(err.value, AuditFailure)
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


def _scoring_pack(root, name: str, settings: str):
    """A child of sichuan-2021 with extra pack.toml lines (the 绩效 scoring settings)."""
    d = _child_pack(root, name)
    with open(d / "pack.toml", "a", encoding="utf-8") as fh:
        fh.write(settings)
    return d


def _audit(texts: list[str], context: dict) -> None:
    blocks = [Block("para", t, source="测试/sections/x.j2") for t in texts]
    audit_blocks(blocks, traceable_numbers(context, 2), (), texts_with_numbers(context))


def test_self_audit_takes_the_declared_grade_constants_as_wording_only():
    context = {"scoring": DEFAULT_RULES, "average": D("88.90")}
    # the thresholds are no figures: nothing in the context traces 90, 80 or 60 …
    assert {"90", "80", "60", "100"}.isdisjoint(traceable_numbers(context, 2))
    # … yet the sentence that states them passes, and so does a score ending in .90
    _audit(
        [
            "自评等级按总得分确定：90分及以上为优，80分及以上为良，60分及以上为中，60分以下为差。",
            "平均得分88.90分。",
        ],
        context,
    )
    # a threshold's number used as a figure elsewhere still fails, named with its sentence
    for text, stray in (("完成预算80%。", "80"), ("平均得分80.90分。", "80.90")):
        with pytest.raises(AuditFailure) as err:
            _audit([text], context)
        assert str(err.value).endswith(
            f"测试/sections/x.j2：“{text}”中的 {stray} 不是由数据计算得到的数字"
        )


def test_self_audit_fails_on_thresholds_typed_into_a_template_against_the_declaration(
    make_workbook, tmp_path
):
    """A pack that declares 95/85/65 but keeps a template with 90/80/60 typed in: for the
    unlike unit (no 80 or 60 in its data; its average is 90.00) the audit names the two
    stale numbers; the bundled template prints the declared ones and builds."""
    from test_part4 import unlike

    root = tmp_path / "packs"
    settings = 'evaluation_grades = [[95, "优"], [85, "良"], [65, "中"]]\n'
    pack = _scoring_pack(root, "literal", settings)
    _scoring_pack(root, "declared", settings)
    src = packs_root() / "sichuan-2021" / "sections" / "part4_annex.j2"
    text = src.read_text(encoding="utf-8").replace(
        "{{ ev.grade_rule() }}",
        "自评等级按总分确定（90分及以上为优，80分及以上为良，60分及以上为中）。",
    )
    (pack / "sections" / "part4_annex.j2").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(AuditFailure) as err:
        build(make_workbook(unlike), out, template="literal", template_dir=root)
    assert "literal/sections/part4_annex.j2" in str(err.value)
    assert str(err.value).endswith(
        "自评等级按总分确定（90分及以上为优，80分及以上为良，60分及以上为中）。”中的 80、60 "
        "不是由数据计算得到的数字"
    )
    assert not out.exists() or not any(out.iterdir())
    result = build(make_workbook(unlike), tmp_path / "ok", template="declared", template_dir=root)
    assert (
        "本年度共对2个项目开展了项目支出绩效自评，各项目自评表如下。自评等级按总得分确定："
        "95分及以上为优，85分及以上为良，65分及以上为中，65分以下为差。"
    ) in body(result.path)


def test_a_pack_declares_other_grades_and_the_document_follows(example_path, tmp_path):
    root = tmp_path / "packs"
    settings = (
        'evaluation_grades = [[95, "优秀"], [75, "良好"], [55, "合格"]]\n'
        'evaluation_grade_below = "不合格"\n'
        'evaluation_scores = "computed"\n'
    )
    _scoring_pack(root, "四档", settings)
    result = build(example_path, tmp_path / "out", template="四档", template_dir=root)
    paras = body(result.path)
    assert (
        "本年度共对17个项目开展了项目支出绩效自评，各项目自评表如下。表中执行率、执行率得分、总分值、"
        "总得分和自评等级按评分规则计算：执行率为全年执行数除以全年预算数，执行率得分为分值乘以执行率"
        "（以该项分值为限），总得分为各指标得分与执行率得分之和。自评等级按总得分确定：95分及以上为优秀，"
        "75分及以上为良好，55分及以上为合格，55分以下为不合格。"
    ) in paras
    first = [t for t in docx.Document(str(result.path)).tables if t.cell(0, 0).text == "项目名称"][
        0
    ]
    assert [c.text for c in first.rows[-1].cells][7:] == ["80.00", "78.33", "良好"]
    summary = next(p for p in paras if p.startswith("玉溪市互联网信息办公室对17个项目"))
    assert "信息惠民城市运营中心购买服务费专项经费78.33分（良好）" in summary


def test_packs_command_lists_both(example_path):
    from click.testing import CliRunner

    from reportgen.cli import main

    res = CliRunner().invoke(main, ["packs"])
    assert "sichuan-2021" in res.output and "sichuan-2023" in res.output
