"""Render a .docx as a person sees it: PDF through LibreOffice, then page images.

Shared by the visual tests and by ``python tools/visual.py --update`` which rewrites the
reference page images under tests/reference_pages/ after an intended layout change
(look at the new pages before committing them).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REFERENCE = ROOT / "tests" / "reference_pages"
DPI = 24  # small: layout, not glyph shapes, is compared


def pdf_pages(pdf: Path, dpi: int = DPI) -> list[np.ndarray]:
    """Every page of ``pdf`` as a greyscale array (0 black … 255 white)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["pdftoppm", "-gray", "-r", str(dpi), "-png", str(pdf), f"{tmp}/p"], check=True
        )
        files = sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
        return [np.asarray(Image.open(f).convert("L"), dtype=np.int16) for f in files]


def page_texts(pdf: Path) -> list[str]:
    out = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    return out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")


def ink(page: np.ndarray) -> float:
    """Share of the page that is not white."""
    return float((page < 200).mean())


def difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two pages (0 same … 1 inverted); sizes must match."""
    if a.shape != b.shape:
        return 1.0
    return float(np.abs(a - b).mean() / 255)


def update() -> None:
    from reportgen import build
    from reportgen.pdf import to_pdf

    example = ROOT / "inputs" / "example" / "2021年度玉溪市互联网信息办公室.xlsx"
    with tempfile.TemporaryDirectory() as tmp:
        pdf = to_pdf(build(example, tmp).path)
        pages = pdf_pages(pdf)
    REFERENCE.mkdir(exist_ok=True)
    for old in REFERENCE.glob("page-*.png"):
        old.unlink()
    for i, page in enumerate(pages, 1):
        Image.fromarray(page.astype(np.uint8)).save(REFERENCE / f"page-{i:02d}.png", optimize=True)
    print(f"{len(pages)} pages written to {REFERENCE}")


if __name__ == "__main__" and "--update" in sys.argv:
    update()
