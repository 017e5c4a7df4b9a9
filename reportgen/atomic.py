"""Writing outputs all-or-nothing: temporary files in the target folder, then renames.

A document and its 审核结果 sidecar belong together, so they are written as one group:
every file is first written in full (and fsynced) under a temporary name beside its
target, and only when all of them are on disk are they renamed into place. A failure
at any point (disk full, read-only folder, a kill) removes the temporaries and leaves
whatever was there before untouched; a rename failing part-way undoes the renames
already made. Every target is checked to lie inside the output folder first.

File-system failures become :class:`OutputError`, whose message is Chinese and says
what to do; callers print it instead of a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import shutil
import tempfile
from pathlib import Path

from .paths import UnsafePath, inside

TEMP_PREFIX = ".reportgen-"
TEMP_SUFFIX = ".tmp"


class OutputError(Exception):
    """An output could not be written; ``reason`` is Chinese and names no server path."""

    def __init__(self, reason: str, path: Path | None = None):
        self.reason, self.path = reason, path
        super().__init__(f"{reason}（{path}）" if path else reason)


def explain(exc: OSError, path: Path) -> OutputError:
    """The Chinese reason for a failed write, by its errno."""
    code = exc.errno
    if code in (errno.ENOSPC, errno.EDQUOT):
        reason = "磁盘空间不足，未能写出文件。请清理磁盘空间后重新运行。"
    elif code in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "输出目录不可写（无写入权限或为只读）。请换一个可写的输出目录（-o）后重新运行。"
    elif code in (errno.ENOTDIR, errno.EEXIST, errno.ENOENT):
        reason = "输出目录无法创建：路径中有同名的文件，或上级目录不存在。请换一个输出目录（-o）。"
    elif code == errno.ENAMETOOLONG:
        reason = "输出路径过长。请换一个层级较浅的输出目录（-o）。"
    else:
        reason = f"未能写出文件（系统错误 {code}）。请检查输出目录后重新运行。"
    return OutputError(reason, path)


def _temp_for(target: Path) -> tuple[int, str]:
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=target.parent)
    # mkstemp creates 0600; a document is an ordinary file (0644 under the usual umask)
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)
    return fd, tmp


def _write_temp(target: Path, data: bytes) -> str:
    fd, tmp = _temp_for(target)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _unlink(tmp)
        raise
    return tmp


def _unlink(path: str | Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def write_group(root: str | Path, files: dict[str | Path, bytes]) -> list[Path]:
    """Write every ``{path: data}`` (paths relative to ``root`` or inside it) as a group.

    Either all files are in place afterwards or none of the new ones is (previous
    versions stay as they were). Returns the paths as given (``root / path``). Raises :class:`OutputError` on a file-system failure
    and :class:`~reportgen.paths.UnsafePath` for a path outside ``root``.
    """
    root = Path(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise explain(exc, root) from exc
    targets = [inside(root, p) for p in files]
    temps: list[tuple[str, Path]] = []
    current = root
    try:
        for target, data in zip(targets, files.values(), strict=True):
            current = target
            target.parent.mkdir(parents=True, exist_ok=True)
            temps.append((_write_temp(target, data), target))
        _rename_all(temps)
    except OSError as exc:
        raise explain(exc, current) from exc
    finally:
        for tmp, _target in temps:
            _unlink(tmp)
    return [root / p for p in files]


def _rename_all(temps: list[tuple[str, Path]]) -> None:
    """Rename each temporary onto its target; if one fails, put the earlier ones back.

    Each rename is atomic on its own, so a reader never sees a missing or torn file.
    For a group of several, the previous version of each target is kept under a hard
    link (a copy where links are not supported) until all renames have succeeded.
    """
    if len(temps) == 1:
        os.replace(*temps[0])
        return
    done: list[tuple[Path, str | None]] = []
    try:
        for tmp, target in temps:
            backup = _keep_previous(target)
            done.append((target, backup))
            os.replace(tmp, target)
    except BaseException:
        for target, backup in reversed(done):  # best effort, each on its own
            with contextlib.suppress(OSError):
                if not backup:
                    os.unlink(target)
                elif os.path.samefile(backup, target):  # never replaced: rename is a no-op
                    os.unlink(backup)
                else:
                    os.replace(backup, target)
        raise
    for _target, backup in done:
        if backup:
            _unlink(backup)


def _keep_previous(target: Path) -> str | None:
    """A second name for the file now at ``target`` (None when there is none)."""
    if not target.exists():
        return None
    backup = str(target.parent / f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}")
    try:
        os.link(target, backup)
    except OSError:
        shutil.copyfile(target, backup)
    return backup


def write_atomic(path: str | Path, data: bytes) -> None:
    """Write one file atomically inside its own folder (see :func:`write_group`)."""
    path = Path(path)
    write_group(path.parent, {path.name: data})


__all__ = ["OutputError", "UnsafePath", "write_atomic", "write_group", "explain"]
