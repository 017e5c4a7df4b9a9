"""Find a table's columns by the words of its header, for layouts without a 栏次 row.

A published table says what each column is in its header: "本年支出 / 合计", "基本支出".
Each column's *path* is the header texts above it, outermost first. Merged cells give a
label to every column they span; where a sheet was typed without merging, a group label
("本年支出") stands over the columns to its right whose cell below holds a sub-label. A
layout's column matches the sheet column whose path ends with the column's last word and
contains its other words in order (extra words allowed: "项目 / 科目名称").
"""

from __future__ import annotations

from collections.abc import Sequence

from .layouts import normalize_label
from .sheets import Grid


def _texts(g: Grid, top: int, bottom: int, width: int) -> list[list[str]]:
    rows = [[normalize_label(g.text(r, c)) for c in range(width)] for r in range(top, bottom)]
    for r0, c0, r1, c1 in g.merges:
        if r1 < top or r0 >= bottom:
            continue
        label = normalize_label(g.text(r0, c0)) if r0 >= top else ""
        for r in range(max(r0, top), min(r1 + 1, bottom)):
            for c in range(c0, min(c1 + 1, width)):
                if not rows[r - top][c]:
                    rows[r - top][c] = label
    return rows


def header_paths(g: Grid, top: int, bottom: int, width: int) -> list[tuple[str, ...]]:
    """For each column, the header texts of rows ``top`` to ``bottom - 1`` above it."""
    rows = _texts(g, top, bottom, width)
    # unmerged group labels: carry a label right while the row below has sub-labels
    for i in range(len(rows) - 1):
        row, below = rows[i], rows[i + 1]
        carried = ""
        for c in range(width):
            if row[c]:
                carried = row[c] if below[c] else ""
            elif carried and below[c]:
                row[c] = carried
            else:
                carried = ""
    paths = []
    for c in range(width):
        path: list[str] = []
        for row in rows:
            if row[c] and (not path or path[-1] != row[c]):
                path.append(row[c])
        paths.append(tuple(path))
    return paths


def _matches(path: tuple[str, ...], words: Sequence[str]) -> bool:
    words = [normalize_label(w) for w in words]
    if not path or not words or path[-1] != words[-1]:
        return False
    it = iter(path[:-1])
    return all(any(p == w for p in it) for w in words[:-1])


def locate(
    paths: Sequence[tuple[str, ...]], wanted: Sequence[Sequence[str]], first: int = 0
) -> list[int | None]:
    """The sheet column of each wanted header (None where none matches), each sheet
    column used once, searched from column ``first``; among several, the one with the
    fewest extra words, then the leftmost."""
    used: set[int] = set()
    out: list[int | None] = []
    for words in wanted:
        found = [c for c in range(first, len(paths)) if c not in used and _matches(paths[c], words)]
        if not found:
            out.append(None)
            continue
        best = min(found, key=lambda c: (len(paths[c]) - len(words), c))
        used.add(best)
        out.append(best)
    return out
