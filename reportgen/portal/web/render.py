"""Pages of the portal: Jinja2 (autoescaped: every name and text a user typed is data)."""

from __future__ import annotations

import time
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
STATUS_TEXT = {
    "draft": "未提交",
    "submitted": "已提交",
    "returned": "退回修改",
    "approved": "已通过",
    "published": "已公开",
}
TEMPLATES.env.globals["status_text"] = STATUS_TEXT


def when(value) -> str:
    """A time as the pages show it (the store gives datetimes, sessions timestamps)."""
    if not value:
        return ""
    from ..store import local_time

    if isinstance(value, int | float):
        return time.strftime("%Y-%m-%d %H:%M", time.localtime(value))
    return local_time(value)


TEMPLATES.env.filters["when"] = when
TEMPLATES.env.globals["role_text"] = {"admin": "管理员", "reviewer": "审核员", "unit": "单位"}


def render(request: Request, name: str, status: int = 200, **context) -> Response:
    """A page with the user, the CSRF token for its forms and the year in context."""
    from .guard import csrf_of, current

    user = current(request) if hasattr(request.app.state, "ctx") else None
    return TEMPLATES.TemplateResponse(
        request,
        name,
        {"user": user, "csrf": csrf_of(request) if user else "", **context},
        status_code=status,
    )
