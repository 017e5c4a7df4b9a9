"""Read an upload form straight to disk, with every limit enforced while it is read.

Starlette's ``request.form()`` would spool each file in the system's temporary folder
and only then let us look at its size; here the multipart body is parsed as it arrives
(python-multipart's streaming parser) and each file is written, 1 MiB at a time and from
a worker thread, into the request's own staging folder under a name of our own
(``0000.upload``, …): the name the browser sent stays text. A file over the per-file
limit, too many files or fields, or a malformed body stop the reading at once with
:class:`~reportgen.web.uploads.UploadRejected`; the body's total is limited by the
``receive`` wrapper in :mod:`reportgen.web.app`. The caller removes the staging folder
in every case (:class:`Staging`).
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from .uploads import CHUNK, Limits, Upload, UploadRejected, file_too_large

#: Form fields whose files are uploads; files under any other name are skipped.
FILE_FIELDS = ("file", "files")
#: Plain fields (pack, pdf): how many, how long each.
MAX_FIELDS = 20
MAX_FIELD_BYTES = 1024
STAGING = "staging"


class Staging:
    """``with Staging(data_dir) as folder``: a fresh ``data_dir/staging/<random>/``,
    removed (with ``staging/`` itself when it is left empty) however the block ends."""

    def __init__(self, data_dir: Path):
        self.root = Path(data_dir) / STAGING
        self.folder: Path | None = None

    def __enter__(self) -> Path:
        for _ in range(5):  # another request may remove an empty staging/ meanwhile
            self.root.mkdir(parents=True, exist_ok=True)
            folder = self.root / secrets.token_hex(8)
            try:
                folder.mkdir(mode=0o700)
            except FileNotFoundError:
                continue
            self.folder = folder
            return folder
        raise OSError(f"cannot create a staging folder in {self.root}")

    def __exit__(self, *exc) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            self.root.rmdir()


def clear_staging(data_dir: Path) -> None:
    """At startup: staging folders left by a server that was killed mid-upload."""
    shutil.rmtree(Path(data_dir) / STAGING, ignore_errors=True)


@dataclass
class Form:
    fields: dict[str, str]
    uploads: list[Upload]


@dataclass
class _Part:
    name: str = ""
    headers: dict[bytes, bytes] = field(default_factory=dict)
    upload: Upload | None = None
    file: BinaryIO | None = None
    buf: bytearray = field(default_factory=bytearray)
    data: bytearray = field(default_factory=bytearray)
    is_file: bool = False


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


class _Reader:
    """The parser's callbacks: plain fields kept (small), files written to the folder."""

    def __init__(self, folder: Path, limits: Limits):
        self.folder, self.limits = folder, limits
        self.fields: dict[str, str] = {}
        self.uploads: list[Upload] = []
        self.ended = False
        self.part = _Part()
        self._name, self._value = b"", b""
        self._fields = 0
        self._pending: list[tuple[BinaryIO, bytes | None]] = []
        self._open: list[BinaryIO] = []

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self.on_part_begin,
            "on_part_data": self.on_part_data,
            "on_part_end": self.on_part_end,
            "on_header_field": self.on_header_field,
            "on_header_value": self.on_header_value,
            "on_header_end": self.on_header_end,
            "on_headers_finished": self.on_headers_finished,
            "on_end": self.on_end,
        }

    def on_part_begin(self) -> None:
        self.part = _Part()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self.part.headers[self._name.lower()] = self._value
        self._name, self._value = b"", b""

    def on_headers_finished(self) -> None:
        part = self.part
        _, options = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = _text(options.get(b"name", b""))
        part.is_file = b"filename" in options
        if not part.is_file:
            self._fields += 1
            if self._fields > MAX_FIELDS:
                raise UploadRejected("表单字段过多，无法处理。请从本系统的页面上传。")
            return
        filename = _text(options[b"filename"])
        if part.name not in FILE_FIELDS or not filename:  # an empty file input: skipped
            return
        if len(self.uploads) >= self.limits.files:
            raise UploadRejected(
                f"文件过多：一次最多 {self.limits.files} 个。请打包为 .zip 或分批上传。"
            )
        path = self.folder / f"{len(self.uploads):04d}.upload"
        part.file = path.open("xb")
        self._open.append(part.file)
        part.upload = Upload(filename, path)
        self.uploads.append(part.upload)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        part = self.part
        if part.file is not None:
            part.upload.size += end - start
            if part.upload.size > self.limits.file_bytes:
                raise file_too_large(part.upload.name, self.limits)
            part.buf += data[start:end]
            if len(part.buf) >= CHUNK:
                self._pending.append((part.file, bytes(part.buf)))
                part.buf.clear()
        elif not part.is_file:
            part.data += data[start:end]
            if len(part.data) > MAX_FIELD_BYTES:
                raise UploadRejected(f"表单字段“{part.name[:20]}”过长，无法处理。")

    def on_part_end(self) -> None:
        part = self.part
        if part.file is not None:
            if part.buf:
                self._pending.append((part.file, bytes(part.buf)))
                part.buf.clear()
            self._pending.append((part.file, None))
        elif not part.is_file:
            self.fields.setdefault(part.name, _text(bytes(part.data)))

    def on_end(self) -> None:
        self.ended = True

    async def flush(self) -> None:
        """Write what the parser produced, off the event loop."""
        pending, self._pending = self._pending, []
        for fh, data in pending:
            if data is None:
                fh.close()
            else:
                await asyncio.to_thread(fh.write, data)

    def close(self) -> None:
        for fh in self._open:
            fh.close()


async def read_form(request: Request, folder: Path, limits: Limits) -> Form:
    """The form's plain fields and its uploaded files, staged in ``folder``."""
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or not params.get(b"boundary"):
        raise UploadRejected(
            "没有收到文件。请以表单（multipart/form-data）上传 .xlsx、.xls 工作簿或 .zip 压缩包。"
        )
    reader = _Reader(folder, limits)
    try:
        parser = MultipartParser(params[b"boundary"], reader.callbacks())
        async for chunk in request.stream():
            parser.write(chunk)
            await reader.flush()
        parser.finalize()
        await reader.flush()
    except ClientDisconnect as exc:
        raise UploadRejected("上传中断：连接已断开。") from exc
    except FormParserError as exc:
        raise UploadRejected("无法读取上传内容：表单格式不正确。请从本系统的页面上传。") from exc
    finally:
        reader.close()
    if not reader.ended:
        raise UploadRejected("上传内容不完整：表单没有正常结束。请重新上传。")
    return Form(reader.fields, reader.uploads)
