"""The difference between two versions of a unit's document: sentences, figures, findings.

A reviewer who returned a document wants to see what the unit changed, and a unit wants
to see what its edit did to the text: which sentences of which section were added,
removed or reworded, which figures in them moved ("124.63万元" → "125.63万元"), which
cells of the 附表 (公开表 / 表1–9) changed, and which findings were added or resolved.

Both documents are read as reportgen wrote them: a section is what follows a heading
(Heading 1–4: 第一部分, 一、, （一）, 1.), its sentences end with 。 or ；, and a 附表 is the
table after a "Table Title" paragraph (see ``reportgen.document``), its header rows those
Word repeats on each page. Sections and sentences are aligned with difflib, so a sentence
inserted in the middle shows as one addition, not as every later sentence changed.
"""

from __future__ import annotations

import difflib
import re
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from markupsafe import Markup

#: paragraph styles of reportgen's documents (reportgen.document), by their names in
#: styles.xml compared in lower case (Word stores the built-in ones as "heading 1")
HEADING_PREFIX = "heading "
TABLE_TITLE, TABLE_META = "table title", "table meta"
#: paragraphs that are not the document's text: the 目录 ("toc 1", "TOC Title")
_SKIPPED_STYLES = ("toc",)

#: a figure with its unit as the documents print it: 2,043.42万元, 10.08%, 3051人次
FIGURE = re.compile(
    r"[-−]?\d[\d,]*(?:\.\d+)?"
    r"(?:万元|亿元|元|%|％|个百分点|人次|批次|台（套）|个|辆|人|次|项|台|套|家|分|年度|年|月|日)?"
)
#: an amount, a percent or a placeholder dash as a 附表 cell holds it (not a code: no
#: decimals, no separators) — what tells a value column from a label column
_TABLE_VALUE = re.compile(r"^(?:[-−]?[\d,]*\d\.\d+%?|[-−]?\d{1,3}(?:,\d{3})+|—|-)$")
_SENTENCE_END = re.compile(r"(?<=[。；;！？])")
#: a 附表 header row of column numbers (栏次 1, 2, …) says nothing about a column
_NUMBERING_HEAD = "栏次"
#: a column of row numbers (行次) is no part of a row's label
_ROW_NUMBER_HEAD = "行次"
#: sentences less alike than this are an addition and a removal, not a change
PAIRING_RATIO = 0.5


@dataclass(frozen=True)
class Segment:
    """A piece of a sentence: unchanged, deleted or inserted; ``figure`` when it is one."""

    op: str  # "equal" | "delete" | "insert"
    text: str
    figure: bool = False


@dataclass(frozen=True)
class FigureChange:
    old: str  # "" when the figure is new
    new: str  # "" when it is gone


@dataclass(frozen=True)
class SentenceChange:
    kind: str  # "added" | "removed" | "changed"
    old: str
    new: str
    segments: tuple[Segment, ...] = ()
    figures: tuple[FigureChange, ...] = ()
    heading: bool = False  # the section's heading itself was reworded


@dataclass(frozen=True)
class SectionDiff:
    path: tuple[str, ...]  # the headings down to the section (of the new version); () 封面
    changes: tuple[SentenceChange, ...]

    @property
    def title(self) -> str:
        return " › ".join(self.path) or "封面"


@dataclass(frozen=True)
class CellChange:
    table: str  # the 附表's title
    row: str  # the row's label ("2013701 行政运行", "（一）支出合计")
    column: str  # the column's heads, outermost first ("收入／金额")
    old: str
    new: str


@dataclass(frozen=True)
class FindingRef:
    severity: str
    rule: str
    where: str
    message: str


@dataclass(frozen=True)
class VersionDiff:
    sections: tuple[SectionDiff, ...] = ()
    cells: tuple[CellChange, ...] = ()
    findings_added: tuple[FindingRef, ...] = ()
    findings_resolved: tuple[FindingRef, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.sections or self.cells or self.findings_added or self.findings_resolved)


# --- reading a document ----------------------------------------------------------------


@dataclass
class _Section:
    level: int
    heading: str
    path: tuple[str, ...]
    sentences: list[str] = field(default_factory=list)


@dataclass
class _Table:
    title: str
    rows: list[list[str]]
    header_rows: int


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _read(path: Path) -> tuple[list[_Section], list[_Table]]:
    """The document's sections (with their sentences) and its 附表, in order.

    Read from the package's XML with lxml: python-docx resolves every paragraph's style
    and every table cell afresh, which made one document take over a second."""
    body, styles = _body_and_styles(path)
    sections = [_Section(0, "", ())]
    tables: list[_Table] = []
    stack: list[tuple[int, str]] = []  # the headings open at this point, outermost first
    title, last_style = None, ""
    for el in body.iterchildren(_W + "p", _W + "tbl"):
        if el.tag == _W + "tbl":
            if title is not None and last_style in (TABLE_TITLE, TABLE_META):
                tables.append(_table(el, title))
            title, last_style = None, ""
            continue
        style = _style_name(el, styles)
        if style.startswith(_SKIPPED_STYLES):
            continue
        text = _text(el).strip()
        if style.startswith(HEADING_PREFIX) and style[len(HEADING_PREFIX) :].isdigit():
            level = int(style[len(HEADING_PREFIX) :])
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, text))
            sections.append(_Section(level, text, tuple(h for _, h in stack)))
        elif text:
            sections[-1].sentences += split_sentences(text)
        if style == TABLE_TITLE:
            title = text
        if text or style in (TABLE_TITLE, TABLE_META):
            last_style = style
    return [s for s in sections if s.level or s.sentences], tables


def _body_and_styles(path: Path):
    """The document body and the paragraph style names (lower case) by id ("": the
    default style's)."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    with zipfile.ZipFile(path) as zf:
        doc = etree.fromstring(zf.read("word/document.xml"), parser)
        styles_xml = etree.fromstring(zf.read("word/styles.xml"), parser)
    names: dict[str, str] = {}
    for st in styles_xml.iterchildren(_W + "style"):
        if st.get(_W + "type") != "paragraph":
            continue
        name = st.find(_W + "name")
        text = name.get(_W + "val", "") if name is not None else ""
        names[st.get(_W + "styleId", "")] = text.lower()
        if st.get(_W + "default") in ("1", "true"):
            names[""] = names[st.get(_W + "styleId", "")]
    return doc.find(_W + "body"), names


def _style_name(p, styles: dict[str, str]) -> str:
    ppr = p.find(_W + "pPr")
    ps = ppr.find(_W + "pStyle") if ppr is not None else None
    sid = ps.get(_W + "val", "") if ps is not None else ""
    return styles.get(sid, styles.get("", ""))


def _text(p) -> str:
    """A paragraph's text as Word shows it: runs' texts, tabs and line breaks."""
    out = []
    for r in p.iter(_W + "r"):
        for child in r:
            if child.tag == _W + "t":
                out.append(child.text or "")
            elif child.tag == _W + "tab":
                out.append("\t")
            elif child.tag in (_W + "br", _W + "cr"):
                out.append("\n")
    return "".join(out)


def _table(tbl, title: str) -> _Table:
    """The table as a grid of texts: a merged cell's text in every column and row it
    spans (as Word draws it); the leading rows Word repeats on each page are its head."""
    rows: list[list[str]] = []
    header = 0
    for i, tr in enumerate(tbl.iterchildren(_W + "tr")):
        trpr = tr.find(_W + "trPr")
        if trpr is not None and trpr.find(_W + "tblHeader") is not None and header == i:
            header += 1
        row: list[str] = []
        for tc in tr.iterchildren(_W + "tc"):
            tcpr = tc.find(_W + "tcPr")
            span, merged = 1, False
            if tcpr is not None:
                gs = tcpr.find(_W + "gridSpan")
                span = int(gs.get(_W + "val", "1")) if gs is not None else 1
                vm = tcpr.find(_W + "vMerge")
                merged = vm is not None and vm.get(_W + "val", "continue") == "continue"
            if merged and rows and len(rows[-1]) > len(row):
                text = rows[-1][len(row)]
            else:
                text = "\n".join(_text(p) for p in tc.iterchildren(_W + "p")).strip()
            row += [text] * span
        rows.append(row)
    return _Table(title, rows, header)


def split_sentences(text: str) -> list[str]:
    """A paragraph's sentences, each with its closing 。 or ；."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


# --- sentences -------------------------------------------------------------------------


def _tokens(text: str) -> list[str]:
    """Figures as single tokens, every other character on its own."""
    out, pos = [], 0
    for m in FIGURE.finditer(text):
        out += list(text[pos : m.start()])
        out.append(m.group())
        pos = m.end()
    return out + list(text[pos:])


def _is_figure(token: str) -> bool:
    return len(token) > 0 and FIGURE.fullmatch(token) is not None


def _segments(old: str, new: str) -> tuple[Segment, ...]:
    """The changed sentence as unchanged, deleted and inserted pieces; a figure is
    replaced whole, and an unchanged single character between changes is folded into
    them (a reworded sentence reads as one change, not a scatter of characters)."""
    a, b = _tokens(old), _tokens(new)
    ops: list[tuple[str, list[str], list[str]]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        ops.append((tag, a[i1:i2], b[j1:j2]))
    merged: list[tuple[str, list[str], list[str]]] = []
    for k, (tag, x, y) in enumerate(ops):
        lone = tag == "equal" and len(x) == 1 and not _is_figure(x[0])
        if lone and 0 < k < len(ops) - 1:
            tag = "replace"
        if merged and merged[-1][0] != "equal" and tag != "equal":
            merged[-1] = ("replace", merged[-1][1] + x, merged[-1][2] + y)
        else:
            merged.append((tag, list(x), list(y)))
    out: list[Segment] = []
    for tag, x, y in merged:
        if tag == "equal":
            out.append(Segment("equal", "".join(x)))
            continue
        if x:
            out.append(Segment("delete", "".join(x), all(map(_is_figure, x))))
        if y:
            out.append(Segment("insert", "".join(y), all(map(_is_figure, y))))
    return tuple(out)


def _figures(old: str, new: str) -> tuple[FigureChange, ...]:
    """The figures that differ between two versions of a sentence, in order."""
    a = [m.group() for m in FIGURE.finditer(old)]
    b = [m.group() for m in FIGURE.finditer(new)]
    out = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        x, y = a[i1:i2], b[j1:j2]
        for k in range(max(len(x), len(y))):
            out.append(FigureChange(x[k] if k < len(x) else "", y[k] if k < len(y) else ""))
    return tuple(out)


def _changed(old: str, new: str, heading: bool = False) -> SentenceChange:
    return SentenceChange("changed", old, new, _segments(old, new), _figures(old, new), heading)


def _added(text: str) -> SentenceChange:
    return SentenceChange("added", "", text, (Segment("insert", text),))


def _removed(text: str) -> SentenceChange:
    return SentenceChange("removed", text, "", (Segment("delete", text),))


def _ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _pair(old: list[str], new: list[str]) -> list[SentenceChange]:
    """A replaced run of sentences: each old one paired, in order, with the most alike
    new one (at least PAIRING_RATIO alike); the others are removals and additions."""
    out: list[SentenceChange] = []
    j = 0
    for sentence in old:
        scores = [(_ratio(sentence, new[k]), k) for k in range(j, len(new))]
        best = max(scores, default=(0.0, -1), key=lambda s: (s[0], -s[1]))
        if best[0] < PAIRING_RATIO:
            out.append(_removed(sentence))
            continue
        out += [_added(s) for s in new[j : best[1]]]
        out.append(_changed(sentence, new[best[1]]))
        j = best[1] + 1
    return out + [_added(s) for s in new[j:]]


def _sentence_changes(old: list[str], new: list[str]) -> list[SentenceChange]:
    out: list[SentenceChange] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(
        None, old, new, autojunk=False
    ).get_opcodes():
        if tag == "replace":
            out += _pair(old[i1:i2], new[j1:j2])
        elif tag == "delete":
            out += [_removed(s) for s in old[i1:i2]]
        elif tag == "insert":
            out += [_added(s) for s in new[j1:j2]]
    return out


def _section_diffs(old: list[_Section], new: list[_Section]) -> list[SectionDiff]:
    """Sections aligned by (level, heading); a heading reworded in place is paired with
    the old one (its rewording is the section's first change)."""
    keys_a = [(s.level, s.heading) for s in old]
    keys_b = [(s.level, s.heading) for s in new]
    out: list[SectionDiff] = []

    def emit(path: tuple[str, ...], changes: list[SentenceChange]) -> None:
        if changes:
            out.append(SectionDiff(path, tuple(changes)))

    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        a, b = old[i1:i2], new[j1:j2]
        if tag == "equal":
            for x, y in zip(a, b, strict=True):
                emit(y.path, _sentence_changes(x.sentences, y.sentences))
            continue
        paired = min(len(a), len(b)) if tag == "replace" else 0
        for x, y in zip(a[:paired], b[:paired], strict=True):
            head = [_changed(x.heading, y.heading, heading=True)] if x.heading != y.heading else []
            emit(y.path, head + _sentence_changes(x.sentences, y.sentences))
        for x in a[paired:]:
            emit(x.path, [_removed(s) for s in x.sentences])
        for y in b[paired:]:
            emit(y.path, [_added(s) for s in y.sentences])
    return out


# --- 附表 cells ----------------------------------------------------------------------------


def _value_columns(tables: Iterable[_Table]) -> set[int]:
    """Columns holding an amount, percent or dash in some data row of either version, and
    columns empty in every data row (an amount column nobody filled, never a label)."""
    cols: set[int] = set()
    filled: set[int] = set()
    width = 0
    for t in tables:
        for row in t.rows[t.header_rows :]:
            width = max(width, len(row))
            cols |= {j for j, text in enumerate(row) if _TABLE_VALUE.match(text)}
            filled |= {j for j, text in enumerate(row) if text}
    return cols | (set(range(width)) - filled)


def _column_heads(t: _Table) -> list[str]:
    width = max((len(r) for r in t.rows), default=0)
    heads = []
    for j in range(width):
        parts: list[str] = []
        for row in t.rows[: t.header_rows]:
            if _NUMBERING_HEAD in row:
                continue
            text = row[j] if j < len(row) else ""
            if text and (not parts or parts[-1] != text):
                parts.append(text)
        heads.append("／".join(parts))
    return heads


def _row_label(row: list[str], j: int, values: set[int], heads: list[str]) -> str:
    """The label of cell ``j``: the label cells nearest on its left (a two-sided table,
    收入 | 支出, gives each side its own), without 行次 and repeated merged texts."""
    parts: list[str] = []
    k = j - 1
    while k >= 0 and k in values:
        k -= 1
    while k >= 0 and k not in values:
        if _ROW_NUMBER_HEAD not in heads[k] and row[k] and (not parts or parts[0] != row[k]):
            parts.insert(0, row[k])
        k -= 1
    return " ".join(parts)


def _cells(t: _Table | None, values: set[int]) -> dict[tuple[str, str, int], str]:
    """(row label, column heads, occurrence) → text of every value cell of the table."""
    if t is None:
        return {}
    heads = _column_heads(t)
    seen: Counter = Counter()
    out = {}
    for row in t.rows[t.header_rows :]:
        for j in sorted(values):
            if j >= len(row):
                continue
            key = (_row_label(row, j, values, heads), heads[j] if j < len(heads) else "")
            out[(*key, seen[key])] = row[j]
            seen[key] += 1
    return out


def _cell_changes(old: list[_Table], new: list[_Table]) -> list[CellChange]:
    """Changed cells of the 附表, tables paired by title (and order among equal titles)."""

    def keyed(tables: list[_Table]) -> dict[tuple[str, int], _Table]:
        n: Counter = Counter()
        out = {}
        for t in tables:
            out[(t.title, n[t.title])] = t
            n[t.title] += 1
        return out

    a, b = keyed(old), keyed(new)
    out: list[CellChange] = []
    for key in [*b, *(k for k in a if k not in b)]:
        x, y = a.get(key), b.get(key)
        values = _value_columns(t for t in (x, y) if t is not None)
        ca, cb = _cells(x, values), _cells(y, values)
        for cell in [*cb, *(k for k in ca if k not in cb)]:
            before, after = ca.get(cell, ""), cb.get(cell, "")
            if before != after:
                out.append(CellChange(key[0], cell[0], cell[1], before, after))
    return out


# --- findings --------------------------------------------------------------------------


def _finding(f: object) -> FindingRef:
    """A finding given as a reportgen Finding or as its dict (the portal stores JSON)."""
    get = f.get if isinstance(f, Mapping) else (lambda k, d="": getattr(f, k, d))
    return FindingRef(
        str(get("severity", "") or get("level", "")),
        str(get("rule", "")),
        str(get("where", "")),
        str(get("message", "")),
    )


def _finding_changes(old, new) -> tuple[tuple[FindingRef, ...], tuple[FindingRef, ...]]:
    """Findings of the new version not in the old (by rule and location), and old ones
    no longer found."""
    a = {(r.rule, r.where): r for r in map(_finding, old or ())}
    b = {(r.rule, r.where): r for r in map(_finding, new or ())}
    added = tuple(r for k, r in b.items() if k not in a)
    resolved = tuple(r for k, r in a.items() if k not in b)
    return added, resolved


# --- entry points ----------------------------------------------------------------------


def diff_versions(
    old_docx: Path,
    new_docx: Path,
    old_findings: Iterable | None = None,
    new_findings: Iterable | None = None,
) -> VersionDiff:
    """What changed from ``old_docx`` to ``new_docx`` (and between their findings)."""
    sa, ta = _read(Path(old_docx))
    sb, tb = _read(Path(new_docx))
    added, resolved = _finding_changes(old_findings, new_findings)
    return VersionDiff(tuple(_section_diffs(sa, sb)), tuple(_cell_changes(ta, tb)), added, resolved)


def diff_json(diff: VersionDiff) -> dict:
    """The diff as plain JSON-able data (lists and dicts), for the API."""
    data = asdict(diff)
    for section, s in zip(data["sections"], diff.sections, strict=True):
        section["title"] = s.title
    data["empty"] = diff.empty
    return _lists(data)


def _lists(value):
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value


_KIND_NAMES = {"added": "新增", "removed": "删除", "changed": "修改"}


def _segment_html(s: Segment) -> Markup:
    cls = " diff-figure" if s.figure else ""
    if s.op == "insert":
        return Markup('<ins class="diff-ins{}">{}</ins>').format(cls, s.text)
    if s.op == "delete":
        return Markup('<del class="diff-del{}">{}</del>').format(cls, s.text)
    return Markup('<span class="diff-eq">{}</span>').format(s.text)


def _change_html(c: SentenceChange) -> Markup:
    body = Markup("").join(_segment_html(s) for s in c.segments)
    figures = Markup("")
    if c.figures:
        items = Markup("").join(
            Markup(
                '<li><del class="diff-del">{}</del> → <ins class="diff-ins">{}</ins></li>'
            ).format(f.old or "—", f.new or "—")
            for f in c.figures
        )
        figures = Markup('<ul class="diff-figures">{}</ul>').format(items)
    cls = f"diff-{c.kind}" + (" diff-heading" if c.heading else "")
    return Markup('<li class="{}"><span class="diff-kind">{}</span> {}{}</li>').format(
        cls, _KIND_NAMES[c.kind], body, figures
    )


def _findings_html(title: str, cls: str, items: tuple[FindingRef, ...]) -> Markup:
    if not items:
        return Markup("")
    lis = Markup("").join(
        Markup('<li><span class="diff-rule">{}</span> {} {}</li>').format(
            f.rule, f.where, f.message
        )
        for f in items
    )
    return Markup('<h3>{}</h3><ul class="{}">{}</ul>').format(title, cls, lis)


def diff_html(diff: VersionDiff) -> Markup:
    """The diff as HTML for a page; every text from the documents is escaped."""
    if diff.empty:
        return Markup('<div class="version-diff"><p class="diff-empty">{}</p></div>').format(
            "两个版本的文字、附表数字和审核结果均相同。"
        )
    parts: list[Markup] = []
    for s in diff.sections:
        items = Markup("").join(_change_html(c) for c in s.changes)
        parts.append(
            Markup('<section class="diff-section"><h3>{}</h3><ul>{}</ul></section>').format(
                s.title, items
            )
        )
    if diff.cells:
        rows = Markup("").join(
            Markup(
                "<tr><td>{}</td><td>{}</td><td>{}</td>"
                '<td><del class="diff-del">{}</del></td><td><ins class="diff-ins">{}</ins></td></tr>'
            ).format(c.table, c.row, c.column, c.old, c.new)
            for c in diff.cells
        )
        parts.append(
            Markup(
                '<h3>附表</h3><table class="diff-cells"><thead><tr><th>表</th><th>行</th>'
                "<th>栏</th><th>原值</th><th>新值</th></tr></thead><tbody>{}</tbody></table>"
            ).format(rows)
        )
    parts.append(_findings_html("新增的审核问题", "diff-findings-added", diff.findings_added))
    parts.append(
        _findings_html("已解决的审核问题", "diff-findings-resolved", diff.findings_resolved)
    )
    return Markup('<div class="version-diff">{}</div>').format(Markup("").join(parts))
