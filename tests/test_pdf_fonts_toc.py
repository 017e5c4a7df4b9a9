"""The 公文 fonts and their PDF stand-ins, and the 目录 numbering written into the .docx.

These need no LibreOffice: the font plan is computed from given font lists, the 目录 is
numbered from given (entry, page) lines.
"""

from __future__ import annotations

import io
import re
import zipfile
from xml.etree import ElementTree as ET

import docx
import pytest

from reportgen.pdf import fonts, toc

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]

#: The fonts CI installs (.ci/run): fonts-noto-cjk, fonts-arphic-ukai, FandolFang.
CI_FONTS = [
    ("Noto Serif CJK SC",),
    ("Noto Sans CJK SC",),
    ("AR PL UKai CN",),
    ("AR PL UKai TW",),
    ("FandolFang", "FandolFang R"),
    ("DejaVu Sans",),
    ("Liberation Serif",),
]


def test_template_asks_for_the_gongwen_fonts():
    d = docx.Document(str(ROOT / "templates" / "base" / "document.docx"))

    def east_asia(style: str) -> str:
        rfonts = d.styles[style].element.find(".//" + docx.oxml.ns.qn("w:rFonts"))
        return rfonts.get(docx.oxml.ns.qn("w:eastAsia"))

    assert east_asia("Title") == "方正小标宋简体"
    assert east_asia("Normal") == "仿宋_GB2312"
    assert east_asia("Heading 2") == "黑体"  # 一、 (first-level heading)
    assert east_asia("Heading 3") == "楷体_GB2312"  # （一） (second-level heading)
    assert east_asia("Heading 1") == "黑体"  # 第一部分 …


def test_every_missing_gongwen_font_gets_a_stand_in_of_its_style():
    subs = fonts.plan(CI_FONTS)
    assert [(s.font, s.name, s.lo_name) for s in subs] == [
        ("方正小标宋简体", "Noto Serif CJK SC", "Noto Serif CJK SC"),
        ("仿宋_GB2312", "FandolFang", "FandolFang R"),  # LibreOffice lists it by its last name
        ("楷体_GB2312", "AR PL UKai CN", "AR PL UKai CN"),
        ("黑体", "Noto Sans CJK SC", "Noto Sans CJK SC"),
    ]
    assert fonts.note(subs) == (
        "PDF 字体替代：方正小标宋简体 → Noto Serif CJK SC，仿宋_GB2312 → FandolFang，"
        "楷体_GB2312 → AR PL UKai CN，黑体 → Noto Sans CJK SC"
    )
    # only the fonts the document uses are named
    assert fonts.note(subs, {"仿宋_GB2312", "Times New Roman"}) == (
        "PDF 字体替代：仿宋_GB2312 → FandolFang"
    )
    assert fonts.note(subs, {"Times New Roman"}) is None


def test_installed_gongwen_fonts_are_not_replaced_and_better_stand_ins_come_first():
    windows_like = [*CI_FONTS, ("SimHei", "黑体"), ("FangSong", "仿宋")]
    subs = {s.font: s.name for s in fonts.plan(windows_like)}
    assert "黑体" not in subs  # installed (under its Chinese name)
    assert subs["仿宋_GB2312"] == "仿宋"  # Windows' 仿宋 before FandolFang
    assert subs["楷体_GB2312"] == "AR PL UKai CN"
    gongwen = [*CI_FONTS, ("仿宋_GB2312",), ("楷体_GB2312",), ("方正小标宋简体",), ("黑体",)]
    assert fonts.plan(gongwen) == []
    assert fonts.note(fonts.plan(gongwen)) is None


def test_libreoffice_names_decide_when_known():
    # LibreOffice lists FandolFang only as "FandolFang R"; a stand-in it does not list
    # (UKai here) is passed over for the next one of the same style
    known = {"Noto Serif CJK SC", "Noto Sans CJK SC", "FandolFang R", "FandolKai"}
    families = [*CI_FONTS, ("FandolKai",)]
    subs = {s.font: (s.name, s.lo_name) for s in fonts.plan(families, known)}
    assert subs["仿宋_GB2312"] == ("FandolFang", "FandolFang R")
    assert subs["楷体_GB2312"] == ("FandolKai", "FandolKai")
    # no fc-list (Windows, macOS): LibreOffice's own names alone
    subs = {s.font: s.lo_name for s in fonts.plan([(n,) for n in known], known)}
    assert subs == {
        "方正小标宋简体": "Noto Serif CJK SC",
        "仿宋_GB2312": "FandolFang R",
        "楷体_GB2312": "FandolKai",
        "黑体": "Noto Sans CJK SC",
    }


def test_the_replacement_table_is_always_applied_also_when_printing():
    subs = fonts.plan(CI_FONTS)
    root = ET.fromstring(fonts.registry(subs))
    oor = "{http://openoffice.org/2001/registry}"
    pairs = []
    for node in root.iter("node"):
        props = {p.get(oor + "name"): p.findtext("value") for p in node.iter("prop")}
        pairs.append(props)
    assert pairs == [
        {
            "Always": "true",
            "OnScreenOnly": "false",
            "ReplaceFont": s.font,
            "SubstituteFont": s.lo_name,
        }
        for s in subs
    ]
    replacement = [
        p.findtext("value")
        for item in root.iter("item")
        if item.get(oor + "path") == "/org.openoffice.Office.Common/Font/Substitution"
        for p in item.iter("prop")
    ]
    assert replacement == ["true"]


def test_the_document_uses_the_four_gongwen_fonts(built):
    used = fonts.fonts_used(built.path)
    assert {"方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"} <= used


# --- the 目录 numbered in the .docx --------------------------------------------------------


def _settings(data: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(data)).read("word/settings.xml")


@pytest.fixture(scope="module")
def example_docx(built) -> bytes:
    return built.path.read_bytes()


def test_the_built_document_lists_the_headings_and_asks_word_to_update(example_docx, built):
    entries = toc.cached_entries(example_docx)
    d = docx.Document(str(built.path))
    headings = [p.text for p in d.paragraphs if p.style.name in ("Heading 1", "Heading 2")]
    assert [t for t, _ in entries] == headings
    assert len(entries) == 17
    assert all(page == "" for _, page in entries)
    assert b"<w:updateFields" in _settings(example_docx)


def test_numbers_go_into_the_toc_field_and_word_is_no_longer_asked(example_docx):
    entries = toc.cached_entries(example_docx)
    lines = [(text, str(10 + i)) for i, (text, _) in enumerate(entries)]
    numbered, complete = toc.number_docx(example_docx, lines)
    assert complete
    assert toc.cached_entries(numbered) == lines
    assert b"updateFields" not in _settings(numbered)
    # each entry: a right tab with dot leader at the text width (11906 - 1587 - 1474 twips), the number
    xml = zipfile.ZipFile(io.BytesIO(numbered)).read("word/document.xml").decode()
    assert xml.count('<w:tab w:val="right" w:leader="dot" w:pos="8845"/>') == 17
    assert re.search(r"第一部分 部门概况</w:t></w:r><w:r>(<w:rPr>.*?</w:rPr>)?<w:tab/></w:r>", xml)
    # the rest of the package is untouched
    before = zipfile.ZipFile(io.BytesIO(example_docx))
    after = zipfile.ZipFile(io.BytesIO(numbered))
    assert before.namelist() == after.namelist()
    changed = [n for n in before.namelist() if before.read(n) != after.read(n)]
    assert changed == ["word/document.xml", "word/settings.xml"]
    # numbering again replaces the numbers (a document converted twice)
    again, complete = toc.number_docx(numbered, [(t, "7") for t, _ in lines])
    assert complete and toc.cached_entries(again) == [(t, "7") for t, _ in lines]
    assert xml.count("<w:tabs>") == (
        zipfile.ZipFile(io.BytesIO(again)).read("word/document.xml").decode().count("<w:tabs>")
    )


def test_an_entry_without_a_number_keeps_word_asking(example_docx):
    entries = toc.cached_entries(example_docx)
    lines = [(text, "3") for text, _ in entries[:-1]]  # LibreOffice lost the last heading
    numbered, complete = toc.number_docx(example_docx, lines)
    assert not complete
    got = toc.cached_entries(numbered)
    assert got[:-1] == lines and got[-1] == (entries[-1][0], "")
    assert b"<w:updateFields" in _settings(numbered)
    assert toc.number_docx(example_docx, [("不存在的标题", "1")]) == (None, False)
