"""The bundled code table against every 科目 the seeds publish."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen import codes

SHARED = Path(__file__).resolve().parents[2] / "shared"

SEED001 = SHARED / "seeds" / "001_9e86a554072ef02b.txt"
SEED004 = SHARED / "seeds" / "004_dac8e1c6e90fb209.txt"
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared/ not beside the repo")


@needs_shared
def test_every_function_code_of_seed001_has_its_published_name():
    pairs = set()
    for line in SEED001.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(\d{3}|\d{5}|\d{7})\t+([^\t\d][^\t]*)\t", line)
        if m and not m.group(1).startswith("3"):
            pairs.add((m.group(1), m.group(2).strip()))
    assert len(pairs) == 31  # 类, 款 and 项 of 公开02/03/05/07表
    wrong = {(c, n, getattr(codes.function(c, 2021), "name", None)) for c, n in pairs}
    assert {w for w in wrong if w[1] != w[2]} == set()


@needs_shared
def test_every_economic_code_of_seed001_has_its_published_name():
    pairs = set()
    for line in SEED001.read_text(encoding="utf-8").splitlines():
        for m in re.finditer(r"(?:^|\t)(3\d{2}(?:\d{2})?)\t([^\t\d][^\t]*)", line):
            pairs.add((m.group(1), m.group(2).strip()))
    assert len(pairs) >= 80
    wrong = {(c, n, getattr(codes.economic(c, 2021), "name", None)) for c, n in pairs}
    assert {w for w in wrong if w[1] != w[2]} == set()


@needs_shared
def test_seed004_items_exist_in_2023_under_their_kuan():
    """Seed 004 names 类/款 in short form (一般公共服务（类）); its 项 names are exact."""
    text = SEED004.read_text(encoding="utf-8")
    found = set(
        re.findall(r"([^\d.，。\s]+?)（类）([^，。\s]+?)（款）([^，。\s:：]+?)（项）", text)
    )
    assert found
    for lei, kuan, xiang in found:
        lei_code = next(
            c
            for c in ("201", "208", "210", "221", "229")
            if codes.function(c, 2023).name.startswith(lei)
        )
        kuan_codes = [
            c
            for c in (f"{lei_code}{i:02d}" for i in range(1, 100))
            if codes.function(c, 2023) and codes.function(c, 2023).name.startswith(kuan)
        ]
        assert kuan_codes, (lei, kuan)
        names = {
            codes.function(f"{k}{i:02d}", 2023).name
            for k in kuan_codes
            for i in range(1, 100)
            if codes.function(f"{k}{i:02d}", 2023)
        }
        # seed 004 shortens 其他网信事务支出 to 其他网信事务; both name the same 项
        assert xiang in names or f"{xiang}支出" in names, (lei, kuan, xiang)


def test_renamed_codes_carry_both_vintages():
    assert codes.function("20805", 2020).name == "行政事业单位离退休"
    assert codes.function("20805", 2021).name == "行政事业单位养老支出"
    assert codes.function("210", 2018).name == "医疗卫生与计划生育支出"
    assert codes.function("210", 2019).name == "卫生健康支出"
    assert codes.function("22102", 2023).name == "住房改革支出"
    assert codes.function("20140", 2023) is None and codes.function("20140", 2024) is not None


# --- sources, and the 农林水 items units use -----------------------------------------

DATA = Path(__file__).resolve().parents[1] / "reportgen" / "data"


def test_every_row_names_a_source_that_SOURCES_md_describes():
    described = set(
        re.findall(r"^- `([a-z0-9-]+)`", (DATA / "SOURCES.md").read_text("utf-8"), re.M)
    )
    table = codes.bundled()
    used = {
        key
        for kind in (codes.FUNCTION, codes.ECONOMIC)
        for code in table.codes(kind)
        for e in table.known_years(kind, code)
        for key in e.source.split(";")
    }
    assert used == described
    assert "unverified" in used


def test_agriculture_items_are_in_the_table_but_not_verified():
    for code, name in (("2130108", "病虫害控制"), ("2130109", "农产品质量安全")):
        e = codes.function(code, 2021)
        assert (e.name, e.source, e.verified) == (name, "unverified", False)
    assert codes.function("21301", 2021).name == "农业农村"
    assert codes.function("21305", 2024).name == "巩固脱贫攻坚成果衔接乡村振兴"
    assert codes.function("21305", 2024).source == "mof-2024"


# --- a unit whose codes the table does not know -------------------------------------

AGRICULTURE = (
    ("221", "213", "农林水支出"),
    ("22102", "21301", "农业农村"),
    ("2210201", "2130108", "病虫害控制"),
    ("2210203", "2130109", "农产品质量安全"),
)


def to_agriculture(data):
    """The example's 住房保障支出 recoded as 农林水支出/农业农村/病虫害控制, 农产品质量安全
    (same amounts, so every total still agrees)."""
    from test_bad_inputs import recode

    for old, new, name in AGRICULTURE:
        recode(old, new, name)(data)
    for key in ("t01", "t04"):
        data.summary_classes[key]["213"] = data.summary_classes[key].pop("221")


@pytest.fixture
def without_agriculture_items(monkeypatch):
    """The bundled table as it was before 2130108/2130109 were added (the issue's case)."""
    full = codes.bundled()
    gone = {"2130108", "2130109"}
    entries = {k: {c: v for c, v in d.items() if c not in gone} for k, d in full.entries.items()}
    monkeypatch.setattr(codes, "bundled", lambda: codes.CodeTable(entries))


R50_2130108 = (
    "公开02表 科目编码 2130108 不在支出功能分类科目表中，文档采用工作簿中的名称“病虫害控制”；"
    "编码无误时可用科目表文件（--codes）补充。"
)


def _document(path):
    import docx

    d = docx.Document(str(path))
    paragraphs = [p.text for p in d.paragraphs if not p.style.name.lower().startswith("toc")]
    rows = [[c.text for c in row.cells] for t in d.tables for row in t.rows]
    return paragraphs, rows


def _findings(findings, rule):
    return [
        (f.severity, f.where, f.message, f.expected, f.found) for f in findings if f.rule == rule
    ]


def test_known_agriculture_items_build_without_code_findings(make_workbook):
    from reportgen import check

    _, findings = check(make_workbook(to_agriculture))
    assert [f for f in findings if f.rule in ("R50", "R51") or f.is_error] == []


def test_unknown_codes_are_warnings_and_the_document_uses_the_workbook_names(
    without_agriculture_items, make_workbook, tmp_path
):
    from reportgen import build

    result = build(make_workbook(to_agriculture), tmp_path / "out")
    assert _findings(result.findings, "R50") == [
        ("警告", "公开02表!A38", R50_2130108, "2021年度有效的科目编码", "2130108"),
        (
            "警告",
            "公开02表!A39",
            "公开02表 科目编码 2130109 不在支出功能分类科目表中，文档采用工作簿中的名称"
            "“农产品质量安全”；编码无误时可用科目表文件（--codes）补充。",
            "2021年度有效的科目编码",
            "2130109",
        ),
    ]
    assert "R50" in result.report_path.read_text(encoding="utf-8")
    paragraphs, rows = _document(result.path)
    glossary = [p for p in paragraphs if "（项）：反映" in p and "农业农村（款）" in p]
    assert [p.split(".", 1)[1] for p in glossary] == [
        "农林水支出（类）农业农村（款）病虫害控制（项）：反映病虫害控制方面的支出。",
        "农林水支出（类）农业农村（款）农产品质量安全（项）：反映农产品质量安全方面的支出。",
    ]
    # 附表 (公开02/03/05表): code cells merged, then the name as the workbook gives it
    annex = [r[:5] for r in rows if len(r) > 4 and r[0] in ("2130108", "2130109")]
    assert (
        annex[:4]
        == [
            ["2130108", "2130108", "2130108", "病虫害控制", "475,645.00"],
            ["2130109", "2130109", "2130109", "农产品质量安全", "48,178.00"],
        ]
        * 2
    )
    assert [r[3] for r in annex[4:]] == ["病虫害控制", "农产品质量安全"]  # 公开05表


def _code_file(path: Path, *lines: str) -> Path:
    path.write_text(
        "\n".join(("code,name,explanation,valid_from,valid_to,source", *lines)) + "\n",
        encoding="utf-8",
    )
    return path


def test_a_user_file_adds_a_code_and_corrects_a_name(
    without_agriculture_items, make_workbook, tmp_path
):
    from reportgen import build

    user = _code_file(
        tmp_path / "本地科目.csv",
        "2130108,病虫害控制,反映用于农作物病虫害防治的支出。,,,",
        "2080506,机关事业单位职业年金缴费,,2021,,",
    )
    result = build(make_workbook(to_agriculture), tmp_path / "out", codes_files=[user])
    assert [(f.rule, f.where) for f in result.findings if f.rule in ("R50", "R51")] == [
        ("R51", "公开02表!D24"),
        ("R50", "公开02表!A39"),  # 2130109: still unknown
        ("R51", "公开03表!D24"),
        ("R51", "公开05表!D24"),
        ("R51", "项目预算!A11"),
    ]
    r51 = next(f for f in result.findings if f.rule == "R51")
    assert (r51.severity, r51.message, r51.expected, r51.found) == (
        "警告",
        "公开02表 科目编码 2080506 的名称与科目表不符；正文和名词解释采用科目表的名称，附表照录工作簿。",
        "机关事业单位职业年金缴费",
        "机关事业单位职业年金缴费支出",
    )
    paragraphs, _rows = _document(result.path)
    text = "\n".join(paragraphs)
    assert "病虫害控制（项）：反映用于农作物病虫害防治的支出。" in text
    assert "行政事业单位养老支出（款）机关事业单位职业年金缴费（项）：" in text
    assert "机关事业单位职业年金缴费支出（项）" not in text


def test_a_code_valid_only_from_2023_warns_for_a_2021_workbook(
    without_agriculture_items, make_workbook, tmp_path
):
    from reportgen import check

    user = _code_file(tmp_path / "codes.csv", "2130108,病虫害控制,,2023,,")
    _, findings = check(make_workbook(to_agriculture), [user])
    assert _findings(findings, "R50")[0] == (
        "警告",
        "公开02表!A38",
        "公开02表 科目编码 2130108 在2021年度不适用（科目表：病虫害控制（2023年起）），"
        "文档采用工作簿中的名称“病虫害控制”。",
        "2021年度有效的科目编码",
        "2130108",
    )


def test_a_pack_folder_codes_csv_is_used_by_build(
    without_agriculture_items, make_workbook, tmp_path
):
    from reportgen import build

    pack = tmp_path / "packs" / "本地"
    pack.mkdir(parents=True)
    (pack / "pack.toml").write_text('name = "本地"\nextends = "sichuan-2021"\n', encoding="utf-8")
    _code_file(pack / "codes.csv", "2130108,病虫害控制,,,,", "2130109,农产品质量安全,,,,")
    result = build(
        make_workbook(to_agriculture), tmp_path / "out", "本地", template_dir=tmp_path / "packs"
    )
    assert [f for f in result.findings if f.rule == "R50"] == []
    paragraphs, _rows = _document(result.path)
    assert any(p.endswith("病虫害控制（项）：反映病虫害控制方面的支出。") for p in paragraphs)


def test_wrong_name_of_a_verified_code_is_a_warning_naming_the_name_cell(make_workbook):
    from test_bad_inputs import recode

    from reportgen import check

    _, findings = check(make_workbook(recode("22102", "22102", "住房保障支出")))
    assert _findings(findings, "R51") == [
        (
            "警告",
            f"公开0{n}表!D{row}",
            f"公开0{n}表 科目编码 22102 的名称与科目表不符；正文和名词解释采用科目表的名称，附表照录工作簿。",
            "住房改革支出",
            "住房保障支出",
        )
        for n, row in ((2, 37), (3, 37), (5, 34))
    ]
    assert not [f for f in findings if f.is_error]


def test_a_bad_code_file_stops_check_with_its_line(make_workbook, tmp_path):
    from reportgen import check

    user = _code_file(tmp_path / "坏.csv", "2130108,病虫害控制,,,,", "21301O9,农产品质量安全,,,,")
    report, findings = check(make_workbook(), [user])
    assert report is None
    assert [(f.severity, f.rule, f.where, f.found) for f in findings] == [
        ("错误", "CD-03", "坏.csv 第3行", "21301O9")
    ]


def test_an_old_name_of_a_code_is_named_as_such(make_workbook):
    """A 2021 export still printing 20805 行政事业单位离退休 (the name up to 2020)."""
    from test_bad_inputs import recode

    from reportgen import check

    _, findings = check(make_workbook(recode("20805", "20805", "行政事业单位离退休")))
    r51 = [f for f in findings if f.rule == "R51"]
    assert [(f.where, f.message, f.expected, f.found) for f in r51][0] == (
        "公开02表!D22",
        "公开02表 科目编码 20805 的名称与科目表不符；“行政事业单位离退休”是该科目2020年及以前的名称；"
        "正文和名词解释采用科目表的名称，附表照录工作簿。",
        "行政事业单位养老支出",
        "行政事业单位离退休",
    )
