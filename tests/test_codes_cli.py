"""``reportgen codes`` (list, search, validate) and ``--codes`` on check/build/batch."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from test_codes import to_agriculture, without_agriculture_items  # noqa: F401 - a fixture

from reportgen.cli import main

HEADER = "code,name,explanation,valid_from,valid_to,source"


def _run(*args: str):
    return CliRunner().invoke(main, list(args))


def _file(path: Path, *lines: str, encoding: str = "utf-8") -> Path:
    path.write_text("\n".join((HEADER, *lines)) + "\n", encoding=encoding)
    return path


def test_search_by_name_prints_code_name_years_and_source():
    res = _run("codes", "search", "病虫害")
    assert res.exit_code == 0
    assert res.output == "2130108\t病虫害控制\t各年度\t未经核对\n"


def test_search_by_code_prefix_for_one_year():
    res = _run("codes", "search", "21305", "--year", "2021")
    assert res.exit_code == 0
    assert res.output.splitlines() == [
        "21305\t巩固脱贫衔接乡村振兴\t2021–2023年\t未经核对",
        "2130501\t行政运行\t各年度\tmof-2024",
        "2130502\t一般行政管理事务\t各年度\tmof-2024",
        "2130503\t机关服务\t各年度\tmof-2024",
        "2130504\t农村基础设施建设\t各年度\tmof-2024",
        "2130505\t生产发展\t各年度\tmof-2024",
        "2130506\t社会发展\t各年度\tmof-2024",
        "2130507\t贷款奖补和贴息\t2021年起\tmof-2024",
        "2130508\t“三西”农业建设专项补助\t各年度\tmof-2024",
        "2130550\t事业运行\t2021年起\tmof-2024",
        "2130599\t其他巩固脱贫衔接乡村振兴支出\t2021–2023年\t未经核对",
    ]


def test_search_without_a_match_says_so():
    res = _run("codes", "search", "不存在的科目")
    assert (res.exit_code, res.output) == (0, "没有与“不存在的科目”相符的科目。\n")


def test_list_economic_for_a_year():
    res = _run("codes", "list", "--kind", "economic", "--year", "2021")
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert len(lines) == 107  # 30399 has two accepted names; the first is listed
    assert lines[:3] == [
        "301\t工资福利支出\t各年度\tseed001;gbc-putuo-2025;gbc-putuo-2026",
        "30101\t基本工资\t各年度\tseed001;gbc-putuo-2025;gbc-putuo-2026",
        "30102\t津贴补贴\t各年度\tseed001;gbc-putuo-2025;gbc-putuo-2026",
    ]
    assert "30399\t其他个人和家庭的补助支出\t各年度\tseed001" in lines


def test_list_shows_every_vintage_without_a_year():
    lines = _run("codes", "list", "--kind", "function").output.splitlines()
    assert [x for x in lines if x.startswith("20805\t")] == [
        "20805\t行政事业单位离退休\t2020年及以前\t未经核对",
        "20805\t行政事业单位养老支出\t2021年起\tseed001;seed002;gbc-putuo-2025;gbc-putuo-2026",
    ]


def test_list_includes_a_user_file(tmp_path):
    user = _file(tmp_path / "本地.csv", "2139901,本地农林水专项,,2020,2025,")
    res = _run("codes", "search", "2139901", "--codes", str(user))
    assert res.output == "2139901\t本地农林水专项\t2020–2025年\t用户科目表 本地.csv\n"


def test_validate_reports_each_bad_row_with_its_line(tmp_path):
    bad = _file(
        tmp_path / "坏.csv",
        "2130108,病虫害控制,,,,",
        "21301O9,农产品质量安全,,,,",
        "2130110,,,,,",
        "2130111,统计监测与信息服务,,2025,2023,",
        "2130112,行业业务管理,,二〇二一,,",
        "2130114,对外交流与合作,,,,,多余",
    )
    res = _run("codes", "validate", str(bad))
    assert res.exit_code == 2
    assert res.output.splitlines() == [
        "级别  规则     位置          说明",
        "错误  CD-03  坏.csv 第3行  科目编码“21301O9”格式不对：支出功能分类为 2 开头的 3、5 或 7 位数字，"
        "部门支出经济分类为 3 开头的 3 或 5 位数字。（应为 —，实为 21301O9）",
        "错误  CD-04  坏.csv 第4行  科目编码“2130110”的名称为空。",
        "错误  CD-05  坏.csv 第5行  起始年度 2025 晚于终止年度 2023。",
        "错误  CD-05  坏.csv 第6行  valid_from“二〇二一”不是四位年份。（应为 —，实为 二〇二一）",
        "错误  CD-06  坏.csv 第7行  有 7 列，多于表头的 6 列。",
        "共 5 个错误，0 个警告。",
    ]


def test_validate_reports_missing_and_unknown_columns(tmp_path):
    bad = tmp_path / "列.csv"
    bad.write_text("编码,name,valid-from\n2130108,病虫害控制,2021\n", encoding="utf-8")
    res = _run("codes", "validate", str(bad))
    assert res.exit_code == 2
    assert res.output.splitlines()[1] == (
        "错误  CD-02  列.csv 第1行  缺少必需的列 code；不认识的列 编码、valid-from"
        "（可用的列：code,name,explanation,valid_from,valid_to,source）。"
    )


def test_validate_accepts_a_good_file_saved_by_chinese_excel(tmp_path):
    good = _file(
        tmp_path / "好.csv",
        "2130108,病虫害控制,,,,",
        "39909,经常性赠与,,2022,,财政部通知",
        encoding="gb18030",
    )
    res = _run("codes", "validate", str(good))
    assert (res.exit_code, res.output) == (0, "好.csv：2 条科目，未发现问题。\n")


def test_check_with_codes_adds_the_missing_codes(
    without_agriculture_items,  # noqa: F811 - the fixture
    make_workbook,
    tmp_path,
):
    wb = make_workbook(to_agriculture)
    assert "R50" in _run("check", str(wb)).output
    user = _file(tmp_path / "农业.csv", "2130108,病虫害控制,,,,", "2130109,农产品质量安全,,,,")
    res = _run("check", str(wb), "--codes", str(user))
    assert res.exit_code == 0
    assert "R50" not in res.output


def test_build_with_a_bad_codes_file_exits_2_and_writes_nothing(make_workbook, tmp_path):
    bad = _file(tmp_path / "坏.csv", "2130108,病虫害控制,,21,,")
    out = tmp_path / "out"
    res = _run("build", str(make_workbook()), "-o", str(out), "--codes", str(bad))
    assert res.exit_code == 2
    assert "CD-05  坏.csv 第2行  valid_from“21”不是四位年份。" in res.output
    assert not out.exists() or not any(out.iterdir())


def test_batch_stops_before_any_unit_on_a_bad_codes_file(make_workbook, tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    make_workbook().rename(src / "单位.xlsx")
    bad = _file(tmp_path / "坏.csv", "9999,不是科目,,,,")
    out = tmp_path / "out"
    res = _run("batch", str(src), "-o", str(out), "--codes", str(bad))
    assert res.exit_code == 2
    assert "CD-03  坏.csv 第2行" in res.output
    assert "科目表文件有错误，未生成任何文档。" in res.output
    assert not (out / "汇总.xlsx").exists()


def test_docs_list_every_code_file_rule():
    from reportgen.codes import CODE_FILE_RULES

    page = (Path(__file__).resolve().parents[1] / "docs" / "codes.md").read_text("utf-8")
    assert [f"| {rid} | {text} |" in page for rid, text in CODE_FILE_RULES.items()] == [True] * 6
