"""reportgen: 部门决算公开 documents from 决算 workbooks.

Library entry points: :func:`build` (one document), :func:`check` (findings only).

They are imported on first use (PEP 562 ``__getattr__``): importing ``reportgen`` (as
every command does, for ``reportgen.cli``) loads nothing else, so each command imports
only what it needs; ``reportgen init`` or ``codes`` never load the pipeline, and a build
with native charts never loads matplotlib.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["BuildResult", "Finding", "InputError", "build", "check", "__version__"]

#: public name -> the module that defines it
_LAZY = {
    "BuildResult": ".pipeline",
    "build": ".pipeline",
    "check": ".pipeline",
    "Finding": ".findings",
    "InputError": ".findings",
}

if TYPE_CHECKING:
    from .findings import Finding, InputError
    from .pipeline import BuildResult, build, check


def __getattr__(name: str):
    """Import a public name's module the first time the name is used."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups do not come here again
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
