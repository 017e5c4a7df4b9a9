"""The Starlette application: pages (server-side Jinja2) and the JSON API they use.

Everything a job produces is reachable only through its random 128-bit id. Requests are
checked (Host, Origin, sizes, file types) before anything is written; every refusal and
every unexpected error is a Chinese message, JSON ``{"error": …}`` under ``/api`` and a
page elsewhere (the traceback goes to the server's log only). See docs/web.md.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import shutil
import tomllib
from collections.abc import Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath
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

from ..narrative import TemplateProblem, available_packs, load_pack
from .forms import Staging, clear_staging, read_form
from .jobs import Runner
from .preview import document_html, part_two_html
from .store import DONE, FAILED, INTERRUPTED, JobStore
from .uploads import (
    Limits,
    UploadRejected,
    check_request_size,
    plan_units,
    show,
    too_large,
    write_units,
)

log = logging.getLogger("uvicorn.error")  # the server's error log (uvicorn's handlers)

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
#: Hosts a request may name in its Host header unless ``allowed_hosts`` says otherwise.
DEFAULT_HOSTS = ("127.0.0.1", "localhost", "::1")
#: The routes that take uploads: their body is counted as it is received.
UPLOAD_PATHS = (
    "/jobs",
    "/api/jobs",
    "/unit/upload",
    "/api/unit/upload",
    "/admin/units/import",
    "/admin/users/import",
)
SERVER_ERROR = (
    "服务器内部错误，请求未能完成。请稍后重试；如果问题持续，请联系管理员（详情已记入服务器日志）。"
)


@dataclass
class Context:
    """What the handlers share: the job store, the worker runner, the settings."""

    data_dir: Path
    retention_days: float
    limits: Limits
    hosts: HostAllowlist = field(default_factory=lambda: HostAllowlist(DEFAULT_HOSTS))
    store: JobStore | None = None
    runner: Runner | None = None
    #: the bureau portal (``serve --accounts``): its store, sessions and cookie policy
    accounts: bool = False
    database_url: str | None = None
    secure_cookies: bool = False
    portal: object | None = None
    sessions: object | None = None


def create_app(
    data_dir: Path,
    retention_days: int = 7,
    jobs: int | None = None,
    limits: Limits | None = None,
    allowed_hosts: Iterable[str] | None = None,
    accounts: bool = False,
    database_url: str | None = None,
    secure_cookies: bool = False,
    scheduler: str | None = None,
) -> Starlette:
    """The application; job records and files live under ``data_dir``.

    ``allowed_hosts``: the names a request's Host header may carry (a port is ignored;
    ``*.example.org`` allows every subdomain); default 127.0.0.1, localhost and ::1.
    ``accounts``: the bureau portal (logins, units, review) instead of the local
    single-user pages; its data in ``database_url`` (default SQLite in ``data_dir``).
    ``scheduler``: run the units on a Dask cluster (``serve --scheduler``).
    """
    hosts = HostAllowlist(DEFAULT_HOSTS if allowed_hosts is None else allowed_hosts)
    ctx = Context(Path(data_dir), retention_days, limits or Limits(), hosts)
    ctx.accounts, ctx.database_url, ctx.secure_cookies = accounts, database_url, secure_cookies

    @asynccontextmanager
    async def lifespan(app: Starlette):
        ctx.data_dir.mkdir(parents=True, exist_ok=True)
        clear_staging(ctx.data_dir)
        ctx.store = JobStore(ctx.data_dir)
        ctx.store.mark_interrupted()
        ctx.store.purge(ctx.retention_days)
        if ctx.accounts:
            _open_portal(ctx)
        ctx.runner = Runner(ctx.store, jobs, scheduler)
        ctx.runner.start()
        purger = asyncio.create_task(_purge_loop(ctx))
        try:
            yield
        finally:
            purger.cancel()
            await ctx.runner.stop()
            ctx.store.close()
            if ctx.portal is not None:
                ctx.portal.close()

    app = Starlette(
        routes=_portal_routes() if accounts else _routes(),
        middleware=[Middleware(SecurityMiddleware, ctx=ctx)],
        lifespan=lifespan,
        exception_handlers={HTTPException: _http_error, Exception: _server_error},
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


def _portal_routes() -> list:
    """The bureau portal's routes: nothing of the single-user pages is reachable."""
    from ..portal.web import routes

    return [
        *routes(),
        Route("/healthz", healthz),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]


def _open_portal(ctx: Context) -> None:
    """The portal's database (migrated to the current schema) and its sessions."""
    from ..portal.sessions import Sessions, load_secret
    from ..portal.store import Portal

    ctx.portal = Portal(ctx.data_dir, ctx.database_url)
    ctx.sessions = Sessions(ctx.portal.engine, load_secret(ctx.data_dir))


async def _purge_loop(ctx: Context) -> None:
    """Results older than the retention period are deleted while the server runs, too."""
    while True:
        await asyncio.sleep(PURGE_EVERY_S)
        await asyncio.to_thread(ctx.store.purge, ctx.retention_days)


# --- security -----------------------------------------------------------------------------


class SecurityMiddleware:
    """Every request: refuse a foreign Host (DNS rebinding) and cross-site POSTs, count
    an upload's body as it is received, turn an unexpected exception into the documented
    500 answer, and add the security headers to every response."""

    def __init__(self, app, ctx: Context):
        self.app, self.ctx = app, ctx

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message["headers"] = list(message.get("headers", [])) + SECURITY_HEADERS
            await send(message)

        request = Request(scope)
        try:
            if not self.ctx.hosts.allows(request.headers.get("host", "")):
                raise UploadRejected(_foreign_host(request.headers.get("host", "")), 400)
            if request.method not in ("GET", "HEAD", "OPTIONS") and _cross_site(request):
                raise UploadRejected("拒绝跨站提交：请从本系统的页面上传文件。", 403)
            if request.method == "POST" and scope["path"] in UPLOAD_PATHS:
                check_request_size(request.headers.get("content-length"), self.ctx.limits)
                receive = _counted(receive, self.ctx.limits)
            await self.app(scope, receive, send_with_headers)
        except UploadRejected as exc:
            if started:
                raise
            await refusal(request, exc.message, exc.status)(scope, receive, send_with_headers)
        except Exception:
            if started:  # too late for an answer: the server closes the connection
                raise
            log.exception("unexpected error answering %s %s", request.method, scope["path"])
            await refusal(request, SERVER_ERROR, 500)(scope, receive, send_with_headers)


def _counted(receive, limits: Limits):
    """``receive`` that counts the body's bytes and stops (413) once the request limit is
    passed, whether the body came with a Content-Length or chunked."""
    seen = 0

    async def counted_receive():
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limits.request_bytes:
                raise too_large(limits)
        return message

    return counted_receive


def normalise_host(value: str) -> str:
    """The host of a Host header (or of an allowlist entry): lower case, without the
    port, the IPv6 brackets or a trailing dot; '' when it is malformed."""
    value = value.strip().lower()
    if value.startswith("["):
        host, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not (rest[0] == ":" and rest[1:].isdigit())):
            return ""
        return host
    if value.count(":") == 1:
        value, port = value.split(":")
        if port and not port.isdigit():
            return ""
    if not value or not re.fullmatch(r"[a-z0-9._:\-]+", value):
        return ""
    return value if value.count(":") > 1 else value.rstrip(".")


class HostAllowlist:
    """Host names a request may be addressed to: exact names, and ``*.domain`` entries
    for any subdomain of ``domain`` (not ``domain`` itself)."""

    def __init__(self, entries: Iterable[str]):
        self.names: set[str] = set()
        self.suffixes: list[str] = []
        for entry in entries:
            entry = entry.strip()
            if entry.startswith("*."):
                if domain := normalise_host(entry[2:]):
                    self.suffixes.append("." + domain)
            elif name := normalise_host(entry):
                self.names.add(name)

    def allows(self, host_header: str) -> bool:
        host = normalise_host(host_header)
        if not host:
            return False
        return host in self.names or any(
            host.endswith(s) and len(host) > len(s) for s in self.suffixes
        )


def _foreign_host(host: str) -> str:
    return (
        f"拒绝访问：主机名“{show(host)[:60]}”不在本服务允许的主机名之列（防止 DNS 重绑定攻击）。"
        "请使用启动服务时显示的网页地址访问；如需以其他名称访问，请由管理员用 "
        "reportgen serve --allowed-host 主机名 添加。"
    )


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
    if getattr(request.app.state, "ctx", None) is not None and request.app.state.ctx.accounts:
        from ..portal.web.render import render

        return render(request, "error.html", status=status, message=message)
    return TEMPLATES.TemplateResponse(
        request, "error.html", {"message": message, "active": ""}, status_code=status
    )


async def _http_error(request: Request, exc: HTTPException) -> Response:
    messages = {
        404: "找不到该页面或任务（任务可能已超过保存期限被删除）。",
        405: "不支持该请求方法。",
    }
    default = messages.get(exc.status_code, "请求无效。")
    return refusal(request, getattr(exc, "message", default), exc.status_code)


async def _server_error(request: Request, exc: Exception) -> Response:
    """Last resort (Starlette's outermost middleware; SecurityMiddleware answers first)."""
    try:
        return refusal(request, SERVER_ERROR, 500)
    except Exception:  # noqa: BLE001 - the error page itself failed: plain JSON then
        return JSONResponse({"error": SERVER_ERROR}, status_code=500)


# --- jobs -----------------------------------------------------------------------------------


async def _create_job(request: Request) -> str:
    """Stream the upload into a staging folder and check all of it there; only then
    create the job folder, move the workbooks into it and start the job. The staging
    folder is removed whatever happens."""
    ctx: Context = request.app.state.ctx
    with Staging(ctx.data_dir) as staging:
        form = await read_form(request, staging, ctx.limits)
        pack = form.fields.get("pack") or ""  # "": recognised from each workbook's tables
        pdf = form.fields.get("pdf", "") in ("on", "1", "true", "yes")
        if pack and pack not in available_packs():
            raise UploadRejected(
                f"没有名为“{show(pack)[:40]}”的词句包。可用：{'、'.join(available_packs())}"
            )
        units = await asyncio.to_thread(plan_units, form.uploads, ctx.limits)
        job_id = secrets.token_hex(16)
        job_dir = ctx.store.job_dir(job_id)
        sources = await asyncio.to_thread(write_units, units, job_dir / "in", ctx.limits)
    single = len(form.uploads) == 1 and len(units) == 1 and units[0].zip_source is None
    kind = "single" if single else "batch"
    try:
        ctx.store.create(job_id, kind, pack, len(sources))
        ctx.runner.submit(job_id, kind, pack, sources, pdf=pdf)
    except BaseException:
        shutil.rmtree(job_dir, ignore_errors=True)
        raise
    return job_id


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
        "status_text": _status_text(rec),
        "finished": rec["status"] in (DONE, FAILED, INTERRUPTED),
        "pack": rec["pack"],
        "created": rec["created"],
        "finished_at": rec["finished"],
        "progress": {
            "done": rec["done"],
            "failed": rec["failed"],
            "total": rec["total"],
            "remaining": rec["total"] - rec["done"],
            "succeeded": rec["done"] - rec["failed"],
        },
        "units": units,
        "files": [_link(base, f) for f in rec["result"].get("files", [])],
        "message": rec["result"].get("message", ""),
    }


def _status_text(rec: dict) -> str:
    """The job's state in words that never contradict its units' outcomes: a finished job
    with failed units says so (a failed single unit is "未生成文档")."""
    text = STATUS_TEXT.get(rec["status"], rec["status"])
    if rec["status"] == DONE and rec["failed"]:
        if rec["total"] == 1:
            return "未生成文档（见下方审核结果）"
        return f"已完成，其中 {rec['failed']} 个单位未生成文档"
    return text


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


def output_name(name: str) -> bool:
    """Is ``name`` (percent-decoded by the server) the kind of relative name our outputs
    have? No NUL, backslash, drive or absolute path; no empty, ``.``, ``..`` or hidden
    part (so ``//etc/hostname``, ``%2Fetc%2Fhostname``, ``..%2f…`` and ``x%00.docx`` fail)."""
    if not name or len(name) > 1024 or "\x00" in name or "\\" in name:
        return False
    if PureWindowsPath(name).drive:
        return False
    return all(part and not part.startswith(".") for part in name.split("/"))


async def job_file(request: Request) -> Response:
    """A file of this job's outputs only: no other folder, no listing, no hidden files."""
    rec = _job(request)
    out_dir = (request.app.state.ctx.store.job_dir(rec["id"]) / "out").resolve()
    name = request.path_params["name"]
    if not output_name(name):
        raise HTTPException(404)
    try:
        # resolved, so a link inside out/ that points elsewhere is refused as well
        path = (out_dir / name).resolve()
        found = path.is_relative_to(out_dir) and path.is_file()
    except (OSError, ValueError):
        found = False
    if not found:
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
        infos.append({"name": name, "description": desc, "default": False})
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
