"""Validate uploads completely before anything is written, then write inside one folder.

A refused upload raises :class:`UploadRejected` with a Chinese message and leaves nothing
on disk. The request body is streamed into a private staging folder
(``<data_dir>/staging/<random>/``, see :mod:`reportgen.web.forms`) under names of our own
making, with every size limit enforced while it is read; then every check runs there
(sizes, file types by their first bytes, .zip entry names, and what each workbook member
of a .zip really expands to, decompressed without being written). Only then is the job
folder created, and every path written under it is checked with
:func:`reportgen.paths.inside`. No user text ever becomes a path: names are sanitised by
:func:`reportgen.paths.safe_filename` to a bare file name.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from ..paths import inside, safe_filename
from ..sheets import MAX_RATIO, OLE_MAGIC, ZIP_MAGIC

MB = 1024 * 1024
#: Uploads and .zip members are copied and measured in pieces of this size.
CHUNK = MB
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
    zip_ratio_min_member: int = 1 * MB


class UploadRejected(Exception):
    """An upload that must not be processed; ``message`` is shown to the user."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass
class Upload:
    """One uploaded file, staged on disk under a name of our own (already size-checked)."""

    name: str  # as the browser sent it: user text, never used as a path
    path: Path
    size: int = 0


@dataclass
class Unit:
    """One workbook to generate: where its bytes come from and its safe file name."""

    name: str
    path: Path | None = None  # a staged upload
    zip_source: Path | None = None  # the staged .zip, when the unit is one of its members
    member: str = ""


def too_large(limits: Limits) -> UploadRejected:
    return UploadRejected(
        f"上传内容过大：一次最多 {limits.request_bytes // MB} MB。请分批上传。", 413
    )


def check_request_size(content_length: str | None, limits: Limits) -> None:
    """Refuse by the declared length before the body is read."""
    if content_length and content_length.isdigit() and int(content_length) > limits.request_bytes:
        raise too_large(limits)


def file_too_large(name: str, limits: Limits) -> UploadRejected:
    return UploadRejected(
        f"{show(name)} 大于 {limits.file_bytes // MB} MB，不像一个部门的决算工作簿，已拒绝。", 413
    )


def plan_units(uploads: list[Upload], limits: Limits) -> list[Unit]:
    """Every workbook unit in the uploads (a .zip contributes its workbook members).

    Reads the staged files (a .zip's workbook members are decompressed to be measured),
    so call it in a thread.
    """
    if not uploads:
        raise UploadRejected("没有收到文件。请选择 .xlsx、.xls 工作簿或 .zip 压缩包后再上传。")
    if len(uploads) > limits.files:
        raise UploadRejected(f"文件过多：一次最多 {limits.files} 个。请打包为 .zip 或分批上传。")
    if sum(u.path.stat().st_size for u in uploads) > limits.request_bytes:
        raise too_large(limits)
    units: list[Unit] = []
    for up in uploads:
        units.extend(_units_of(up, limits))
    if not units:
        raise UploadRejected("压缩包中没有 .xlsx 或 .xls 工作簿。")
    _dedupe(units)
    return units


def _units_of(up: Upload, limits: Limits) -> list[Unit]:
    """A workbook is one unit; a .zip (not an .xlsx) is unpacked into its workbooks."""
    if up.path.stat().st_size > limits.file_bytes:
        raise file_too_large(up.name, limits)
    suffix = PurePosixPath(up.name.replace("\\", "/")).suffix.lower()
    kind = sniff(up.path)
    if suffix in WORKBOOK_SUFFIXES and kind == "workbook":
        return [Unit(safe_name(up.name), path=up.path)]
    if suffix == ".zip" and kind == "zip":
        return _zip_units(up, limits)
    raise UploadRejected(
        f"{show(up.name)} 不是 Excel 工作簿（.xlsx 或 .xls）或 .zip 压缩包。"
        "请在 Excel 或 WPS 中打开后另存为 .xlsx 再上传。"
    )


def workbook_magic(head: bytes) -> bool:
    """Do these first bytes open a workbook (.xls: OLE2; .xlsx: a zip's local header)?"""
    return head.startswith(OLE_MAGIC) or head.startswith(ZIP_MAGIC)


def sniff(source: Path | bytes) -> str:
    """'workbook' (.xlsx or .xls by their content), 'zip' (another archive) or ''.

    ``source`` is a file (read from its start; only a zip's directory is read) or bytes.
    """
    if isinstance(source, bytes | bytearray):
        head, archive = bytes(source[: len(OLE_MAGIC)]), io.BytesIO(source)
    else:
        with open(source, "rb") as fh:
            head = fh.read(len(OLE_MAGIC))
        archive = source
    if head.startswith(OLE_MAGIC):
        return "workbook"
    if not head.startswith(ZIP_MAGIC):
        return ""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return ""
    return "workbook" if "xl/workbook.xml" in names else "zip"


def _bomb(name: str, size: int) -> UploadRejected:
    return UploadRejected(
        f"压缩包解压后过大（{show(name)} 约 {max(size // MB, 1)} MB），疑似压缩炸弹，已拒绝。", 413
    )


def _zip_units(up: Upload, limits: Limits) -> list[Unit]:
    """Check the archive's directory (names, count, sizes, ratios), then decompress each
    workbook member without writing it, counting its real bytes and looking at its first
    bytes; nothing is written until every member has passed."""
    try:
        zf = zipfile.ZipFile(up.path)
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UploadRejected(f"{show(up.name)} 不是有效的 .zip 压缩包，无法解压。") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.zip_entries:
            raise UploadRejected(f"压缩包中的文件过多：最多 {limits.zip_entries} 个。")
        declared = 0
        members = []
        for info in infos:
            _refuse_unsafe_name(info.filename)
            declared += info.file_size
            ratio = info.file_size / max(info.compress_size, 1)
            big = info.file_size > limits.zip_ratio_min_member
            if declared > limits.zip_unpacked_bytes or (big and ratio > limits.zip_ratio):
                raise _bomb(info.filename, info.file_size)
            if info.is_dir() or not _is_workbook_name(info.filename):
                continue
            if info.file_size > limits.file_bytes:
                raise _member_too_large(info.filename, limits)
            members.append(info)
        total = 0
        for info in members:
            total += _measure_member(zf, info, limits, limits.zip_unpacked_bytes - total)
    return [
        Unit(safe_name(info.filename), zip_source=up.path, member=info.filename) for info in members
    ]


def _member_too_large(name: str, limits: Limits) -> UploadRejected:
    return UploadRejected(
        f"压缩包中的 {show(name)} 大于 {limits.file_bytes // MB} MB，已拒绝。", 413
    )


def _measure_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits, room: int) -> int:
    """The bytes ``info`` really decompresses to (read in pieces, never kept), refusing a
    member that is not a workbook by its first bytes, is larger than one file may be,
    does not fit in the ``room`` left of the archive's total, or cannot be read."""
    size = 0
    try:
        with zf.open(info) as src:
            head = src.read(len(OLE_MAGIC))
            if not workbook_magic(head):
                raise UploadRejected(
                    f"压缩包中的 {show(info.filename)} 不是 Excel 工作簿（按文件内容判断），"
                    "已拒绝整个压缩包。"
                )
            size = len(head)
            while piece := src.read(CHUNK):
                size += len(piece)
                if size > limits.file_bytes:
                    raise _member_too_large(info.filename, limits)
                if size > room:
                    raise _bomb(info.filename, size)
    except RuntimeError as exc:  # encrypted
        raise UploadRejected(
            f"压缩包中的 {show(info.filename)} 设有密码，无法解压。请去掉密码后重新打包。"
        ) from exc
    except NotImplementedError as exc:  # a compression method zipfile cannot read
        raise UploadRejected(
            f"压缩包中的 {show(info.filename)} 使用了不支持的压缩方式。请用“zip”格式重新打包。"
        ) from exc
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise UploadRejected(f"压缩包已损坏（{show(info.filename)} 无法完整解压）。") from exc
    return size


def _refuse_unsafe_name(name: str) -> None:
    """Absolute paths, drive letters and ``..`` never reach the disk, even sanitised."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if name.startswith(("/", "\\")) or PureWindowsPath(name).drive or ".." in parts:
        raise UploadRejected(f"压缩包中的路径不安全（{show(name)}），已拒绝整个压缩包。")


def _is_workbook_name(name: str) -> bool:
    """Workbooks only: folders, macOS resource forks, lock and hidden files are ignored."""
    p = PurePosixPath(name.replace("\\", "/"))
    if p.suffix.lower() not in WORKBOOK_SUFFIXES or p.name.startswith(("~$", ".")):
        return False
    return "__MACOSX" not in p.parts


def safe_name(name: str) -> str:
    """A bare, harmless file name (folders dropped, then :func:`safe_filename`), keeping a
    workbook's suffix in lower case."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    suffix = PurePosixPath(base).suffix
    if suffix.lower() in WORKBOOK_SUFFIXES:
        return safe_filename(base[: -len(suffix)], suffix.lower(), fallback="工作簿")
    return safe_filename(base, fallback="工作簿")


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')


def show(name: str) -> str:
    """A name safe to echo in a message (never a path): control and reserved characters
    replaced, at most 120 characters."""
    return _UNSAFE.sub("_", str(name))[:120]


def _dedupe(units: list[Unit]) -> None:
    """Two members named alike in different folders get distinct names (…(2).xlsx)."""
    seen: set[str] = set()
    for u in units:
        name, n = u.name, 2
        suffix = PurePosixPath(u.name).suffix
        stem = u.name[: -len(suffix)] if suffix else u.name
        while name.lower() in seen:
            name = safe_filename(f"{stem}({n})", suffix, fallback="工作簿")
            n += 1
        seen.add(name.lower())
        u.name = name


def write_units(units: list[Unit], in_dir: Path, limits: Limits | None = None) -> list[Path]:
    """Write every unit into ``in_dir`` (the job's own folder); on failure remove the job
    folder (``in_dir``'s parent). Staged uploads are moved, .zip members extracted."""
    limits = limits or Limits()
    in_dir.mkdir(parents=True)
    try:
        return [_write_unit(u, in_dir, limits) for u in units]
    except BaseException:
        shutil.rmtree(in_dir.parent, ignore_errors=True)
        raise


def _write_unit(unit: Unit, in_dir: Path, limits: Limits) -> Path:
    target = inside(in_dir, unit.name)
    if target.parent != in_dir.resolve():  # a bare name, never a folder of its own
        raise ValueError(f"not a bare file name: {unit.name!r}")
    if unit.path is not None:
        try:
            os.replace(unit.path, target)  # staging is on the data dir's file system
        except OSError:
            shutil.copyfile(unit.path, target)
        return target
    with (
        zipfile.ZipFile(unit.zip_source) as zf,
        zf.open(unit.member) as src,
        target.open("xb") as dst,
    ):
        size = 0
        while piece := src.read(CHUNK):
            size += len(piece)
            if size > limits.file_bytes:  # measured before; refuse a changed file anyway
                raise _member_too_large(unit.member, limits)
            dst.write(piece)
    return target
