"""File names from user text, and the guarantee that every write stays in its folder.

A department's name, a year typed in a cell and an uploaded file's name are user text.
They become part of output file names (``2021年度<部门名称>部门决算公开.docx``), so they
must never carry a folder (``/``, ``\\``, ``..``), a control or invisible format character
(zero-width spaces and bidi marks make two names look alike), a character Windows
refuses (``<>:"|?*``), a reserved device name (CON, NUL…), or a leading dot (a hidden
file, skipped by every listing). A name is also bounded in *bytes*: Linux allows 255
bytes per name and a CJK character takes three, so 85 characters is already the limit;
longer names are shortened and keep a short hash of the full text, so two long names
that share a beginning still get different files.

:func:`safe_filename` is the only function that makes such names; :func:`inside` is
checked on every path before it is written (build, batch and the web service).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from pathvalidate import sanitize_filename

#: Bytes a whole file name may take. 255 is the usual limit; the rest is head-room for
#: what is added to a name later (a ``审核结果.txt`` sidecar, a ``.pdf`` twin, the
#: temporary name of an atomic write).
MAX_NAME_BYTES = 180
_HASH_CHARS = 8
_SEPARATORS = re.compile(r"[/\\]+")


class UnsafePath(ValueError):
    """A path that would be written outside its output folder."""


def _visible(text: str) -> str:
    """NFC text without control (Cc), format (Cf: zero-width, bidi), surrogate or
    unassigned code points, and with every kind of whitespace as one plain space."""
    text = unicodedata.normalize("NFC", text)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat in ("Cc", "Cf", "Cs", "Co", "Cn"):
            if ch in "\t\n\r":
                out.append(" ")
            continue
        out.append(" " if cat.startswith("Z") else ch)
    return re.sub(" {2,}", " ", "".join(out))


def _clip_bytes(text: str, limit: int) -> str:
    """The longest prefix of ``text`` whose UTF-8 encoding fits in ``limit`` bytes."""
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", "ignore")


def safe_filename(
    text: str, suffix: str = "", max_bytes: int = MAX_NAME_BYTES, fallback: str = "未命名"
) -> str:
    """A file name made from user ``text`` plus a fixed ``suffix`` (e.g. ``".docx"``).

    Folders, ``..``, control/format/reserved characters and leading dots are removed;
    the result, suffix included, takes at most ``max_bytes`` bytes in UTF-8. When the
    text had to be shortened, the name ends in ``~`` and 8 hex digits of the SHA-256 of
    the full text (before the suffix), so it stays unique and recognisable.
    """
    full = _visible(text or "")
    name = _SEPARATORS.sub("_", full)
    name = sanitize_filename(name, platform="universal", max_len=4096, replacement_text="_")
    name = re.sub(r"\.{2,}", ".", name).strip(" .")
    name = name.lstrip("._- ") or fallback
    budget = max_bytes - len(suffix.encode("utf-8"))
    if budget < _HASH_CHARS + 4:
        raise ValueError(f"suffix {suffix!r} leaves no room for a name")
    if len(name.encode("utf-8")) > budget:
        digest = hashlib.sha256(full.encode("utf-8")).hexdigest()[:_HASH_CHARS]
        head = _clip_bytes(name, budget - _HASH_CHARS - 1).rstrip(" .")
        name = f"{head}~{digest}"
    return name + suffix


def inside(root: str | Path, path: str | Path) -> Path:
    """``path`` resolved, if it lies inside ``root`` (resolved too); else :class:`UnsafePath`.

    Called on every output path just before it is written, whatever made the name, so a
    later change to how names are made cannot open a way out of the folder.
    """
    base = Path(root).resolve()
    target = Path(path)
    if "\x00" in str(target):
        raise UnsafePath(f"路径中有空字符：{target!r}")
    resolved = (base / target).resolve() if not target.is_absolute() else target.resolve()
    if resolved != base and not resolved.is_relative_to(base):
        raise UnsafePath(f"路径 {target} 不在输出目录 {base} 之内")
    return resolved
