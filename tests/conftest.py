"""Shared fixtures: the bundled example, its built document, and mutated workbooks."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from portal_backends import portal_url  # noqa: F401 - the portal's SQLite and PostgreSQL

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "example" / "2021年度玉溪市互联网信息办公室.xlsx"
SHARED = ROOT.parent / "shared"

#: What checking the bundled example reports: seed 001's first 项目支出绩效自评表 (公开12表)
#: does not add up (indicators 70 + 执行率 10 = 80 分值, 78.33 得分, yet printed 100 / 98.33 /
#: 优): one finding per given figure, at its cell (P06–P08); and eight tables hold 度量单位 /
#: 指标性质 codes of the export whose names are not known (P11, at the first such cell).
#: Nothing else.
EXAMPLE_WARNINGS = {
    ("P06", "公开12表!H23"),
    ("P07", "公开12表!I23"),
    ("P08", "公开12表!J23"),
    ("P11", "公开12表!F42"),  # 198
    ("P11", "公开12表!F94"),  # 24
    ("P11", "公开12表!F175"),  # 24
    ("P11", "公开12表!F199"),  # 105, 51, 21
    ("P11", "公开12表!F301"),  # 55, 10
    ("P11", "公开12表!D381"),  # 指标性质 1
    ("P11", "公开12表!F408"),  # 2
    ("P11", "公开12表!F432"),  # 198
}


def known(findings) -> set[tuple[str, str]]:
    """(rule, where) of every finding (to compare with EXAMPLE_WARNINGS)."""
    return {(f.rule, f.where) for f in findings}


sys.path.insert(0, str(ROOT / "tools"))


@pytest.fixture(scope="session")
def example_path() -> Path:
    return EXAMPLE


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The example document, built once per test session."""
    from reportgen import build

    out = tmp_path_factory.mktemp("built")
    return build(EXAMPLE, out)


@pytest.fixture(scope="session")
def doc_paragraphs(built) -> list[str]:
    import docx

    # the body only: the 目录 repeats every heading
    return [
        p.text
        for p in docx.Document(str(built.path)).paragraphs
        if not p.style.name.lower().startswith("toc")
    ]


def example_factory(folder: Path):
    """``factory(mutate, name)``: the example data, after ``mutate(data)``, written in folder."""
    from build_example import example_data

    from reportgen import codes
    from reportgen.workbook import write_workbook

    def factory(mutate=None, name="mutated.xlsx") -> Path:
        data = example_data()
        if mutate:
            mutate(data)
        path = folder / name
        write_workbook(path, data, names=codes.economic_name_map(2021))
        return path

    return factory


@pytest.fixture
def make_workbook(tmp_path):
    """Write the example data, after ``mutate(data)``, to a fresh workbook path."""
    return example_factory(tmp_path)
