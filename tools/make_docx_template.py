"""Build templates/<pack>/document.docx: the Word template the document is rendered into.

The template holds what a maintainer may change in Word without code: page setup (A4,
公文 margins), paragraph styles (fonts, 28 pt line spacing, 2-character indent), the
footer page number, the title line. The body arrives at ``{{p body }}``. Run:
``python tools/make_docx_template.py [pack]``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

ROOT = Path(__file__).resolve().parents[1]

BODY_FONT = "仿宋_GB2312"
HEAD_FONT = "黑体"
KAI_FONT = "楷体_GB2312"
TITLE_FONT = "方正小标宋简体"
LATIN = "Times New Roman"


def set_fonts(style, east_asia: str, size: float, bold: bool = False) -> None:
    """Set Latin and East-Asian fonts on a style so Word never falls back to a Latin font."""
    style.font.name = LATIN
    style.font.size = Pt(size)
    style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), LATIN)
    rfonts.set(qn("w:eastAsia"), east_asia)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    color = rpr.find(qn("w:color"))
    if color is not None:
        rpr.remove(color)


def set_spacing(
    style, exact_pt: float | None = 28, before=0, after=0, indent_chars: int = 0, align=None
) -> None:
    pf = style.paragraph_format
    if exact_pt:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(exact_pt)
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pf.space_before = Pt(before)
    pf.space_after = Pt(after)
    if align is not None:
        pf.alignment = align
    ppr = style.element.get_or_add_pPr()
    ind = ppr.find(qn("w:ind"))
    if ind is None:
        ind = OxmlElement("w:ind")
        ppr.append(ind)
    ind.set(qn("w:firstLineChars"), str(indent_chars * 100))
    ind.set(qn("w:firstLine"), str(indent_chars * 320))  # 三号 = 16 pt = 320 twips per char
    # CJK documents: snap to grid off, so exact spacing is exact
    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    ppr.append(snap)


def paragraph_style(doc, name: str, base: str = "Normal"):
    styles = doc.styles
    try:
        return styles[name]
    except KeyError:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = styles[base]
        st.quick_style = True
        return st


def build(pack: str) -> Path:
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.top_margin, sec.bottom_margin = Cm(3.7), Cm(3.5)
    sec.left_margin, sec.right_margin = Cm(2.8), Cm(2.6)
    sec.footer_distance = Cm(2.5)

    normal = doc.styles["Normal"]
    set_fonts(normal, BODY_FONT, 16)
    set_spacing(normal, 28, indent_chars=2, align=WD_ALIGN_PARAGRAPH.JUSTIFY)

    for name, font, size, bold, align, indent, before in (
        ("Heading 1", HEAD_FONT, 16, False, WD_ALIGN_PARAGRAPH.CENTER, 0, 12),
        ("Heading 2", HEAD_FONT, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 2, 0),
        ("Heading 3", KAI_FONT, 16, False, WD_ALIGN_PARAGRAPH.LEFT, 2, 0),
        ("Heading 4", BODY_FONT, 16, True, WD_ALIGN_PARAGRAPH.LEFT, 2, 0),
    ):
        st = doc.styles[name]
        set_fonts(st, font, size, bold)
        st.font.italic = False
        set_spacing(
            st,
            28,
            before=before,
            after=6 if name == "Heading 1" else 0,
            indent_chars=indent,
            align=align,
        )
        st.paragraph_format.keep_with_next = True

    title = doc.styles["Title"]
    set_fonts(title, TITLE_FONT, 22)
    set_spacing(title, None, before=24, after=24, align=WD_ALIGN_PARAGRAPH.CENTER)
    ppr = title.element.get_or_add_pPr()
    for el in ppr.findall(qn("w:pBdr")):
        ppr.remove(el)

    for name, font, size, align, exact in (
        ("Caption", BODY_FONT, 14, WD_ALIGN_PARAGRAPH.CENTER, 22),
        ("Figure", BODY_FONT, 12, WD_ALIGN_PARAGRAPH.CENTER, None),
        ("Unit Line", BODY_FONT, 12, WD_ALIGN_PARAGRAPH.RIGHT, 20),
        ("Table Title", HEAD_FONT, 15, WD_ALIGN_PARAGRAPH.CENTER, 24),
        ("Table Meta", BODY_FONT, 10.5, WD_ALIGN_PARAGRAPH.LEFT, 16),
        ("Table Text", BODY_FONT, 9, WD_ALIGN_PARAGRAPH.LEFT, 11),
        ("Table Number", BODY_FONT, 9, WD_ALIGN_PARAGRAPH.RIGHT, 11),
        ("Table Note", BODY_FONT, 10.5, WD_ALIGN_PARAGRAPH.LEFT, 18),
        ("Center Title", HEAD_FONT, 16, WD_ALIGN_PARAGRAPH.CENTER, 28),
        ("TOC Title", HEAD_FONT, 16, WD_ALIGN_PARAGRAPH.CENTER, 28),
    ):
        st = paragraph_style(doc, name)
        if name == "Caption":
            st = doc.styles["Caption"]
            st.font.italic = False
        set_fonts(st, font, size)
        set_spacing(st, exact, indent_chars=0, align=align)
    for level, indent in ((1, 0), (2, 2)):
        name = f"toc {level}"
        try:
            st = doc.styles[name]
        except KeyError:
            st = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = doc.styles["Normal"]
        set_fonts(st, BODY_FONT, 16)
        set_spacing(st, 28, indent_chars=indent)

    # footer: — page —
    footer = sec.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.paragraph_format.first_line_indent = Pt(0)
    footer.add_run("— ")
    run = footer.add_run()
    for kind, text in (
        ("begin", None),
        (None, " PAGE "),
        ("separate", None),
        (None, "1"),
        ("end", None),
    ):
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            run._r.append(fc)
        elif text.strip() == "PAGE":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            run._r.append(it)
        else:
            t = OxmlElement("w:t")
            t.text = text
            run._r.append(t)
    footer.add_run(" —")
    for r in footer.runs:
        r.font.size = Pt(14)

    doc.add_paragraph("{{ title }}", style="Title")
    doc.add_paragraph("{{p toc }}")
    doc.add_paragraph("{{p body }}")
    _set_doc_defaults(doc)
    out = ROOT / "templates" / pack / "document.docx"
    doc.save(out)
    _add_font_fallbacks(out)
    return out


#: Word substitutes a missing font by its altName: 仿宋_GB2312 is not on every machine
#: (Windows 10+ has 仿宋), and 方正小标宋简体 is a commercial font (宋体 everywhere).
FALLBACKS = {
    "仿宋_GB2312": ("仿宋", "modern", "fixed"),
    "楷体_GB2312": ("楷体", "modern", "fixed"),
    "黑体": ("SimHei", "modern", "fixed"),
    "方正小标宋简体": ("宋体", "script", "fixed"),
    "仿宋": ("FangSong", "modern", "fixed"),
    "楷体": ("KaiTi", "modern", "fixed"),
    "宋体": ("SimSun", "auto", "variable"),
}


def _set_doc_defaults(doc) -> None:
    """East-Asian default font for anything without a style (Word's docDefaults)."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:
        return
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        if rfonts.get(qn(attr)) is not None:
            del rfonts.attrib[qn(attr)]
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        rfonts.set(qn(attr), LATIN)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        # digits and Latin text keep Western line breaking (a number never splits at its
        # decimal point); Chinese text is zh-CN for punctuation and line rules
        lang.set(qn("w:val"), "en-US")
        lang.set(qn("w:eastAsia"), "zh-CN")


def _add_font_fallbacks(path: Path) -> None:
    """Declare the CJK fonts in word/fontTable.xml with their altName fallbacks."""
    import zipfile

    with zipfile.ZipFile(path) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
        f'<w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>'
        for name, (alt, family, pitch) in FALLBACKS.items()
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in items:
            if info.filename == "word/fontTable.xml":
                data = data.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>")
            z.writestr(info, data)


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else "sichuan-2021"))
