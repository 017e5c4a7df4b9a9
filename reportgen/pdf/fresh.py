"""The fallback: a fresh ``soffice --convert-to pdf`` for one document.

Used when no resident LibreOffice can start (no Python with ``uno``, soffice refusing
to listen). It cannot update the 目录 (LibreOffice converts fields as stored), so the
PDF's 目录 has no page numbers and the .docx keeps asking Word to update fields.
"""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from . import fonts
from .resident import kill_group, own_session


class FreshFailed(Exception):
    """The one-off conversion failed; the message is Chinese."""


def convert(soffice: str, docx: Path, subs: list[fonts.Substitute], timeout: float) -> bytes:
    """The PDF bytes of ``docx`` from a throw-away soffice with its own profile."""
    with tempfile.TemporaryDirectory(prefix="reportgen-pdf-") as work:
        work_dir = Path(work)
        profile = work_dir / "profile"
        fonts.write_profile(profile, subs)
        cmd = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work_dir),
            str(docx),
        ]
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            **own_session(),
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise FreshFailed(f"LibreOffice 转换超时（{timeout:g} 秒），未生成 PDF。") from exc
        finally:
            kill_group(proc)  # oosplash and soffice.bin, also one a crash left behind
        produced = work_dir / (docx.stem + ".pdf")
        if proc.returncode != 0 or not produced.exists():
            detail = (err or out).strip().splitlines()[-1:] or ["无输出"]
            raise FreshFailed(f"LibreOffice 未能转换 {docx.name}：{detail[0]}")
        return produced.read_bytes()
