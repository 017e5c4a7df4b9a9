"""Fonts and layout as 公文 require, read from the generated document's XML."""

from __future__ import annotations

import re
import zipfile

import pytest


@pytest.fixture(scope="module")
def xml(built) -> dict[str, str]:
    with zipfile.ZipFile(built.path) as z:
        return {
            n: z.read(n).decode("utf-8")
            for n in z.namelist()
            if n.startswith("word/") and n.endswith(".xml")
        }


def _style(styles: str, sid: str) -> str:
    m = re.search(rf'<w:style [^>]*w:styleId="{sid}".*?</w:style>', styles, re.S)
    assert m, sid
    return m.group(0)


def test_every_run_carries_an_east_asian_font(xml):
    doc = xml["word/document.xml"]
    runs = re.findall(r"<w:r(?:\s[^>]*)?>.*?</w:r>", doc, re.S)
    assert len(runs) > 1000
    assert [r[:200] for r in runs if 'w:eastAsia="' not in r] == []
    used = set(re.findall(r'w:eastAsia="([^"]+)"', doc))
    assert used == {"仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体"}


@pytest.mark.parametrize(
    "sid, font, half_points",
    [
        ("Normal", "仿宋_GB2312", 32),  # 三号 16 pt
        ("Heading1", "黑体", 32),
        ("Heading2", "黑体", 32),
        ("Heading3", "楷体_GB2312", 32),
        ("Title", "方正小标宋简体", 44),  # 二号 22 pt
    ],
)
def test_styles_set_fonts_and_sizes(xml, sid, font, half_points):
    st = _style(xml["word/styles.xml"], sid)
    assert f'w:eastAsia="{font}"' in st and 'w:ascii="Times New Roman"' in st
    assert f'<w:sz w:val="{half_points}"/>' in st
    assert "w:eastAsiaTheme" not in st  # a theme font would override the named one


def test_body_has_fixed_28pt_lines_and_two_character_indent(xml):
    normal = _style(xml["word/styles.xml"], "Normal")
    assert 'w:lineRule="exact"' in normal and 'w:line="560"' in normal  # 28 pt
    assert 'w:firstLineChars="200"' in normal


def test_missing_fonts_fall_back_to_their_common_relatives(xml):
    table = xml["word/fontTable.xml"]
    for name, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体")):
        assert re.search(rf'<w:font w:name="{name}"><w:altName w:val="{alt}"/>', table), name
    defaults = re.search(r"<w:docDefaults>.*?</w:docDefaults>", xml["word/styles.xml"], re.S)
    assert 'w:eastAsia="仿宋_GB2312"' in defaults.group(0)


def test_a4_page_numbers_and_toc(xml):
    doc = xml["word/document.xml"]
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in doc  # A4 portrait
    assert 'w:orient="landscape"' in doc  # wide 附表
    assert re.search(r"instrText[^>]*> TOC ", doc)
    footers = [v for k, v in xml.items() if k.startswith("word/footer")]
    assert any(re.search(r"instrText[^>]*> PAGE ", f) for f in footers)
    assert 'w:updateFields w:val="true"' in xml["word/settings.xml"]


def test_every_section_has_the_page_number_footer(xml):
    doc = xml["word/document.xml"]
    sections = re.findall(r"<w:sectPr[ >].*?</w:sectPr>", doc, re.S)
    assert len(sections) >= 3  # portrait body, landscape 附表, portrait 公开09表
    assert all("<w:footerReference" in s for s in sections)
