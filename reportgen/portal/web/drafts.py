"""A unit's working copy (the draft) of one year's document: its workbook, the outputs
of its last build and the build's result, in the store's ``draft_dir``.

``in/workbook.xlsx`` (or ``.xls``) — the workbook as last uploaded or edited;
``out/`` — what ``reportgen.batch.run_unit`` wrote from it; ``result.json`` — that run's
outcome (status, findings, files). Submitting freezes this folder as a version.
File names here are ours; the name the user's file had is kept in ``result.json`` only.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from pathlib import Path

from ...atomic import write_atomic

RESULT = "result.json"
SUFFIXES = (".xlsx", ".xls")


def workbook(folder: Path) -> Path | None:
    """The folder's workbook (a draft or a version folder), or None."""
    for suffix in SUFFIXES:
        path = folder / "in" / f"workbook{suffix}"
        if path.is_file():
            return path
    return None


def result(folder: Path) -> dict:
    """The last build's outcome ({} before the first build)."""
    path = folder / RESULT
    if not path.is_file():
        return {}
    return json.loads(path.read_text("utf-8"))


def document(folder: Path) -> Path | None:
    """The built .docx of a draft or version folder."""
    for name in result(folder).get("files", []):
        if name.endswith(".docx"):
            path = folder / "out" / name
            if path.is_file():
                return path
    return None


def output_file(folder: Path, name: str) -> Path | None:
    """One of the files the build wrote, by the name ``result.json`` lists — never a
    path the request made up."""
    if name not in result(folder).get("files", []):
        return None
    path = (folder / "out" / name).resolve()
    out = (folder / "out").resolve()
    return path if path.is_relative_to(out) and path.is_file() else None


def put_workbook(folder: Path, source: Path, suffix: str, original_name: str) -> Path:
    """Replace the draft's workbook (the old build's outputs go with it)."""
    for old in SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            (folder / "in" / f"workbook{old}").unlink()
    shutil.rmtree(folder / "out", ignore_errors=True)
    with contextlib.suppress(FileNotFoundError):
        (folder / RESULT).unlink()
    target = folder / "in" / f"workbook{suffix}"
    target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, source.read_bytes())
    write_atomic(folder / "in" / "name.txt", original_name.encode("utf-8"))
    return target


def original_name(folder: Path) -> str:
    path = folder / "in" / "name.txt"
    return path.read_text("utf-8") if path.is_file() else ""


async def build(runner, folder: Path, wording: str | None, pdf: bool = False) -> dict:
    """Build the draft's workbook on the server's workers (its pool, or its Dask cluster
    with ``serve --scheduler``); the outcome is saved with the draft."""
    from dataclasses import asdict

    source = workbook(folder)
    if source is None:
        return {}
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    outcome_dict = asdict(await runner.run_one(source, out, wording or "", pdf))
    write_atomic(
        folder / RESULT, json.dumps(outcome_dict, ensure_ascii=False, indent=1).encode("utf-8")
    )
    return outcome_dict


def counts(res: dict) -> tuple[int, int]:
    """(errors, warnings) of a build's findings."""
    findings = res.get("findings", [])
    errors = sum(1 for f in findings if f.get("severity") == "错误")
    return errors, len(findings) - errors


def can_submit(res: dict) -> bool:
    """A draft whose last build made a document (no 错误) may be submitted."""
    return res.get("status") in ("成功", "有警告") and any(
        f.endswith(".docx") for f in res.get("files", [])
    )


def submit_problem(res: dict, year: int) -> str:
    """Why this draft cannot be submitted for ``year`` ('' when it can)."""
    if not can_submit(res):
        return "请先上传工作簿并生成文档（无错误）后再提交。"
    if res.get("year") and int(res["year"]) != int(year):
        return (
            f"工作簿是 {res['year']} 年度的，本次报送的是 {year} 年度决算。请上传本年度的工作簿。"
        )
    return ""


def headings(document_path: Path | None) -> list[str]:
    """The document's headings (Heading 1–3), for the section a reviewer comments on."""
    if document_path is None:
        return []
    from docx import Document

    doc = Document(str(document_path))
    levels = ("Heading 1", "Heading 2", "Heading 3")
    return [p.text.strip() for p in doc.paragraphs if p.style.name in levels and p.text.strip()]
