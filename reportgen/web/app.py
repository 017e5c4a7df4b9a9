"""The Starlette application: pages (server-side Jinja2) and the JSON API they use.

Everything a job produces is reachable only through its random 128-bit id. Requests are
checked (Origin, sizes, file types) before anything is written; every refusal is a
Chinese message, JSON under ``/api`` and a page elsewhere. See docs/web.md.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import tomllib
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from ..narrative import DEFAULT_PACK, TemplateProblem, available_packs, load_pack
from .jobs import Runner
from .preview import document_html, part_two_html
from .store import DONE, FAILED, INTERRUPTED, JobStore
from .uploads import Limits, Upload, UploadRejected, check_request_size, plan_units, write_units

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=str(HERE / "templates"))
JOB_ID = re.compile(r"^[0-9a-f]{32}$")
PURGE_EVERY_S = 3600
STATUS_TEXT = {
    "queued": "排队中",
    "running": "生成中",
    DONE: "已完成",
    FAILED: "失败",
    INTERRUPTED: "已中断（服务曾重启，请重新上传）",
}
SECURITY_HEADERS = [
    # images of the preview are inline data: URIs; scripts and styles only from /static
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


@dataclass
class Context:
    """What the handlers share: the job store, the worker runner, the settings."""

    data_dir: Path
    retention_days: float
    limits: Limits
    store: JobStore | None = None
    runner: Runner | None = None


def create_app(
    data_dir: Path, retention_days: int = 7, jobs: int | None = None, limits: Limits | None = None
) -> Starlette:
    """The application; job records and files live under ``data_dir``."""
    ctx = Context(Path(data_dir), retention_days, limits or Limits())

    @asynccontextmanager
    async def lifespan(app: Starlette):
        ctx.data_dir.mkdir(parents=True, exist_ok=True)
        ctx.store = JobStore(ctx.data_dir)
        ctx.store.mark_interrupted()
        ctx.store.purge(ctx.retention_days)
        ctx.runner = Runner(ctx.store, jobs)
        ctx.runner.start()
        purger = asyncio.create_task(_purge_loop(ctx))
        try:
            yield
        finally:
            purger.cancel()
            await ctx.runner.stop()
            ctx.store.close()

    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(SecurityMiddleware)],
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error},
    )
    app.state.ctx = ctx
    return app


def _routes() -> list:
    return [
        Route("/", unit_page),
        Route("/batch", batch_page),
        Route("/packs", packs_page),
        Route("/packs/{name}", pack_preview),
        Route("/blank.xlsx", blank_workbook),
        Route("/jobs", create_job_page, methods=["POST"]),
        Route("/jobs/{id}", job_page),
        Route("/api/jobs", create_job_api, methods=["POST"]),
        Route("/api/jobs/{id}", job_api),
        Route("/api/jobs/{id}/files/{name:path}", job_file),
        Route("/api/jobs/{id}/archive", job_archive),
        Route("/api/packs", packs_api),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]


async def _purge_loop(ctx: Context) -> None:
    """Results older than the retention period are deleted while the server runs, too."""
    while True:
        await asyncio.sleep(PURGE_EVERY_S)
        await asyncio.to_thread(ctx.store.purge, ctx.retention_days)


# --- security -----------------------------------------------------------------------------


class SecurityMiddleware:
    """Refuse cross-site POSTs; add security headers to every response."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = list(message["headers"]) + SECURITY_HEADERS
            await send(message)

        request = Request(scope)
        if request.method not in ("GET", "HEAD", "OPTIONS") and _cross_site(request):
            response = refusal(request, "拒绝跨站提交：请从本系统的页面上传文件。", 403)
            return await response(scope, receive, send_with_headers)
        await self.app(scope, receive, send_with_headers)


def _cross_site(request: Request) -> bool:
    """An Origin header, when present, must name this very host."""
    origin = request.headers.get("origin")
    if request.headers.get("sec-fetch-site") == "cross-site":
        return True
    if origin is None:
        return False
    return urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower()


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def refusal(request: Request, message: str, status: int) -> Response:
    """A refusal in the caller's language: JSON for the API, a page for a browser."""
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=status)
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"message": message, "active": ""}, status_code=status
    )


async def _http_error(request: Request, exc: HTTPException) -> Response:
    messages = {
        404: "找不到该页面或任务（任务可能已超过保存期限被删除）。",
        405: "不支持该请求方法。",
    }
    return refusal(request, messages.get(exc.status_code, "请求无效。"), exc.status_code)


# --- jobs -----------------------------------------------------------------------------------


async def _create_job(request: Request) -> str:
    """Validate the whole upload, then write it into a fresh job folder and start the job."""
    ctx: Context = request.app.state.ctx
    check_request_size(request.headers.get("content-length"), ctx.limits)
    pack, uploads, pdf = await _read_form(request, ctx.limits)
    if pack not in available_packs():
        raise UploadRejected(f"没有名为“{pack[:40]}”的词句包。可用：{'、'.join(available_packs())}")
    units = plan_units(uploads, ctx.limits)
    job_id = secrets.token_hex(16)
    in_dir = ctx.store.job_dir(job_id) / "in"
    sources = await asyncio.to_thread(write_units, units, in_dir)
    single = len(uploads) == 1 and len(units) == 1 and units[0].data is not None
    kind = "single" if single else "batch"
    ctx.store.create(job_id, kind, pack, len(sources))
    ctx.runner.submit(job_id, kind, pack, sources, pdf=pdf)
    return job_id


async def _read_form(request: Request, limits: Limits) -> tuple[str, list[Upload], bool]:
    """The pack name, every uploaded file (each read with its size limit), the PDF option."""
    try:
        async with request.form(max_files=limits.files + 1, max_fields=20) as form:
            pack = str(form.get("pack") or DEFAULT_PACK)
            pdf = str(form.get("pdf") or "") in ("on", "1", "true", "yes")
            uploads = []
            for key in ("file", "files"):
                for f in form.getlist(key):
                    if isinstance(f, str) or not f.filename:
                        continue
                    data = await f.read(limits.file_bytes + 1)
                    uploads.append(Upload(f.filename, data))
    except HTTPException as exc:
        raise UploadRejected(f"无法读取上传内容（{exc.detail}）。") from exc
    return pack, uploads, pdf


async def create_job_api(request: Request) -> Response:
    try:
        job_id = await _create_job(request)
    except UploadRejected as exc:
        return refusal(request, exc.message, exc.status)
    return JSONResponse({"id": job_id, "url": f"/api/jobs/{job_id}"}, status_code=202)


async def create_job_page(request: Request) -> Response:
    try:
        job_id = await _create_job(request)
    except UploadRejected as exc:
        return refusal(request, exc.message, exc.status)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)


def _job(request: Request) -> dict:
    """The job named in the path, or 404 (ids are checked before touching the disk)."""
    job_id = request.path_params["id"]
    rec = JOB_ID.match(job_id) and request.app.state.ctx.store.get(job_id)
    if not rec:
        raise HTTPException(404)
    return rec


def job_view(rec: dict) -> dict:
    """A job as the API and pages show it: findings errors first, files as links."""
    base = f"/api/jobs/{rec['id']}/files/"
    units = [_unit_view(u, base) for u in rec["result"].get("units", [])]
    return {
        "id": rec["id"],
        "kind": rec["kind"],
        "status": rec["status"],
        "status_text": STATUS_TEXT.get(rec["status"], rec["status"]),
        "finished": rec["status"] in (DONE, FAILED, INTERRUPTED),
        "pack": rec["pack"],
        "created": rec["created"],
        "finished_at": rec["finished"],
        "progress": {
            "done": rec["done"],
            "failed": rec["failed"],
            "total": rec["total"],
            "remaining": rec["total"] - rec["done"],
        },
        "units": units,
        "files": [_link(base, f) for f in rec["result"].get("files", [])],
        "message": rec["result"].get("message", ""),
    }


def _unit_view(u: dict, base: str) -> dict:
    findings = sorted(u.get("findings", []), key=lambda f: f.get("severity") != "错误")
    return {
        "unit": u["unit"],
        "status": u["status"],
        "department": u.get("department", ""),
        "year": u.get("year"),
        "message": u.get("message", ""),
        "errors": sum(1 for f in findings if f.get("severity") == "错误"),
        "findings": findings,
        "files": [_link(base, f) for f in u.get("files", [])],
    }


def _link(base: str, name: str) -> dict:
    return {"name": name, "label": Path(name).name, "url": base + quote(name)}


async def job_api(request: Request) -> Response:
    return JSONResponse(job_view(_job(request)))


async def job_file(request: Request) -> Response:
    """A file of this job's outputs only: no other folder, no listing, no hidden files."""
    rec = _job(request)
    out_dir = (request.app.state.ctx.store.job_dir(rec["id"]) / "out").resolve()
    name = request.path_params["name"]
    path = (out_dir / name).resolve()
    hidden = any(part.startswith(".") for part in Path(name).parts)
    if hidden or not path.is_relative_to(out_dir) or not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, headers={"content-disposition": content_disposition(path.name)})


def content_disposition(filename: str) -> str:
    """RFC 6266/5987: an ASCII fallback plus the exact UTF-8 name for every browser."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


# --- packs, pages, health -------------------------------------------------------------------


def pack_infos() -> list[dict]:
    """Installed wording packs with the description from their pack.toml."""
    infos = []
    for name in available_packs():
        try:
            pack = load_pack(name)
            desc = pack.settings.get("description", "")
        except (TemplateProblem, OSError, tomllib.TOMLDecodeError) as exc:
            desc = f"（无法读取：{exc}）"
        infos.append({"name": name, "description": desc, "default": name == DEFAULT_PACK})
    return infos


async def packs_api(request: Request) -> Response:
    return JSONResponse({"packs": pack_infos()})


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


def _page(request: Request, name: str, active: str, **context) -> Response:
    return TEMPLATES.TemplateResponse(request, name, {"active": active, **context})


async def unit_page(request: Request) -> Response:
    return _page(request, "unit.html", "unit", packs=pack_infos())


async def batch_page(request: Request) -> Response:
    return _page(request, "batch.html", "batch", packs=pack_infos())


async def packs_page(request: Request) -> Response:
    return _page(request, "packs.html", "packs", packs=pack_infos())


async def pack_preview(request: Request) -> Response:
    """第二部分 of the bundled example in one pack, rendered in a worker process."""
    name = request.path_params["name"]
    if name not in available_packs():
        raise HTTPException(404)
    fut = request.app.state.ctx.runner.pool.schedule(part_two_html, args=(name,), timeout=120)
    body = await asyncio.wrap_future(fut)
    return _page(request, "pack_preview.html", "packs", pack=name, preview=Markup(body))


async def job_page(request: Request) -> Response:
    """Results; for a finished single-unit job, the document itself as a preview."""
    rec = _job(request)
    view = job_view(rec)
    preview = ""
    if view["kind"] == "single" and view["finished"] and view["units"]:
        doc = next(
            (f["name"] for f in view["units"][0]["files"] if f["name"].endswith(".docx")), None
        )
        if doc:
            out_dir = request.app.state.ctx.store.job_dir(rec["id"]) / "out"
            preview = await asyncio.to_thread(document_html, out_dir / doc)
    return _page(request, "job.html", "", job=view, preview=Markup(preview))


async def job_archive(request: Request) -> Response:
    """Every output of the job as one .zip (documents, 审核结果, 汇总.xlsx), built in a thread."""
    rec = _job(request)
    out_dir = request.app.state.ctx.store.job_dir(rec["id"]) / "out"
    if not out_dir.is_dir():
        raise HTTPException(404)
    data = await asyncio.to_thread(_zip_folder, out_dir)
    name = f"决算公开-{rec['id'][:8]}.zip"
    return Response(
        data,
        media_type="application/zip",
        headers={"content-disposition": content_disposition(name)},
    )


def _zip_folder(folder: Path) -> bytes:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.rglob("*")):
            rel = f.relative_to(folder)
            if f.is_file() and not any(part.startswith(".") for part in rel.parts):
                z.write(f, rel.as_posix())
    return buf.getvalue()


async def blank_workbook(request: Request) -> Response:
    """The empty input workbook (as ``reportgen init`` writes it), built in a thread."""
    data = await asyncio.to_thread(_blank_bytes)
    return Response(
        data,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": content_disposition("决算公开空白工作簿.xlsx")},
    )


def _blank_bytes() -> bytes:
    import tempfile

    from .. import codes
    from ..workbook import write_workbook

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "blank.xlsx"
        write_workbook(path, None, names=codes.economic_name_map())
        return path.read_bytes()
