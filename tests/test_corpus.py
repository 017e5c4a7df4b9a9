"""The corpus (tests/corpus): realistic units unlike the bundled example, each checked and
built with the self-audit on, each document held to the rules of the project.

Every expected figure here is computed by this file from the unit's own amounts (the
workbook data the generator wrote), with its own Decimal arithmetic — never with the
product's functions — so a product that rounds, compares or words a figure wrongly fails:

- no sentence speaks about the tool or about missing input;
- figures are numbered 图1…图N without gaps, every "图N" reference exists, one picture
  per caption;
- every printed share ("X万元，占Y%") and completion rate ("完成…预算的Y%") is the half-up
  rounding of its exact ratio, and the amounts printed beside them are the unit's;
- every stated change ("增加/减少D万元") is the difference of the two printed 万元
  figures, direction word included, never 0.00; its rate the exact ratio, half-up;
- the pack's rounding note stands exactly in the sections whose printed parts do not add
  up to their printed whole, once, and nowhere else;
- the distinctive units say what a unit in their situation publishes.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import docx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus.catalogue import BY_KEY, CORPUS  # noqa: E402
from corpus.units import UnitSpec, make_unit, write_unit  # noqa: E402

import reportgen  # noqa: E402
from reportgen.findings import ERROR  # noqa: E402
from reportgen.workbook import WorkbookData  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
KEYS = [s.key for s in CORPUS]
ZERO = Decimal(0)
HUNDRED = Decimal(100)
#: phrases a published document never contains: the tool, its inputs, what is missing
TOOL_TALK = ("未提供", "从略", "不计算", "另行公开", "数据缺失", "reportgen", "模板", "工作簿")
INCOME_LABELS = {
    "gpb": "一般公共预算财政拨款收入",
    "gov_fund": "政府性基金预算财政拨款收入",
    "state_capital": "国有资本经营预算财政拨款收入",
    "superior": "上级补助收入",
    "business": "事业收入",
    "operating": "经营收入",
    "affiliated": "附属单位上缴收入",
    "other": "其他收入",
}
EXPENSE_LABELS = {
    "basic": "基本支出",
    "project": "项目支出",
    "to_superior": "上缴上级支出",
    "operating": "经营支出",
    "to_affiliated": "对附属单位补助支出",
}
SANGONG_LABELS = {
    "abroad": "因公出国（境）费",
    "car_total": "公务用车购置及运行维护费",
    "reception": "公务接待费",
}


# --- the test's own arithmetic ---------------------------------------------------------


def half_up(v: Decimal, places: int = 2) -> Decimal:
    return v.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def wan(yuan: Decimal) -> Decimal:
    """元 → the 万元 figure a reader sees (2 decimals, half-up)."""
    return half_up(yuan / 10000)


def percent(part: Decimal, whole: Decimal, places: int) -> Decimal:
    return half_up(part / whole * HUNDRED, places)


def fmt(v: Decimal, places: int = 2) -> str:
    return f"{v:.{places}f}"


def parts_disagree(whole: Decimal, parts) -> bool:
    """The printed parts (万元) do not add up to the printed whole."""
    return sum((wan(p) for p in parts), ZERO) != wan(whole)


def _listing(found: list) -> str:
    """Violations one per line, for the failure message."""
    return "\n".join(" | ".join(map(str, v)) if isinstance(v, tuple) else str(v) for v in found)


# --- the pack's settings, read from its pack.toml ----------------------------------------


def pack_setting(pack: str, key: str):
    """A setting of a wording pack, following ``extends`` (data, not product code)."""
    while pack:
        settings = tomllib.loads((ROOT / "templates" / pack / "pack.toml").read_text("utf-8"))
        if key in settings:
            return settings[key]
        pack = settings.get("extends", "")
    raise KeyError(key)


# --- a unit's figures, from its workbook data ---------------------------------------------


class Figures:
    """The amounts the unit's workbook holds (元), cell by cell as the tables print them."""

    def __init__(self, spec: UnitSpec, data: WorkbookData):
        self.spec, self.data = spec, data
        self.decimals = pack_setting(spec.pack, "percent_decimals")
        self.budget_label = pack_setting(spec.pack, "budget_label")
        self.note = pack_setting(spec.pack, "rounding_note")
        self.prior = data.kv["上年决算数"]

    def cell(self, v) -> Decimal:
        """An amount as its 公开表 cell holds it (a 万元 export rounds every cell)."""
        v = v or ZERO
        if self.data.unit == "万元" and self.data.style.decimals is not None:
            return half_up(v / 10000, self.data.style.decimals) * 10000
        return v

    def t01(self, key: str) -> Decimal:
        return self.cell(self.data.summary_items["t01"].get(key, {}).get("amount"))

    def t04(self, key: str, col: str = "amount") -> Decimal:
        return self.cell(self.data.summary_items["t04"].get(key, {}).get(col))

    def total(self, table: str, col: str) -> Decimal:
        return self.cell((self.data.coded[table].total or {}).get(col))

    def rows(self, table: str, level: int):
        """(code, name, values) of the rows of one level (3 类, 5 款, 7 项)."""
        return [r for r in self.data.coded[table].rows if len(r[0]) == level]

    def names(self, table: str) -> dict[str, str]:
        return {code: name for code, name, _v in self.data.coded[table].rows}

    def item_label(self, table: str, code: str) -> str:
        n = self.names(table)
        return f"{n[code[:3]]}（类）{n[code[:5]]}（款）{n[code]}（项）"

    def sangong(self, key: str, col: int = 1) -> Decimal:
        v = self.data.sangong.get(key, (None, None))[col]
        return self.cell(v) if not isinstance(v, int) else Decimal(v)

    def prior_of(self, label: str) -> Decimal | None:
        v = self.prior.get(label)
        return None if v is None else Decimal(v)

    # structures: (whole, {label: part}) -----------------------------------------------

    def income(self):
        parts = {lab: self.t01(k) for k, lab in INCOME_LABELS.items() if self.t01(k)}
        return self.t01("income_total"), parts

    def expense(self):
        parts = {lab: self.total("t03", k) for k, lab in EXPENSE_LABELS.items()}
        return self.t01("R:expense_total"), {k: v for k, v in parts.items() if v}

    def gpb_total(self) -> Decimal:
        return self.total("t05", "exp_total")

    def gpb_classes(self):
        parts = {name: self.cell(v.get("exp_total")) for _c, name, v in self.rows("t05", 3)}
        return self.gpb_total(), {k: v for k, v in parts.items() if v}

    def gpb_items(self) -> dict[str, tuple[str, Decimal, Decimal | None, str]]:
        """label -> (code, 决算数, 预算数 on the basis used, basis label) for every 项 spent."""
        budgets = {b[0]: b for b in self.data.budgets}
        out = {}
        for code, _name, v in self.rows("t05", 7):
            actual = self.cell(v.get("exp_total"))
            if not actual:
                continue
            b = budgets.get(code)
            initial, adjusted = (b[2], b[3]) if b else (None, None)
            budget = adjusted if adjusted is not None else initial
            label = self.budget_label if adjusted is not None else "年初预算"
            out[self.item_label("t05", code)] = (code, actual, budget, label)
        return out

    def sangong_parts(self):
        parts = {lab: self.sangong(k) for k, lab in SANGONG_LABELS.items() if self.sangong(k)}
        return self.sangong("sg_total"), parts

    def procurement(self) -> dict[str, Decimal]:
        f = self.data.kv.get("政府采购") or {}
        return {k: Decimal(v) for k, v in f.items() if isinstance(v, Decimal)}

    def fund_items(self):
        parts = {
            self.item_label("t07", code): self.cell(v.get("exp_total"))
            for code, _n, v in self.rows("t07", 7)
            if v.get("exp_total")
        }
        return self.total("t07", "exp_total"), parts

    def economic_items(self):
        personnel = [
            v for k, v in self.data.economic.items() if len(k) == 5 and k[:3] in ("301", "303")
        ]
        public = [
            v for k, v in self.data.economic.items() if len(k) == 5 and k[:3] not in ("301", "303")
        ]
        return [self.cell(v) for v in personnel], [self.cell(v) for v in public]

    # changes: subject -> (this year, last year) ----------------------------------------

    def changes(self) -> dict[str, tuple[Decimal, Decimal | None]]:
        p = self.prior_of
        car_prev = None
        if p("公务用车购置费") is not None or p("公务用车运行维护费") is not None:
            car_prev = (p("公务用车购置费") or ZERO) + (p("公务用车运行维护费") or ZERO)
        return {
            "收、支总计": (self.t01("grand_total"), p("收入总计")),
            "收入总计": (self.t01("grand_total"), p("收入总计")),
            "支出总计": (self.t01("R:grand_total"), p("支出总计")),
            "本年收入合计": (self.t01("income_total"), p("本年收入合计")),
            "本年支出合计": (self.t01("R:expense_total"), p("本年支出合计")),
            "财政拨款收、支总计": (self.t04("grand_total"), p("财政拨款收入总计")),
            "财政拨款收入总计": (self.t04("grand_total"), p("财政拨款收入总计")),
            "财政拨款支出总计": (self.t04("R:grand_total", "total"), p("财政拨款支出总计")),
            "一般公共预算财政拨款支出": (self.gpb_total(), p("一般公共预算财政拨款支出")),
            "基本支出": (self.total("t05", "exp_basic"), p("一般公共预算财政拨款基本支出")),
            "项目支出": (self.total("t05", "exp_project"), p("一般公共预算财政拨款项目支出")),
            "“三公”经费财政拨款支出": (self.sangong("sg_total"), p("“三公”经费支出合计")),
            "因公出国（境）费": (self.sangong("abroad"), p("因公出国（境）费")),
            "公务用车购置及运行维护费": (self.sangong("car_total"), car_prev),
            "公务用车购置费": (self.sangong("car_purchase"), p("公务用车购置费")),
            "公务用车运行维护费": (self.sangong("car_operation"), p("公务用车运行维护费")),
            "公务接待费": (self.sangong("reception"), p("公务接待费")),
            "机关运行经费": (self.sangong("admin_cost"), p("机关运行经费")),
        }

    def shares_disagree(self, whole: Decimal, parts) -> bool:
        parts = [v for v in parts if v]
        if not parts:
            return False
        pcts = sum((percent(v, whole, self.decimals) for v in parts), ZERO)
        return parts_disagree(whole, parts) or pcts != HUNDRED


# --- the built unit -------------------------------------------------------------------


#: paragraphs of a figure: its unit line and caption (the caption is checked on its own)
_NOT_TEXT = ("Caption", "Unit Line", "Figure")


@dataclass
class Para:
    text: str
    style: str
    part: str  # "第二部分"
    section: str  # "五" or "五（三）"


@dataclass
class Built:
    spec: UnitSpec
    data: WorkbookData
    figures: Figures
    findings: list = field(default_factory=list)
    paras: list[Para] = field(default_factory=list)
    pictures: int = 0
    problem: str = ""  # why the document could not be built

    def require_document(self) -> None:
        if self.problem:
            pytest.fail(f"{self.spec.key}: 文档未生成：{self.problem}")

    def part2(self) -> list[Para]:
        return [p for p in self.paras if p.part == "第二部分" and p.style not in _NOT_TEXT]

    def section(self, key: str) -> list[str]:
        return [
            p.text for p in self.part2() if p.section == key and not p.style.startswith("Heading")
        ]

    def under(self, h2: str) -> list[str]:
        """Body paragraphs of a whole 第二部分 section (its subsections included)."""
        return [
            p.text
            for p in self.part2()
            if (p.section == h2 or p.section.startswith(h2 + "（"))
            and not p.style.startswith("Heading")
        ]


def _read_document(path: Path) -> tuple[list[Para], int]:
    doc = docx.Document(str(path))
    paras, part, h2, h3 = [], "", "", ""
    for p in doc.paragraphs:
        style = p.style.name
        if style.lower().startswith("toc") or not p.text.strip():
            continue
        text = p.text
        if style == "Heading 1":
            part, h2, h3 = text.split(" ")[0], "", ""
        elif style == "Heading 2":
            h2, h3 = text.split("、")[0], ""
        elif style == "Heading 3" and part == "第二部分":
            m = re.match(r"（[一二三四五六七八九十]+）", text)
            h3 = m.group(0) if m else ""
        paras.append(Para(text, style, part, h2 + h3))
    return paras, len(doc.inline_shapes)


def _build(spec: UnitSpec, folder: Path) -> Built:
    data = make_unit(spec)
    path = write_unit(spec, folder / f"{spec.key}.xlsx")
    built = Built(spec, data, Figures(spec, data))
    _report, built.findings = reportgen.check(path)
    try:
        result = reportgen.build(path, folder / spec.key, template=spec.pack)
    except reportgen.InputError as exc:
        built.problem = "; ".join(
            f"{f.rule} {f.where} {f.message}" for f in exc.findings if f.severity == ERROR
        )
        return built
    except Exception as exc:  # noqa: BLE001 - the report names any failure of the build
        built.problem = f"{type(exc).__name__}: {exc}"
        return built
    built.paras, built.pictures = _read_document(result.path)
    return built


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """``corpus(key)``: the unit generated, checked and built, once per test module."""
    folder = tmp_path_factory.mktemp("corpus")
    cache: dict[str, Built] = {}

    def get(key: str) -> Built:
        if key not in cache:
            cache[key] = _build(BY_KEY[key], folder)
        return cache[key]

    return get


# --- the generator is right ------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_generated_unit_passes_every_rule(corpus, key):
    """The corpus itself is consistent: ``reportgen check`` finds no 错误."""
    errors = [f for f in corpus(key).findings if f.severity == ERROR]
    assert errors == []


def test_corpus_covers_the_cases():
    """At least 12 units, 30-万元 to 3-亿元, and each special case is present."""
    assert len(CORPUS) >= 12
    totals = {s.key: make_unit(s).summary_items["t01"]["grand_total"]["amount"] for s in CORPUS}
    assert min(totals.values()) < Decimal("350000") and max(totals.values()) > Decimal("300000000")
    assert BY_KEY["data_bureau_new"].prior is None
    assert len(BY_KEY["education_30_projects"].projects) == 30
    assert not any(ln.project for ln in BY_KEY["archives_no_project"].lines)
    assert not any(ln.gpb for ln in BY_KEY["land_fund_only"].lines)
    assert len({n for _u, n in BY_KEY["culture_mixed"].units}) > 1


# --- the document ------------------------------------------------------------------------


@pytest.mark.parametrize("key", KEYS)
def test_builds_with_self_audit(corpus, key):
    corpus(key).require_document()


@pytest.mark.parametrize("key", KEYS)
def test_no_text_about_the_tool(corpus, key):
    u = corpus(key)
    u.require_document()
    said = [(w, p.text) for p in u.paras for w in TOOL_TALK if w in p.text]
    assert not said, _listing(said)


@pytest.mark.parametrize("key", KEYS)
def test_figures_numbered_without_gaps(corpus, key):
    u = corpus(key)
    u.require_document()
    captions = [p.text for p in u.paras if p.style == "Caption"]
    numbers = [int(re.match(r"图(\d+)", c).group(1)) for c in captions]
    assert numbers == list(range(1, len(captions) + 1)), _listing(captions)
    cited = {
        int(n) for p in u.paras if p.style != "Caption" for n in re.findall(r"图(\d+)", p.text)
    }
    assert cited <= set(numbers), f"引用了不存在的图：{sorted(cited - set(numbers))}"
    assert u.pictures == len(captions), f"图片{u.pictures}张，图题{len(captions)}个"


_SHARE = re.compile(
    r"([^，。；：、]*?)(\d+\.\d{2})万元，占(本年支出合计的|政府采购支出总额的)?(\d+(?:\.\d+)?)%"
)
_ANY_SHARE = re.compile(r"占[^，。；%]*?\d+(?:\.\d+)?%")


def _share_expectations(f: Figures) -> dict[str, tuple[Decimal, dict[str, Decimal], str]]:
    """section -> (whole, {label: part}, the words before the percent)."""
    proc = f.procurement()
    total = sum(
        (proc.get(k, ZERO) for k in ("政府采购货物支出", "政府采购工程支出", "政府采购服务支出")),
        ZERO,
    )
    return {
        "二": (*f.income(), ""),
        "三": (*f.expense(), ""),
        "五（一）": (
            f.t01("R:expense_total"),
            {"一般公共预算财政拨款支出": f.gpb_total()},
            "本年支出合计的",
        ),
        "五（二）": (*f.gpb_classes(), ""),
        "七（二）": (*f.sangong_parts(), ""),
        "十（二）": (
            total,
            {
                "授予中小企业合同金额": proc.get("授予中小企业合同金额", ZERO),
                "授予小微企业合同金额": proc.get("其中：授予小微企业合同金额", ZERO),
            },
            "政府采购支出总额的",
        ),
    }


def _share_label(raw: str) -> str:
    label = re.sub(r"^\d{4}年度", "", raw)
    return label.removesuffix("支出决算")


@pytest.mark.parametrize("key", KEYS)
def test_every_share_is_its_exact_ratio_half_up(corpus, key):
    """ "X万元，占Y%": X is the unit's amount, Y the half-up of X's exact share of its whole;
    every share the text prints is one the test can verify, and every part is printed."""
    u = corpus(key)
    u.require_document()
    f = u.figures
    expected = _share_expectations(f)
    wrong, seen = [], {k: set() for k in expected}
    for p in u.part2():
        found = list(_SHARE.finditer(p.text))
        if len(found) != len(_ANY_SHARE.findall(p.text)):
            wrong.append(("无法核对的占比", p.section, p.text))
        for m in found:
            raw, amount, of, pct = m.groups()
            if p.section not in expected:
                wrong.append(("不在预期位置的占比", p.section, m.group(0)))
                continue
            whole, parts, words = expected[p.section]
            label = _share_label(raw)
            if label not in parts or (of or "") != words:
                wrong.append(("未知的占比", p.section, m.group(0)))
                continue
            seen[p.section].add(label)
            want = fmt(percent(parts[label], whole, f.decimals), f.decimals)
            if amount != fmt(wan(parts[label])) or pct != want:
                wrong.append(
                    (p.section, m.group(0), f"应为 {label}{fmt(wan(parts[label]))}万元，占{want}%")
                )
    for section, (whole, parts, _w) in expected.items():
        missing = {k for k, v in parts.items() if v} - seen[section]
        if whole and missing:
            wrong.append(("未印出的占比", section, sorted(missing)))
    assert not wrong, _listing(wrong)


_RATE = re.compile(r"完成([^，。；\d]*?预算)的?(\d+(?:\.\d+)?)%")
_BUDGET = re.compile(r"(年初预算|调整预算|全年预算|预算)(?:数)?为(\d+\.\d{2})万元")
_ACTUAL = re.compile(r"支出决算为(\d+\.\d{2})万元")


def _rate_cases(u: Built) -> list[tuple[str, Decimal, Decimal | None, str | None]]:
    """(paragraph, 决算数, 预算数, budget label or None for any) of each paragraph of 五（三）
    and 七 that states a completion rate, in order."""
    f = u.figures
    items = f.gpb_items()
    cases = []
    g = u.section("五（三）")
    if g:
        labels = {it[3] for it in items.values()}
        total_budget = sum((it[2] or ZERO for it in items.values()), ZERO)
        total_label = labels.pop() if len(labels) == 1 else None
        cases.append((g[0], f.gpb_total(), total_budget, total_label))
        for text in g[1:]:
            m = re.match(r"\d+\.(.+?)：", text)
            it = items.get(m.group(1)) if m else None
            if it is None:
                cases.append((text, ZERO, None, "未知的项"))
            else:
                cases.append((text, it[1], it[2], it[3]))
    for text in u.section("七（一）"):
        cases.append((text, f.sangong("sg_total"), f.sangong("sg_total", 0), None))
    for text in u.section("七（二）"):
        m = re.match(r"([123])\.", text)
        if m:
            key = ("abroad", "car_total", "reception")[int(m.group(1)) - 1]
            cases.append((text, f.sangong(key), f.sangong(key, 0), None))
    return cases


@pytest.mark.parametrize("key", KEYS)
def test_every_completion_rate_is_its_exact_ratio_half_up(corpus, key):
    """ "预算为B万元，支出决算为A万元，完成…预算的Y%": B and A the unit's, Y = A / B half-up;
    五（三） names the budget that was supplied (年初预算 when only that was) and prints
    the budget amount for the total and for each 项."""
    u = corpus(key)
    u.require_document()
    f = u.figures
    wrong = []
    checked = set()
    for text, actual, budget, label in _rate_cases(u):
        rates = _RATE.findall(text)
        if label == "未知的项":
            wrong.append(("五（三）中无法对应到科目的一段", text))
            continue
        in_items = text in u.section("五（三）")
        if in_items and budget and not (rates and _BUDGET.search(text)):
            wrong.append(("五（三）未写出预算数与完成率", text))
        for name, pct in rates:
            checked.add(text)
            if not budget:
                wrong.append(("无预算却写出完成率", text))
                continue
            want = fmt(percent(actual, budget, f.decimals), f.decimals)
            if pct != want:
                wrong.append((text, f"完成率应为{want}%"))
            if label and name != label:
                wrong.append((text, f"预算口径应为“{label}”，实为“{name}”"))
        b = _BUDGET.search(text)
        if b and budget and b.group(2) != fmt(wan(budget)):
            wrong.append((text, f"预算数应为{fmt(wan(budget))}万元"))
        a = _ACTUAL.search(text)
        if a and a.group(1) != fmt(wan(actual)):
            wrong.append((text, f"决算数应为{fmt(wan(actual))}万元"))
    items = u.section("五（三）")[1:]
    if len(items) != len(f.gpb_items()):
        wrong.append(("五（三）各项段数", len(items), f"应为{len(f.gpb_items())}"))
    stray = [
        ("无法核对的完成率", p.text)
        for p in u.part2()
        if _RATE.search(p.text) and p.text not in checked
    ]
    assert not wrong and not stray, _listing(wrong + stray)


_CHANGE = re.compile(r"(增加|减少)(\d+\.\d{2})万元(?:，(增长|下降)(\d+(?:\.\d+)?)%)?")
#: the subject of a change sentence when its clause has none ("…支出X万元，比2022年度增加…")
_SECTION_SUBJECT = {"十（一）": "机关运行经费"}


def _subject(text: str, start: int, section: str) -> str:
    clause = re.split(r"[，。；：]", text[:start])[-1]
    clause = re.sub(r"^(与\d{4}年度相比|主要(变动)?原因是)", "", clause)
    clause = re.sub(r"(支出决算)?(比|较)(\d{4}年度|上年)$", "", clause)
    return clause or _SECTION_SUBJECT.get(section, "")


@pytest.mark.parametrize("key", KEYS)
def test_every_change_is_the_difference_of_printed_figures(corpus, key):
    """ "增加/减少D万元，增长/下降R%": D = printed this year − printed last year (each half-up
    to 2 decimals), the word by its sign, never 0.00; R = |exact change| / last year, half-up."""
    u = corpus(key)
    u.require_document()
    f = u.figures
    pairs = f.changes()
    wrong, verified = [], set()
    for p in u.part2():
        if re.search(r"(增加|减少)0\.00万元", p.text):
            wrong.append(("零变动写作增减", p.text))
        for m in _CHANGE.finditer(p.text):
            word, diff, rate_word, rate = m.groups()
            subject = _subject(p.text, m.start(), p.section)
            if subject not in pairs or pairs[subject][1] is None:
                wrong.append(("无法核对的变动", p.section, subject, m.group(0)))
                continue
            now, before = pairs[subject]
            verified.add(p.section)
            printed = wan(now) - wan(before)
            want_word = "增加" if printed > 0 else "减少"
            if word != want_word or diff != fmt(abs(printed)):
                wrong.append((subject, m.group(0), f"应为{want_word}{fmt(abs(printed))}万元"))
            if rate is not None:
                want_rate = fmt(percent(abs(now - before), before, f.decimals), f.decimals)
                want_rw = "增长" if now > before else "下降"
                if (rate_word, rate) != (want_rw, want_rate):
                    wrong.append((subject, m.group(0), f"应为{want_rw}{want_rate}%"))
    if u.spec.prior is not None:  # 一, 四 and 五（一） compare with last year
        compared = {"一", "四", "五（一）"} if f.gpb_total() else {"一", "四"}
        wrong += [("未写出与上年的比较", s) for s in sorted(compared - verified)]
    assert not wrong, _listing(wrong)


def _gap(what: str, whole: Decimal, parts) -> list[str]:
    """Why the printed parts of ``what`` do not add up (empty when they do)."""
    parts = [v for v in parts if v]
    printed = sum((wan(v) for v in parts), ZERO)
    return (
        [f"{what}：各分项之和{fmt(printed)}≠合计{fmt(wan(whole))}"]
        if parts and printed != wan(whole)
        else []
    )


def _share_gap(f: Figures, what: str, structure) -> list[str]:
    whole, parts = structure
    values = [v for v in parts.values() if v]
    pcts = sum((percent(v, whole, f.decimals) for v in values), ZERO)
    why = _gap(what, whole, values)
    if values and pcts != HUNDRED:
        why.append(f"{what}：各占比之和{fmt(pcts, f.decimals)}%≠100%")
    return why


def _rounding_places(u: Built) -> dict[str, list[str]]:
    """section -> why its printed parts do not add up to their printed whole (the test adds
    the printed figures itself); an empty list where they do."""
    f, data = u.figures, u.data
    out: dict[str, list[str]] = {}
    out["二"] = _share_gap(f, "本年收入", f.income())
    out["三"] = _share_gap(f, "本年支出", f.expense())
    out["五（二）"] = _share_gap(f, "一般公共预算财政拨款支出（类）", f.gpb_classes())
    items = list(f.gpb_items().values())
    budgets = [it[2] for it in items if it[2] is not None]
    out["五（三）"] = _gap("各项决算数", f.gpb_total(), [it[1] for it in items])
    if items and len(budgets) == len(items):
        out["五（三）"] += _gap("各项预算数", sum(budgets, ZERO), budgets)
    text51 = " ".join(u.section("五（一）"))
    if "基本支出较上年" in text51 and "项目支出比上年" in text51:  # the 2023 pack lists both
        ch = f.changes()
        d = {
            k: wan(ch[k][0]) - wan(ch[k][1])
            for k in ("一般公共预算财政拨款支出", "基本支出", "项目支出")
        }
        if d["基本支出"] + d["项目支出"] != d["一般公共预算财政拨款支出"]:
            out["五（一）"] = [
                f"基本支出与项目支出的变动之和{fmt(d['基本支出'] + d['项目支出'])}≠{fmt(d['一般公共预算财政拨款支出'])}"
            ]
    personnel, public = f.economic_items()
    basic = f.total("t05", "exp_basic")
    pt, bt = f.cell(data.personnel_total), f.cell(data.public_total)
    out["六"] = _gap("人员经费与公用经费", basic, [pt, bt]) + _gap("人员经费", pt, personnel)
    out["六"] += _gap("公用经费", bt, public)
    out["七（二）"] = []
    if f.sangong("sg_total"):
        out["七（二）"] = _share_gap(f, "“三公”经费", f.sangong_parts())
        out["七（二）"] += _gap(
            "公务用车",
            f.sangong("car_total"),
            [f.sangong("car_purchase"), f.sangong("car_operation")],
        )
        out["七（二）"] += _gap(
            "公务接待",
            f.sangong("reception"),
            [f.sangong("reception_domestic"), f.sangong("reception_abroad")],
        )
    out["八"] = _gap("政府性基金各项", *_values(f.fund_items()))
    proc = f.procurement()
    three = [
        proc.get(k, ZERO) for k in ("政府采购货物支出", "政府采购工程支出", "政府采购服务支出")
    ]
    out["十（二）"] = _gap("政府采购", sum(three, ZERO), three)
    return out


def _values(structure):
    whole, parts = structure
    return whole, list(parts.values())


@pytest.mark.parametrize("key", KEYS)
def test_rounding_note_exactly_where_parts_disagree(corpus, key):
    """The pack's rounding note once in each section whose printed parts do not add up to
    the printed whole, and in no other section (and never outside 第二部分)."""
    u = corpus(key)
    u.require_document()
    note = u.figures.note
    places = _rounding_places(u)
    sections = {p.section for p in u.part2()} | set(places)
    wrong = []
    for s in sorted(sections):
        count = sum(p.text.count(note) for p in u.part2() if p.section == s)
        why = places.get(s, [])
        if count != (1 if why else 0):
            wrong.append((s, f"尾差说明{count}次", "；".join(why) or "各分项与合计相符"))
    elsewhere = [p.text for p in u.paras if p.part != "第二部分" and note in p.text]
    assert not wrong and not elsewhere, _listing(wrong + elsewhere)


# --- distinctive units -------------------------------------------------------------------


def test_new_unit_says_once_it_was_founded_and_compares_nothing(corpus):
    u = corpus("data_bureau_new")
    u.require_document()
    s, f = u.spec, u.figures
    founded = f"{s.department}为{s.year}年新成立单位，无上年决算数，本年收支不作上年对比。"
    assert [p.text for p in u.paras if "新成立" in p.text] == [
        f"{s.year}年度收、支总计均为{fmt(wan(f.t01('grand_total')))}万元。{founded}"
    ]
    text = " ".join(p.text.replace(founded, "") for p in u.part2())
    assert re.findall(r"上年|上一年|与\d{4}年度相比|比\d{4}年度", text) == []
    assert [p.text for p in u.paras if p.style == "Caption" and "变动情况" in p.text] == []


def test_institution_income_and_expense_shares(corpus):
    """事业单位 with 事业收入, 经营收入 and 经营支出: 二 and 三 list every source and use with its
    share of the whole, in the order of 公开01表."""
    u = corpus("agri_institute")
    u.require_document()
    f, y = u.figures, u.spec.year
    note = f.note
    for section, (whole, parts), head in (
        ("二", f.income(), "本年收入合计"),
        ("三", f.expense(), "本年支出合计"),
    ):
        listed = "；".join(
            f"{label}{fmt(wan(v))}万元，占{fmt(percent(v, whole, f.decimals), f.decimals)}%"
            for label, v in parts.items()
        )
        tail = note if f.shares_disagree(whole, list(parts.values())) else ""
        assert u.section(section) == [f"{y}年度{head}{fmt(wan(whole))}万元，其中：{listed}。{tail}"]
    assert {"事业收入", "经营收入", "其他收入"} <= set(f.income()[1])
    assert "经营支出" in f.expense()[1]


def test_all_zero_sangong_sentences(corpus):
    """No 三公 budget and no 三公 spending, this year or last: the sentences such a unit
    publishes, no 图 for an empty structure."""
    u = corpus("quake_zero_sangong")
    u.require_document()
    y, py = u.spec.year, u.spec.year - 1
    assert u.section("七（一）") == [
        f"{y}年度本部门未安排“三公”经费财政拨款预算，也未发生“三公”经费财政拨款支出。"
        f"与{py}年度相比，“三公”经费财政拨款支出与上年一致，均为零。"
    ]
    assert u.section("七（二）") == [
        f"{y}年度因公出国（境）费、公务用车购置及运行维护费、公务接待费支出决算均为零。",
        "1.因公出国（境）费支出为零，未安排预算。因公出国（境）费支出决算与上年一致，均为零。"
        "全年未安排因公出国（境）团组。",
        "2.公务用车购置及运行维护费支出为零，未安排预算。公务用车购置及运行维护费支出决算与上年一致，均为零。",
        f"其中：公务用车购置费为零，本年度未购置公务用车。公务用车运行维护费为零。截至{y}年12月31日，"
        "单位共有公务用车0辆。",
        "3.公务接待费支出为零，未安排预算。公务接待费支出决算与上年一致，均为零。全年未发生公务接待。",
    ]
    assert not any("三公" in p.text for p in u.paras if p.style == "Caption")


def test_fund_only_unit_has_no_general_budget_sections(corpus):
    """Every 元 from 政府性基金: 五 and 六 say there is no 一般公共预算 spending, 八 lists the
    fund's 项 (in 万元, the unit's figures)."""
    u = corpus("land_fund_only")
    u.require_document()
    f, y = u.figures, u.spec.year
    assert u.under("五") == [f"{y}年度本部门无一般公共预算财政拨款支出。"]
    assert u.under("六") == [f"{y}年度本部门无一般公共预算财政拨款基本支出。"]
    whole, items = f.fund_items()
    listed = "；".join(f"{label}{fmt(wan(v))}万元" for label, v in items.items())
    tail = f.note if parts_disagree(whole, list(items.values())) else ""
    assert u.under("八") == [
        f"{y}年度政府性基金预算财政拨款支出{fmt(wan(whole))}万元，主要用于：{listed}。{tail}"
    ]


def test_mixed_department_lists_each_unit_with_its_nature(corpus):
    u = corpus("culture_mixed")
    u.require_document()
    part1 = [p.text for p in u.paras if p.part == "第一部分"]
    for i, (name, nature) in enumerate(u.spec.units, 1):
        assert f"{i}.{name}（{nature}）" in part1
    admin = fmt(wan(u.figures.sangong("admin_cost")))
    assert any(
        t.startswith(f"{u.spec.year}年度，{u.spec.department}机关运行经费支出{admin}万元")
        for t in u.section("十（一）")
    )


def test_institution_says_admin_cost_does_not_apply(corpus):
    u = corpus("quake_zero_sangong")
    u.require_document()
    assert u.section("十（一）") == [
        f"{u.spec.department}单位性质为{u.spec.nature}，不适用机关运行经费情况说明。"
    ]


def test_unit_without_projects_performance_paragraph(corpus):
    """No 项目 at all: 十（四） reads as a sentence (no dangling “同时”), mentions no
    项目支出绩效自评, and 第四部分 carries no 项目支出绩效自评表."""
    u = corpus("archives_no_project")
    u.require_document()
    name = u.spec.department
    text = "".join(u.section("十（四）"))
    assert f"{name}同时" not in text
    assert "项目支出绩效自评" not in text
    assert not any("项目支出绩效自评表" in p.text for p in u.paras if p.part == "第四部分")


def test_thirty_projects_each_have_their_self_evaluation_table(corpus):
    """30 项目支出绩效自评表 in 公开12表: 第四部分 prints each one, 十（四） counts them."""
    u = corpus("education_30_projects")
    u.require_document()
    names = [name for _code, name in u.spec.projects]
    headings = [p.text for p in u.paras if p.part == "第四部分" and p.style == "Heading 4"]
    assert headings == [f"{i}.{name}" for i, name in enumerate(names, 1)]
    assert any(f"对{len(names)}个项目开展了项目支出绩效自评" in t for t in u.section("十（四）"))


def test_state_capital_section_prints_the_capital_budget_spending(corpus):
    """国有资本经营预算 (公开08表): 九 states the unit's own 本年支出."""
    u = corpus("sasac_capital")
    u.require_document()
    spent = fmt(wan(u.figures.total("t08", "exp_total")))
    text = u.under("九")
    assert text and text[0].startswith(f"{u.spec.year}年度国有资本经营预算财政拨款支出{spent}万元")
