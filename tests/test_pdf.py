"""PDF output through LibreOffice and a visual check of the example's pages.

CI installs LibreOffice (.ci/run) and sets REPORTGEN_REQUIRE_PDF=1, so these tests run
there; on a machine without LibreOffice they are skipped, except the one that checks
the message a user gets when LibreOffice is missing.
"""

from __future__ import annotations

import os
import re

import pytest
from click.testing import CliRunner
from visual import REFERENCE, difference, ink, page_texts, pdf_pages

from reportgen.cli import main
from reportgen.pdf import find_soffice, fonts, toc

HAVE_PDF = find_soffice() is not None and bool(__import__("shutil").which("pdftoppm"))
if os.environ.get("REPORTGEN_REQUIRE_PDF") == "1" and not HAVE_PDF:
    raise RuntimeError("REPORTGEN_REQUIRE_PDF=1 but LibreOffice/poppler are not installed")
needs_pdf = pytest.mark.skipif(not HAVE_PDF, reason="LibreOffice or poppler not installed")


def test_missing_libreoffice_says_how_to_install(example_path, tmp_path, monkeypatch):
    monkeypatch.setenv("REPORTGEN_SOFFICE", str(tmp_path / "no-soffice"))
    res = CliRunner().invoke(main, ["build", str(example_path), "-o", str(tmp_path), "--pdf"])
    assert res.exit_code == 3
    assert (
        "未找到 LibreOffice" in res.output and "apt-get install -y libreoffice-writer" in res.output
    )
    assert "Traceback" not in res.output
    suffixes = sorted(p.suffix for p in tmp_path.iterdir())
    assert suffixes == [".docx", ".txt"]  # the document (and its 审核结果) are still there


@pytest.fixture(scope="module")
def example_build(tmp_path_factory, example_path):
    """``reportgen build --pdf`` of the example: (its output, the PDF)."""
    if not HAVE_PDF:
        pytest.skip("LibreOffice or poppler not installed")
    out = tmp_path_factory.mktemp("pdf")
    res = CliRunner().invoke(main, ["build", str(example_path), "-o", str(out), "--pdf"])
    assert res.exit_code == 0, res.output
    (pdf,) = out.glob("*.pdf")
    return res.output, pdf


@pytest.fixture(scope="module")
def example_pdf(example_build):
    return example_build[1]


@needs_pdf
def test_pdf_is_written_next_to_the_document(example_pdf):
    assert example_pdf.name == "2021年度玉溪市互联网信息办公室部门决算公开.pdf"
    assert example_pdf.read_bytes().startswith(b"%PDF")
    assert example_pdf.with_suffix(".docx").exists()


@needs_pdf
def test_every_figure_and_table_lands_on_a_page_with_content(example_pdf):
    texts = page_texts(example_pdf)
    pages = pdf_pages(example_pdf)
    assert len(texts) == len(pages)
    assert 45 <= len(pages) <= 70, len(pages)  # 17 项目支出绩效自评表 take a page each
    assert all(ink(p) > 0.005 for p in pages), [
        i for i, p in enumerate(pages, 1) if ink(p) <= 0.005
    ]
    numbers = [re.search(r"—\s*(\d+)\s*—", t) for t in texts]
    assert [int(m.group(1)) if m else None for m in numbers] == list(range(1, len(texts) + 1))
    for n in range(1, 8):
        caption = [i for i, t in enumerate(texts) if re.search(rf"图\s*{n}\s", t)]
        assert caption, f"图{n} not found"
        # the chart itself is ink well above a page of text
        assert ink(pages[caption[-1]]) > 0.04, f"图{n} page looks empty"
    for n in range(1, 10):
        on = [i for i, t in enumerate(texts) if re.search(rf"公开\s*0{n}\s*表", t)]
        assert on and ink(pages[on[-1]]) > 0.02, f"公开0{n}表"


@needs_pdf
def test_pages_match_the_reference_images(example_pdf):
    """Layout regression: same page count, each page close to the reviewed reference.

    After an intended layout change run ``python tools/visual.py --update``, look at the
    new pages, and commit them.
    """
    pages = pdf_pages(example_pdf)
    refs = sorted(REFERENCE.glob("page-*.png"))
    assert len(pages) == len(refs), (len(pages), len(refs))
    import numpy as np
    from PIL import Image

    worst = []
    for i, (page, ref) in enumerate(zip(pages, refs, strict=True), 1):
        d = difference(page, np.asarray(Image.open(ref).convert("L"), dtype=np.int16))
        worst.append((d, i))
    assert max(worst)[0] < 0.03, sorted(worst)[-3:]


# --- the 目录 with page numbers, the fonts --------------------------------------------------


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _footer_number(page: str) -> int:
    return int(re.search(r"—\s*(\d+)\s*—", page).group(1))


def _toc_numbers(texts: list[str], entries: list[str]) -> tuple[list[int], int]:
    """The number each 目录 line of the PDF ends with, and the last 目录 page's index."""
    first = next(i for i, t in enumerate(texts) if re.search(r"^\s*目\s*录\s*$", t, re.M))
    lines, last = [], first
    for i in range(first, len(texts)):
        found = [_norm(line) for line in texts[i].splitlines() if re.search(r"\.{4,}", line)]
        if not found:
            break
        lines += found
        last = i
    numbers = []
    for entry in entries:
        hit = [
            m
            for line in lines
            if (m := re.fullmatch(re.escape(_norm(entry)) + r"[.…·]+(\d+)", line))
        ]
        assert len(hit) == 1, (entry, lines)
        numbers.append(int(hit[0].group(1)))
    return numbers, last


def _heading_pages(texts: list[str], entries: list[str], after: int) -> list[int]:
    """The printed page number (footer) of the page where each heading starts, looking
    for the headings in order after the 目录."""
    pages, i = [], after + 1
    for entry in entries:
        want = _norm(entry)
        while True:
            lines = [_norm(line) for line in texts[i].splitlines()]
            pairs = [a + b for a, b in zip(lines, [*lines[1:], ""], strict=True)]
            if want in lines or want in pairs:
                break
            i += 1
        pages.append(_footer_number(texts[i]))
    return pages


@needs_pdf
def test_toc_lines_end_with_the_page_their_heading_starts_on(example_pdf):
    """The acceptance check of issue 16: each 目录 line of the PDF ends with the printed
    page number of the page on which its heading starts; the .docx written back holds
    the same numbers in its 目录 field, and Word is no longer asked to update fields."""
    docx_bytes = example_pdf.with_suffix(".docx").read_bytes()
    cached = toc.cached_entries(docx_bytes)
    entries = [text for text, _ in cached]
    assert len(entries) == 17 and entries[0] == "第一部分 部门概况"
    texts = page_texts(example_pdf)
    in_toc, last_toc_page = _toc_numbers(texts, entries)
    assert in_toc == _heading_pages(texts, entries, last_toc_page)
    assert in_toc == sorted(in_toc) and in_toc[0] >= 2  # the body starts after the 目录
    assert [int(page) for _, page in cached] == in_toc
    import zipfile

    settings = zipfile.ZipFile(example_pdf.with_suffix(".docx")).read("word/settings.xml")
    assert b"updateFields" not in settings


def _pdf_fonts(pdf) -> list[str]:
    import subprocess

    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    return [line.split()[0].split("+", 1)[-1] for line in out.stdout.splitlines()[2:]]


@needs_pdf
def test_pdf_has_fangsong_and_kaiti_faces_and_the_build_names_them(example_build):
    """Body text in a 仿宋 face, （一） headings in a 楷体 one (the free stand-ins .ci/run
    installs), the title in a 宋 (serif) face, 一、 headings in a 黑 (sans) face."""
    output, pdf = example_build
    faces = _pdf_fonts(pdf)
    assert any("Fang" in f for f in faces), faces  # FandolFang-Regular
    assert any("Kai" in f for f in faces), faces  # UKaiCN
    assert any("Serif" in f for f in faces), faces  # NotoSerifCJK…
    assert any("Sans" in f for f in faces), faces  # NotoSansCJK…
    installed = {n for names in (fonts.installed_families() or []) for n in names}
    expected = [
        (font, sub)
        for font, sub in (
            ("方正小标宋简体", "Noto Serif CJK SC"),
            ("仿宋_GB2312", "FandolFang"),
            ("楷体_GB2312", "AR PL UKai CN"),
            ("黑体", "Noto Sans CJK SC"),
        )
        if font not in installed
    ]
    line = "PDF 字体替代：" + "，".join(f"{a} → {b}" for a, b in expected)
    assert (line in output.splitlines()) == bool(expected), output
