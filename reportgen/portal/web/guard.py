"""Who is asking, and may they write: sessions, login, logout and the CSRF check.

Every handler of the portal is wrapped by :func:`page` (GET pages), :func:`form_action`
(POSTed forms) or :func:`api` (the JSON API), which find the session's user and check
the role; writes need the session's CSRF token, in the form's ``csrf`` field or in the
``X-CSRF-Token`` header. The login form itself, made before any session exists, carries
a double-submit token (cookie + field). Roles are checked here; what a user may see of
which unit is :mod:`.access`'s job.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from .render import render

COOKIE = "rg_session"
LOGIN_COOKIE = "rg_login"
ROLE_TEXT = {"admin": "管理员", "reviewer": "审核员", "unit": "单位"}
Handler = Callable[..., Awaitable[Response]]


class Refused(HTTPException):
    """A refusal with its Chinese message (403 for a role, 401 for no session)."""

    def __init__(self, status: int, message: str):
        super().__init__(status, message)
        self.message = message


def ctx(request: Request):
    return request.app.state.ctx


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def who(request: Request, user) -> dict:
    """The keywords the store's admin writes take: who did it, from where (audit log)."""
    return {"actor": user, "ip": client_ip(request)}


def current(request: Request):
    """The logged-in user (``UserInfo``) with the session, cached on the request; None
    without a live session or for a deactivated user."""
    if hasattr(request.state, "user"):
        return request.state.user
    c = ctx(request)
    request.state.user, request.state.session = None, None
    session = c.sessions.resolve(request.cookies.get(COOKIE))
    if session is not None:
        from ..store import NotFound

        try:
            user = c.portal.user(session.user_id)
        except NotFound:
            user = None
        if user is not None and user.active:
            request.state.user, request.state.session = user, session
    return request.state.user


def csrf_of(request: Request) -> str:
    """The CSRF token of the request's session ('' without one): pages put it in forms."""
    session = getattr(request.state, "session", None)
    return ctx(request).sessions.csrf_token(session.token) if session else ""


def _check_role(request: Request, roles: tuple[str, ...], as_json: bool):
    user = current(request)
    if user is None:
        if as_json:
            raise Refused(401, "请先登录。")
        raise _ToLogin(request.url.path)
    if roles and user.role not in roles:
        raise Refused(403, "您的账户没有执行此操作的权限。")
    return user


class _ToLogin(Exception):
    def __init__(self, path: str):
        self.path = path


def _login_redirect(path: str) -> Response:
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)


def page(*roles: str) -> Callable[[Handler], Handler]:
    """A GET page for these roles (any logged-in user when none are named)."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            try:
                user = _check_role(request, roles, as_json=False)
            except _ToLogin as exc:
                return _login_redirect(exc.path)
            return await handler(request, user)

        return run

    return wrap


def form_action(*roles: str, multipart: bool = False) -> Callable[[Handler], Handler]:
    """A POSTed form: the role, then the session's CSRF token in the ``csrf`` field.
    With ``multipart`` the handler reads its own (streamed) body and calls
    :func:`check_csrf` on the field before it keeps anything."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            try:
                user = _check_role(request, roles, as_json=False)
            except _ToLogin:
                raise Refused(403, "登录已过期，请重新登录后再提交。") from None
            if multipart:
                return await handler(request, user)
            form = await request.form()
            check_csrf(request, form.get("csrf"))
            return await handler(request, user, form)

        return run

    return wrap


def api(*roles: str, write: bool = False) -> Callable[[Handler], Handler]:
    """A JSON endpoint; a write needs the ``X-CSRF-Token`` header of the session."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            user = _check_role(request, roles, as_json=True)
            if write:
                check_csrf(request, request.headers.get("x-csrf-token"))
            return await handler(request, user)

        return run

    return wrap


def check_csrf(request: Request, offered) -> None:
    session = getattr(request.state, "session", None)
    offered = offered if isinstance(offered, str) else None
    if session is None or not ctx(request).sessions.csrf_ok(session.token, offered):
        raise Refused(403, "请求缺少有效的安全令牌（CSRF），已拒绝。请刷新页面后重试。")


# --- login and logout --------------------------------------------------------------------


def set_session_cookie(request: Request, response: Response, cookie: str) -> None:
    c = ctx(request)
    response.set_cookie(
        COOKIE,
        cookie,
        max_age=int(c.sessions.lifetime),
        httponly=True,
        samesite="lax",
        secure=c.secure_cookies,
        path="/",
    )


#: Password checks run here, off the event loop: argon2 costs tens of milliseconds of CPU
#: by design, and 50 units logging in at once stalled every other request for seconds
#: (bench/portal_load.py). A pool of their own, so a burst of logins never queues the
#: handlers' other worker-thread calls (the dashboard's query) behind it.
_LOGINS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="portal-login")


async def login_user(request: Request, login: str, password: str):
    """(user, cookie, csrf) on success; raises the store's LoginRefused otherwise.
    Both the page and ``POST /api/login`` come here, so both are throttled alike."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_LOGINS, _login_user, request, login, password)


def _login_user(request: Request, login: str, password: str):
    c = ctx(request)
    user = c.portal.authenticate(login, password, client_ip(request))
    cookie, csrf = c.sessions.create(user.id, client_ip(request))  # the store logged it
    return user, cookie, csrf


async def login_page(request: Request) -> Response:
    if current(request) is not None:
        return RedirectResponse(_next(request), status_code=303)
    return _login_form(request)


def _login_form(request: Request, error: str = "", login: str = "", status: int = 200):
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status=status,
        login_token=token,
        error=error,
        login=login,
        next=_next(request),
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        httponly=True,
        samesite="strict",
        secure=ctx(request).secure_cookies,  # like the session's (serve --secure-cookies)
        path="/login",
    )
    return response


async def login_post(request: Request) -> Response:
    from ..store import LoginRefused

    form = await request.form()
    offered, expected = form.get("login_token") or "", request.cookies.get(LOGIN_COOKIE) or ""
    login = str(form.get("username") or "")[:100]
    if not expected or not hmac.compare_digest(str(offered), expected):
        return _login_form(request, "登录页面已过期，请重新输入。", login, status=403)
    try:
        _, cookie, _ = await login_user(request, login, str(form.get("password") or ""))
    except LoginRefused as exc:
        status = 429 if exc.minutes else 401
        return _login_form(request, str(exc), login, status=status)
    response = RedirectResponse(_next(request, form.get("next")), status_code=303)
    set_session_cookie(request, response, cookie)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


def _next(request: Request, value=None) -> str:
    """Where to go after login: a path of this site only (never another host). A
    backslash or a control character is refused too: browsers read ``/\\evil.example``
    as ``//evil.example`` (only the redirect's quoting kept it on this site)."""
    target = str(value or request.query_params.get("next") or "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return "/"
    return target


@form_action()
async def logout_post(request: Request, user, form) -> Response:
    c = ctx(request)
    c.sessions.end(request.state.session.token)
    c.portal.audit(user, "logout", ip=client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@page()
async def home(request: Request, user) -> Response:
    return RedirectResponse("/unit" if user.role == "unit" else "/bureau", status_code=303)
