"""Convert the generated .docx to PDF with LibreOffice, when it is installed.

LibreOffice is a desktop suite, not a Python package, so it cannot be a dependency: the
conversion is optional and says how to install LibreOffice when it is missing. Each
conversion uses its own throw-away LibreOffice profile, so conversions may run in
parallel (batch) and never touch the user's own LibreOffice settings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .atomic import OutputError, write_atomic

TIMEOUT_S = 240

INSTALL_HINT = (
    "未找到 LibreOffice，无法生成 PDF（Word 文档已生成）。安装方法：\n"
    "  Debian/Ubuntu：sudo apt-get install -y libreoffice-writer\n"
    "  Windows/macOS：从 https://zh-cn.libreoffice.org/download/ 下载安装，"
    "并确保 soffice 在 PATH 中（或设置环境变量 REPORTGEN_SOFFICE 为 soffice 的完整路径）。"
)


class PdfError(Exception):
    """The PDF could not be made; the message says why and what to do."""


def find_soffice() -> str | None:
    """The LibreOffice command: $REPORTGEN_SOFFICE, else soffice/libreoffice on PATH."""
    explicit = os.environ.get("REPORTGEN_SOFFICE")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(docx: Path, pdf: Path | None = None) -> Path:
    """Write ``docx`` as PDF next to it (or at ``pdf``), atomically; returns the PDF path."""
    soffice = find_soffice()
    if soffice is None:
        raise PdfError(INSTALL_HINT)
    docx = Path(docx)
    pdf = Path(pdf) if pdf else docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as work:
        work_dir = Path(work)
        profile = (work_dir / "profile").as_uri()
        cmd = [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work_dir),
            str(docx),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired as exc:
            raise PdfError(f"LibreOffice 转换超时（{TIMEOUT_S} 秒），未生成 PDF。") from exc
        produced = work_dir / (docx.stem + ".pdf")
        if proc.returncode != 0 or not produced.exists():
            detail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["无输出"]
            raise PdfError(f"LibreOffice 未能转换 {docx.name}：{detail[0]}")
        try:
            write_atomic(pdf, produced.read_bytes())
        except OutputError as exc:
            raise PdfError(f"PDF 未能写出：{exc.reason}") from exc
    return pdf
