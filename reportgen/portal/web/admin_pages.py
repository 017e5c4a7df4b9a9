"""The bureau admin's pages: the unit tree (import from CSV/XLSX, add, edit), the
accounts (add, import, deactivate), the profile/wording/year of the bureau's units, and
the audit log."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from pathlib import Path, PurePosixPath

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ...web.forms import Staging, read_form
from ...web.uploads import UploadRejected
from .access import int_param
from .guard import check_csrf, client_ip, ctx, form_action, page, who
from .render import render
from .unit_pages import year_of

IMPORT_SUFFIXES = (".csv", ".xlsx")


def routes() -> list[Route]:
    return [
        Route("/admin/units", units_page),
        Route("/admin/units", unit_add, methods=["POST"]),
        Route("/admin/units/import", units_import, methods=["POST"]),
        Route("/admin/units/{unit_id}", unit_edit, methods=["POST"]),
        Route("/admin/users", users_page),
        Route("/admin/users", user_add, methods=["POST"]),
        Route("/admin/users/import", users_import, methods=["POST"]),
        Route("/admin/users/{user_id}/active", user_active, methods=["POST"]),
        Route("/admin/settings", settings_page),
        Route("/admin/settings", settings_save, methods=["POST"]),
        Route("/admin/audit", audit_page),
    ]


@page("admin")
async def units_page(request: Request, user, report=None, error: str = "") -> Response:
    portal = ctx(request).portal
    return render(request, "admin_units.html", units=portal.units(), report=report, error=error)


@form_action("admin")
async def unit_add(request: Request, user, form) -> Response:
    from ..store import PortalError

    portal = ctx(request).portal
    try:
        portal.add_unit(
            str(form.get("name") or "").strip(),
            parent=str(form.get("parent") or "").strip() or None,
            nature=str(form.get("nature") or "").strip(),
            contact=str(form.get("contact") or "").strip(),
            phone=str(form.get("phone") or "").strip(),
            **who(request, user),
        )
    except PortalError as exc:
        return render(
            request,
            "admin_units.html",
            status=400,
            units=portal.units(),
            report=None,
            error=str(exc),
        )
    return RedirectResponse("/admin/units", status_code=303)


@form_action("admin")
async def unit_edit(request: Request, user, form) -> Response:
    from ..store import PortalError

    portal = ctx(request).portal
    unit_id = int_param(request, "unit_id")
    fields = {
        k: str(form.get(k)).strip()
        for k in ("name", "parent", "nature", "contact", "phone")
        if form.get(k) is not None
    }
    try:
        portal.update_unit(unit_id, **fields, **who(request, user))
    except PortalError as exc:
        return render(
            request,
            "admin_units.html",
            status=400,
            units=portal.units(),
            report=None,
            error=str(exc),
        )
    return RedirectResponse("/admin/units", status_code=303)


async def _imported(request: Request, user, method: str):
    """Read the uploaded CSV/XLSX and hand it to the store's importer; (report, error)."""
    from ..store import PortalError

    c = ctx(request)
    with Staging(c.data_dir) as staging:
        form = await read_form(request, staging, c.limits)
        check_csrf(request, form.fields.get("csrf"))
        if len(form.uploads) != 1:
            raise UploadRejected("请选择一个 .csv 或 .xlsx 文件。")
        up = form.uploads[0]
        suffix = PurePosixPath(up.name.replace("\\", "/")).suffix.lower()
        if suffix not in IMPORT_SUFFIXES:
            raise UploadRejected("请上传 .csv 或 .xlsx 文件（第一行为列名）。")
        with tempfile.TemporaryDirectory(dir=staging) as tmp:
            path = Path(tmp) / f"import{suffix}"
            shutil.copyfile(up.path, path)
            try:
                importer = getattr(c.portal, method)
                return await asyncio.to_thread(
                    importer, path, actor=user, ip=client_ip(request)
                ), ""
            except PortalError as exc:
                return None, str(exc)


@form_action("admin", multipart=True)
async def units_import(request: Request, user) -> Response:
    try:
        report, error = await _imported(request, user, "import_units")
    except UploadRejected as exc:
        report, error = None, exc.message
    status = 400 if error or (report and report.errors) else 200
    return render(
        request,
        "admin_units.html",
        status=status,
        units=ctx(request).portal.units(),
        report=report,
        error=error,
    )


@page("admin")
async def users_page(request: Request, user) -> Response:
    return _users(request)


def _users(request: Request, report=None, error: str = "", status: int = 200) -> Response:
    portal = ctx(request).portal
    return render(
        request,
        "admin_users.html",
        status=status,
        users=portal.users(),
        units=portal.units(),
        report=report,
        error=error,
    )


@form_action("admin")
async def user_add(request: Request, user, form) -> Response:
    from ..store import PortalError

    try:
        ctx(request).portal.add_user(
            str(form.get("login") or "").strip(),
            str(form.get("role") or ""),
            str(form.get("password") or ""),
            unit=str(form.get("unit") or "").strip() or None,
            **who(request, user),
        )
    except PortalError as exc:
        return _users(request, error=str(exc), status=400)
    return RedirectResponse("/admin/users", status_code=303)


@form_action("admin", multipart=True)
async def users_import(request: Request, user) -> Response:
    try:
        report, error = await _imported(request, user, "import_users")
    except UploadRejected as exc:
        report, error = None, exc.message
    status = 400 if error or (report and report.errors) else 200
    return _users(request, report=report, error=error, status=status)


@form_action("admin")
async def user_active(request: Request, user, form) -> Response:
    from ..store import PortalError

    c = ctx(request)
    target = int_param(request, "user_id")
    active = form.get("active") == "1"
    try:
        c.portal.set_active(target, active, **who(request, user))
    except PortalError as exc:
        return _users(request, error=str(exc), status=400)
    if not active:
        c.sessions.end_all(target)
    return RedirectResponse("/admin/users", status_code=303)


@page("admin")
async def settings_page(request: Request, user) -> Response:
    return _settings(request)


def _settings(request: Request, error: str = "", status: int = 200) -> Response:
    from ...narrative import available_packs

    portal = ctx(request).portal
    return render(
        request,
        "admin_settings.html",
        status=status,
        year=year_of(request),
        profile=portal.get_setting("profile") or "",
        wording=portal.get_setting("wording") or "",
        profiles=_profile_names(),
        packs=available_packs(),
        error=error,
        saved=request.query_params.get("saved") == "1",
    )


@form_action("admin")
async def settings_save(request: Request, user, form) -> Response:
    from ...narrative import available_packs

    portal = ctx(request).portal
    year, profile, wording = (
        str(form.get(k) or "").strip() for k in ("year", "profile", "wording")
    )
    if not (year.isascii() and year.isdigit() and 2000 <= int(year) <= 2100):  # not ²
        return _settings(request, "年度应为 2000–2100 之间的四位数字。", 400)
    if profile and profile not in _profile_names():
        return _settings(request, "没有该版式。", 400)
    if wording and wording not in available_packs():
        return _settings(request, "没有该词句包。", 400)
    for key, value in (("year", year), ("profile", profile), ("wording", wording)):
        portal.set_setting(user, key, value, ip=client_ip(request))
    return RedirectResponse("/admin/settings?saved=1", status_code=303)


def _profile_names() -> list[str]:
    """The layouts (版式) installed: a bureau picks one for all its units."""
    from ...profiles import layouts

    return [p.name for p in layouts()]


@page("admin")
async def audit_page(request: Request, user) -> Response:
    return render(request, "audit.html", entries=ctx(request).portal.audit_log(500))
