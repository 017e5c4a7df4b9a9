"""Folders shipped inside the package: wording packs, chart style, the bundled example.

Installed, they are the packages ``reportgen._templates``, ``reportgen._charts`` and
``reportgen._example`` (see pyproject.toml); in a source checkout run without
installing, they are the top-level ``templates/``, ``charts/`` and ``inputs/example/``.
The example folder has no ``__init__.py`` (it is data), so it installs as a namespace
package, for which ``importlib.resources.files`` returns a ``MultiplexedPath`` whose
``str()`` is not a path: the folder is taken from the import spec instead, which is a
real directory in both cases.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parents[1]
_FALLBACK = {
    "reportgen._templates": _CHECKOUT / "templates",
    "reportgen._charts": _CHECKOUT / "charts",
    "reportgen._example": _CHECKOUT / "inputs" / "example",
}


def bundled_dir(package: str) -> Path:
    """The directory of a bundled data package, installed or in the checkout."""
    try:
        spec = importlib.util.find_spec(package)
    except ModuleNotFoundError:
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        if Path(loc).is_dir():
            return Path(loc)
    return _FALLBACK[package]


def example_workbook() -> Path:
    """The bundled example workbook (seed 001's unit)."""
    folder = bundled_dir("reportgen._example")
    found = sorted(folder.glob("*.xlsx"))
    if not found:
        raise FileNotFoundError(f"示例工作簿缺失：{folder}")
    return found[0]
