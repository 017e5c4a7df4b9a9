"""Turn a workbook into what other 决算 software writes: legacy .xls (BIFF8).

Used by the tests to prove the importer reads .xls exports; not part of the product
(writing .xls needs xlwt, a test dependency). Values and merged ranges are copied;
formatting is not, as the importer does not read it.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import xlwt
from openpyxl import load_workbook


def xlsx_to_xls(src: Path, dst: Path) -> Path:
    """Copy every sheet's values and merged ranges from ``src`` (.xlsx) to ``dst`` (.xls)."""
    wb = load_workbook(src)
    book = xlwt.Workbook(encoding="utf-8")
    for ws in wb.worksheets:
        sheet = book.add_sheet(ws.title[:31], cell_overwrite_ok=True)
        anchors = {}
        covered = set()
        for rng in ws.merged_cells.ranges:
            anchors[(rng.min_row, rng.min_col)] = rng
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    covered.add((r, c))
        for row in ws.iter_rows():
            for cell in row:
                value = cell.value
                if isinstance(value, Decimal):
                    value = float(value)
                key = (cell.row, cell.column)
                if key in anchors:
                    rng = anchors[key]
                    sheet.write_merge(
                        rng.min_row - 1,
                        rng.max_row - 1,
                        rng.min_col - 1,
                        rng.max_col - 1,
                        "" if value is None else value,
                    )
                elif key not in covered and value is not None:
                    sheet.write(cell.row - 1, cell.column - 1, value)
    book.save(str(dst))
    return dst
