"""reportgen: 部门决算公开 documents from 决算 workbooks.

Library entry points: :func:`build` (one document), :func:`check` (findings only).
"""

from .findings import Finding, InputError
from .pipeline import BuildResult, build, check

__version__ = "0.1.0"
__all__ = ["BuildResult", "Finding", "InputError", "build", "check", "__version__"]
