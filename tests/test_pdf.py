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
from reportgen.pdf import find_soffice

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
def example_pdf(tmp_path_factory, example_path):
    if not HAVE_PDF:
        pytest.skip("LibreOffice or poppler not installed")
    out = tmp_path_factory.mktemp("pdf")
    res = CliRunner().invoke(main, ["build", str(example_path), "-o", str(out), "--pdf"])
    assert res.exit_code == 0, res.output
    (pdf,) = out.glob("*.pdf")
    return pdf


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
