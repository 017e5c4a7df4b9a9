"""Reading the example back exactly, and bad inputs reported with rule and cell."""

from __future__ import annotations

from decimal import Decimal as D

from reportgen import check
from reportgen.findings import has_errors


def _errors(findings):
    return [f for f in findings if f.is_error]


def test_example_reads_back_exactly_and_passes(example_path):
    report, findings = check(example_path)
    assert not has_errors(findings), [f.line() for f in findings]
    t01 = report.tables["t01"]
    assert t01.item("grand_total") == D("20434183.26")
    assert t01.item("R:grand_total") == D("20434183.26")
    assert t01.item("open_balance") == D("830.00")
    assert report.tables["t03"].total_of("project") == D("13215280.00")
    assert report.tables["t05"].total_of("exp_personnel") == D("5695542.63")
    assert report.tables["t06"].total_of("public") == D("1522530.63")
    assert report.tables["t09"].item("sg_total", "budget") == D("63404.00")
    assert report.tables["t09"].item("reception_people", "actual") == 299
    assert report.unit.name == "玉溪市互联网信息办公室" and report.unit.year == 2021
    assert report.tables["t08"].is_empty


def test_total_row_that_disagrees_names_rule_and_cell(make_workbook):
    def mutate(data):
        data.coded["t03"].total = {
            "total": D("20433353.27"),
            "basic": D("7218073.26"),
            "project": D("13215280.00"),
        }

    _, findings = check(make_workbook(mutate))
    errs = {(f.rule, f.where) for f in _errors(findings)}
    assert ("R11", "公开03表!E8") in errs  # 公开01 本年支出合计 vs 公开03 合计
    assert ("R20", "公开03表!E8") in errs  # 合计 vs Σ类
    f = next(f for f in findings if f.rule == "R11")
    assert (f.expected, f.found) == ("20,433,353.26", "20,433,353.27")


def test_seed004_class_total_copied_into_first_item_is_caught(make_workbook):
    # seed 004: 卫生健康支出 items 13.55 + 1.09 + 4.33 ≠ class total 13.55
    def mutate(data):
        rows = data.coded["t05"].rows
        for i, (code, name, vals) in enumerate(rows):
            if code == "2101101":
                vals = dict(vals)
                vals["exp_total"] = D("347530.76")
                rows[i] = (code, name, vals)

    _, findings = check(make_workbook(mutate))
    r20 = [f for f in _errors(findings) if f.rule == "R20" and "21011" in f.message]
    assert r20 and r20[0].expected == "602,667.30" and r20[0].found == "347,530.76"
    assert any(f.rule == "R23" and "2101101" in f.message for f in findings)


def test_wrong_kuan_name_is_caught(make_workbook):
    # seed 004: "住房保障支出（款）" for 22102, whose name is 住房改革支出
    def mutate(data):
        rows = data.coded["t03"].rows
        for i, (code, _name, vals) in enumerate(rows):
            if code == "22102":
                rows[i] = (code, "住房保障支出", vals)

    _, findings = check(make_workbook(mutate))
    r51 = [f for f in findings if f.rule == "R51"]
    assert len(r51) == 1
    assert (r51[0].expected, r51[0].found) == ("住房改革支出", "住房保障支出")
    assert r51[0].where == "公开03表!D37"  # the 科目名称 cell of row 22102


def test_missing_table_is_an_error(make_workbook):
    def mutate(data):
        data.skip_tables = ("t06",)

    _, findings = check(make_workbook(mutate))
    assert any(f.rule == "IN-06" and "公开06表" in f.message for f in findings)


def test_text_in_amount_cell_names_the_cell(make_workbook):
    def mutate(data):
        data.kv["上年决算数"]["收入总计"] = "一千八百万"

    _, findings = check(make_workbook(mutate))
    f = next(f for f in findings if f.rule == "IN-10")
    assert f.where == "上年决算数!B5" and f.found == "一千八百万"


def test_not_an_excel_file(tmp_path):
    bad = tmp_path / "报表.xlsx"
    bad.write_text("这不是工作簿", encoding="utf-8")
    _, findings = check(bad)
    assert [f.rule for f in findings] == ["IN-02"]
