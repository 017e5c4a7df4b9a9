"""Which 公文 fonts this machine lacks, and the free stand-ins LibreOffice prints them with.

The document always names the 公文 fonts (the reader's Word or WPS shows them where they
are installed). A PDF made here must not fall back to whatever sans-serif LibreOffice
finds: 仿宋 body text, 黑体 and 楷体 headings would all look alike. So each missing font is
mapped, in the LibreOffice profile's font replacement table, to the first installed
stand-in of the same style listed in ``fonts.toml`` (data: a maintainer adds a font
there), and the build names the substitutions it used.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

TABLE = Path(__file__).with_name("fonts.toml")

#: Each installed font as the tuple of its family names ("FandolFang", "FandolFang R").
Families = list[tuple[str, ...]]


@dataclass(frozen=True)
class FontSpec:
    name: str
    style: str
    substitutes: tuple[str, ...]


@dataclass(frozen=True)
class Substitute:
    font: str  # the font the document asks for
    name: str  # the stand-in as fonts.toml lists it (what the user is told)
    lo_name: str  # the family name LibreOffice knows the stand-in by


@functools.cache
def table() -> tuple[FontSpec, ...]:
    """The 公文 fonts and their stand-ins, in the order of ``fonts.toml``."""
    data = tomllib.loads(TABLE.read_text(encoding="utf-8"))
    return tuple(
        FontSpec(f["name"], f.get("style", ""), tuple(f["substitutes"])) for f in data["font"]
    )


@functools.cache
def installed_families() -> Families | None:
    """The fonts fontconfig lists (None where there is no fc-list: Windows, macOS; the
    resident LibreOffice then reports its own list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, "--format", "%{family}\n"], capture_output=True, text=True, timeout=30
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    return sorted({tuple(n.strip() for n in line.split(",")) for line in out.splitlines() if line})


def plan(families: Families, known: set[str] | None = None) -> list[Substitute]:
    """A stand-in for every 公文 font not among ``families``.

    A font installed under several family names is known to LibreOffice by one of them
    (FandolFang as "FandolFang R"): with ``known`` (LibreOffice's own list, which a
    resident instance reports when it starts) that name is used and a stand-in LibreOffice
    does not list is passed over; without it, the last name fontconfig gives.
    """
    by_name: dict[str, tuple[str, ...]] = {}
    for names in families:
        for n in names:
            if len(by_name.get(n.casefold(), ())) < len(names):
                by_name[n.casefold()] = names
    lo = {n.casefold() for n in known} if known is not None else None
    subs = []
    for spec in table():
        if spec.name.casefold() in by_name:
            continue
        for cand in spec.substitutes:
            names = [
                n for n in by_name.get(cand.casefold(), ()) if lo is None or n.casefold() in lo
            ]
            if names:
                subs.append(Substitute(spec.name, cand, names[-1]))
                break
    return subs


def registry(subs: list[Substitute]) -> str:
    """registrymodifications.xcu for a LibreOffice profile: the replacement table, applied
    always (not only on screen), so the PDF export uses the stand-ins."""

    def prop(key: str, value: str) -> str:
        return f'<prop oor:name="{key}" oor:op="fuse"><value>{escape(value)}</value></prop>'

    pairs = "".join(
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution/FontPairs">'
        f'<node oor:name="_{i}" oor:op="replace">'
        + prop("Always", "true")
        + prop("OnScreenOnly", "false")
        + prop("ReplaceFont", s.font)
        + prop("SubstituteFont", s.lo_name)
        + "</node></item>\n"
        for i, s in enumerate(subs)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        '<item oor:path="/org.openoffice.Office.Common/Font/Substitution">'
        + prop("Replacement", "true" if subs else "false")
        + "</item>\n"
        # no first-start dialogs, no document recovery for a converter's profile
        + '<item oor:path="/org.openoffice.Office.Common/Misc">'
        + prop("FirstRun", "false")
        + "</item>\n"
        + '<item oor:path="/org.openoffice.Office.Recovery/RecoveryInfo">'
        + prop("Enabled", "false")
        + "</item>\n"
        + pairs
        + "</oor:items>\n"
    )


def write_profile(profile: Path, subs: list[Substitute]) -> None:
    """Prepare a LibreOffice user profile folder (``-env:UserInstallation``) with the
    replacement table; LibreOffice fills in the rest on its first start."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(registry(subs), encoding="utf-8")


_FONT_ATTR = re.compile(rb'w:(?:eastAsia|ascii|hAnsi)="([^"]+)"')


def fonts_used(docx: Path) -> set[str]:
    """Every font name the document's styles and text ask for."""
    names: set[str] = set()
    with zipfile.ZipFile(docx) as z:
        for part in z.namelist():
            if re.fullmatch(r"word/(styles|document|header\d*|footer\d*)\.xml", part):
                names.update(m.decode("utf-8") for m in _FONT_ATTR.findall(z.read(part)))
    return names


def note(subs: list[Substitute], used: set[str] | None = None) -> str | None:
    """The line the build prints ("PDF 字体替代：仿宋_GB2312 → FandolFang，…"), for the
    fonts the document uses (all, without ``used``); None when nothing was replaced."""
    shown = [s for s in subs if used is None or s.font in used]
    if not shown:
        return None
    return "PDF 字体替代：" + "，".join(f"{s.font} → {s.name}" for s in shown)
