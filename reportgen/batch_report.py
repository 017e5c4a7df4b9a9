"""汇总.xlsx and 汇总.json: what a batch did, for the finance bureau.

Sheet 汇总 has one row per unit (status, counts, links to its files); sheet 问题清单 has
every finding of every unit (unit, severity, rule, sheet!cell, message, expected, found),
so a bureau can filter by rule or by unit. Written once, at the end, by the parent.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .atomic import write_atomic

_FILLS = {
    "成功": "E2EFDA",
    "有警告": "FFF2CC",
    "有错误": "F8CBAD",
    "异常": "FF9999",
}


def write_summary(out_dir: Path, summary) -> tuple[Path, Path]:
    xlsx = out_dir / "汇总.xlsx"
    js = out_dir / "汇总.json"
    write_atomic(xlsx, _workbook_bytes(summary))
    data = {
        "units": len(summary.results),
        "failed": len(summary.failed),
        "seconds": summary.seconds,
        "workers": summary.workers,
        "engine": getattr(summary, "engine", {"kind": "pool"}),
        "results": [asdict(r) for r in summary.results],
    }
    write_atomic(js, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
    return xlsx, js


def engine_text(engine: dict) -> str:
    """Where a batch ran and who wrote its documents, for people (empty for this
    machine's own pool, which needs no saying)."""
    if engine.get("kind") != "dask":
        return ""
    writer = (
        "文档由工作进程传回本机写入输出目录（--collect）"
        if engine.get("outputs") == "collect"
        else "文档由工作进程直接写入输出目录（共享存储）"
    )
    return f"在 Dask 集群 {engine.get('scheduler', '')} 上生成，{writer}。"


def _workbook_bytes(summary) -> bytes:
    import io

    wb = Workbook()
    ws = wb.active
    ws.title = "汇总"
    heads = (
        "序号",
        "单位（工作簿）",
        "部门名称",
        "年度",
        "状态",
        "错误",
        "警告",
        "文档",
        "审核结果",
        "PDF",
        "耗时（秒）",
        "说明",
    )
    ws.append(heads)
    for i, r in enumerate(summary.results, 1):
        errors = sum(1 for f in r.findings if f.get("severity") == "错误")
        warnings = len(r.findings) - errors
        doc = next((f for f in r.files if f.endswith(".docx")), "")
        report = next((f for f in r.files if f.endswith(".txt")), "")
        pdf = next((f for f in r.files if f.endswith(".pdf")), "")
        message = r.message + ("（已完成，本次跳过）" if r.skipped else "")
        ws.append(
            (
                i,
                r.unit,
                r.department,
                r.year,
                r.status,
                errors,
                warnings,
                doc and "打开",
                report and "打开",
                pdf and "打开",
                r.seconds,
                message,
            )
        )
        row = ws.max_row
        for col, target in ((8, doc), (9, report), (10, pdf)):
            if target:
                cell = ws.cell(row=row, column=col)
                cell.hyperlink = target  # relative to 汇总.xlsx
                cell.font = Font(color="0563C1", underline="single")
        ws.cell(row=row, column=5).fill = PatternFill(
            "solid", fgColor=_FILLS.get(r.status, "FFFFFF")
        )
    _format(ws, (6, 40, 30, 8, 8, 6, 6, 8, 10, 8, 10, 60))
    ws.append(())
    ok = sum(1 for r in summary.results if r.ok)
    ws.append(
        (
            "",
            f"共 {len(summary.results)} 个单位：成功 {ok} 个，失败 {len(summary.failed)} 个；用时 {summary.seconds} 秒，{summary.workers} 个工作进程。"
            + engine_text(getattr(summary, "engine", {})),
        )
    )

    fs = wb.create_sheet("问题清单")
    fs.append(("单位（工作簿）", "部门名称", "级别", "规则", "位置", "说明", "应为", "实为"))
    for r in summary.results:
        for f in r.findings:
            fs.append(
                (
                    r.unit,
                    r.department,
                    f.get("severity"),
                    f.get("rule"),
                    f.get("where"),
                    f.get("message"),
                    f.get("expected"),
                    f.get("found"),
                )
            )
    _format(fs, (40, 30, 6, 8, 18, 80, 18, 18))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _format(ws, widths) -> None:
    for j, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = w
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
