"""The Shanghai 2024 fixture workbooks (tools/shanghai_fixture.py, issue 15 item 6).

The committed files tests/fixtures/shanghai-2024/shanghai-2024-{whole,split}.xlsx are read
back with openpyxl alone (no reportgen code) and checked the way a reviewer checks a
published 决算: the titles, header cells and 注 lines of the 上海 2024 template, no 行次
or 栏次, and every 勾稽 relation between the nine tables and the supplementary sheets, on
the cell values. The committed files must be what the script builds today, and building
twice gives the same cells.
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import shanghai_fixture as fx

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "shanghai-2024"
PROFILE = ROOT / "templates" / "shanghai-2024"
FUNCTION_CODES = ROOT / "reportgen" / "data" / "function_codes.csv"
ECONOMIC_CODES = ROOT / "reportgen" / "data" / "economic_codes.csv"
ZERO = Decimal(0)
DEPARTMENT = "上海市某某区文化和旅游局"

#: 第二部分 of the template: the nine tables in print order, with their 注 lines
TITLES = (
    "收入支出决算总表",
    "收入决算表",
    "支出决算表",
    "财政拨款收入支出决算总表",
    "一般公共预算财政拨款支出决算表",
    "一般公共预算财政拨款基本支出决算表",
    "财政拨款“三公”经费支出决算表",
    "政府性基金预算财政拨款收入支出决算表",
    "国有资本经营预算财政拨款收入支出决算表",
)
NOTES = {
    TITLES[0]: "注：本表反映部门本年度的总收支和年末结转结余情况。",
    TITLES[1]: "注：本表反映部门本年度取得的各项收入情况。",
    TITLES[2]: "注：本表反映部门本年度各项支出情况。",
    TITLES[3]: "注：本表反映部门本年度财政拨款总收支和结转结余情况。",
    TITLES[4]: "注：本表反映部门本年度一般公共预算财政拨款支出情况。",
    TITLES[5]: "注：本表反映部门本年度一般公共预算财政拨款基本支出明细情况。",
    TITLES[6]: "注：本表反映部门本年度“三公”经费支出预决算情况。",
    TITLES[7]: "注：本表反映部门本年度政府性基金预算财政拨款收入支出及结转和结余情况。",
    TITLES[8]: "注：本表反映部门本年度国有资本经营预算财政拨款收入支出及结转和结余情况。",
}
CAPITAL_EMPTY = f"说明：{DEPARTMENT}本年度没有国有资本经营预算财政拨款收入和支出，故本表无数据。"
#: header rows of each table with whole codes (split codes add one to the coded tables)
HEADER_ROWS = dict(zip(TITLES, (2, 2, 2, 2, 2, 1, 4, 2, 2), strict=True))
#: amount columns of the 功能分类 tables, in the template's order
CODED_COLUMNS = {
    TITLES[1]: ("本年收入合计", "财政拨款收入", "上级补助收入", "事业收入", "经营收入",
                "附属单位上缴收入", "其他收入"),
    TITLES[2]: ("本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出",
                "对附属单位补助支出"),
    TITLES[4]: ("合计", "基本支出", "项目支出"),
    TITLES[7]: ("年初结转和结余", "本年收入", "本年支出合计", "本年支出基本支出",
                "本年支出项目支出", "年末结转和结余"),
}  # fmt: skip
CODED_COLUMNS[TITLES[8]] = CODED_COLUMNS[TITLES[7]]
#: the 款 of 政府性基金 spending (国有土地使用权出让, 国有土地收益基金, 农业土地开发资金,
#: 城市基础设施配套费, 污水处理费, 彩票公益金, 国家电影事业发展专项资金, 旅游发展基金)
GOV_FUND_SECTIONS = ("21208", "21210", "21211", "21213", "21214", "22960", "20707", "20709")
CLASS_NAMES_T01 = (
    "一、一般公共服务支出", "二、外交支出", "三、国防支出", "四、公共安全支出", "五、教育支出",
    "六、科学技术支出", "七、文化旅游体育与传媒支出", "八、社会保障和就业支出", "九、卫生健康支出",
    "十、节能环保支出", "十一、城乡社区支出", "十二、农林水支出", "十三、交通运输支出",
    "十四、资源勘探工业信息等支出", "十五、商业服务业等支出", "十六、金融支出",
    "十七、援助其他地区支出", "十八、自然资源海洋气象等支出", "十九、住房保障支出",
    "二十、粮油物资储备支出", "二十一、国有资本经营预算支出", "二十二、灾害防治及应急管理支出",
    "二十三、其他支出", "二十四、抗疫特别国债安排的支出",
)  # fmt: skip
CLASS_CODES = (
    "201", "202", "203", "204", "205", "206", "207", "208", "210", "211", "212", "213", "214",
    "215", "216", "217", "219", "220", "221", "222", "223", "224", "229", "234",
)  # fmt: skip


# --- reading the cells (no reportgen code) ----------------------------------------------


def money(value: object) -> Decimal:
    """An amount cell: empty is zero; a number must have at most 2 decimals."""
    if value is None:
        return ZERO
    assert isinstance(value, int | float) and not isinstance(value, bool), value
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    assert amount == amount.quantize(Decimal("0.01")), f"more than 2 decimals: {value!r}"
    return amount


def text(value: object) -> str:
    return "" if value is None else str(value).strip()


@dataclass
class Coded:
    """A 功能分类 table: rows in order as (code, name, amounts) and the 合计 amounts."""

    rows: list[tuple[str, str, tuple[Decimal, ...]]]
    total: tuple[Decimal, ...]
    total_index: int  # position of the 合计 line among the data lines
    split: bool

    def by_code(self) -> dict[str, tuple[Decimal, ...]]:
        return {code: vals for code, _n, vals in self.rows}

    def level(self, n: int) -> dict[str, tuple[Decimal, ...]]:
        return {code: vals for code, _n, vals in self.rows if len(code) == n}


@dataclass
class Table:
    title: str
    ws: object
    top: int  # row of the title cell
    header_top: int
    data_top: int
    lines: list[tuple] = field(default_factory=list)  # data rows, up to the 注 line
    after: list[str] = field(default_factory=list)  # 注 and 说明 lines


def find_tables(wb) -> dict[str, Table]:
    """Every table by title: the title cell, the 单位 line under it, the header rows, data
    rows down to the 注 line and the lines after it (up to a blank row)."""
    found: dict[str, Table] = {}
    for ws in wb.worksheets:
        starts = [
            (r, text(ws.cell(r, 1).value))
            for r in range(1, ws.max_row + 1)
            if text(ws.cell(r, 1).value) in TITLES
        ]
        for r, title in starts:
            assert title not in found, f"{title} twice"
            split = any(text(c.value) == "类" for c in ws[r + 2 + 2])
            head = HEADER_ROWS[title] + (1 if split and title in CODED_COLUMNS else 0)
            t = Table(title, ws, r, r + 2, r + 2 + head)
            width = max(c + cs for _r, c, _t, _rs, cs in header_cells(t))
            row = t.data_top
            while not text(ws.cell(row, 1).value).startswith("注"):
                values = [c.value for c in ws[row]]
                assert all(v is None for v in values[width:]), f"{title}: beyond the header"
                t.lines.append(tuple(values[:width] + [None] * (width - len(values))))
                row += 1
                assert row < t.data_top + 80, f"{title}: no 注 line"
            while text(ws.cell(row, 1).value):
                t.after.append(text(ws.cell(row, 1).value))
                row += 1
            found[title] = t
    return found


def header_cells(t: Table) -> list[tuple[int, int, str, int, int]]:
    """(row, col, text, rowspan, colspan) of the header, from 0, as the profile writes them."""
    spans = {}
    for rng in t.ws.merged_cells.ranges:
        spans[(rng.min_row, rng.min_col)] = (rng.size["rows"], rng.size["columns"])
    out = []
    for r in range(t.header_top, t.data_top):
        for c in range(1, t.ws.max_column + 1):
            v = text(t.ws.cell(r, c).value)
            if v:
                rs, cs = spans.get((r, c), (1, 1))
                out.append((r - t.header_top, c - 1, v, rs, cs))
    return sorted(out)


def coded(t: Table) -> Coded:
    ncols = len(CODED_COLUMNS[t.title])
    split = text(t.ws.cell(t.data_top - 1, 1).value) == "类"
    ncode = 3 if split else 1
    rows, total, total_index = [], None, -1
    for i, line in enumerate(t.lines):
        cells = list(line)
        assert len(cells) == ncode + 1 + ncols, t.title
        amounts = tuple(money(v) for v in cells[ncode + 1 :])
        if text(cells[0]) == "合计":
            assert total is None
            total, total_index = amounts, i
            continue
        assert all(isinstance(v, str) for v in cells[:ncode] if v is not None), cells
        parts = [text(v) for v in cells[:ncode]]  # codes are text: "01" keeps its zero
        assert all(p.isdigit() or not p for p in parts), parts
        rows.append(("".join(parts), text(cells[ncode]), amounts))
    assert total is not None, f"{t.title}: no 合计 row"
    return Coded(rows, total, total_index, split)


@dataclass
class Workbook:
    path: Path
    wb: object
    tables: dict[str, Table]

    def coded(self, n: int) -> Coded:
        return coded(self.tables[TITLES[n - 1]])

    def summary(self, n: int) -> tuple[dict[str, Decimal], dict[str, tuple[Decimal, ...]]]:
        """表1/表4: left label -> amount (the left 一、二、三 under 年初 prefixed "年初"),
        right label -> amounts (the class lines by code, the tail lines by label)."""
        t = self.tables[TITLES[n - 1]]
        width = 1 if n == 1 else 4
        left, right = {}, {}
        assert len(t.lines) == 24 + (4 if n == 1 else 6)
        after_open = False
        for i, line in enumerate(t.lines):
            label, amount = text(line[0]), money(line[1])
            rlabel, ramounts = text(line[2]), tuple(money(v) for v in line[3 : 3 + width])
            if label:
                key = "年初" + label if after_open and label[1] == "、" else label
                assert key not in left
                left[key] = amount
                after_open = after_open or label.startswith("年初")
            else:
                assert amount == 0
            if i < 24:
                assert rlabel == CLASS_NAMES_T01[i]
                right[CLASS_CODES[i]] = ramounts
            elif rlabel:
                right[rlabel] = ramounts
            else:
                assert ramounts == (ZERO,) * width, f"{t.title}: amounts on an unlabelled line"
        return left, right


def load(path: Path) -> Workbook:
    wb = openpyxl.load_workbook(path)
    return Workbook(path, wb, find_tables(wb))


def cells_of(path: Path) -> dict[str, tuple]:
    """Every sheet's values and merged ranges (what "the same workbook" means here)."""
    wb = openpyxl.load_workbook(path)
    return {
        ws.title: (
            tuple(tuple(r) for r in ws.iter_rows(values_only=True)),
            tuple(sorted(str(m) for m in ws.merged_cells.ranges)),
        )
        for ws in wb.worksheets
    }


def kv(wb, name: str) -> dict[str, object]:
    """A kv sheet: 项目 | 内容 from row 3; labels in order."""
    ws = wb[name]
    assert (ws["A3"].value, ws["B3"].value) == ("项目", "内容")
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(4, ws.max_row + 1)}


def listing(wb, name: str) -> tuple[tuple, list[tuple]]:
    ws = wb[name]
    rows = [tuple(r) for r in ws.iter_rows(min_row=3, values_only=True)]
    return rows[0], [r for r in rows[1:] if any(v is not None for v in r)]


VARIANTS = ("whole", "split")


@pytest.fixture(scope="module", params=VARIANTS)
def book(request) -> Workbook:
    return load(FIXTURES / f"shanghai-2024-{request.param}.xlsx")


@pytest.fixture(scope="module")
def whole() -> Workbook:
    return load(FIXTURES / "shanghai-2024-whole.xlsx")


@pytest.fixture(scope="module")
def split() -> Workbook:
    return load(FIXTURES / "shanghai-2024-split.xlsx")


def csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def valid_2024(rows: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {
        (r["code"], r["name"])
        for r in rows
        if int(r["valid_from"] or 0) <= 2024 <= int(r["valid_to"] or 9999)
    }


def toml_tables() -> dict[str, dict]:
    out = {}
    for p in sorted((PROFILE / "tables").glob("t*.toml")):
        conf = tomllib.loads(p.read_text(encoding="utf-8"))
        out[conf["title"]] = conf
    return out


# --- the files ----------------------------------------------------------------------------


@pytest.mark.parametrize("codes", VARIANTS)
def test_committed_files_are_what_the_script_builds(tmp_path, codes):
    fresh = fx.build(tmp_path / "a.xlsx", codes=codes)
    again = fx.build(tmp_path / "b.xlsx", codes=codes)
    assert cells_of(fresh) == cells_of(again)  # deterministic
    assert cells_of(FIXTURES / f"shanghai-2024-{codes}.xlsx") == cells_of(fresh)


def test_bad_codes_argument_is_refused(tmp_path):
    with pytest.raises(ValueError, match="whole"):
        fx.build(tmp_path / "x.xlsx", codes="sparse")


def test_split_and_whole_hold_the_same_figures(whole, split):
    for n in (2, 3, 5, 8, 9):
        a, b = whole.coded(n), split.coded(n)
        assert (a.split, b.split) == (False, True)
        assert (a.rows, a.total, a.total_index) == (b.rows, b.total, b.total_index)
    for n in (1, 4):
        assert whole.summary(n) == split.summary(n)


def test_split_codes_are_in_full(split):
    t = split.tables[TITLES[1]]
    by_name = {text(line[3]): tuple(text(v) for v in line[:3]) for line in t.lines}
    assert by_name["文化旅游体育与传媒支出"] == ("207", "", "")
    assert by_name["文物"] == ("207", "02", "")
    assert by_name["文物保护"] == ("207", "02", "04")
    assert by_name["住房公积金"] == ("221", "02", "01")


def test_tables_on_one_sheet_read_the_same(tmp_path, whole):
    path = fx.build(tmp_path / "one.xlsx", tables_per_sheet=True)
    one = load(path)
    assert {t.ws.title for t in one.tables.values()} == {"部门决算表"}
    tops = [one.tables[title].top for title in TITLES]
    assert tops == sorted(tops)
    for title in TITLES[:-1]:  # one blank row between a table's last line and the next title
        t = one.tables[title]
        last = t.data_top + len(t.lines) + len(t.after) - 1
        nxt = one.tables[TITLES[TITLES.index(title) + 1]].top
        assert nxt == last + 2
        assert all(c.value is None for c in t.ws[last + 1])
    for title in TITLES:
        assert one.tables[title].lines == whole.tables[title].lines
        assert one.tables[title].after == whole.tables[title].after
    assert one.tables[TITLES[0]].ws["A1"].value == f"{DEPARTMENT}2024年度部门决算表"
    assert one.wb.sheetnames[0] == "部门决算表"


# --- layout as the template prints it -----------------------------------------------------


def test_titles_sheets_unit_lines_and_notes(book):
    assert book.wb.sheetnames[:9] == [f"表{i}" for i in range(1, 10)]
    assert [book.tables[t].ws.title for t in TITLES] == [f"表{i}" for i in range(1, 10)]
    assert book.wb["表1"]["A1"].value == f"{DEPARTMENT}2024年度部门决算表"
    for title in TITLES:
        t = book.tables[title]
        width = max(c + cs for _r, c, _t, _rs, cs in header_cells(t))
        assert t.ws.cell(t.top + 1, width).value == "单位：万元", title
        assert [text(c.value) for c in t.ws[t.top + 1]][: width - 1] == [""] * (width - 1)
        assert str(next(m for m in t.ws.merged_cells.ranges if m.min_row == t.top)) == (
            f"A{t.top}:{openpyxl.utils.get_column_letter(width)}{t.top}"
        )
        expected = [NOTES[title]] + ([CAPITAL_EMPTY] if title == TITLES[8] else [])
        assert t.after == expected, title


def test_no_line_or_column_numbers_anywhere(book):
    for ws in book.wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            for v in row:
                assert "栏次" not in text(v) and "行次" not in text(v), (ws.title, v)


def test_headers_are_the_profiles(whole):
    """Whole codes: every header cell, its text and its merge as the profile's tables/*.toml
    give them (the profile transcribes the template; a difference is a bug in one of them)."""
    profile = toml_tables()
    assert set(profile) == set(TITLES)
    for title in TITLES:
        expected = sorted(tuple(h) for h in profile[title]["header"])
        assert header_cells(whole.tables[title]) == expected, title


def test_split_headers(split):
    block = [
        (0, 0, "项目", 1, 4),
        (1, 0, "功能分类科目编码", 1, 3),
        (1, 3, "科目名称", 2, 1),
        (2, 0, "类", 1, 1),
        (2, 1, "款", 1, 1),
        (2, 2, "项", 1, 1),
    ]
    for n in (2, 3, 5):
        title = TITLES[n - 1]
        amounts = [(0, 4 + i, h, 3, 1) for i, h in enumerate(CODED_COLUMNS[title])]
        assert header_cells(split.tables[title]) == sorted(block + amounts), title
    fund = [
        (0, 4, "年初结转和结余", 3, 1),
        (0, 5, "本年收入", 3, 1),
        (0, 6, "本年支出", 1, 3),
        (1, 6, "合计", 2, 1),
        (1, 7, "基本支出", 2, 1),
        (1, 8, "项目支出", 2, 1),
        (0, 9, "年末结转和结余", 3, 1),
    ]
    for title in TITLES[7:]:
        assert header_cells(split.tables[title]) == sorted(block + fund), title


def test_total_rows_where_the_template_puts_them(book):
    for n in (2, 3, 8, 9):
        assert book.coded(n).total_index == 0, n
    t5 = book.coded(5)
    assert t5.total_index == len(book.tables[TITLES[4]].lines) - 1  # 表5: at the bottom
    for n in (2, 3, 5, 8, 9):  # "合计" spans the code and name columns
        t = book.tables[TITLES[n - 1]]
        r = t.data_top + book.coded(n).total_index
        width = 4 if book.coded(n).split else 2
        assert any(
            m.min_row == r == m.max_row and (m.min_col, m.max_col) == (1, width)
            for m in t.ws.merged_cells.ranges
        ), n


def test_rows_in_code_order_with_parents(book):
    for n in (2, 3, 5, 8):
        codes = [c for c, _n, _v in book.coded(n).rows]
        assert codes == sorted(codes)
        for c in codes:
            if len(c) > 3:
                assert c[: len(c) - 2] in codes, (n, c)


def test_capital_table_is_empty_with_its_statement(book):
    t9 = book.coded(9)
    assert t9.rows == [] and t9.total == (ZERO,) * 6
    assert all(v is None for v in book.tables[TITLES[8]].lines[0][1:])


def test_sangong_is_one_row_of_pairs(book):
    t = book.tables[TITLES[6]]
    assert len(t.lines) == 1
    assert [text(c.value) for c in t.ws[t.data_top - 1]] == ["预算数", "决算数"] * 6


def test_economic_table_rows_are_the_templates(book):
    t = book.tables[TITLES[5]]
    assert len(t.lines) == 39
    left = [(text(line[0]), text(line[1])) for line in t.lines[:-1] if text(line[0])]
    right = [(text(line[3]), text(line[4])) for line in t.lines[:-1]]
    groups = toml_tables()[TITLES[5]]["groups"]
    assert [c for c, _n in left] == groups[0] and [c for c, _n in right] == groups[1]
    assert (len(left), len(right)) == (27, 38)
    assert left[0] == ("301", "工资福利支出") and left[14] == ("303", "对个人和家庭的补助")
    assert right[0] == ("302", "商品和服务支出") and right[28] == ("310", "资本性支出")
    last = t.lines[-1]
    assert (text(last[0]), text(last[3])) == ("人员经费合计", "公用经费合计")
    names = {(r["code"], r["name"]) for r in csv_rows(ECONOMIC_CODES)}
    assert set(left + right) <= names


# --- codes ----------------------------------------------------------------------------------


def test_function_codes_are_valid_in_2024(book):
    valid = valid_2024(csv_rows(FUNCTION_CODES))
    for n in (2, 3, 5, 8):
        for code, name, _v in book.coded(n).rows:
            assert (code, name) in valid, (n, code, name)
    t3 = book.coded(3)
    assert 8 <= len(t3.level(7)) <= 14
    assert 3 <= len(t3.level(3)) <= 5
    assert {"207", "208"} <= set(t3.level(3))


def test_government_fund_codes_are_fund_codes(book):
    fund = book.coded(8).level(7)
    gpb = book.coded(5).level(7)
    assert fund and all(c[:5] in GOV_FUND_SECTIONS for c in fund)
    assert not any(c[:5] in GOV_FUND_SECTIONS for c in gpb)


# --- 勾稽 relations ------------------------------------------------------------------------


def assert_sums(t: Coded, name: str) -> None:
    """合计 = Σ类 = Σ款 = Σ项 per column; each 类 = Σ its 款, each 款 = Σ its 项."""
    width = len(t.total)

    def colsum(rows, i):
        return sum((v[i] for v in rows), ZERO)

    for n in (3, 5, 7):
        level = t.level(n)
        assert tuple(colsum(level.values(), i) for i in range(width)) == t.total, (name, n)
    codes = t.by_code()
    for parent, child in ((3, 5), (5, 7)):
        for code, vals in t.level(parent).items():
            kids = [v for c, v in t.level(child).items() if c.startswith(code)]
            assert tuple(colsum(kids, i) for i in range(width)) == vals, (name, code)
    assert codes


def test_income_table(book):
    t2 = book.coded(2)
    assert_sums(t2, "表2")
    for code, vals in [*t2.by_code().items(), ("合计", t2.total)]:
        assert vals[0] == sum(vals[1:], ZERO), code
    left, _ = book.summary(1)
    fiscal = (
        left["一、一般公共预算财政拨款收入"]
        + left["二、政府性基金预算财政拨款收入"]
        + left["三、国有资本经营预算财政拨款收入"]
    )
    assert t2.total == (
        left["本年收入合计"],
        fiscal,
        left["四、上级补助收入"],
        left["五、事业收入"],
        left["六、经营收入"],
        left["七、附属单位上缴收入"],
        left["八、其他收入"],
    )


def test_expense_table(book):
    t3 = book.coded(3)
    assert_sums(t3, "表3")
    for code, vals in [*t3.by_code().items(), ("合计", t3.total)]:
        assert vals[0] == sum(vals[1:], ZERO), code
    _, right = book.summary(1)
    assert t3.total[0] == right["本年支出合计"][0]
    for code in CLASS_CODES:
        assert right[code][0] == t3.level(3).get(code, (ZERO,))[0], code
    assert t3.total[4] == ZERO  # 经营支出: the department has none


def test_summary_table(book):
    left, right = book.summary(1)
    sources = [k for k in left if k[1] == "、"]
    assert len(sources) == 8
    income = left["本年收入合计"]
    assert income == sum((left[k] for k in sources), ZERO)
    assert left["六、经营收入"] == ZERO
    grand = income + left["使用非财政拨款结余"] + left["年初结转和结余"]
    assert left["总计"] == grand
    expense = right["本年支出合计"][0]
    assert expense == sum((right[c][0] for c in CLASS_CODES), ZERO)
    assert right["总计"][0] == expense + right["结余分配"][0] + right["年末结转和结余"][0]
    assert right["总计"][0] == grand


def test_fiscal_summary_table(book):
    left1, _ = book.summary(1)
    left, right = book.summary(4)
    t5, t8, t9 = book.coded(5), book.coded(8), book.coded(9)
    gpb, fund, cap = (
        left["一、一般公共预算财政拨款"],
        left["二、政府性基金预算财政拨款"],
        left["三、国有资本经营预算财政拨款"],
    )
    assert (gpb, fund, cap) == (
        left1["一、一般公共预算财政拨款收入"],
        left1["二、政府性基金预算财政拨款收入"],
        left1["三、国有资本经营预算财政拨款收入"],
    )
    assert left["本年收入合计"] == gpb + fund + cap
    funds = (
        "一、一般公共预算财政拨款",
        "二、政府性基金预算财政拨款",
        "三、国有资本经营预算财政拨款",
    )
    opens = [left["年初" + k] for k in funds]
    assert left["年初财政拨款结转和结余"] == sum(opens, ZERO)
    assert left["总计"] == left["本年收入合计"] + left["年初财政拨款结转和结余"]
    assert right["总计"][0] == left["总计"]
    for label in ("本年支出合计", "年末财政拨款结转和结余", "总计", *CLASS_CODES):
        vals = right[label]
        assert vals[0] == vals[1] + vals[2] + vals[3], label
    for i in range(4):
        assert right["本年支出合计"][i] == sum((right[c][i] for c in CLASS_CODES), ZERO)
        assert right["总计"][i] == right["本年支出合计"][i] + right["年末财政拨款结转和结余"][i]
    # by fund: 总计 = 本年收入 + 年初, 年末 = 年初 + 收入 − 支出
    for i, (income, opening) in enumerate(zip((gpb, fund, cap), opens, strict=True), start=1):
        assert right["总计"][i] == income + opening
        assert right["年末财政拨款结转和结余"][i] == opening + income - right["本年支出合计"][i]
    # each 类 against 表5 (一般公共预算) and 表8/表9 (基金, 国有资本)
    for code in CLASS_CODES:
        assert right[code][1] == t5.level(3).get(code, (ZERO,))[0], code
        assert right[code][2] == t8.level(3).get(code, (ZERO,) * 6)[2], code
        assert right[code][3] == t9.level(3).get(code, (ZERO,) * 6)[2], code
    assert right["本年支出合计"][1] == t5.total[0]
    assert (fund, opens[1]) == (t8.total[1], t8.total[0])
    assert right["本年支出合计"][2] == t8.total[2]
    assert right["年末财政拨款结转和结余"][2] == t8.total[5]
    assert cap == opens[2] == right["本年支出合计"][3] == ZERO
    assert left1["年初结转和结余"] >= left["年初财政拨款结转和结余"]
    _, right1 = book.summary(1)
    assert right1["年末结转和结余"][0] >= right["年末财政拨款结转和结余"][0]


def test_gpb_table(book):
    t5, t3 = book.coded(5), book.coded(3)
    assert_sums(t5, "表5")
    for code, vals in [*t5.by_code().items(), ("合计", t5.total)]:
        assert vals[0] == vals[1] + vals[2], code
    all3 = t3.by_code()
    for code, vals in t5.by_code().items():  # 财政拨款 is part of all spending
        assert all(a <= b for a, b in zip(vals, all3[code][:3], strict=True)), code


def test_basic_expense_table(book):
    t = book.tables[TITLES[5]]
    amounts = {}
    for line in t.lines[:-1]:
        for col in (0, 3):
            if text(line[col]):
                amounts[text(line[col])] = money(line[col + 2])
            else:
                assert line[col + 2] is None
    for head in ("301", "302", "303", "310"):
        parts = [v for c, v in amounts.items() if len(c) == 5 and c.startswith(head)]
        assert amounts[head] == sum(parts, ZERO), head
    personnel, public = money(t.lines[-1][2]), money(t.lines[-1][5])
    assert personnel == amounts["301"] + amounts["303"]
    assert public == amounts["302"] + amounts["310"]
    assert personnel + public == book.coded(5).total[1]
    assert Decimal("0.40") <= personnel / (personnel + public) <= Decimal("0.60")
    # the 三公 决算数 are spent from 基本支出 here
    sg = sangong(book)
    assert (amounts["30212"], amounts["30217"]) == (sg["出国"][1], sg["接待"][1])
    assert (amounts["31013"], amounts["30231"]) == (sg["购置"][1], sg["运行"][1])


def sangong(book) -> dict[str, tuple[Decimal, Decimal]]:
    line = book.tables[TITLES[6]].lines[0]
    vals = [money(v) for v in line[:12]]
    keys = ("合计", "出国", "小计", "购置", "运行", "接待")
    return {k: (vals[2 * i], vals[2 * i + 1]) for i, k in enumerate(keys)}


def test_sangong_table(book):
    sg = sangong(book)
    for i in (0, 1):
        assert sg["小计"][i] == sg["购置"][i] + sg["运行"][i]
        assert sg["合计"][i] == sg["出国"][i] + sg["小计"][i] + sg["接待"][i]
    assert all(v > 0 for pair in sg.values() for v in pair)
    assert all(sg[k][1] < sg[k][0] for k in sg)  # 决算 under 预算 for every item


def test_government_fund_table(book):
    t8, t3 = book.coded(8), book.coded(3)
    assert_sums(t8, "表8")
    for code, v in [*t8.by_code().items(), ("合计", t8.total)]:
        opening, income, spent, basic, project, closing = v
        assert spent == basic + project, code
        assert closing == opening + income - spent, code
    all3 = t3.by_code()
    for code, v in t8.by_code().items():
        assert v[2] <= all3[code][0] and v[3] <= all3[code][1] and v[4] <= all3[code][2]
    assert t8.total[1] > 0 and t8.total[2] > 0


# --- figures --------------------------------------------------------------------------------


def test_figures_are_those_in_the_cells(book):
    f = fx.FIGURES
    left, right = book.summary(1)
    assert f["本年收入合计"] == left["本年收入合计"]
    assert f["本年支出合计"] == right["本年支出合计"][0]
    assert f["总计"] == left["总计"]
    left4, _ = book.summary(4)
    assert f["财政拨款收入"] == left4["本年收入合计"]
    assert f["财政拨款收入支出总计"] == left4["总计"]
    t5 = book.coded(5).total
    assert (
        f["一般公共预算财政拨款支出合计"],
        f["一般公共预算财政拨款基本支出"],
        f["一般公共预算财政拨款项目支出"],
    ) == t5
    names = dict(zip(f["三公"], ("合计", "出国", "小计", "购置", "运行", "接待"), strict=True))
    sg = sangong(book)
    for key, pair in f["三公"].items():
        assert (pair["预算数"], pair["决算数"]) == sg[names[key]]


def test_figures_are_plausible_and_not_round(book):
    f = fx.FIGURES
    assert Decimal(8000) <= f["总计"] <= Decimal(15000)
    cells = [v for t in book.tables.values() for line in t.lines for v in line]
    amounts = [money(v) for v in cells if isinstance(v, int | float)]
    whole_ones = [a for a in amounts if a == a.to_integral_value()]
    assert len(amounts) > 250 and len(whole_ones) <= 3


# --- supplementary sheets -------------------------------------------------------------------


def sheets_toml() -> list[dict]:
    return tomllib.loads((PROFILE / "sheets.toml").read_text(encoding="utf-8"))["sheet"]


def test_supplementary_sheets_as_the_profile_lists_them(book):
    from reportgen import schema  # labels of the built-in sheets only

    names = []
    for s in sheets_toml():
        if "use" in s:
            spec = schema.BY_NAME[s["use"]]
            names.append(spec.name)
            labels = [f.label for f in spec.fields if not f.legacy]
            if spec.kind == "units":
                head, _rows = listing(book.wb, spec.name)
                assert list(head) == labels
            else:
                assert list(kv(book.wb, spec.name)) == labels
            continue
        names.append(s["name"])
        labels = [f["label"] for f in s["fields"]]
        if s["kind"] == "budget":
            head, _rows = listing(book.wb, s["name"])
            assert list(head) == labels
        else:
            assert list(kv(book.wb, s["name"])) == labels, s["name"]
        unit = f"（金额单位：{s['unit']}）" if s.get("unit") else ""
        assert book.wb[s["name"]]["A1"].value == s["name"] + unit
    assert book.wb.sheetnames[9:] == names


def test_unit_info_and_units(book):
    info = kv(book.wb, "单位基本情况")
    assert (info["部门名称"], info["年度"], info["单位性质"]) == (DEPARTMENT, 2024, "行政单位")
    assert all(info[k] for k in ("主要职能", "机构设置"))
    assert "重点工作完成情况" not in info  # not part of the Shanghai document
    head, units = listing(book.wb, "决算单位构成")
    assert len(units) >= 3
    assert units[0] == (f"{DEPARTMENT}（本级）", "行政单位")
    natures = {"行政单位", "公益一类事业单位", "公益二类事业单位"}
    assert {n for _u, n in units} == natures


def test_project_budgets(book):
    head, rows = listing(book.wb, "项目预算")
    col = {h: i for i, h in enumerate(head)}
    t5, t8 = book.coded(5), book.coded(8)
    names = {c: n for c, n, _v in t5.rows + t8.rows}
    actual = {("一般公共预算", c): v[0] for c, v in t5.level(7).items()}
    actual |= {("政府性基金", c): v[2] for c, v in t8.level(7).items()}
    keys = [(r[col["资金性质"]], r[col["科目编码"]]) for r in rows]
    assert keys == sorted(actual, key=lambda k: (k[0] != "一般公共预算", k[1]))
    equal = 0
    for r in rows:
        key = (r[col["资金性质"]], r[col["科目编码"]])
        assert isinstance(r[col["科目编码"]], str) and len(key[1]) == 7
        assert r[col["科目名称"]] == names[key[1]]
        assert r[col["主要用于"]]
        budget = money(r[col["年初预算数"]])
        assert budget > 0 and r[col["调整预算数"]] is None
        reason = r[col["决算数与预算数差异原因"]]
        if budget == actual[key]:
            equal += 1
            assert reason is None, key
        else:
            assert reason, key
    assert equal == 1
    over = [k for k in keys if money(rows[keys.index(k)][col["年初预算数"]]) < actual[k]]
    assert over and len(over) < len(keys) - 1  # 决算 both above and below 预算


def test_prior_year_and_reasons(book):
    prior = kv(book.wb, "上年决算数")
    assert prior["本年新成立单位"] == "否"
    p = {k: money(v) for k, v in prior.items() if k != "本年新成立单位"}
    assert p["“三公”经费支出合计"] == (
        p["因公出国（境）费"] + p["公务用车购置及运行维护费"] + p["公务接待费"]
    )
    assert p["收入支出总计"] >= p["财政拨款收入支出总计"]
    left, _ = book.summary(1)
    left4, _ = book.summary(4)
    sg = sangong(book)
    now = {
        "收入支出总计": left["总计"],
        "财政拨款收入支出总计": left4["总计"],
        "一般公共预算财政拨款支出": book.coded(5).total[0],
        "“三公”经费支出合计": sg["合计"][1],
        "因公出国（境）费": sg["出国"][1],
        "公务用车购置及运行维护费": sg["小计"][1],
        "公务接待费": sg["接待"][1],
        "机关运行经费": money(kv(book.wb, "机关运行经费")["机关运行经费支出"]),
    }
    changes = {k: v - p[k] for k, v in now.items()}
    assert any(c > 0 for c in changes.values()) and any(c < 0 for c in changes.values())
    assert all(changes.values())
    reasons = kv(book.wb, "变动原因")
    assert all(reasons.values())


def test_sangong_extra_cars_and_assets(book):
    extra = kv(book.wb, "三公经费补充")
    sg = sangong(book)
    assert extra["因公出国（境）团组数"] > 0 and extra["因公出国（境）人次数"] >= 2
    assert extra["公务用车购置数"] >= 1
    assert 0 < money(extra["外宾接待支出"]) <= sg["接待"][1]
    assert extra["外宾接待批次"] <= extra["国内公务接待批次"]
    assert extra["外宾接待人次"] <= extra["国内公务接待人次"]
    assets = kv(book.wb, "国有资产")
    kinds = list(assets)[1:9]
    assert kinds[0] == "部级领导干部用车" and kinds[-1] == "其他用车"
    assert assets["车辆总数"] == sum(assets[k] for k in kinds)
    assert 0 < extra["公务用车保有量"] <= assets["车辆总数"]


def test_admin_cost_procurement_performance_glossary(book):
    admin = money(kv(book.wb, "机关运行经费")["机关运行经费支出"])
    t6 = book.tables[TITLES[5]]
    assert 0 < admin <= money(t6.lines[-1][5])
    buy = {k: money(v) for k, v in kv(book.wb, "政府采购").items()}
    bought = buy["政府采购货物支出"] + buy["政府采购工程支出"] + buy["政府采购服务支出"]
    assert buy["面向小微企业预留项目预算金额"] <= buy["面向中小企业预留项目预算金额"]
    assert buy["预留项目中小企业中标金额"] <= buy["面向中小企业预留项目预算金额"]
    assert buy["预留项目小微企业中标金额"] <= buy["面向小微企业预留项目预算金额"]
    assert buy["预留项目小微企业中标金额"] <= buy["预留项目中小企业中标金额"]
    assert buy["预留项目中小企业中标金额"] + buy["其他项目中小企业中标金额"] <= bought
    perf = kv(book.wb, "预算绩效管理")
    grades = ("评级为优的项目数", "评级为良的项目数", "评级为合格的项目数", "评级为不合格的项目数")
    assert sum(perf[k] for k in grades) == perf["绩效自评项目数"]
    assert perf["已完成整改问题数"] + perf["正在整改问题数"] == perf["绩效自评发现问题数"]
    assert perf["绩效跟踪评价项目数"] <= perf["编报绩效目标项目数"]
    assert money(perf["绩效跟踪评价涉及金额"]) <= money(perf["编报绩效目标涉及金额"])
    assert 0 < perf["绩效自评平均得分"] <= 100
    glossary = kv(book.wb, "名词解释补充")
    left, _ = book.summary(1)
    assert left["五、事业收入"] > 0 and glossary["事业收入主要内容"]
    assert left["六、经营收入"] == 0 and glossary["经营收入主要内容"] is None
    assert left["八、其他收入"] > 0 and glossary["其他收入主要内容"]
