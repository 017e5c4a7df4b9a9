"""One-time tool: write the 云南 table layouts (then Python objects) as profile data.

Kept so the conversion can be repeated and reviewed: ``python tools/dump_layouts.py``
writes templates/yunnan-2021/tables/<key>.toml from :mod:`reportgen.layouts`' objects.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reportgen.layouts import NONNEG, TableLayout  # noqa: E402


def _s(v) -> str:
    return json.dumps(v, ensure_ascii=False)


def _item_line(it) -> str:
    parts = [f"key = {_s(it.key)}", f"label = {_s(it.label)}"]
    if it.line is not None:
        parts.append(f"line = {it.line}")
    if it.sign != NONNEG:
        parts.append(f"sign = {_s(it.sign)}")
    if it.count:
        parts.append("count = true")
    if it.no_budget:
        parts.append("no_budget = true")
    if it.header:
        parts.append(f"header = {_s(list(it.header))}")
    if it.heading:
        parts.append("heading = true")
    return "{ " + ", ".join(parts) + " }"


def dump(lay: TableLayout) -> str:
    out = [
        f"# {lay.number} {lay.title}",
        f"key = {_s(lay.key)}",
        f"number = {_s(lay.number)}",
        f"title = {_s(lay.title)}",
        f"kind = {_s(lay.kind)}",
        f"unit = {_s(lay.unit)}",
        f"landscape = {str(lay.landscape).lower()}",
        f"note = {_s(lay.note)}",
    ]
    if lay.empty_note:
        out.append(f"empty_note = {_s(lay.empty_note)}")
    out.append(f"width = {lay.width}")
    out.append(f"header_rows = {lay.header_rows}")
    out.append("# 表头单元格：[行, 列, 文字, 跨行数, 跨列数]（从 0 起）")
    out.append("header = [")
    for h in lay.header:
        out.append(f"  [{h.row}, {h.col}, {_s(h.text)}, {h.rows}, {h.cols}],")
    out.append("]")
    for name in ("right_cols",):
        if name in lay.extra:
            out.append(f"{name} = {_s(list(lay.extra[name]))}")
    out.append("columns = [")
    for c in lay.columns:
        parts = [f"key = {_s(c.key)}", f"label = {_s(c.label)}"]
        if c.sign != NONNEG:
            parts.append(f"sign = {_s(c.sign)}")
        out.append("  { " + ", ".join(parts) + " },")
    out.append("]")
    for part in ("left", "left_tail", "right_tail", "items"):
        if part in lay.extra:
            out.append(f"{part} = [")
            out.extend(f"  {_item_line(it)}," for it in lay.extra[part])
            out.append("]")
    if lay.kind == "summary":
        from reportgen.layouts import FUNCTION_CLASSES_2021

        out.append("# 支出栏印出的功能分类（类），按导出顺序")
        out.append("classes = [")
        out.extend(f"  [{_s(c)}, {_s(n)}]," for c, n in FUNCTION_CLASSES_2021)
        out.append("]")
    if lay.kind == "economic":
        from reportgen.layouts import ECONOMIC_BLOCKS

        out.append("# 印出的经济分类科目，分栏（每栏一组，按导出顺序）")
        out.append("groups = [")
        for block in ECONOMIC_BLOCKS:
            out.append("  [")
            for i in range(0, len(block), 10):
                out.append("    " + ", ".join(_s(c) for c in block[i : i + 10]) + ",")
            out.append("  ],")
        out.append("]")
    return "\n".join(out) + "\n"


def main() -> None:
    from reportgen.layouts import LAYOUTS

    target = ROOT / "templates" / "yunnan-2021" / "tables"
    target.mkdir(parents=True, exist_ok=True)
    for lay in LAYOUTS:
        (target / f"{lay.key}.toml").write_text(dump(lay), encoding="utf-8")


if __name__ == "__main__":
    main()
