"""The command line as an accountant uses it: exit codes, last line, nothing half-written."""

from __future__ import annotations

import json
from decimal import Decimal as D

from click.testing import CliRunner

from reportgen.cli import main


def test_build_prints_path_last_and_exits_0(example_path, tmp_path):
    res = CliRunner().invoke(main, ["build", str(example_path), "-o", str(tmp_path)])
    assert res.exit_code == 0, res.output
    last = res.output.strip().splitlines()[-1]
    assert last == str(tmp_path / "2021年度玉溪市互联网信息办公室部门决算公开.docx")
    # seed 001's first 项目支出绩效自评表 does not add up: warnings, listed next to the document
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "2021年度玉溪市互联网信息办公室部门决算公开.docx",
        "2021年度玉溪市互联网信息办公室部门决算公开审核结果.txt",
    ]
    assert "P07  公开12表!I23" in res.output


def test_build_with_error_exits_2_and_writes_nothing(make_workbook, tmp_path):
    def mutate(data):
        data.summary_items["t01"]["grand_total"] = {"amount": D("1")}

    wb = make_workbook(mutate)
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["build", str(wb), "-o", str(out)])
    assert res.exit_code == 2
    assert "R02" in res.output and "公开01表!C" in res.output
    assert not out.exists() or not any(out.iterdir())


def test_check_json(make_workbook):
    def mutate(data):
        data.sangong["sg_total"] = (D("63404.00"), D("42865.83"))

    res = CliRunner().invoke(main, ["check", str(make_workbook(mutate)), "--format", "json"])
    assert res.exit_code == 2
    found = json.loads(res.output)
    r40 = [f for f in found if f["rule"] == "R40"]
    assert r40 and r40[0]["where"] == "公开09表!D7" and r40[0]["severity"] == "错误"


def test_check_example_exit_0(example_path):
    res = CliRunner().invoke(main, ["check", str(example_path)])
    assert res.exit_code == 0, res.output


def test_init_writes_empty_workbook_that_check_explains(tmp_path):
    path = tmp_path / "空白.xlsx"
    res = CliRunner().invoke(main, ["init", str(path)])
    assert res.exit_code == 0 and path.exists()
    res = CliRunner().invoke(main, ["check", str(path)])
    assert res.exit_code == 2
    assert "“单位基本情况”的必填项“部门名称”为空" in res.output
    import openpyxl

    names = openpyxl.load_workbook(path).sheetnames
    assert names[0] == "填表说明"
    assert {"单位基本情况", "上年决算数", "项目预算", "公开01表", "公开09表"} <= set(names)


def test_unknown_input_exits_2(tmp_path):
    res = CliRunner().invoke(main, ["build", str(tmp_path / "nope.xlsx"), "-o", str(tmp_path)])
    assert res.exit_code == 2
    assert "找不到输入文件" in res.output


def test_template_error_names_file_and_line(example_path, tmp_path):
    import shutil

    from reportgen.narrative import packs_root

    pack = tmp_path / "packs" / "broken"
    shutil.copytree(packs_root() / "sichuan-2021", pack)
    (pack / "pack.toml").write_text(
        (pack / "pack.toml")
        .read_text(encoding="utf-8")
        .replace('name = "sichuan-2021"', 'name = "broken"'),
        encoding="utf-8",
    )
    f = pack / "sections" / "part2_02_income.j2"
    f.write_text(
        f.read_text(encoding="utf-8") + "\n<p>{{ c.no_such_figure }}</p>\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        [
            "build",
            str(example_path),
            "-o",
            str(out),
            "-t",
            "broken",
            "--template-dir",
            str(tmp_path / "packs"),
        ],
    )
    assert res.exit_code == 2
    assert "part2_02_income.j2" in res.output and "第10行" in res.output
    assert not out.exists()


def test_check_broken_xls_prints_a_table_naming_every_cell(make_workbook, tmp_path):
    from export_fixture import xlsx_to_xls

    def mutate(data):
        data.sangong["sg_total"] = (D("63404.00"), D("42865.83"))
        data.kv["上年决算数"]["收入总计"] = "一千八百万"

    xls = xlsx_to_xls(make_workbook(mutate), tmp_path / "导出.xls")
    res = CliRunner().invoke(main, ["check", str(xls)])
    assert res.exit_code == 2
    lines = res.output.splitlines()
    assert lines[0].startswith("识别的版式：yunnan-2021（")  # check says which layout it read
    assert lines[1].split() == ["级别", "规则", "位置", "说明"]
    assert any(ln.startswith("错误  IN-10  上年决算数!B5") for ln in lines), res.output
    assert lines[-1] == "共 1 个错误，0 个警告。"  # reading errors stop the 勾稽 checks
    res = CliRunner().invoke(main, ["check", str(xls), "--format", "json"])
    assert all(f["where"] for f in json.loads(res.output))
