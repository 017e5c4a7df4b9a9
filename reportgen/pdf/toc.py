"""Write the page numbers LibreOffice computed into the .docx's 目录 field.

The document is built with a real TOC field whose cached result lists the headings
without page numbers (only Word can paginate, and only when it updates the field), and
with ``w:updateFields`` so Word offers to update it on opening. Once LibreOffice has laid
the document out for the PDF, its 目录 lines carry the page numbers of that layout — the
pages of the published PDF. This module puts those numbers into the field's cached result
(a right tab with dot leader and the number, as Word writes its own entries) and, when
every entry has its number, drops ``w:updateFields``: Word and WPS then open the document
showing the same 目录 as the PDF, without a question about updating fields. Everything else
in the package stays byte for byte as reportgen wrote it (LibreOffice's own .docx export is
not used: it rewrites styles, charts and the font table).
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

#: pPr children that come before w:tabs in the schema's order.
_BEFORE_TABS = {
    _W + n
    for n in (
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "framePr",
        "widowControl",
        "numPr",
        "suppressLineNumbers",
        "pBdr",
        "shd",
    )
}


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _field_chars(p) -> list[tuple[str, object]]:
    """The paragraph's field marks in order: ("begin"|"separate"|"end", run) and
    ("instr", text)."""
    marks: list[tuple[str, object]] = []
    for el in p.iter(_W + "fldChar", _W + "instrText"):
        if el.tag == _W + "instrText":
            marks.append(("instr", el.text or ""))
        else:
            marks.append((el.get(_W + "fldCharType"), el.getparent()))
    return marks


def toc_paragraphs(body) -> list:
    """The paragraphs of the first TOC field, from the one holding its start to the one
    holding its end (an entry per paragraph in between, the first included)."""
    paras = list(body.iter(_W + "p"))
    start = next(
        (
            i
            for i, p in enumerate(paras)
            if any(k == "instr" and re.match(r"\s*TOC\b", str(v)) for k, v in _field_chars(p))
        ),
        None,
    )
    if start is None:
        return []
    depth = 0
    for j in range(start, len(paras)):
        for kind, _ in _field_chars(paras[j]):
            if kind == "begin":
                depth += 1
            elif kind == "end":
                depth -= 1
                if depth == 0:
                    return paras[start : j + 1]
    return paras[start:]


def _result_runs(p) -> list:
    """The runs of the paragraph that are the field's displayed result (after its
    ``separate`` mark when the paragraph holds it, before an ``end`` mark)."""
    runs = p.findall(f".//{_W}r")
    out, shown = [], not any(r.find(f"{_W}fldChar") is not None for r in runs)
    for r in runs:
        marks = r.findall(f"{_W}fldChar")
        if marks:  # a run may hold begin, instruction and separate at once
            shown = marks[-1].get(_W + "fldCharType") == "separate"
            continue
        if shown:
            out.append(r)
    return out


def _entry_text(runs) -> str:
    return "".join(t.text or "" for r in runs for t in r.findall(f"{_W}t"))


def _strip_number(runs) -> list:
    """Remove an earlier page number (a tab run and what follows it); the runs left."""
    for i, r in enumerate(runs):
        if r.find(f"{_W}tab") is not None:
            for old in runs[i:]:
                old.getparent().remove(old)
            return runs[:i]
    return runs


def _text_width(body) -> int:
    """The text width (twips) of the first section: where the number's right tab goes."""
    sect = next(body.iter(_W + "sectPr"), None)
    if sect is None:
        return 9000
    size, margin = sect.find(_W + "pgSz"), sect.find(_W + "pgMar")
    try:
        return (
            int(size.get(_W + "w"))
            - int(margin.get(_W + "left") or 0)
            - int(margin.get(_W + "right") or 0)
        )
    except (AttributeError, TypeError, ValueError):
        return 9000


def _right_tab(p, pos: int) -> None:
    ppr = p.find(_W + "pPr")
    if ppr is None:
        ppr = etree.Element(_W + "pPr")
        p.insert(0, ppr)
    tabs = ppr.find(_W + "tabs")
    if tabs is None:
        tabs = etree.Element(_W + "tabs")
        after = next((c for c in ppr if c.tag not in _BEFORE_TABS), None)
        if after is None:
            ppr.append(tabs)
        else:
            after.addprevious(tabs)
    for tab in tabs.findall(_W + "tab"):
        if tab.get(_W + "val") == "right" and tab.get(_W + "pos") == str(pos):
            return
    tab = etree.SubElement(tabs, _W + "tab")
    tab.set(_W + "val", "right")
    tab.set(_W + "leader", "dot")
    tab.set(_W + "pos", str(pos))


def _add_number(p, last_run, page: str, pos: int) -> None:
    _right_tab(p, pos)
    rpr = last_run.find(_W + "rPr")
    for make in ("tab", "t"):
        run = etree.Element(_W + "r")
        if rpr is not None:
            run.append(etree.fromstring(etree.tostring(rpr)))
        child = etree.SubElement(run, _W + make)
        if make == "t":
            child.text = page
        last_run.addnext(run)
        last_run = run


def number_entries(document_xml: bytes, lines: list[tuple[str, str]]) -> tuple[bytes, int, int]:
    """document.xml with each 目录 entry ending in its page number from ``lines``
    ((entry text, page) in order, as LibreOffice's updated index has them).

    Returns the new XML, the number of entries and how many got a number.
    """
    root = etree.fromstring(document_xml)
    body = root.find(_W + "body")
    pos = _text_width(body)
    wanted = [(_norm(text), page) for text, page in lines]
    k = entries = numbered = 0
    for p in toc_paragraphs(body):
        runs = _strip_number(_result_runs(p))
        text = _norm(_entry_text(runs))
        if not text:
            continue
        entries += 1
        hit = next((j for j in range(k, len(wanted)) if wanted[j][0] == text), None)
        if hit is None:
            continue
        k = hit + 1
        _add_number(p, runs[-1], wanted[hit][1], pos)
        numbered += 1
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return xml, entries, numbered


def without_update_on_open(settings_xml: bytes) -> bytes:
    root = etree.fromstring(settings_xml)
    for el in root.findall(_W + "updateFields"):
        root.remove(el)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def number_docx(docx: bytes, lines: list[tuple[str, str]]) -> tuple[bytes | None, bool]:
    """The .docx with its 目录 numbered from ``lines`` (see the module docstring), and
    whether every entry got its number; (None, False) when no entry could be numbered.
    Word is still asked to update fields on opening unless every entry has its number."""
    zin = zipfile.ZipFile(io.BytesIO(docx))
    xml, entries, numbered = number_entries(zin.read("word/document.xml"), lines)
    if not entries or not numbered:
        return None, False
    complete = numbered == entries
    parts = {"word/document.xml": xml}
    if complete and "word/settings.xml" in zin.namelist():
        parts["word/settings.xml"] = without_update_on_open(zin.read("word/settings.xml"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, parts.get(info.filename, zin.read(info.filename)))
    return buf.getvalue(), complete


def cached_entries(docx: bytes) -> list[tuple[str, str]]:
    """(entry, page number or "") of the 目录 field's cached result: what Word and WPS
    show before any update."""
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml")).find(
        _W + "body"
    )
    out = []
    for p in toc_paragraphs(body):
        runs = _result_runs(p)
        text, page, after_tab = "", "", False
        for r in runs:
            if r.find(_W + "tab") is not None:
                after_tab = True
            for t in r.findall(_W + "t"):
                if after_tab:
                    page += t.text or ""
                else:
                    text += t.text or ""
        if text.strip():
            out.append((text.strip(), page.strip()))
    return out
