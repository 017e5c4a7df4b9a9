"""The bureau's pages: the dashboard of all units in the reviewer's scope, one unit's
versions, a version (document preview, findings, comments, the diff with the one
before) and the decisions on it; the export of the list and the .zip of approved
documents. A unit user may open its own versions (read-only, with the comments)."""

from __future__ import annotations

import asyncio

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from . import drafts
from .access import as_id, int_param, not_found, unit_of, version_of
from .guard import client_ip, ctx, form_action, page
from .render import STATUS_TEXT, render
from .unit_pages import _disposition, year_of

REVIEW = ("reviewer", "admin")


def routes() -> list[Route]:
    return [
        Route("/bureau", dashboard),
        Route("/bureau/export.xlsx", dashboard_export),
        Route("/bureau/approved.zip", approved_zip),
        Route("/bureau/publish", publish, methods=["POST"]),
        Route("/units/{unit_id}", unit_cases),
        Route("/versions/{version_id}", version_page),
        Route("/versions/{version_id}/files/{name:path}", version_file),
        Route("/versions/{version_id}/diff", version_diff),
        Route("/versions/{version_id}/comments", comment, methods=["POST"]),
        Route("/versions/{version_id}/decision", decide, methods=["POST"]),
    ]


def filters(request: Request) -> dict:
    """The dashboard's filters from the query string (bounded, as text)."""
    q = request.query_params
    status = q.get("status", "")
    parent = q.get("parent", "")
    return {
        "status": status if status in STATUS_TEXT else None,
        "search": q.get("q", "")[:100],
        "parent": as_id(parent),
    }


def dashboard_rows(request: Request, user) -> list:
    """The dashboard's rows; a ``parent`` outside the user's scope (or nowhere) is 404,
    as the store says, not a server error."""
    from ..store import NotFound

    f = filters(request)
    try:
        return ctx(request).portal.dashboard(user, year_of(request), **f)
    except NotFound:
        raise not_found() from None


@page(*REVIEW)
async def dashboard(request: Request, user) -> Response:
    portal = ctx(request).portal
    rows = await asyncio.to_thread(dashboard_rows, request, user)
    everything = await asyncio.to_thread(portal.dashboard, user, year_of(request))
    counts = {key: 0 for key in STATUS_TEXT}
    for row in everything:
        counts[row.status] = counts.get(row.status, 0) + 1
    visible = portal.visible_unit_ids(user)
    parents = [u for u in portal.units() if visible is None or u.id in visible]
    return render(
        request,
        "dashboard.html",
        rows=rows,
        counts=counts,
        total=len(everything),
        year=year_of(request),
        filters=filters(request),
        parents=parents,
        query=request.url.query,
    )


@page(*REVIEW)
async def dashboard_export(request: Request, user) -> Response:
    portal = ctx(request).portal
    rows = await asyncio.to_thread(dashboard_rows, request, user)
    data = await asyncio.to_thread(portal.dashboard_xlsx, rows)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={
            "content-disposition": _disposition(f"{year_of(request)}年度决算公开单位状态.xlsx")
        },
    )


@page(*REVIEW)
async def approved_zip(request: Request, user) -> Response:
    portal = ctx(request).portal
    data = await asyncio.to_thread(
        portal.approved_zip, user, year_of(request), ip=client_ip(request)
    )
    return Response(
        data,
        media_type="application/zip",
        headers={
            "content-disposition": _disposition(f"{year_of(request)}年度决算公开（已通过）.zip")
        },
    )


@form_action(*REVIEW)
async def publish(request: Request, user, form) -> Response:
    """Mark approved cases as published (已公开). A case that does not exist or lies
    outside the scope is 404; one not approved is the store's 409 (nothing published)."""
    from ..store import NotFound, PortalError

    portal = ctx(request).portal
    ids = []
    for raw in form.getlist("case"):
        if (case_id := as_id(raw)) is not None:
            try:
                case = portal.case_by_id(case_id)
            except NotFound:
                raise not_found() from None
            unit_of(request, user, case.unit_id)  # 404 outside the scope
            ids.append(case.id)
    try:
        portal.publish(user, ids, ip=client_ip(request))
    except PortalError as exc:
        return render(request, "error.html", status=409, message=str(exc))
    return RedirectResponse("/bureau", status_code=303)


@page(*REVIEW)
async def unit_cases(request: Request, user) -> Response:
    portal = ctx(request).portal
    unit = unit_of(request, user, int_param(request, "unit_id"))
    case = portal.case(unit.id, year_of(request))
    versions = portal.versions(case.id)  # newest first
    return render(
        request, "unit_cases.html", unit=unit, case=case, versions=versions, year=year_of(request)
    )


@page()
async def version_page(request: Request, user) -> Response:
    from ...web.preview import document_html

    portal = ctx(request).portal
    version, case, unit = version_of(request, user, int_param(request, "version_id"))
    folder = portal.version_dir(version.id)
    res = drafts.result(folder)
    doc = drafts.document(folder)
    preview = await asyncio.to_thread(document_html, doc) if doc else ""
    sections = await asyncio.to_thread(drafts.headings, doc) if user.role in REVIEW else []
    versions = portal.versions(case.id)
    return render(
        request,
        "version.html",
        sections=sections,
        version=version,
        case=case,
        unit=unit,
        result=res,
        files=res.get("files", []),
        comments=portal.comments(version.id),
        previous=next((v for v in versions if v.number < version.number), None),
        latest=versions[0].id == version.id if versions else False,  # newest first
        reviewer=user.role in REVIEW,
        preview=Markup(preview),
    )


@page()
async def version_file(request: Request, user) -> Response:
    version, _, unit = version_of(request, user, int_param(request, "version_id"))
    folder = ctx(request).portal.version_dir(version.id)
    name = request.path_params["name"]
    path = drafts.workbook(folder) if name == "workbook" else drafts.output_file(folder, name)
    if path is None:
        raise not_found()
    shown = path.name
    if name == "workbook":  # the unit's name, not ours: "某某区文化馆（第2版）.xlsx"
        shown = f"{unit.name}（第{version.number}版）{path.suffix}"
    return FileResponse(path, headers={"content-disposition": _disposition(shown)})


def compare(portal, old, new) -> object:
    """The diff between two versions' documents and findings."""
    from ..diff import diff_versions

    old_dir, new_dir = portal.version_dir(old.id), portal.version_dir(new.id)
    old_doc, new_doc = drafts.document(old_dir), drafts.document(new_dir)
    if old_doc is None or new_doc is None:
        raise not_found()
    return diff_versions(
        old_doc,
        new_doc,
        drafts.result(old_dir).get("findings", []),
        drafts.result(new_dir).get("findings", []),
    )


def against(request: Request, user, version, case):
    """The version to compare with: ``?against=N`` (a number of the same case) or the
    one before."""
    portal = ctx(request).portal
    versions = portal.versions(case.id)
    raw = request.query_params.get("against", "")
    if raw:
        match = [v for v in versions if str(v.number) == raw]
        if not match:
            raise not_found()
        return match[0]
    earlier = [v for v in versions if v.number < version.number]
    if not earlier:
        raise not_found()
    return earlier[0]  # the store lists newest first


@page()
async def version_diff(request: Request, user) -> Response:
    from ..diff import diff_html

    portal = ctx(request).portal
    version, case, unit = version_of(request, user, int_param(request, "version_id"))
    old = against(request, user, version, case)
    diff = await asyncio.to_thread(compare, portal, old, version)
    return render(request, "diff.html", unit=unit, old=old, new=version, diff=diff_html(diff))


@form_action(*REVIEW)
async def comment(request: Request, user, form) -> Response:
    version, _, _ = version_of(request, user, int_param(request, "version_id"))
    body = str(form.get("body") or "").strip()
    if body:
        ctx(request).portal.comment(
            user,
            version.id,
            body[:5000],
            section=str(form.get("section") or "")[:200],
            finding=str(form.get("finding") or "")[:40],
            ip=client_ip(request),
        )
    return RedirectResponse(f"/versions/{version.id}#comments", status_code=303)


@form_action(*REVIEW)
async def decide(request: Request, user, form) -> Response:
    from ..store import PortalError

    version, _, _ = version_of(request, user, int_param(request, "version_id"))
    decision = str(form.get("decision") or "")
    if decision not in ("returned", "approved"):
        return render(request, "error.html", status=400, message="请选择“退回修改”或“通过”。")
    try:
        ctx(request).portal.decide(
            user, version.id, decision, str(form.get("comment") or "")[:5000], ip=client_ip(request)
        )
    except PortalError as exc:
        return render(request, "error.html", status=409, message=str(exc))
    return RedirectResponse(f"/versions/{version.id}", status_code=303)
