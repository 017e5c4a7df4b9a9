"""A unit user's pages: this year's document — upload, check and build, preview, edit
the texts the workbook holds, submit for review, see versions and the reviewers'
comments. Everything here is the user's own unit (:func:`.access.own_unit_id`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from ...web.forms import Staging, read_form
from ...web.uploads import UploadRejected, plan_units, show
from . import drafts
from .access import not_found, own_unit_id
from .guard import check_csrf, client_ip, ctx, form_action, page
from .render import render


def routes() -> list[Route]:
    return [
        Route("/unit", unit_home),
        Route("/unit/upload", upload, methods=["POST"]),
        Route("/unit/workbook", draft_workbook),
        Route("/unit/blank.xlsx", blank_workbook),
        Route("/unit/last-year", last_year_workbook),
        Route("/unit/files/{name:path}", draft_file),
        Route("/unit/texts", texts_page),
        Route("/unit/texts", texts_save, methods=["POST"]),
        Route("/unit/submit", submit, methods=["POST"]),
    ]


def year_of(request: Request) -> int:
    """The reporting year the bureau set (default: last calendar year, the 决算 year)."""
    import datetime

    value = ctx(request).portal.get_setting("year")
    return int(value) if value and str(value).isdigit() else datetime.date.today().year - 1


def wording_of(request: Request) -> str | None:
    """The wording the bureau chose for its units: a pack, or a profile's default."""
    portal = ctx(request).portal
    if wording := portal.get_setting("wording"):
        return wording
    if profile := portal.get_setting("profile"):
        from ...profiles import wording_for

        return wording_for(profile, None)
    return None


def draft_folder(request: Request, user) -> Path:
    return ctx(request).portal.draft_dir(own_unit_id(user), year_of(request))


@page("unit")
async def unit_home(request: Request, user) -> Response:
    from ...web.preview import document_html

    portal = ctx(request).portal
    unit_id, year = own_unit_id(user), year_of(request)
    case = portal.case(unit_id, year)
    folder = portal.draft_dir(unit_id, year)
    res = drafts.result(folder)
    doc = drafts.document(folder)
    preview = await asyncio.to_thread(document_html, doc) if doc else ""
    versions = portal.versions(case.id)
    comments = {v.id: portal.comments(v.id) for v in versions}
    errors, warnings = drafts.counts(res)
    return render(
        request,
        "unit.html",
        unit=portal.unit(unit_id),
        year=year,
        case=case,
        result=res,
        errors=errors,
        warnings=warnings,
        workbook_name=drafts.original_name(folder),
        has_workbook=drafts.workbook(folder) is not None,
        can_submit=drafts.can_submit(res) and case.status in ("draft", "returned", "submitted"),
        versions=versions,  # newest first, as the store gives them
        comments=comments,
        last_year=_last_year_version(request, unit_id, year) is not None,
        preview=Markup(preview),
        message=request.query_params.get("msg", "")[:200],
    )


async def receive_workbook(request: Request, user, csrf_from_form: bool) -> dict:
    """Stage one uploaded workbook, make it the draft's and build it: the outcome.
    Raises UploadRejected (nothing kept) for anything but one .xlsx/.xls. The CSRF token
    is the form's ``csrf`` field (pages) or was checked from the header (API)."""
    c = ctx(request)
    with Staging(c.data_dir) as staging:
        form = await read_form(request, staging, c.limits)
        if csrf_from_form:
            check_csrf(request, form.fields.get("csrf"))
        if len(form.uploads) != 1:
            raise UploadRejected("请上传一个工作簿（.xlsx 或 .xls）。")
        units = await asyncio.to_thread(plan_units, form.uploads, c.limits)
        if len(units) != 1 or units[0].path is None:
            raise UploadRejected("请上传一个工作簿（.xlsx 或 .xls），不要上传压缩包。")
        up = form.uploads[0]
        suffix = Path(units[0].name).suffix.lower()
        folder = draft_folder(request, user)
        await asyncio.to_thread(drafts.put_workbook, folder, up.path, suffix, up.name)
    res = await drafts.build(c.runner, folder, wording_of(request))
    c.portal.audit(
        user,
        "upload",
        target=f"unit:{user.unit_id}",
        detail=show(up.name)[:200],
        ip=client_ip(request),
    )
    return res


@form_action("unit", multipart=True)
async def upload(request: Request, user) -> Response:
    """One workbook in, checked and built; the page shows the outcome."""
    try:
        res = await receive_workbook(request, user, csrf_from_form=True)
    except UploadRejected as exc:
        return render(request, "error.html", status=exc.status, message=exc.message)
    return RedirectResponse("/unit#result" if res else "/unit", status_code=303)


@page("unit")
async def draft_workbook(request: Request, user) -> Response:
    """The draft's workbook, with the texts edited in the page."""
    path = drafts.workbook(draft_folder(request, user))
    if path is None:
        raise not_found()
    return _download(path, f"{ctx(request).portal.unit(user.unit_id).name}{path.suffix}")


@page("unit")
async def blank_workbook(request: Request, user) -> Response:
    """The empty workbook of the bureau's profile."""
    data = await asyncio.to_thread(_blank_bytes, ctx(request).portal.get_setting("profile"))
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": _disposition("决算公开空白工作簿.xlsx")},
    )


def _blank_bytes(profile: str | None) -> bytes:
    import tempfile

    from ... import codes
    from ...narrative import load_pack
    from ...workbook import write_workbook

    pack = load_pack(profile) if profile else None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "blank.xlsx"
        write_workbook(path, None, names=codes.economic_name_map(), pack=pack)
        return path.read_bytes()


def _last_year_version(request: Request, unit_id: int, year: int):
    portal = ctx(request).portal
    versions = portal.versions(portal.case(unit_id, year - 1).id)
    return versions[0] if versions else None  # newest first


@page("unit")
async def last_year_workbook(request: Request, user) -> Response:
    """Last year's last submitted workbook, to start this year's from."""
    version = _last_year_version(request, own_unit_id(user), year_of(request))
    path = version and drafts.workbook(ctx(request).portal.version_dir(version.id))
    if not path:
        raise not_found()
    name = f"{ctx(request).portal.unit(user.unit_id).name}（上年）{path.suffix}"
    return _download(path, name)


@page("unit")
async def draft_file(request: Request, user) -> Response:
    path = drafts.output_file(draft_folder(request, user), request.path_params["name"])
    if path is None:
        raise not_found()
    return _download(path, path.name)


def _download(path: Path, name: str) -> Response:
    return FileResponse(path, headers={"content-disposition": _disposition(name)})


def _disposition(name: str) -> str:
    from ...web.app import content_disposition

    return content_disposition(name)


@page("unit")
async def texts_page(request: Request, user) -> Response:
    from ..edit import EditError, editable_texts

    folder = draft_folder(request, user)
    path = drafts.workbook(folder)
    if path is None:
        return RedirectResponse("/unit?msg=" + "请先上传工作簿。", status_code=303)
    try:
        fields = await asyncio.to_thread(editable_texts, path)
    except EditError as exc:
        return render(request, "error.html", status=409, message=str(exc))
    return render(request, "texts.html", fields=fields, error="", typed={})


@form_action("unit")
async def texts_save(request: Request, user, form) -> Response:
    """The edited texts go into the draft's workbook; the document is built again."""
    from ..edit import EditError, apply_texts, editable_texts

    c = ctx(request)
    folder = draft_folder(request, user)
    path = drafts.workbook(folder)
    if path is None:
        raise not_found()
    fields = []
    try:
        fields = await asyncio.to_thread(editable_texts, path)
        values = {
            f.key: str(form.get(f"t:{f.key}")) for f in fields if form.get(f"t:{f.key}") is not None
        }
        changes = await asyncio.to_thread(apply_texts, path, values, path)
    except EditError as exc:
        typed = {k: str(v) for k, v in form.items() if k.startswith("t:")}
        return render(request, "texts.html", status=400, fields=fields, error=str(exc), typed=typed)
    if changes:
        await drafts.build(c.runner, folder, wording_of(request))
        c.portal.audit(
            user,
            "edit_texts",
            target=f"unit:{user.unit_id}",
            detail="、".join(ch.key for ch in changes)[:500],
            ip=client_ip(request),
        )
    return RedirectResponse("/unit#result", status_code=303)


async def submit_draft(request: Request, user):
    """Freeze the draft as the next version (VersionInfo); PortalError when it cannot be
    submitted (no document, another year, a decided case)."""
    from ..store import Conflict

    c = ctx(request)
    unit_id, year = own_unit_id(user), year_of(request)
    folder = c.portal.draft_dir(unit_id, year)
    res = drafts.result(folder)
    if problem := drafts.submit_problem(res, year):
        raise Conflict(problem)
    errors, warnings = drafts.counts(res)
    summary = {
        "department": res.get("department", ""),
        "year": res.get("year"),
        "errors": errors,
        "warnings": warnings,
    }
    # in a thread: it copies the draft's files and writes the database (up to a second
    # under load, bench/portal_load.py), while the event loop answers the dashboard
    return await asyncio.to_thread(
        c.portal.submit,
        user,
        unit_id,
        year,
        folder,
        res.get("findings", []),
        summary,
        ip=client_ip(request),
    )


@form_action("unit")
async def submit(request: Request, user, form) -> Response:
    from ..store import PortalError

    try:
        version = await submit_draft(request, user)
    except PortalError as exc:
        return render(request, "error.html", status=409, message=str(exc))
    return RedirectResponse(f"/versions/{version.id}", status_code=303)
