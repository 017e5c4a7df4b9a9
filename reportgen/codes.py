"""The code tables: 支出功能分类科目 and 部门支出经济分类科目, bundled and user-extended.

Names printed in the document come from the table where the table is sure of them, so a
款 name can never drift from its code (seed 004 printed 住房保障支出（款） for 22102
住房改革支出). The table is not sure everywhere: each row names its ``source`` (keys
listed in ``data/SOURCES.md``), and rows written down without a published document to
check them against carry ``unverified``. Resolution therefore goes, for one code and
year:

1. a verified entry (bundled or from a user file) — the workbook's own name when it is
   one of the verified names, otherwise the first verified one;
2. the workbook's own name (registered by :func:`with_workbook_names` before rendering);
3. an unverified bundled entry.

So a code missing from the table prints as the workbook names it, everywhere (text,
名词解释, 附表), and the checks only warn (R50/R51 in ``checks.py``).

Extension without code: a CSV with the bundled columns (``code,name,explanation,
valid_from,valid_to,source``; only ``code`` and ``name`` are required) adds or corrects
entries; its rows take precedence over the bundled ones for the years they cover. The
kind follows from the code: 2… is 支出功能分类, 3… is 部门支出经济分类. Files come
from ``--codes`` (later files win) and from ``codes.csv`` in a wording pack folder.

The active table is a context variable: the pipeline sets it around reading, checking
and rendering one workbook (:func:`using`), so every module keeps calling
:func:`function` / :func:`economic` and a batch worker or web job sees only its own files.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path

from .findings import ERROR, Finding, InputError

FUNCTION, ECONOMIC = "function", "economic"
KIND_NAMES = {FUNCTION: "支出功能分类", ECONOMIC: "部门支出经济分类"}
COLUMNS = ("code", "name", "explanation", "valid_from", "valid_to", "source")
REQUIRED = ("code", "name")
#: ``source`` of rows written down without a document to check them against.
UNVERIFIED = "unverified"
#: ``source`` of the names a workbook gives to codes (fallback for rendering only).
WORKBOOK = "workbook"
#: Name of the file a wording pack folder may hold.
PACK_FILE = "codes.csv"
#: Largest accepted user file (a code table is a few hundred KiB at most).
MAX_FILE_BYTES = 5 * 1024 * 1024

#: Rules for a code file (``reportgen codes validate`` and ``--codes``).
CODE_FILE_RULES = {
    "CD-01": "科目表文件无法读取（不存在、过大，或不是 UTF-8/GB18030 编码的文本）",
    "CD-02": "科目表文件缺少必需的列 code、name，或有不认识的列",
    "CD-03": "科目编码格式错：功能分类为 2 开头的 3、5、7 位数字，经济分类为 3 开头的 3、5 位数字",
    "CD-04": "科目名称为空",
    "CD-05": "适用年度（valid_from、valid_to）不是四位年份，或起始年度晚于终止年度",
    "CD-06": "一行的列数多于表头",
}

_FUNCTION_CODE = re.compile(r"2\d{2}(?:\d{2}(?:\d{2})?)?")
_ECONOMIC_CODE = re.compile(r"3\d{2}(?:\d{2})?")
_YEAR = re.compile(r"\d{4}")


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    explanation: str = ""
    valid_from: int | None = None
    valid_to: int | None = None
    source: str = ""
    #: 0 bundled, 1… the user files in order: a higher layer hides lower ones where it applies
    layer: int = field(default=0, compare=False)

    def applies(self, year: int | None) -> bool:
        if year is None:
            return True
        return (self.valid_from is None or year >= self.valid_from) and (
            self.valid_to is None or year <= self.valid_to
        )

    @property
    def verified(self) -> bool:
        """Checked against a published table (bundled) or vouched for by a user file."""
        return bool(self.source) and self.source not in (UNVERIFIED, WORKBOOK)

    @property
    def kind(self) -> str:
        return kind_of(self.code) or ""

    def years(self) -> str:
        """The years the entry applies to, as Chinese text (for messages and listings)."""
        if self.valid_from and self.valid_to:
            return f"{self.valid_from}–{self.valid_to}年"
        if self.valid_from:
            return f"{self.valid_from}年起"
        if self.valid_to:
            return f"{self.valid_to}年及以前"
        return "各年度"


def kind_of(code: str) -> str | None:
    """function / economic from the code's form, None when it is neither."""
    if _FUNCTION_CODE.fullmatch(code):
        return FUNCTION
    if _ECONOMIC_CODE.fullmatch(code):
        return ECONOMIC
    return None


@dataclass(frozen=True)
class CodeTable:
    """Entries per kind and code, highest precedence first."""

    entries: dict[str, dict[str, tuple[Code, ...]]] = field(default_factory=dict)

    def _all(self, kind: str, code: str) -> tuple[Code, ...]:
        return self.entries.get(kind, {}).get(code, ())

    def get(
        self, kind: str, code: str, year: int | None = None, *, workbook: bool = True
    ) -> Code | None:
        """The entry to print for ``code`` in ``year`` (see the module docstring).

        ``workbook=False`` ignores the workbook's own names (what the checks compare with).
        """
        here = self._applying(kind, code, year)
        verified = [e for e in here if e.verified]
        given = None
        if workbook:
            given = next(
                (e for e in self._all(kind, code) if e.source == WORKBOOK and e.applies(year)), None
            )
        if given is not None:
            same = next((e for e in verified if e.name == given.name), None)
            if same is not None:
                return same
        if verified:
            return verified[0]
        if given is not None:
            # an unverified entry of the same name still lends its explanation
            same = next((e for e in here if e.source == UNVERIFIED and e.name == given.name), None)
            return same or given
        return here[0] if here else None

    def _applying(self, kind: str, code: str, year: int | None) -> list[Code]:
        """The table's entries for ``year`` from the highest layer that has one."""
        here = [e for e in self._all(kind, code) if e.applies(year) and e.source != WORKBOOK]
        top = max((e.layer for e in here), default=0)
        return [e for e in here if e.layer == top]

    def names(self, kind: str, code: str) -> set[str]:
        """Every name the table gives the code in any year (the workbook's excluded)."""
        return {e.name for e in self._all(kind, code) if e.source != WORKBOOK}

    def verified_names(self, kind: str, code: str, year: int | None) -> set[str]:
        """The names verified entries give the code in ``year`` (all are accepted)."""
        return {e.name for e in self._applying(kind, code, year) if e.verified}

    def known_years(self, kind: str, code: str) -> list[Code]:
        """The table's entries for the code in any year (to say when it applies)."""
        return [e for e in self._all(kind, code) if e.source != WORKBOOK]

    def codes(self, kind: str) -> list[str]:
        return sorted(self.entries.get(kind, {}))

    def overlay(self, extra: Iterable[Code], *, below: bool = False) -> CodeTable:
        """A table where ``extra`` comes before (or, ``below``, after) the present entries."""
        out = {k: dict(v) for k, v in self.entries.items()}
        added: dict[tuple[str, str], list[Code]] = {}
        for e in extra:
            added.setdefault((e.kind, e.code), []).append(e)
        for (kind, code), new in added.items():
            old = out.setdefault(kind, {}).get(code, ())
            out[kind][code] = (*old, *new) if below else (*new, *old)
        return CodeTable(out)


# --- reading CSV files ---------------------------------------------------------------


def _text(raw: bytes) -> str | None:
    """UTF-8 (with or without BOM, as Excel writes it), else GB18030 (Excel's 中文 CSV)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _problem(where: str, rule: str, message: str, found: str = "") -> Finding:
    return Finding(ERROR, rule, message, where, "", found)


def _year_of(text: str) -> int | None:
    return int(text) if _YEAR.fullmatch(text) else None


def parse_rows(text: str, label: str, default_source: str) -> tuple[list[Code], list[Finding]]:
    """Rows of a code CSV and the problems found, each naming ``label 第N行``."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], [_problem(f"{label} 第1行", "CD-02", "文件为空，缺少表头行 code,name。")]
    problems: list[Finding] = []
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"缺少必需的列 {'、'.join(missing)}")
        if unknown:
            parts.append(f"不认识的列 {'、'.join(unknown)}（可用的列：{','.join(COLUMNS)}）")
        problems.append(_problem(f"{label} 第1行", "CD-02", "；".join(parts) + "。"))
        return [], problems
    rows: list[Code] = []
    for values in reader:
        line = reader.line_num
        where = f"{label} 第{line}行"
        if not any(v.strip() for v in values):
            continue
        if len(values) > len(header):
            problems.append(
                _problem(where, "CD-06", f"有 {len(values)} 列，多于表头的 {len(header)} 列。")
            )
            continue
        row = dict(zip(header, (v.strip() for v in values), strict=False))
        entry, found = _entry(row, where, default_source)
        problems += found
        if entry is not None:
            rows.append(entry)
    return rows, problems


def _entry(row: dict[str, str], where: str, default_source: str) -> tuple[Code | None, list]:
    code, name = row.get("code", ""), row.get("name", "")
    problems = []
    if kind_of(code) is None:
        problems.append(
            _problem(
                where,
                "CD-03",
                f"科目编码“{code}”格式不对：支出功能分类为 2 开头的 3、5 或 7 位数字，"
                "部门支出经济分类为 3 开头的 3 或 5 位数字。",
                code,
            )
        )
    if not name:
        problems.append(_problem(where, "CD-04", f"科目编码“{code}”的名称为空。"))
    years = {}
    for col in ("valid_from", "valid_to"):
        text = row.get(col, "")
        years[col] = _year_of(text) if text else None
        if text and years[col] is None:
            problems.append(_problem(where, "CD-05", f"{col}“{text}”不是四位年份。", text))
    lo, hi = years["valid_from"], years["valid_to"]
    if lo and hi and lo > hi:
        problems.append(_problem(where, "CD-05", f"起始年度 {lo} 晚于终止年度 {hi}。"))
    if problems:
        return None, problems
    explanation = row.get("explanation", "")
    if not explanation and kind_of(code) == FUNCTION and len(code) == 7:
        explanation = explanation_for(name)
    return Code(code, name, explanation, lo, hi, row.get("source", "") or default_source), []


def read_file(path: Path) -> tuple[list[Code], list[Finding]]:
    """A user's code file: its entries (source defaults to the file's name) and problems."""
    path = Path(path)
    label = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return [], [_problem(label, "CD-01", "文件过大（超过 5 MB），不像科目表。")]
        raw = path.read_bytes()
    except OSError:
        return [], [_problem(label, "CD-01", "找不到或无法读取科目表文件。")]
    text = _text(raw)
    if text is None:
        return [], [_problem(label, "CD-01", "不是 UTF-8 或 GB18030 编码的 CSV 文本。")]
    return parse_rows(text, label, f"用户科目表 {label}")


class CodeFileError(InputError):
    """A user code file has errors (the findings name file and line)."""


@cache
def bundled() -> CodeTable:
    """The tables shipped in ``reportgen/data`` (see ``data/SOURCES.md``)."""
    entries: list[Code] = []
    for name in ("function_codes.csv", "economic_codes.csv"):
        text = resources.files("reportgen.data").joinpath(name).read_text(encoding="utf-8")
        rows, problems = parse_rows(text, name, UNVERIFIED)
        if problems:  # a packaging mistake, caught by the tests
            raise ValueError("; ".join(f.line() for f in problems))
        entries += rows
    return CodeTable().overlay(entries, below=True)


def load_table(files: Sequence[Path] = ()) -> CodeTable:
    """The bundled table with ``files`` on top (later files win); CodeFileError on errors."""
    table = bundled()
    problems: list[Finding] = []
    for layer, path in enumerate(files, 1):
        rows, found = read_file(Path(path))
        problems += found
        table = table.overlay(replace(e, layer=layer) for e in rows)
    if problems:
        raise CodeFileError(problems)
    return table


def pack_files(dirs: Sequence[Path]) -> list[Path]:
    """``codes.csv`` of a wording pack, base packs first (a child pack's entries win)."""
    return [d / PACK_FILE for d in reversed(list(dirs)) if (d / PACK_FILE).is_file()]


# --- the active table ---------------------------------------------------------------

_active: ContextVar[CodeTable | None] = ContextVar("reportgen_codes", default=None)


def active() -> CodeTable:
    return _active.get() or bundled()


@contextmanager
def using(table: CodeTable) -> Iterator[CodeTable]:
    """Make ``table`` the one every lookup in this context uses."""
    token = _active.set(table)
    try:
        yield table
    finally:
        _active.reset(token)


#: 科目说明 of the generic 项, the same under every 款.
GENERIC_EXPLANATIONS = {
    "行政运行": "反映行政单位（包括实行公务员管理的事业单位）的基本支出。",
    "一般行政管理事务": "反映行政单位（包括实行公务员管理的事业单位）未单独设置项级科目的其他项目支出。",
    "机关服务": "反映为行政单位（包括实行公务员管理的事业单位）提供后勤服务的各类后勤服务中心、"
    "医务室等附属事业单位的支出。",
    "事业运行": "反映事业单位的基本支出，不包括行政单位（包括实行公务员管理的事业单位）后勤服务中心、"
    "医务室等附属事业单位。",
}


def explanation_for(name: str) -> str:
    """The explanation 名词解释 gives a 项 the table does not know, as accountants word it."""
    if name in GENERIC_EXPLANATIONS:
        return GENERIC_EXPLANATIONS[name]
    if name.startswith("其他") and name.endswith("支出") and len(name) > 4:
        return f"反映除上述项目以外其他用于{name[2:-2]}方面的支出。"
    return f"反映{name}方面的支出。"


def with_workbook_names(report) -> CodeTable:
    """The active table plus the names the workbook gives its codes (lowest precedence)."""
    given: list[Code] = []
    seen: set[str] = set()
    for key in ("t03", "t02", "t05", "t07", "t08", "t06"):
        t = report.table(key)
        for row in t.rows if t else ():
            if row.name and row.code not in seen and kind_of(row.code):
                seen.add(row.code)
                given.append(_given(row.code, row.name))
    for b in report.budgets.values():
        if b.name and b.code not in seen and kind_of(b.code):
            seen.add(b.code)
            given.append(_given(b.code, b.name))
    return active().overlay(given, below=True)


def _given(code: str, name: str) -> Code:
    explanation = explanation_for(name) if kind_of(code) == FUNCTION and len(code) == 7 else ""
    return Code(code, name, explanation, source=WORKBOOK)


# --- lookups (the active table) -----------------------------------------------------


def function(code: str, year: int | None = None) -> Code | None:
    """The 功能分类 entry to print for ``code`` in ``year`` (None when unknown)."""
    return active().get(FUNCTION, code, year)


def economic(code: str, year: int | None = None) -> Code | None:
    """The 经济分类 entry to print for ``code`` in ``year`` (None when unknown)."""
    return active().get(ECONOMIC, code, year)


def function_names(code: str) -> set[str]:
    """Every name the code has carried in any year (to tell 'old name' from 'wrong')."""
    return active().names(FUNCTION, code)


def economic_names(code: str) -> set[str]:
    return active().names(ECONOMIC, code)


def function_code_for_name(name: str, level_len: int = 3) -> str | None:
    """The 类 code carrying ``name`` (公开01/04表 list classes by name only)."""
    table = active()
    for code in table.codes(FUNCTION):
        if len(code) == level_len and name in table.names(FUNCTION, code):
            return code
    return None


def economic_name_map(year: int | None = None) -> dict[str, str]:
    """code -> name for every 经济分类 code valid in ``year`` (for writing 公开06表)."""
    table = active()
    out = {}
    for code in table.codes(ECONOMIC):
        e = table.get(ECONOMIC, code, year)
        if e:
            out[code] = e.name
    return out


def function_path(code: str, year: int | None = None) -> list[Code]:
    """类, 款, 项 entries leading to ``code`` (shorter when a level is unknown)."""
    out = []
    for n in (3, 5, 7):
        if len(code) >= n:
            e = function(code[:n], year)
            if e:
                out.append(e)
    return out


# --- listing and searching (``reportgen codes``) ------------------------------------


def listing(
    table: CodeTable, kinds: Sequence[str] = (FUNCTION, ECONOMIC), year: int | None = None
) -> list[Code]:
    """Every entry in code order (with ``year``: the one that applies that year)."""
    out: list[Code] = []
    for kind in kinds:
        for code in table.codes(kind):
            if year is None:
                out += [e for e in table.known_years(kind, code)]
            else:
                e = table.get(kind, code, year, workbook=False)
                if e:
                    out.append(e)
    return out


def search(
    table: CodeTable,
    query: str,
    kinds: Sequence[str] = (FUNCTION, ECONOMIC),
    year: int | None = None,
) -> list[Code]:
    """Entries whose code starts with ``query`` (digits) or whose name contains it."""
    query = query.strip()
    if query.isdigit():
        return [e for e in listing(table, kinds, year) if e.code.startswith(query)]
    return [e for e in listing(table, kinds, year) if query in e.name]


def describe(e: Code) -> str:
    """One listing line: code, name, years, source (tab separated, for grep and Excel)."""
    return f"{e.code}\t{e.name}\t{e.years()}\t{e.source if e.verified else '未经核对'}"


__all__ = [
    "CODE_FILE_RULES",
    "Code",
    "CodeFileError",
    "CodeTable",
    "active",
    "bundled",
    "economic",
    "function",
    "load_table",
    "pack_files",
    "read_file",
    "using",
    "with_workbook_names",
]
