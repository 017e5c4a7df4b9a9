from pathlib import Path

from gen_input_docs import render

ROOT = Path(__file__).resolve().parents[1]


def test_input_format_page_is_generated_from_the_schema():
    page = (ROOT / "docs" / "input-format.md").read_text(encoding="utf-8")
    assert page == render(), "docs/input-format.md is stale: run python tools/gen_input_docs.py"
