"""第三部分 名词解释: every 项 of 支出决算表 with its explanation, and the conditional terms
exactly when they apply (tests-review: dropping the per-科目 entries passed every test).

The expectation is built here from the unit's own tables (which amounts are non-zero, which
7-digit codes 公开03表 lists) and the pack's glossary.csv, independently of
``pipeline.glossary``.
"""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import docx
import pytest

from reportgen import build, check, codes
from reportgen.workbook import write_workbook

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "templates" / "sichuan-2021" / "glossary.csv"


def part_three(path: Path) -> list[str]:
    paras = [
        p.text
        for p in docx.Document(str(path)).paragraphs
        if not p.style.name.lower().startswith("toc")
    ]
    start = paras.index("第三部分 名词解释") + 1
    end = next(i for i in range(start, len(paras)) if paras[i].startswith("第四部分"))
    return paras[start:end]


def _nonzero(*values) -> bool:
    return any(v not in (None, Decimal(0)) for v in values)


def applies(report) -> dict[str, bool]:
    """Which conditional terms the unit's own figures call for."""
    t01, t03 = report.table("t01"), report.table("t03")
    t07, t08 = report.table("t07"), report.table("t08")
    item = lambda key: t01.items.get(key, {}).get("amount")  # noqa: E731
    return {
        "always": True,
        "三公经费": True,
        "事业收入": _nonzero(item("business")),
        "经营收入": _nonzero(item("operating")),
        "上级补助收入": _nonzero(item("superior")),
        "附属单位上缴收入": _nonzero(item("affiliated")),
        "其他收入": _nonzero(item("other")),
        "使用非财政拨款结余": _nonzero(item("use_nonfiscal_surplus")),
        "年初结转和结余": _nonzero(item("open_balance")),
        "结余分配": _nonzero(t01.items.get("R:surplus_distribution", {}).get("amount")),
        "年末结转和结余": _nonzero(t01.items.get("R:close_balance", {}).get("amount")),
        "基本支出": _nonzero(t03.total.get("basic")),
        "项目支出": _nonzero(t03.total.get("project")),
        "经营支出": _nonzero(t03.total.get("operating")),
        "上缴上级支出": _nonzero(t03.total.get("to_superior")),
        "对附属单位补助支出": _nonzero(t03.total.get("to_affiliated")),
        "政府性基金": _nonzero(t07.total.get("income_total"), t07.total.get("exp_total")),
        "国有资本经营": _nonzero(t08.total.get("income_total"), t08.total.get("exp_total")),
        "机关运行经费": report.unit.nature in ("行政单位", "参照公务员法管理的事业单位"),
    }


def expected_items(report) -> list[str]:
    """ "X（类）Y（款）Z（项）：explanation" for each 7-digit code of 公开03表, in code order."""
    year = report.unit.year
    out = []
    for code in sorted({r.code for r in report.table("t03").rows if len(r.code) == 7}):
        names = [codes.function(code[:n], year).name for n in (3, 5, 7)]
        label = f"{names[0]}（类）{names[1]}（款）{names[2]}（项）"
        e = codes.function(code, year)
        out.append(
            f"{label}：{e.explanation or f'反映{names[1]}（款）{names[2]}（项）方面的支出。'}"
        )
    return out


def _seed004(tmp: Path) -> Path:
    from seed004_data import seed004_data

    data = seed004_data()
    path = tmp / "seed004.xlsx"
    write_workbook(path, data, names=codes.economic_name_map(data.year))
    return path


@pytest.fixture(scope="module", params=["example", "seed004"])
def unit(request, tmp_path_factory, example_path):
    tmp = tmp_path_factory.mktemp(request.param)
    src = example_path if request.param == "example" else _seed004(tmp)
    report, _ = check(src)
    return report, part_three(build(src, tmp / "out").path)


def test_terms_are_numbered_in_order(unit):
    _report, paras = unit
    assert [int(re.match(r"^(\d+)\.", p).group(1)) for p in paras] == list(range(1, len(paras) + 1))


def test_every_item_of_the_expense_table_is_explained(unit):
    report, paras = unit
    entries = [p.split(".", 1)[1] for p in paras]
    items = [e for e in entries if "（类）" in e and "（项）：" in e]
    assert items == expected_items(report)


def test_conditional_terms_appear_exactly_when_they_apply(unit):
    report, paras = unit
    present = {p.split(".", 1)[1].split("：", 1)[0] for p in paras}
    flags = applies(report)
    with GLOSSARY.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            wanted = flags[row["applies_when"].strip()]
            assert (row["term"] in present) == wanted, (row["term"], wanted)
