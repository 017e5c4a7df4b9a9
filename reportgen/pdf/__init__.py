"""The document as PDF, through LibreOffice kept running between documents.

LibreOffice is a desktop suite, not a Python package, so it cannot be a dependency: the
PDF is optional and the user is told how to install LibreOffice when it is missing.

A :class:`Converter` keeps one or more LibreOffice instances running (each with its own
profile, started on first use, restarted after ``recycle`` conversions or when it dies,
every step under a timeout) and drives them over UNO (``resident.py``, ``uno_bridge.py``).
Before exporting, the text fields and the 目录 are updated, so the PDF's 目录 ends each
line with its page number; the same numbers are written into the .docx's 目录 field
(``toc.py``), so Word and WPS open the document showing them. Fonts the document asks
for but the machine lacks are replaced by free stand-ins of the same style
(``fonts.toml``), and the result names them. When no resident instance can start, a
fresh ``soffice --convert-to pdf`` makes the PDF (``fresh.py``), without page numbers in
its 目录, and the result says why.

``reportgen build --pdf`` uses a converter for its one document; ``reportgen batch`` and
the web server run a :class:`~reportgen.pdf.service.PdfService` that their worker
processes reach through a local socket, so every worker shares the same instances.
"""

from __future__ import annotations

import atexit
import os
import queue
import shutil
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..atomic import OutputError, write_atomic, write_group
from . import fonts, fresh, toc
from .resident import (
    START_TIMEOUT_S,
    Crashed,
    Instance,
    Refused,
    StartFailed,
    TimedOut,
    find_uno_python,
)

TIMEOUT_S = 240  # one document
RECYCLE_AFTER = 50  # conversions before an instance is restarted (LibreOffice grows)
RETRY_RESIDENT_S = 300  # after a failed start, fresh processes for this long

INSTALL_HINT = (
    "未找到 LibreOffice，无法生成 PDF（Word 文档已生成）。安装方法：\n"
    "  Debian/Ubuntu：sudo apt-get install -y libreoffice-writer\n"
    "  Windows/macOS：从 https://zh-cn.libreoffice.org/download/ 下载安装，"
    "并确保 soffice 在 PATH 中（或设置环境变量 REPORTGEN_SOFFICE 为 soffice 的完整路径）。"
)
NO_UNO = (
    "找不到能导入 uno 的 Python（Debian/Ubuntu：sudo apt-get install -y python3-uno；"
    "或设置环境变量 REPORTGEN_UNO_PYTHON 为 LibreOffice 自带的 python）"
)


class PdfError(Exception):
    """The PDF could not be made; the message says why and what to do."""


@dataclass(frozen=True)
class PdfResult:
    path: Path
    numbered: bool  # the 目录 of the PDF and of the .docx ends each line with its page
    fonts_note: str | None  # "PDF 字体替代：…" for the fonts the document uses, if any
    fallback: str | None = None  # why a fresh soffice made it (None: a resident one)

    def notes(self) -> list[str]:
        """What the command line tells the user besides the path."""
        lines = [self.fonts_note] if self.fonts_note else []
        if self.fallback:
            lines.append(
                f"未能使用常驻 LibreOffice（{self.fallback}），PDF 由单次转换生成，"
                "其目录没有页码；Word 打开文档时会提示更新目录。"
            )
        return lines


def find_soffice() -> str | None:
    """The LibreOffice command: $REPORTGEN_SOFFICE, else soffice/libreoffice on PATH."""
    explicit = os.environ.get("REPORTGEN_SOFFICE")
    if explicit:
        return explicit if Path(explicit).exists() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def default_instances(jobs: int) -> int:
    """Resident instances for ``jobs`` workers: $REPORTGEN_PDF_INSTANCES, else one per
    worker (at most 8). Converting takes a core for longer than building a document does
    (about 3 s against 1 s for the example), so fewer instances than workers leave cores
    idle in a batch with PDF; each instance holds about 250–350 MB."""
    explicit = os.environ.get("REPORTGEN_PDF_INSTANCES", "")
    if explicit.isdigit() and int(explicit) > 0:
        return int(explicit)
    return max(1, min(jobs, 8))


class Converter:
    """Resident LibreOffice instances for many documents (thread-safe); close it, or use
    it as a context manager, so that no soffice outlives the command."""

    def __init__(
        self,
        instances: int = 1,
        *,
        recycle: int = RECYCLE_AFTER,
        timeout: float = TIMEOUT_S,
        start_timeout: float = START_TIMEOUT_S,
    ):
        self.soffice = find_soffice()
        self.size = max(1, instances)
        self.recycle, self.timeout, self.start_timeout = recycle, timeout, start_timeout
        self._families = fonts.installed_families()
        self.subs = fonts.plan(self._families or [])
        self._lo_fonts: set[str] | None = None
        self._lock = threading.Lock()
        self._idle: queue.Queue[Instance] = queue.Queue()
        self._all: list[Instance] = []
        self._folder: Path | None = None
        self._unavailable: tuple[str, float] | None = None

    # --- the public side ---------------------------------------------------------------

    def convert(self, docx: str | Path, pdf: str | Path | None = None) -> PdfResult:
        """Write ``docx`` as PDF next to it (or at ``pdf``) and number the .docx's 目录;
        both files are replaced atomically, together."""
        if self.soffice is None:
            raise PdfError(INSTALL_HINT)
        docx = Path(docx).resolve()
        pdf = Path(pdf).resolve() if pdf else docx.with_suffix(".pdf")
        data, lines, fallback = None, None, self._why_not_resident()
        if fallback is None:
            try:
                data, lines = self._resident(docx)
            except StartFailed as exc:
                fallback = str(exc) or "LibreOffice 未能启动"
                self._unavailable = (fallback, time.monotonic())
        if data is None:
            try:
                data = fresh.convert(self.soffice, docx, self.subs, self.timeout)
            except fresh.FreshFailed as exc:
                raise PdfError(str(exc)) from exc
        return self._write(docx, pdf, data, lines, fallback)

    @property
    def starts(self) -> int:
        """How many times a resident soffice was started."""
        return sum(i.starts for i in self._all)

    def soffice_groups(self) -> list[int]:
        """The process groups of the running instances' soffice."""
        return [pid for i in self._all for pid in i.pids()]

    def close(self) -> None:
        """Stop every instance (in order, killing what does not stop) and remove their
        profiles. The converter can be used again afterwards (it starts anew)."""
        with self._lock:
            instances, self._all = self._all, []
            self._idle = queue.Queue()
            folder, self._folder = self._folder, None
        for inst in instances:
            inst.stop()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
            atexit.unregister(self.close)

    def __enter__(self) -> Converter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- resident instances ------------------------------------------------------------

    def _why_not_resident(self) -> str | None:
        if find_uno_python(self.soffice) is None:
            return NO_UNO
        if self._unavailable is not None:
            reason, since = self._unavailable
            if time.monotonic() - since < RETRY_RESIDENT_S:
                return reason
            self._unavailable = None
        return None

    def _take(self) -> Instance:
        """An idle instance, a new one while fewer than ``size`` exist, else wait."""
        with self._lock:
            if self._idle.empty() and len(self._all) < self.size:
                if self._folder is None:
                    self._folder = Path(tempfile.mkdtemp(prefix="reportgen-lo-"))
                    atexit.register(self.close)  # no soffice outlives the process
                python = find_uno_python(self.soffice)
                assert self.soffice is not None and python is not None
                inst = Instance(self.soffice, python, self._folder / f"i{len(self._all)}")
                self._all.append(inst)
                return inst
            idle = self._idle
        return idle.get()

    def _give_back(self, inst: Instance) -> None:
        with self._lock:
            if inst in self._all:
                self._idle.put(inst)

    def _resident(self, docx: Path) -> tuple[bytes, list[tuple[str, str]]]:
        inst = self._take()
        try:
            for attempt in (1, 2):
                self._ready(inst)
                out = inst.folder / f"{uuid.uuid4().hex}.pdf"
                try:
                    lines = inst.convert(docx, out, self.timeout)
                    return out.read_bytes(), lines
                except Crashed as exc:
                    if attempt == 2:
                        raise PdfError(
                            f"LibreOffice 转换 {docx.name} 时两次意外退出，未生成 PDF（{exc}）。"
                        ) from exc
                except TimedOut as exc:
                    raise PdfError(
                        f"LibreOffice 转换超时（{self.timeout:g} 秒），未生成 PDF。"
                    ) from exc
                except Refused as exc:
                    raise PdfError(f"LibreOffice 未能转换 {docx.name}：{exc}") from exc
                except OSError as exc:  # the PDF it reported is not there
                    raise PdfError(f"LibreOffice 未能转换 {docx.name}：{exc}") from exc
                finally:
                    out.unlink(missing_ok=True)
            raise AssertionError("unreachable")
        finally:
            self._give_back(inst)

    def _ready(self, inst: Instance) -> None:
        """Start (or restart after ``recycle`` conversions) the instance; a failed start
        is tried once more with a new profile."""
        if inst.running() and inst.done < self.recycle:
            return
        try:
            inst.start(self.subs, self.start_timeout)
        except StartFailed:
            shutil.rmtree(inst.profile, ignore_errors=True)
            inst.start(self.subs, self.start_timeout)
        self._learn_fonts(inst)

    def _learn_fonts(self, inst: Instance) -> None:
        """The first start tells which fonts LibreOffice itself knows and under which
        names; if that changes the replacement table, restart with the corrected one."""
        with self._lock:
            if self._lo_fonts is not None or not inst.fonts:
                return
            self._lo_fonts = set(inst.fonts)
            better = fonts.plan(
                (self._families or []) + [(n,) for n in inst.fonts], known=self._lo_fonts
            )
            changed = better != self.subs
            self.subs = better
        if changed:
            inst.start(self.subs, self.start_timeout)

    # --- writing -------------------------------------------------------------------------

    def _write(
        self,
        docx: Path,
        pdf: Path,
        data: bytes,
        lines: list[tuple[str, str]] | None,
        fallback: str | None,
    ) -> PdfResult:
        numbered_docx, complete = (None, False)
        if lines:
            numbered_docx, complete = toc.number_docx(docx.read_bytes(), lines)
        try:
            if numbered_docx is None:
                write_atomic(pdf, data)
            elif docx.parent == pdf.parent:
                write_group(pdf.parent, {pdf.name: data, docx.name: numbered_docx})
            else:
                write_atomic(pdf, data)
                write_atomic(docx, numbered_docx)
        except OutputError as exc:
            raise PdfError(f"PDF 未能写出：{exc.reason}") from exc
        note = fonts.note(self.subs, fonts.fonts_used(docx))
        return PdfResult(pdf, complete, note, fallback)


def convert(docx: str | Path, pdf: str | Path | None = None, *, via=None) -> PdfResult:
    """One document as PDF: through ``via`` (a :class:`Converter`, or the address of a
    :class:`~reportgen.pdf.service.PdfService`), else a converter of its own."""
    if isinstance(via, Converter):
        return via.convert(docx, pdf)
    if via is not None:
        from .service import request

        return request(via, docx, pdf)
    with Converter() as conv:
        return conv.convert(docx, pdf)


def to_pdf(docx: str | Path, pdf: str | Path | None = None, *, via=None) -> Path:
    """Write ``docx`` as PDF next to it (or at ``pdf``), atomically; returns the PDF path."""
    return convert(docx, pdf, via=via).path


__all__ = [
    "INSTALL_HINT",
    "Converter",
    "PdfError",
    "PdfResult",
    "convert",
    "default_instances",
    "find_soffice",
    "to_pdf",
]
