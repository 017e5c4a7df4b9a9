from pathlib import Path

from gen_input_docs import pages, render

ROOT = Path(__file__).resolve().parents[1]


def test_input_format_page_is_generated_from_the_schema():
    page = (ROOT / "docs" / "input-format.md").read_text(encoding="utf-8")
    assert page == render(), "docs/input-format.md is stale: run python tools/gen_input_docs.py"


def test_each_layouts_input_page_is_generated_from_its_profile():
    for path, text in pages().items():
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} is stale: run python tools/gen_input_docs.py"
        )
    shanghai = (ROOT / "docs" / "input-format-shanghai-2024.md").read_text(encoding="utf-8")
    assert (
        "| 财政拨款“三公”经费支出决算表、“三公”经费财政拨款支出决算表 | 万元 | 一行，每项预算数/决算数两栏 |"
        in shanghai
    )
    assert "| 因公出国（境）团组数 | 整数 | 否 | 个 | — |" in shanghai
