"""A generated document as HTML, for the preview on the job page.

The .docx is read back with python-docx: headings, paragraphs, figures (as data: URIs,
so the page needs nothing but the job's own URL) and tables (merged cells shown once), in
document order. What the accountant sees is what was written, not a second rendering of
the data; the 目录 is left out (it repeats the headings).
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn

# imported here, not in the functions: they run in forked workers, where an import could
# wait for a lock another thread of the server held at fork time
from ..audit import audit_blocks, texts_with_numbers, traceable_numbers
from ..computed import compute
from ..narrative import TemplateProblem, load_pack, render_sections
from ..pipeline import check, drawn_charts, render_context
from ..profiles import example_of, wording_for

_HEADINGS = {"Heading 1": "h2", "Heading 2": "h3", "Heading 3": "h4", "Heading 4": "h5"}
_BLIP = qn("a:blip")
_EMBED = qn("r:embed")


def document_html(path: Path) -> str:
    """The body of ``path`` as a sequence of HTML blocks (escaped text, inline images)."""
    doc = Document(str(path))
    out: list[str] = []
    for el in doc.element.body.iterchildren():
        if el.tag == qn("w:p"):
            out.append(_paragraph(doc, el))
        elif el.tag == qn("w:tbl"):
            out.append(_table(el))
    return "\n".join(x for x in out if x)


def _paragraph(doc, p) -> str:
    ppr = p.find(qn("w:pPr"))
    style_id = ""
    if ppr is not None and ppr.find(qn("w:pStyle")) is not None:
        style_id = ppr.find(qn("w:pStyle")).get(qn("w:val"))
    style = doc.styles.get_by_id(style_id, 1).name if style_id else "Normal"
    if style.lower().startswith("toc"):
        return ""
    images = [
        _image(doc, blip.get(_EMBED)) for blip in p.iter(_BLIP) if blip.get(_EMBED) is not None
    ]
    text = html.escape("".join(t.text or "" for t in p.iter(qn("w:t"))))
    if images:
        return '<figure class="doc-figure">' + "".join(images) + "</figure>"
    if not text:
        return ""
    tag = _HEADINGS.get(style)
    if tag:
        return f"<{tag}>{text}</{tag}>"
    css = {
        "Caption": "doc-caption",
        "Title": "doc-title",
        "Table Title": "doc-table-title",
        "Unit Line": "doc-unit",
    }
    return f'<p class="{css.get(style, "doc-p")}">{text}</p>'


def _image(doc, rid: str) -> str:
    part = doc.part.related_parts.get(rid)
    if part is None:
        return ""
    data = base64.b64encode(part.blob).decode("ascii")
    return f'<img alt="图" src="data:{part.content_type};base64,{data}">'


def _table(tbl) -> str:
    rows = []
    for tr in tbl.iter(qn("w:tr")):
        cells = []
        for tc in tr.iter(qn("w:tc")):
            tcpr = tc.find(qn("w:tcPr"))
            vmerge = tcpr.find(qn("w:vMerge")) if tcpr is not None else None
            if vmerge is not None and vmerge.get(qn("w:val")) != "restart":
                continue  # the cell above holds the text
            span = tcpr.find(qn("w:gridSpan")) if tcpr is not None else None
            colspan = f' colspan="{span.get(qn("w:val"))}"' if span is not None else ""
            text = html.escape("".join(t.text or "" for t in tc.iter(qn("w:t"))))
            cells.append(f"<td{colspan}>{text}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return '<div class="doc-table"><table>' + "".join(rows) + "</table></div>"


# --- 模板 page: 第二部分 of the bundled example in any pack --------------------------------


def part_two_html(pack_name: str) -> str:
    """第二部分 of the example rendered with ``pack_name``, as HTML (run in a worker).

    Figures appear as their captions: a maintainer previews wording, not charts; the
    self-audit runs as in a real build, so a template typo shows up here first.
    """
    pack = load_pack(pack_name)
    if not pack.settings.get("sections"):  # a layout without words of its own
        pack = load_pack(wording_for(pack_name))
    report, findings = check(example_of(pack), template=pack.name)
    c = compute(report, pack.budget_basis, pack.decimals, pack.share_rounding)
    specs = drawn_charts(c, pack)
    context = render_context(report, pack, c)
    try:
        blocks = render_sections(pack, context, specs)
        audit_blocks(
            blocks,
            traceable_numbers(context, pack.decimals),
            pack.settings.get("audit_literals", ()),
            texts_with_numbers(context),
        )
    except TemplateProblem as exc:
        return f'<p class="error">{html.escape(str(exc))}</p>'
    part = str(pack.settings.get("preview_part", "第二部分"))  # the part 情况说明 is in
    out, inside = [], False
    for b in blocks:
        if b.kind == "heading" and b.level == 1:
            inside = b.text.startswith(part)
        if not inside:
            continue
        if b.kind == "heading":
            out.append(f"<h{b.level + 1}>{html.escape(b.text)}</h{b.level + 1}>")
        elif b.kind == "para":
            out.append(f'<p class="doc-p">{html.escape(b.text)}</p>')
        elif b.kind == "figure" and b.ref in specs:
            out.append(f'<p class="doc-caption">（{html.escape(specs[b.ref].caption)}）</p>')
    return "\n".join(out)
