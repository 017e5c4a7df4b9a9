"""Validate uploads completely before anything is written, then write inside one folder.

A refused upload raises :class:`UploadRejected` with a Chinese message and leaves nothing
on disk: every check (sizes, file types by their first bytes, .zip entry names, zip-bomb
signatures) runs on the bytes in memory or on the archive's directory first; only then is
the job folder created. Names are sanitised to a bare file name, so nothing can be
written outside the job's own ``in/`` folder.
"""

from __future__ import annotations

import io
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..sheets import MAX_RATIO, OLE_MAGIC, ZIP_MAGIC

MB = 1024 * 1024
WORKBOOK_SUFFIXES = {".xlsx", ".xls"}


@dataclass(frozen=True)
class Limits:
    """Upload limits; defaults fit a finance bureau's whole batch of 决算 workbooks."""

    file_bytes: int = 50 * MB
    request_bytes: int = 200 * MB
    files: int = 500
    zip_entries: int = 2000
    zip_unpacked_bytes: int = 500 * MB
    zip_ratio: int = MAX_RATIO
    zip_ratio_min_member: int = 10 * MB


class UploadRejected(Exception):
    """An upload that must not be processed; ``message`` is shown to the user."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Upload:
    """One uploaded file held in memory (already size-checked)."""

    name: str
    data: bytes


@dataclass
class Unit:
    """One workbook to generate: where its bytes come from and its safe file name."""

    name: str
    data: bytes | None = None
    zip_source: bytes | None = None  # the whole .zip, when the unit is one of its members
    member: str = ""


def check_request_size(content_length: str | None, limits: Limits) -> None:
    """Refuse by the declared length before the body is parsed (nothing is spooled)."""
    if content_length and content_length.isdigit() and int(content_length) > limits.request_bytes:
        raise UploadRejected(
            f"上传内容过大：一次最多 {limits.request_bytes // MB} MB。请分批上传。", 413
        )


def plan_units(uploads: list[Upload], limits: Limits) -> list[Unit]:
    """Every workbook unit in the uploads (a .zip contributes its workbook members)."""
    if not uploads:
        raise UploadRejected("没有收到文件。请选择 .xlsx、.xls 工作簿或 .zip 压缩包后再上传。")
    if len(uploads) > limits.files:
        raise UploadRejected(f"文件过多：一次最多 {limits.files} 个。请打包为 .zip 或分批上传。")
    if sum(len(u.data) for u in uploads) > limits.request_bytes:
        raise UploadRejected(f"上传内容过大：一次最多 {limits.request_bytes // MB} MB。", 413)
    units: list[Unit] = []
    for up in uploads:
        units.extend(_units_of(up, limits))
    if not units:
        raise UploadRejected("压缩包中没有 .xlsx 或 .xls 工作簿。")
    _dedupe(units)
    return units


def _units_of(up: Upload, limits: Limits) -> list[Unit]:
    """A workbook is one unit; a .zip (not an .xlsx) is unpacked into its workbooks."""
    if len(up.data) > limits.file_bytes:
        raise UploadRejected(
            f"{safe_name(up.name)} 大于 {limits.file_bytes // MB} MB，不像一个部门的决算工作簿，已拒绝。",
            413,
        )
    suffix = Path(up.name).suffix.lower()
    kind = sniff(up.data)
    if suffix in WORKBOOK_SUFFIXES and kind == "workbook":
        return [Unit(safe_name(up.name), data=up.data)]
    if suffix == ".zip" and kind == "zip":
        return _zip_units(up, limits)
    raise UploadRejected(
        f"{safe_name(up.name)} 不是 Excel 工作簿（.xlsx 或 .xls）或 .zip 压缩包。"
        "请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传。"
    )


def sniff(data: bytes) -> str:
    """'workbook' (.xlsx or .xls by their first bytes), 'zip' (another archive) or ''."""
    if data.startswith(OLE_MAGIC):
        return "workbook"
    if not data.startswith(ZIP_MAGIC):
        return ""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError):
        return ""
    return "workbook" if "xl/workbook.xml" in names else "zip"


def _zip_units(up: Upload, limits: Limits) -> list[Unit]:
    """Check the archive's directory (names, sizes, ratios) before reading any member."""
    with zipfile.ZipFile(io.BytesIO(up.data)) as zf:
        infos = zf.infolist()
    if len(infos) > limits.zip_entries:
        raise UploadRejected(f"压缩包中的文件过多：最多 {limits.zip_entries} 个。")
    total = 0
    units = []
    for info in infos:
        _refuse_unsafe_name(info.filename)
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        big = info.file_size > limits.zip_ratio_min_member
        if total > limits.zip_unpacked_bytes or (big and ratio > limits.zip_ratio):
            raise UploadRejected(
                f"压缩包解压后过大（{_show(info.filename)} 约 {info.file_size // MB} MB），"
                "疑似压缩炸弹，已拒绝。",
                413,
            )
        if info.file_size > limits.file_bytes and _is_workbook_name(info.filename):
            raise UploadRejected(
                f"压缩包中的 {_show(info.filename)} 大于 {limits.file_bytes // MB} MB，已拒绝。",
                413,
            )
        if not info.is_dir() and _is_workbook_name(info.filename):
            units.append(Unit(safe_name(info.filename), zip_source=up.data, member=info.filename))
    return units


def _refuse_unsafe_name(name: str) -> None:
    """Absolute paths, drive letters and ``..`` never reach the disk, even sanitised."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or PureWindowsPath(name).drive or ".." in parts:
        raise UploadRejected(f"压缩包中的路径不安全（{_show(name)}），已拒绝整个压缩包。")


def _is_workbook_name(name: str) -> bool:
    """Workbooks only: folders, macOS resource forks, lock and hidden files are ignored."""
    p = PurePosixPath(name.replace("\\", "/"))
    if p.suffix.lower() not in WORKBOOK_SUFFIXES or p.name.startswith(("~$", ".")):
        return False
    return "__MACOSX" not in p.parts


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def safe_name(name: str) -> str:
    """A bare, harmless file name: no folders, control or reserved characters, no leading dot."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = _UNSAFE.sub("_", unicodedata.normalize("NFC", base)).strip().lstrip(".")
    stem, suffix = Path(base).stem[:80], Path(base).suffix.lower()[:6]
    return (stem or "工作簿") + suffix


def _show(name: str) -> str:
    """A name safe to echo in a message."""
    return _UNSAFE.sub("_", name)[:120]


def _dedupe(units: list[Unit]) -> None:
    """Two members named alike in different folders get distinct names (…(2).xlsx)."""
    seen: set[str] = set()
    for u in units:
        name, n = u.name, 2
        while name.lower() in seen:
            name = f"{Path(u.name).stem}({n}){Path(u.name).suffix}"
            n += 1
        seen.add(name.lower())
        u.name = name


def write_units(units: list[Unit], in_dir: Path) -> list[Path]:
    """Write every unit into ``in_dir`` (the job's own folder); on failure remove it."""
    in_dir.mkdir(parents=True)
    try:
        return [_write_unit(u, in_dir) for u in units]
    except Exception:
        shutil.rmtree(in_dir.parent, ignore_errors=True)
        raise


def _write_unit(unit: Unit, in_dir: Path) -> Path:
    target = in_dir / unit.name
    assert target.resolve().parent == in_dir.resolve(), unit.name  # safe_name guarantees it
    if unit.data is not None:
        target.write_bytes(unit.data)
        return target
    with (
        zipfile.ZipFile(io.BytesIO(unit.zip_source)) as zf,
        zf.open(unit.member) as src,
        target.open("wb") as dst,
    ):
        shutil.copyfileobj(src, dst)
    return target
