"""The portal's JSON API: the same actions as the pages, for scripts and load tests.

``POST /api/login`` with ``{"username", "password"}`` answers ``{"csrf": …}`` and sets
the session cookie; every write after it needs that token in ``X-CSRF-Token``. Errors
are ``{"error": "中文说明"}`` like the rest of the API (docs/web.md).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ...web.uploads import UploadRejected
from . import drafts
from .access import int_param, own_unit_id, version_of
from .guard import api, check_csrf, client_ip, ctx, login_user, set_session_cookie
from .review_pages import REVIEW, against, compare, dashboard_rows
from .unit_pages import draft_folder, receive_workbook, submit_draft, wording_of, year_of

MAX_JSON = 256 * 1024


def routes() -> list[Route]:
    return [
        Route("/api/login", login, methods=["POST"]),
        Route("/api/logout", logout, methods=["POST"]),
        Route("/api/me", me),
        Route("/api/dashboard", dashboard),
        Route("/api/unit", unit_state),
        Route("/api/unit/upload", upload, methods=["POST"]),
        Route("/api/unit/texts", texts),
        Route("/api/unit/texts", texts_save, methods=["POST"]),
        Route("/api/unit/submit", submit, methods=["POST"]),
        Route("/api/versions/{version_id}", version),
        Route("/api/versions/{version_id}/diff", version_diff),
        Route("/api/versions/{version_id}/comments", comment, methods=["POST"]),
        Route("/api/versions/{version_id}/decision", decide, methods=["POST"]),
    ]


def plain(obj) -> object:
    """A store dataclass (or a list of them) as JSON-ready data."""
    if isinstance(obj, list):
        return [plain(x) for x in obj]
    if dataclasses.is_dataclass(obj):
        return {k: plain(v) for k, v in dataclasses.asdict(obj).items() if k != "password_hash"}
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, datetime):
        return obj.isoformat()
    return obj


def error(message: str, status: int) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def body_json(request: Request) -> dict:
    raw = await request.body()
    if len(raw) > MAX_JSON:
        raise UploadRejected("请求内容过大。", 413)
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise UploadRejected("请求内容不是有效的 JSON。") from None
    if not isinstance(data, dict):
        raise UploadRejected("请求内容应为 JSON 对象。")
    return data


async def login(request: Request) -> Response:
    from ..store import LoginRefused

    try:
        data = await body_json(request)
    except UploadRejected as exc:
        return error(exc.message, exc.status)
    username, password = data.get("username"), data.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return error("请提供 username 和 password。", 400)
    try:
        user, cookie, csrf = await login_user(request, username[:100], password)
    except LoginRefused as exc:
        return error(str(exc), 429 if exc.minutes else 401)
    response = JSONResponse({"csrf": csrf, "user": plain(user)})
    set_session_cookie(request, response, cookie)
    return response


@api(write=True)
async def logout(request: Request, user) -> Response:
    ctx(request).sessions.end(request.state.session.token)
    ctx(request).portal.audit(user, "logout", ip=client_ip(request))
    response = JSONResponse({"ok": True})
    response.delete_cookie("rg_session", path="/")
    return response


@api()
async def me(request: Request, user) -> Response:
    from .guard import csrf_of

    return JSONResponse({"user": plain(user), "csrf": csrf_of(request)})


@api(*REVIEW)
async def dashboard(request: Request, user) -> Response:
    rows = await asyncio.to_thread(dashboard_rows, request, user)
    return JSONResponse({"year": year_of(request), "units": plain(rows)})


@api("unit")
async def unit_state(request: Request, user) -> Response:
    portal = ctx(request).portal
    case = portal.case(own_unit_id(user), year_of(request))
    res = drafts.result(draft_folder(request, user))
    return JSONResponse(
        {
            "case": plain(case),
            "draft": res,
            "can_submit": drafts.can_submit(res),
            "versions": plain(portal.versions(case.id)),
        }
    )


@api("unit", write=False)
async def upload(request: Request, user) -> Response:
    """Multipart ``file`` (+ nothing else); the CSRF token in the header."""
    check_csrf(request, request.headers.get("x-csrf-token"))
    try:
        res = await receive_workbook(request, user, csrf_from_form=False)
    except UploadRejected as exc:
        return error(exc.message, exc.status)
    return JSONResponse({"draft": res, "can_submit": drafts.can_submit(res)})


@api("unit")
async def texts(request: Request, user) -> Response:
    from ..edit import editable_texts

    path = drafts.workbook(draft_folder(request, user))
    if path is None:
        return error("请先上传工作簿。", 409)
    fields = await asyncio.to_thread(editable_texts, path)
    return JSONResponse({"fields": plain(fields)})


@api("unit", write=True)
async def texts_save(request: Request, user) -> Response:
    from ..edit import EditError, apply_texts

    c = ctx(request)
    folder = draft_folder(request, user)
    path = drafts.workbook(folder)
    if path is None:
        return error("请先上传工作簿。", 409)
    try:
        data = await body_json(request)
        values = {str(k): str(v) for k, v in data.get("texts", {}).items()}
        changes = await asyncio.to_thread(apply_texts, path, values, path)
    except UploadRejected as exc:
        return error(exc.message, exc.status)
    except (EditError, AttributeError) as exc:
        return error(str(exc) or "texts 应为 {字段: 文字}。", 400)
    res = await drafts.build(c.runner, folder, wording_of(request)) if changes else None
    return JSONResponse({"changed": plain(list(changes)), "draft": res})


@api("unit", write=True)
async def submit(request: Request, user) -> Response:
    from ..store import PortalError

    try:
        v = await submit_draft(request, user)
    except PortalError as exc:
        return error(str(exc), 409)
    return JSONResponse({"version": plain(v)}, status_code=201)


@api()
async def version(request: Request, user) -> Response:
    portal = ctx(request).portal
    v, case, unit = version_of(request, user, int_param(request, "version_id"))
    res = drafts.result(portal.version_dir(v.id))
    base = f"/versions/{v.id}/files/"
    return JSONResponse(
        {
            "version": plain(v),
            "case": plain(case),
            "unit": plain(unit),
            "findings": res.get("findings", []),
            "files": [base + f for f in res.get("files", [])],
            "comments": plain(portal.comments(v.id)),
        }
    )


@api()
async def version_diff(request: Request, user) -> Response:
    from ..diff import diff_json

    portal = ctx(request).portal
    v, case, _ = version_of(request, user, int_param(request, "version_id"))
    old = against(request, user, v, case)
    diff = await asyncio.to_thread(compare, portal, old, v)
    return JSONResponse({"old": old.number, "new": v.number, "diff": diff_json(diff)})


@api(*REVIEW, write=True)
async def comment(request: Request, user) -> Response:
    v, _, _ = version_of(request, user, int_param(request, "version_id"))
    try:
        data = await body_json(request)
    except UploadRejected as exc:
        return error(exc.message, exc.status)
    body = str(data.get("body") or "").strip()
    if not body:
        return error("意见内容不能为空。", 400)
    c = ctx(request).portal.comment(
        user,
        v.id,
        body[:5000],
        section=str(data.get("section") or "")[:200],
        finding=str(data.get("finding") or "")[:40],
    )
    return JSONResponse({"comment": plain(c)}, status_code=201)


@api(*REVIEW, write=True)
async def decide(request: Request, user) -> Response:
    from ..store import PortalError

    v, _, _ = version_of(request, user, int_param(request, "version_id"))
    try:
        data = await body_json(request)
    except UploadRejected as exc:
        return error(exc.message, exc.status)
    decision = data.get("decision")
    if decision not in ("returned", "approved"):
        return error("decision 应为 returned 或 approved。", 400)
    try:
        result = ctx(request).portal.decide(
            user, v.id, decision, str(data.get("comment") or "")[:5000], ip=client_ip(request)
        )
    except PortalError as exc:
        return error(str(exc), 409)
    return JSONResponse({"version": plain(result)})
