"""Who may reach what in the bureau portal (issue 17 item 5), through HTTP, on SQLite and
on PostgreSQL: a permission matrix over every route × role × own/other unit, and
cross-tenant probes (every id in the database, every file name, path tricks, odd ids)
that must answer 404 without naming the other unit.

The world is built once per backend (a module-scoped app): a district's tree
(某某区财政局 → 某某区文化和旅游局 → 某某区文化馆, 某某区图书馆; 某某区教育局 →
某某区实验小学); unit A (文化馆) uploads the bundled example and submits it twice, the
reviewer of 文化和旅游局 returns the second version with a comment; unit B (实验小学)
uploads the same figures under its own name (every 玉溪市互联网信息办公室 of the workbook
replaced), submits twice, the bureau's reviewer comments and approves. Each unit also
has a version of last year (made through the store: /unit/last-year offers it).

The matrix follows datasette's and CVAT's permission tests: a table of routes
(:data:`ROUTES`: method, path as ``app.routes`` lists it, the guard, the roles it
admits, whose thing the request names, the answer when allowed) × :data:`ROLES`; the
expected status follows from the row (:func:`expected`): anonymous → 303 to /login
(pages), 403 (forms) or 401 (API); a role the route does not admit → 403; a thing of a
unit the role may not see → 404; else the route's own answer. Writes that would change
what the other rows see are probes that pass the gate and stop at validation (a decision
that is neither 退回 nor 通过 → 400); the real decisions are the world's. Every answer is
scanned: a refusal names neither unit (name, department, file names, upload name,
comments), an allowed answer nothing of a unit the role may not see (zip, xlsx and docx
bodies included).
"""

from __future__ import annotations

import html
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

import pytest
from portal_backends import FAST_HASHER, portal_url_module  # noqa: F401 - both backends

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "example" / "2021年度玉溪市互联网信息办公室.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COOKIE = "rg_session"
YEAR = 2021

#: the two units whose documents the world holds, by side
UNIT = {"A": "某某区文化馆", "B": "某某区实验小学"}
DEPARTMENT = {"A": "玉溪市互联网信息办公室", "B": "某某区实验小学"}
UPLOAD_NAME = {"A": EXAMPLE.name, "B": "2021年度某某区实验小学.xlsx"}
COMMENT = {"A": "请文化馆补充免费开放经费的使用说明", "B": "请实验小学核对三公经费的变动原因"}
TREE = (
    ("某某区财政局", None),
    ("某某区文化和旅游局", "某某区财政局"),
    ("某某区文化馆", "某某区文化和旅游局"),
    ("某某区图书馆", "某某区文化和旅游局"),
    ("某某区教育局", "某某区财政局"),
    ("某某区实验小学", "某某区教育局"),
)


@dataclass(frozen=True)
class Role:
    """One kind of visitor: its account (none for anonymous) and which side it may see."""

    name: str
    kind: str  # anon | unit | reviewer | admin
    login: str = ""
    unit: str | None = None
    sees: frozenset[str] = frozenset()
    ip: str = ""

    @property
    def password(self) -> str:
        return f"{self.login}-密码2021"


ROLES = {
    r.name: r
    for r in (
        Role("anon", "anon", ip="10.0.0.1"),
        Role("unit_a", "unit", "whg", UNIT["A"], frozenset("A"), "10.0.0.2"),
        Role("unit_b", "unit", "syxx", UNIT["B"], frozenset("B"), "10.0.0.3"),
        Role("reviewer", "reviewer", "czj-shenhe", None, frozenset("AB"), "10.0.0.4"),
        Role("scoped", "reviewer", "wlj-shenhe", "某某区文化和旅游局", frozenset("A"), "10.0.0.5"),
        Role("admin", "admin", "czj-admin", None, frozenset("AB"), "10.0.0.6"),
    )
}
#: an account the login rows log in as (so that no role's own session changes)
PROBE = Role("probe", "unit", "tsg", "某某区图书馆", frozenset(), "10.0.0.7")


@dataclass(frozen=True)
class Session:
    cookie: str
    csrf: str


@dataclass
class World:
    app: object
    portal: object
    data_dir: Path
    main: object  # the TestClient whose lifespan runs the app
    clients: dict = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    unit_id: dict[str, int] = field(default_factory=dict)
    case_id: dict[str, int] = field(default_factory=dict)
    user_id: dict[str, int] = field(default_factory=dict)
    versions: dict[str, list[int]] = field(default_factory=dict)
    last_year: dict[str, int] = field(default_factory=dict)
    files: dict[str, list[str]] = field(default_factory=dict)
    workbook: dict[str, bytes] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)  # every unit by name

    def csrf(self, role: str) -> str:
        return self.sessions[role].csrf if role in self.sessions else ""

    def secrets(self, side: str) -> list[str]:
        """What must never reach someone who may not see ``side``'s unit."""
        names = {PurePosixPath(f).name for f in self.files[side]}
        return [UNIT[side], DEPARTMENT[side], UPLOAD_NAME[side], COMMENT[side], *sorted(names)]


@dataclass(frozen=True)
class Req:
    method: str
    url: str
    kwargs: dict = field(default_factory=dict)
    session: Session | None = None  # instead of the role's own session
    cookies: dict = field(default_factory=dict)


# --- the world -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def b_workbook(tmp_path_factory) -> Path:
    """The example's figures as 某某区实验小学's workbook (its name everywhere the
    example names its department), so that B's documents carry nothing of A's."""
    import openpyxl

    book = openpyxl.load_workbook(EXAMPLE)
    for sheet in book:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and DEPARTMENT["A"] in cell.value:
                    cell.value = cell.value.replace(DEPARTMENT["A"], DEPARTMENT["B"])
    path = tmp_path_factory.mktemp("unit-b") / UPLOAD_NAME["B"]
    book.save(path)
    return path


@pytest.fixture(scope="module")
def world(portal_url_module, tmp_path_factory, b_workbook):  # noqa: F811 - the fixture
    from starlette.testclient import TestClient

    from reportgen.web.app import create_app

    data_dir = tmp_path_factory.mktemp("portal-permissions")
    app = create_app(
        data_dir,
        jobs=1,
        allowed_hosts=["testserver"],
        accounts=True,
        database_url=portal_url_module,
    )
    with TestClient(app) as main:
        portal = app.state.ctx.portal
        portal.hasher = FAST_HASHER
        w = World(app, portal, data_dir, main)
        w.workbook = {"A": EXAMPLE.read_bytes(), "B": b_workbook.read_bytes()}
        build_world(w)
        yield w


def build_world(w: World) -> None:
    from starlette.testclient import TestClient

    portal = w.portal
    for name, parent in TREE:
        w.ids[name] = portal.add_unit(name, parent=parent).id
    for role in (*ROLES.values(), PROBE):
        client = TestClient(w.app, client=(role.ip, 50000), follow_redirects=False)
        client.portal = w.main.portal  # the running app's event loop, not one per request
        w.clients[role.name] = client
        if role.kind != "anon":
            user = portal.add_user(role.login, role.kind, role.password, unit=role.unit)
            if role.name in ("unit_a", "unit_b"):
                w.user_id[role.name[-1].upper()] = user.id
    portal.set_setting(None, "year", str(YEAR))
    for role in ROLES.values():
        if role.kind != "anon":
            w.sessions[role.name] = login(w, role)
    for side, role in (("A", "unit_a"), ("B", "unit_b")):
        w.unit_id[side] = w.ids[UNIT[side]]
        r = send(w, role, api_upload(w, role, None))
        assert r.status_code == 200, r.text
        draft = r.json()["draft"]
        assert (r.json()["can_submit"], draft["department"], draft["year"]) == (
            True,
            DEPARTMENT[side],
            YEAR,
        )
        w.files[side] = draft["files"]
        w.versions[side] = []
        for _ in range(2):
            r = send(w, role, api_post("/api/unit/submit")(w, role, None))
            assert r.status_code == 201, r.text
            w.versions[side].append(r.json()["version"]["id"])
        w.case_id[side] = r.json()["version"]["case_id"]
    # the reviewer of 文化和旅游局 returns A's second version (the page's form) ...
    r = send(
        w,
        "scoped",
        form_post(
            f"/versions/{w.versions['A'][1]}/decision",
            decision="returned",
            comment=COMMENT["A"],
        )(w, "scoped", None),
    )
    assert (r.status_code, r.headers["location"]) == (303, f"/versions/{w.versions['A'][1]}")
    # ... the bureau's reviewer comments on B's and approves it (the API)
    vb = w.versions["B"][1]
    r = send(
        w,
        "reviewer",
        api_post(f"/api/versions/{vb}/comments", body=COMMENT["B"])(w, "reviewer", None),
    )
    assert r.status_code == 201, r.text
    r = send(
        w,
        "reviewer",
        api_post(f"/api/versions/{vb}/decision", decision="approved")(w, "reviewer", None),
    )
    assert (r.status_code, r.json()["version"]["case_status"]) == (200, "approved")
    # last year's version of each unit, for /unit/last-year
    for side in "AB":
        user = portal.user(w.user_id[side])
        folder = portal.draft_dir(w.unit_id[side], YEAR)
        version = portal.submit(user, w.unit_id[side], YEAR - 1, folder, [], {"year": YEAR - 1})
        w.last_year[side] = version.id
    assert portal.case(w.unit_id["A"], YEAR).status == "returned"


def login(w: World, role: Role) -> Session:
    """A new session of ``role`` through POST /api/login."""
    client = w.clients[role.name]
    client.cookies.clear()
    r = client.post("/api/login", json={"username": role.login, "password": role.password})
    assert r.status_code == 200, r.text
    return Session(r.cookies[COOKIE], r.json()["csrf"])


def send(w: World, role: str, req: Req):
    """``req`` as ``role`` (its session cookie, or the one the request brings)."""
    client = w.clients[role]
    client.cookies.clear()
    session = req.session or w.sessions.get(role)
    if session is not None:
        client.cookies.set(COOKIE, session.cookie)
    for name, value in req.cookies.items():
        client.cookies.set(name, value)
    return client.request(req.method, req.url, **req.kwargs)


# --- leaks ---------------------------------------------------------------------------------


def readable(response) -> str:
    """Everything a response says: its text, its download name, and the text of every
    file inside a zip (an .xlsx, .docx or .zip), recursively. (A redirect to the login
    page repeats the path asked for, which the matrix checks exactly instead.)"""
    parts = [unquote(response.headers.get("content-disposition", ""))]
    parts.append(_unpacked(response.content))
    return "\n".join(parts)


def _unpacked(data: bytes) -> str:
    """The text of ``data``, XML character references resolved (openpyxl writes every
    Chinese character of a cell as ``&#26576;``)."""
    if not data.startswith(b"PK"):
        return html.unescape(data.decode("utf-8", "ignore"))
    texts = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            texts += [info.filename, _unpacked(z.read(info))]
    return "\n".join(texts)


def assert_no_leak(w: World, response, sides: str) -> None:
    text = readable(response)
    for side in sides:
        for secret in w.secrets(side):
            assert secret not in text, f"{secret} ({side}) in {response.request.url}"


def hidden_from(role: str) -> str:
    return "".join(s for s in "AB" if s not in ROLES[role].sees)


# --- the probes ----------------------------------------------------------------------------

Probe = Callable[[World, str, "str | None"], Req]


def get(url: Callable[[World, str | None], str]) -> Probe:
    return lambda w, role, t: Req("GET", url(w, t))


def form_post(url: str | Callable, **fields) -> Probe:
    def probe(w: World, role: str, t: str | None) -> Req:
        target = url(w, t) if callable(url) else url
        return Req("POST", target, {"data": {"csrf": w.csrf(role), **fields}})

    return probe


def api_post(url: str | Callable, **body) -> Probe:
    def probe(w: World, role: str, t: str | None) -> Req:
        target = url(w, t) if callable(url) else url
        return Req("POST", target, {"json": body, "headers": {"X-CSRF-Token": w.csrf(role)}})

    return probe


def own_side(role: str) -> str:
    return "B" if role == "unit_b" else "A"


def workbook_file(w: World, role: str) -> dict:
    side = own_side(role)
    return {"file": (UPLOAD_NAME[side], w.workbook[side], XLSX)}


def form_upload(w: World, role: str, t: str | None) -> Req:
    data = {"csrf": w.csrf(role)}
    return Req("POST", "/unit/upload", {"data": data, "files": workbook_file(w, role)})


def api_upload(w: World, role: str, t: str | None) -> Req:
    headers = {"X-CSRF-Token": w.csrf(role)}
    return Req("POST", "/api/unit/upload", {"files": workbook_file(w, role), "headers": headers})


def csv_upload(url: str, text: str) -> Probe:
    def probe(w: World, role: str, t: str | None) -> Req:
        files = {"file": ("名单.csv", text.encode("utf-8"), "text/csv")}
        return Req("POST", url, {"data": {"csrf": w.csrf(role)}, "files": files})

    return probe


def fresh_session(w: World, role: str) -> Session | None:
    return login(w, ROLES[role]) if ROLES[role].kind != "anon" else None


def logout_form(w: World, role: str, t: str | None) -> Req:
    session = fresh_session(w, role)
    return Req("POST", "/logout", {"data": {"csrf": session.csrf if session else ""}}, session)


def logout_api(w: World, role: str, t: str | None) -> Req:
    session = fresh_session(w, role)
    headers = {"X-CSRF-Token": session.csrf if session else ""}
    return Req("POST", "/api/logout", {"headers": headers}, session)


def login_form(w: World, role: str, t: str | None) -> Req:
    fields = {
        "login_token": "double-submit-token",
        "username": PROBE.login,
        "password": PROBE.password,
    }
    fields["next"] = "/unit"
    return Req("POST", "/login", {"data": fields}, cookies={"rg_login": "double-submit-token"})


def login_api(w: World, role: str, t: str | None) -> Req:
    body = {"username": PROBE.login, "password": PROBE.password}
    return Req("POST", "/api/login", {"json": body})


def version(w: World, t: str) -> int:
    """The side's newest version of the world (v2)."""
    return w.versions[t][-1]


def file_url(w: World, t: str) -> str:
    docx = next(f for f in w.files[t] if f.endswith(".docx"))
    return f"/versions/{version(w, t)}/files/{quote(docx)}"


def draft_file_url(w: World, t: str) -> str:
    return "/unit/files/" + quote(next(f for f in w.files[t] if f.endswith(".docx")))


# --- the matrix ----------------------------------------------------------------------------

REVIEW = ("reviewer", "admin")
UNIT_ONLY = ("unit",)
ADMIN = ("admin",)
ANY = ()  # any logged-in role
AB = ("A", "B")


@dataclass(frozen=True)
class Row:
    """One route of the portal: how it is guarded, whom it admits, whose thing its
    request names (None: nobody's, or the unit user's own) and what it answers when
    allowed (an int, or ``(role, target) -> int``)."""

    method: str
    path: str
    guard: str  # public | login | page | form | api
    roles: tuple[str, ...] = ANY
    targets: tuple = (None,)
    ok: int | Callable[[str, str | None], int] = 200
    probe: Probe | None = None
    label: str = ""  # tells two rows of one route apart
    #: the same bytes for every unit (the blank workbook, whose help text cites the
    #: example's department): compared across units instead of scanned for names
    shared: bool = False


ROUTES = [
    Row("GET", "/healthz", "public", probe=get(lambda w, t: "/healthz")),
    Row("GET", "/static", "public", probe=get(lambda w, t: "/static/app.css")),
    Row("GET", "/login", "login", probe=get(lambda w, t: "/login")),
    Row("POST", "/login", "public", ok=303, probe=login_form),
    Row("POST", "/logout", "form", ok=303, probe=logout_form),
    Row("GET", "/", "page", ok=303, probe=get(lambda w, t: "/")),
    # a unit user's own document
    Row("GET", "/unit", "page", UNIT_ONLY),
    Row("POST", "/unit/upload", "form", UNIT_ONLY, ok=303, probe=form_upload),
    Row("GET", "/unit/workbook", "page", UNIT_ONLY),
    Row("GET", "/unit/blank.xlsx", "page", UNIT_ONLY, shared=True),
    Row("GET", "/unit/last-year", "page", UNIT_ONLY),
    Row(
        "GET",
        "/unit/files/{name:path}",
        "page",
        UNIT_ONLY,
        AB,
        probe=get(draft_file_url),
    ),
    Row("GET", "/unit/texts", "page", UNIT_ONLY),
    Row("POST", "/unit/texts", "form", UNIT_ONLY, ok=303, probe=form_post("/unit/texts")),
    # B's case is approved: the store refuses a new submission (not a permission matter)
    Row(
        "POST",
        "/unit/submit",
        "form",
        UNIT_ONLY,
        ok=lambda role, t: 303 if role == "unit_a" else 409,
        probe=form_post("/unit/submit"),
    ),
    # the bureau
    Row("GET", "/bureau", "page", REVIEW),
    Row("GET", "/bureau/export.xlsx", "page", REVIEW),
    Row("GET", "/bureau/approved.zip", "page", REVIEW),
    Row(
        "POST",
        "/bureau/publish",
        "form",
        REVIEW,
        AB,
        ok=lambda role, t: 303 if t == "B" else 409,  # A's case is not approved
        probe=lambda w, role, t: form_post("/bureau/publish", case=str(w.case_id[t]))(w, role, t),
    ),
    Row(
        "GET",
        "/units/{unit_id}",
        "page",
        REVIEW,
        AB,
        probe=get(lambda w, t: f"/units/{w.unit_id[t]}"),
    ),
    Row(
        "GET",
        "/versions/{version_id}",
        "page",
        ANY,
        AB,
        probe=get(lambda w, t: f"/versions/{version(w, t)}"),
    ),
    Row("GET", "/versions/{version_id}/files/{name:path}", "page", ANY, AB, probe=get(file_url)),
    Row(
        "GET",
        "/versions/{version_id}/files/{name:path}",
        "page",
        ANY,
        AB,
        probe=get(lambda w, t: f"/versions/{version(w, t)}/files/workbook"),
        label="workbook",
    ),
    Row(
        "GET",
        "/versions/{version_id}/diff",
        "page",
        ANY,
        AB,
        probe=get(lambda w, t: f"/versions/{version(w, t)}/diff"),
    ),
    Row(
        "POST",
        "/versions/{version_id}/comments",
        "form",
        REVIEW,
        AB,
        ok=303,
        probe=lambda w, role, t: form_post(f"/versions/{version(w, t)}/comments", body=COMMENT[t])(
            w, role, t
        ),
    ),
    Row(
        "POST",
        "/versions/{version_id}/decision",
        "form",
        REVIEW,
        AB,
        ok=400,  # the probe's decision is neither: the gate passed, nothing decided
        probe=lambda w, role, t: form_post(f"/versions/{version(w, t)}/decision", decision="待定")(
            w, role, t
        ),
    ),
    # the bureau's administrator
    Row("GET", "/admin/units", "page", ADMIN),
    Row(
        "POST",
        "/admin/units",
        "form",
        ADMIN,
        ok=303,
        probe=form_post("/admin/units", name="某某区体育中心", parent="某某区文化和旅游局"),
    ),
    Row(
        "POST",
        "/admin/units/import",
        "form",
        ADMIN,
        probe=csv_upload(
            "/admin/units/import",
            "单位名称,上级单位,单位性质,联系人,联系电话\n某某区图书馆,某某区文化和旅游局,事业单位,李四,0877-1234567\n",
        ),
    ),
    Row(
        "POST",
        "/admin/units/{unit_id}",
        "form",
        ADMIN,
        AB,
        ok=303,
        probe=lambda w, role, t: form_post(f"/admin/units/{w.unit_id[t]}", contact="王五")(
            w, role, t
        ),
    ),
    Row("GET", "/admin/users", "page", ADMIN),
    Row(
        "POST",
        "/admin/users",
        "form",
        ADMIN,
        ok=303,
        probe=form_post(
            "/admin/users", login="tsg2", role="unit", password="tsg2-密码2021", unit="某某区图书馆"
        ),
    ),
    Row(
        "POST",
        "/admin/users/import",
        "form",
        ADMIN,
        probe=csv_upload(
            "/admin/users/import",
            "登录名,角色,单位名称,初始密码\ntsg3,单位,某某区图书馆,tsg3-密码2021\n",
        ),
    ),
    Row(
        "POST",
        "/admin/users/{user_id}/active",
        "form",
        ADMIN,
        AB,
        ok=303,  # enabling an enabled account: allowed, and nothing changes
        probe=lambda w, role, t: form_post(f"/admin/users/{w.user_id[t]}/active", active="1")(
            w, role, t
        ),
    ),
    Row("GET", "/admin/settings", "page", ADMIN),
    Row(
        "POST",
        "/admin/settings",
        "form",
        ADMIN,
        ok=303,
        probe=form_post("/admin/settings", year=str(YEAR), profile="", wording=""),
    ),
    Row("GET", "/admin/audit", "page", ADMIN),
    # the JSON API
    Row("POST", "/api/login", "public", probe=login_api),
    Row("POST", "/api/logout", "api", probe=logout_api),
    Row("GET", "/api/me", "api"),
    Row("GET", "/api/dashboard", "api", REVIEW),
    Row("GET", "/api/unit", "api", UNIT_ONLY),
    Row("POST", "/api/unit/upload", "api", UNIT_ONLY, probe=api_upload),
    Row("GET", "/api/unit/texts", "api", UNIT_ONLY),
    Row("POST", "/api/unit/texts", "api", UNIT_ONLY, probe=api_post("/api/unit/texts", texts={})),
    Row(
        "POST",
        "/api/unit/submit",
        "api",
        UNIT_ONLY,
        ok=lambda role, t: 201 if role == "unit_a" else 409,
        probe=api_post("/api/unit/submit"),
    ),
    Row(
        "GET",
        "/api/versions/{version_id}",
        "api",
        ANY,
        AB,
        probe=get(lambda w, t: f"/api/versions/{version(w, t)}"),
    ),
    Row(
        "GET",
        "/api/versions/{version_id}/diff",
        "api",
        ANY,
        AB,
        probe=get(lambda w, t: f"/api/versions/{version(w, t)}/diff"),
    ),
    Row(
        "POST",
        "/api/versions/{version_id}/comments",
        "api",
        REVIEW,
        AB,
        ok=201,
        probe=lambda w, role, t: api_post(
            f"/api/versions/{version(w, t)}/comments", body=COMMENT[t]
        )(w, role, t),
    ),
    Row(
        "POST",
        "/api/versions/{version_id}/decision",
        "api",
        REVIEW,
        AB,
        ok=400,
        probe=lambda w, role, t: api_post(
            f"/api/versions/{version(w, t)}/decision", decision="待定"
        )(w, role, t),
    ),
]

MATRIX = [(row, role, t) for row in ROUTES for t in row.targets for role in ROLES]


def matrix_id(case) -> str:
    row, role, t = case
    label = f" ({row.label})" if row.label else ""
    return f"{row.method} {row.path}{label}{f' [{t}]' if t else ''} {role}"


def expected(row: Row, role: str, target: str | None) -> int:
    """The status the row must answer ``role`` with."""
    r = ROLES[role]
    if row.guard == "public":
        return row.ok
    if row.guard == "login":
        return 200 if r.kind == "anon" else 303
    if r.kind == "anon":
        return {"page": 303, "form": 403, "api": 401}[row.guard]
    if row.roles and r.kind not in row.roles:
        return 403
    if target is not None and target not in r.sees:
        return 404
    return row.ok(role, target) if callable(row.ok) else row.ok


def probe_of(row: Row) -> Probe:
    return row.probe or get(lambda w, t, p=row.path: p)


def route_keys(app) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves (a mount as GET of its prefix)."""
    from starlette.routing import Mount

    keys = set()
    for route in app.routes:
        if isinstance(route, Mount):
            keys.add(("GET", route.path))
            continue
        for method in route.methods or {"GET"}:
            if method != "HEAD":
                keys.add((method, route.path))
    return keys


def test_every_route_is_in_the_matrix(tmp_path):
    """A route added to the portal without a row here fails this test (and a row for a
    route that is gone, too)."""
    from reportgen.web.app import create_app

    app = create_app(tmp_path, allowed_hosts=["testserver"], accounts=True)
    assert route_keys(app) == {(row.method, row.path) for row in ROUTES}
    assert len(ROLES) == 6 and len(MATRIX) == 6 * sum(len(row.targets) for row in ROUTES)


def test_the_scanner_finds_every_secret_where_it_belongs(world):
    """The leak checks above look for these strings: each unit's own pages show every one
    of them (else an absent secret would prove nothing)."""
    for side, role in (("A", "unit_a"), ("B", "unit_b")):
        seen = "".join(
            readable(send(world, role, Req("GET", url)))
            for url in ("/unit", f"/versions/{version(world, side)}")
        )
        assert [s for s in world.secrets(side) if s not in seen] == []
    # A's case is returned (until the matrix below submits again): its page says why
    assert COMMENT["A"] in send(world, "unit_a", Req("GET", "/unit")).text


@pytest.mark.parametrize("row,role,target", MATRIX, ids=[matrix_id(c) for c in MATRIX])
def test_permission_matrix(world, row, role, target):
    response = send(world, role, probe_of(row)(world, role, target))
    want = expected(row, role, target)
    assert response.status_code == want, response.text[:400]
    location = response.headers.get("location", "")
    if response.status_code == 303:
        assert location.startswith("/") and not location.startswith("//")
    if ROLES[role].kind == "anon" and row.guard == "page":
        asked = unquote(urlsplit(str(response.request.url)).path)
        assert location == "/login?next=" + quote(asked)
    refused = response.status_code in (401, 403, 404) or location.startswith("/login?")
    if refused or not row.shared:
        assert_no_leak(world, response, "AB" if refused else hidden_from(role))


def test_the_blank_workbook_is_the_same_for_every_unit(world):
    """Every part but the time it was made (docProps/core.xml) is the same bytes."""
    a, b = (send(world, role, Req("GET", "/unit/blank.xlsx")) for role in ("unit_a", "unit_b"))
    assert (a.status_code, b.status_code) == (200, 200)
    assert parts(a) == parts(b) and "xl/workbook.xml" in parts(a)
    assert UNIT["A"] not in readable(a) and UNIT["B"] not in readable(a)


def parts(response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def test_home_sends_each_role_to_its_page(world):
    where = {role: send(world, role, Req("GET", "/")).headers["location"] for role in ROLES}
    assert where == {
        "anon": "/login?next=/",
        "unit_a": "/unit",
        "unit_b": "/unit",
        "reviewer": "/bureau",
        "scoped": "/bureau",
        "admin": "/bureau",
    }


# --- cross-tenant --------------------------------------------------------------------------

VIEWERS = ("unit_a", "unit_b", "scoped")
VERSION_GETS = (
    "/versions/{id}",
    "/versions/{id}/diff",
    "/versions/{id}/diff?against=1",
    "/versions/{id}/files/workbook",
    "/api/versions/{id}",
    "/api/versions/{id}/diff",
    "/api/versions/{id}/diff?against=1",
)


def all_ids(w: World, model) -> list[int]:
    from sqlalchemy import select

    with w.portal.engine.connect() as conn:
        return sorted(conn.execute(select(model.id)).scalars())


def side_of_unit(w: World, unit_id: int) -> str | None:
    return next((s for s in "AB" if w.unit_id[s] == unit_id), None)


def snapshot(w: World) -> list:
    """Every row a refused write could have touched (sessions aside)."""
    from sqlalchemy import select

    from reportgen.portal import db

    tables = (db.Unit, db.User, db.Case, db.Version, db.Comment, db.AuditRecord, db.Setting)
    with w.portal.engine.connect() as conn:
        return [
            sorted(tuple(map(str, row)) for row in conn.execute(select(t.__table__)))
            for t in tables
        ]


def file_shapes(w: World) -> list[str]:
    names = sorted({f for side in "AB" for f in w.files[side]})
    return [*VERSION_GETS, *(f"/versions/{{id}}/files/{quote(n)}" for n in names)]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_other_units_versions_answer_like_nothing(world, viewer):
    """Every version id in the database, by every GET that names a version (its page,
    diff, files by every name any version lists, the API): one of a unit the viewer may
    not see answers 404, byte for byte what an id that does not exist answers."""
    from reportgen.portal.db import Version

    w = world
    ids = all_ids(w, Version)
    shapes = file_shapes(w)
    nothing = {s: send(w, viewer, Req("GET", s.format(id=ids[-1] + 1))) for s in shapes}
    assert {r.status_code for r in nothing.values()} == {404}
    own = hidden = 0
    for vid in ids:
        side = side_of_unit(w, w.portal.version(vid).unit_id)
        if side in ROLES[viewer].sees:
            r = send(w, viewer, Req("GET", f"/api/versions/{vid}"))
            assert (r.status_code, r.json()["unit"]["name"]) == (200, UNIT[side])
            assert_no_leak(w, r, hidden_from(viewer))
            own += 1
            continue
        hidden += 1
        for shape in shapes:
            r = send(w, viewer, Req("GET", shape.format(id=vid)))
            assert (r.status_code, r.content) == (404, nothing[shape].content), shape
            assert_no_leak(w, r, "AB")
    assert own >= 3 and hidden >= 3  # v1, v2 and last year's of each unit at least


@pytest.mark.parametrize("viewer", VIEWERS)
def test_other_units_versions_refuse_every_write(world, viewer):
    """Comments and decisions, by page and API, on every version the viewer may not see
    (and one that does not exist): refused alike, nothing written. A unit user is refused
    for its role (403) on its own versions too, so the answer tells nothing."""
    from reportgen.portal.db import Version

    w = world
    ids = all_ids(w, Version)
    hidden = [
        v for v in ids if side_of_unit(w, w.portal.version(v).unit_id) not in ROLES[viewer].sees
    ]
    own = [v for v in ids if v not in hidden]
    asked = [*hidden, ids[-1] + 1] + (own[:1] if ROLES[viewer].kind == "unit" else [])
    status = 403 if ROLES[viewer].kind == "unit" else 404
    before = snapshot(w)
    answers = {}
    for vid in asked:
        for probe in (
            form_post(f"/versions/{vid}/comments", body="越权意见"),
            form_post(f"/versions/{vid}/decision", decision="approved"),
            form_post(f"/versions/{vid}/decision", decision="returned", comment="越权退回"),
            api_post(f"/api/versions/{vid}/comments", body="越权意见"),
            api_post(f"/api/versions/{vid}/decision", decision="approved"),
        ):
            req = probe(w, viewer, None)
            r = send(w, viewer, req)
            assert r.status_code == status, (req.url, r.text[:200])
            assert_no_leak(w, r, "AB")
            answers.setdefault((req.url.startswith("/api/"), status), set()).add(r.content)
    assert snapshot(w) == before
    assert all(len(bodies) == 1 for bodies in answers.values())


@pytest.mark.parametrize("viewer", ["unit_a", "unit_b", "scoped", "reviewer"])
def test_units_and_cases_outside_the_scope(world, viewer):
    """/units/{id} for every unit id: a unit user is refused by role (403) for all of
    them alike; a reviewer sees its scope (200) and nothing else (404, as for an id that
    does not exist). Publishing a case outside the scope: 404, nothing published."""
    from reportgen.portal.db import Case, Unit

    w = world
    unit_ids = all_ids(w, Unit)
    scope = w.portal.visible_unit_ids(w.portal.user_by_login(ROLES[viewer].login))
    refused = send(w, viewer, Req("GET", f"/units/{unit_ids[-1] + 1}"))
    assert refused.status_code == (403 if ROLES[viewer].kind == "unit" else 404)
    for uid in unit_ids:
        r = send(w, viewer, Req("GET", f"/units/{uid}"))
        if ROLES[viewer].kind == "reviewer" and (scope is None or uid in scope):
            assert r.status_code == 200
            assert_no_leak(w, r, hidden_from(viewer))
        else:
            assert (r.status_code, r.content) == (refused.status_code, refused.content), uid
            assert_no_leak(w, r, "AB")
    cases = all_ids(w, Case)
    outside = [
        c for c in cases if scope is not None and w.portal.case_by_id(c).unit_id not in scope
    ]
    before = snapshot(w)
    for case_id in [*outside, cases[-1] + 1]:
        r = send(w, viewer, form_post("/bureau/publish", case=str(case_id))(w, viewer, None))
        assert r.status_code == (403 if ROLES[viewer].kind == "unit" else 404)
        assert_no_leak(w, r, "AB")
    assert snapshot(w) == before


def draft_tricks(w: World, other: str) -> list[str]:
    """File names a unit user might try at /unit/files/: the other unit's names, paths
    to its draft and versions (relative and absolute), and inputs nobody lists."""
    other_id, out = w.unit_id[other], w.portal.draft_dir(w.unit_id[other], YEAR)
    names = [
        "",
        ".",
        "..",
        "workbook",
        "in/workbook.xlsx",
        "../in/workbook.xlsx",
        "../result.json",
        "../../v1/in/workbook.xlsx",
        f"../../../{other_id}/{YEAR}/draft/in/workbook.xlsx",
        str(out / "in" / "workbook.xlsx"),
        "/etc/passwd",
        "../../../../../../../../etc/passwd",
    ]
    for f in w.files[other]:
        names += [f, PurePosixPath(f).name, str(out / "out" / f)]
        names += [f"../../../{other_id}/{YEAR}/draft/out/{f}", f"../../v1/out/{f}"]
        names += [f"workbook/../../../../{other_id}/{YEAR}/v2/out/{f}"]
    return names


def encodings(name: str) -> list[str]:
    """``name`` in a URL: slashes escaped (%2F), dots escaped too (%2e), and as it is
    when it has no dot segment (a bare ../ is resolved by the client, never sent)."""
    whole = quote(name, safe="")
    forms = {"%2e" * len(whole) if whole in (".", "..") else whole}
    forms.add(quote(name, safe="/").replace(".", "%2e"))
    if not {".", ".."} & set(name.split("/")):
        forms.add(quote(name))
    return sorted(forms)


@pytest.mark.parametrize("viewer", ["unit_a", "unit_b"])
def test_file_names_and_path_tricks(world, viewer):
    """Every file name the other unit's version lists and every path trick, at the
    draft's files and at the viewer's own version's files: 404, nothing named. The
    viewer's own file answers (so the route is not simply closed)."""
    w = world
    own, other = ("A", "B") if viewer == "unit_a" else ("B", "A")
    r = send(w, viewer, Req("GET", draft_file_url(w, own)))
    assert r.status_code == 200 and r.content.startswith(b"PK")
    tricks = draft_tricks(w, other)
    for name in tricks:
        for enc in encodings(name):
            for base in ("/unit/files/", f"/versions/{version(w, own)}/files/"):
                if base.startswith("/versions") and name == "workbook":
                    continue  # the version's own workbook: its name there
                r = send(w, viewer, Req("GET", base + enc))
                assert r.status_code == 404, (base + enc, r.status_code)
                assert_no_leak(w, r, "AB")


FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
#: ids that are not ids: not ASCII digits, or beyond PostgreSQL's integer — 404 before
#: the database is asked
NOT_IDS = ["-1", "2147483648", "9" * 11, "9" * 12, "9" * 13, "9" * 40, "abc", "²", "¹²", "١"]
NOT_IDS += ["１", "1e3", "0x1", "+1", "1.0", "%00", "1%00", "1%0a", "%201", "1%20", "null", "[]"]
NOT_IDS += ["1;1", "1,2"]
#: ids naming nothing
MISSING_IDS = ["0", "2147483647"]


def odd_forms(n: int) -> list[str]:
    """Ways of writing the id ``n`` that are not the plain digits."""
    return [f"0{n}", f"00{n}", f"{n}.0", f"+{n}", f"-{n}", f"%20{n}", f"{n}%20", f"{n}%00"]


@pytest.mark.parametrize("viewer", VIEWERS)
def test_odd_ids(world, viewer):
    """The version ids of units the viewer may not see, with leading zeros, signs,
    spaces, NUL or in fullwidth digits: 404, never the version, never a server error.
    (Ids that are no ids at all are refused before the database: once, for unit A.)"""
    from reportgen.portal.db import Version

    w = world
    hidden = [
        v
        for v in all_ids(w, Version)
        if side_of_unit(w, w.portal.version(v).unit_id) not in ROLES[viewer].sees
    ]
    forms = [f for v in hidden for f in odd_forms(v)]
    forms += [str(v).translate(FULLWIDTH) for v in hidden]
    if viewer == "unit_a":
        forms += NOT_IDS + MISSING_IDS
    for form in forms:
        for shape in ("/versions/{id}", "/versions/{id}/files/workbook", "/api/versions/{id}"):
            r = send(w, viewer, Req("GET", shape.format(id=form)))
            assert r.status_code == 404, (shape.format(id=form), r.status_code)
            assert_no_leak(w, r, "AB")


def test_odd_ids_at_the_admin_and_bureau_routes(world):
    """The admin's and a reviewer's id routes with ids that are not ASCII digits: 404,
    never a server error; digits naming nothing: the route's own "not found" answer;
    in a dashboard filter or the publish form's list such an id is ignored; none is a
    year either."""
    w = world
    before = snapshot(w)
    for form in NOT_IDS + MISSING_IDS:
        missing = form in MISSING_IDS
        for role, req, status in (
            ("admin", form_post(f"/admin/units/{form}", contact="王五"), 400 if missing else 404),
            (
                "admin",
                form_post(f"/admin/users/{form}/active", active="0"),
                400 if missing else 404,
            ),
            ("reviewer", get(lambda w, t, f=form: f"/units/{f}"), 404),
            ("scoped", get(lambda w, t, f=form: f"/units/{f}"), 404),
        ):
            r = send(w, role, req(w, role, None))
            assert r.status_code == status, (r.request.url, r.status_code)
            if status == 400:
                assert re.search("未找到该(单位|账号)", r.text)
        for role in ("reviewer", "scoped"):
            r = send(w, role, Req("GET", f"/api/dashboard?parent={form}"))
            assert r.status_code == (404 if missing else 200), (form, r.text[:200])
            r = send(w, role, form_post("/bureau/publish", case=form)(w, role, None))
            assert r.status_code == (404 if missing else 303), (form, r.text[:200])
        r = send(w, "admin", form_post("/admin/settings", year=form)(w, "admin", None))
        assert r.status_code == 400 and "年度应为 2000–2100 之间的四位数字。" in r.text
    assert snapshot(w) == before


def test_scoped_dashboard_filters_cannot_widen_the_scope(world):
    """The reviewer of 文化和旅游局: a parent outside the scope is 404 (page, API and
    export); the whole tree as parent, a search for the other unit, a status only it
    has: never a row of it."""
    w = world
    scope = w.portal.subtree_ids(w.ids["某某区文化和旅游局"])
    names = {u.name for u in w.portal.units() if u.id in scope}
    for url in ("/api/dashboard", "/bureau", "/bureau/export.xlsx"):
        for parent in ("某某区教育局", "某某区实验小学", "某某区财政局"):
            r = send(w, "scoped", Req("GET", f"{url}?parent={w.ids[parent]}"))
            assert r.status_code == 404, (url, parent)
            assert_no_leak(w, r, "AB")
    top = w.ids["某某区文化和旅游局"]
    for query in (f"parent={top}", "", "status=approved", "status=published"):
        r = send(w, "scoped", Req("GET", f"/api/dashboard?{query}"))
        rows = r.json()["units"]
        assert {row["unit_name"] for row in rows} <= names and rows == [
            row for row in rows if row["unit_id"] in scope
        ]
        if not query.startswith("status"):
            assert {row["unit_name"] for row in rows} == names
        assert_no_leak(w, r, "B")
    r = send(w, "scoped", Req("GET", "/api/dashboard?q=实验小学"))
    assert r.json()["units"] == []
    r = send(w, "scoped", Req("GET", "/bureau/export.xlsx?q=实验小学"))
    assert r.status_code == 200
    assert_no_leak(w, r, "B")


def zip_names(response) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(response.content)) as z:
        return sorted(z.namelist())


def test_approved_zip_holds_the_scope_only(world):
    """B's case is approved: the reviewer of 文化和旅游局 gets 汇总.xlsx of its own
    units and no document; nothing of B in it."""
    r = send(world, "scoped", Req("GET", "/bureau/approved.zip"))
    assert (r.status_code, zip_names(r)) == (200, ["汇总.xlsx"])
    assert_no_leak(world, r, "B")
    assert UNIT["A"] in readable(r)  # its own units are listed in 汇总.xlsx


def test_approved_zip_holds_the_approved_document(world):
    r = send(world, "reviewer", Req("GET", "/bureau/approved.zip"))
    docx = [n for n in zip_names(r) if n.endswith(".docx")]
    assert docx == [f"{UNIT['B']}/2021年度某某区实验小学部门决算公开.docx"]


@pytest.mark.parametrize("viewer", ["unit_a", "unit_b"])
def test_downloads_and_comments_are_the_units_own(world, viewer):
    """The draft's workbook, last year's and each version's: the unit's own bytes; the
    unit's pages and API show its reviewer's comment and never the other unit's."""
    w = world
    own, other = ("A", "B") if viewer == "unit_a" else ("B", "A")
    for url in (
        "/unit/workbook",
        "/unit/last-year",
        f"/versions/{w.versions[own][0]}/files/workbook",
        f"/versions/{w.last_year[own]}/files/workbook",
    ):
        r = send(w, viewer, Req("GET", url))
        assert (r.status_code, r.content) == (200, w.workbook[own]), url
        assert UNIT[own] in unquote(r.headers["content-disposition"]) or url.startswith("/v")
    for url in (
        "/unit",
        "/api/unit",
        f"/versions/{version(w, own)}",
        f"/api/versions/{version(w, own)}",
    ):
        r = send(w, viewer, Req("GET", url))
        assert r.status_code == 200
        assert COMMENT[other] not in r.text, url
        assert COMMENT[own] in r.text or "/unit" in url, url
    state = send(w, viewer, Req("GET", "/api/unit")).json()
    assert {v["unit_id"] for v in state["versions"]} == {w.unit_id[own]}
    assert state["case"]["unit_id"] == w.unit_id[own]


@pytest.mark.parametrize("viewer", ["unit_a", "unit_b", "reviewer", "scoped"])
def test_admin_writes_on_every_id_are_refused_to_the_others(world, viewer):
    """Every unit and every account id, at the admin's edit and deactivation forms, for
    anyone but the admin: 403 alike (with the right token), nothing changed."""
    from reportgen.portal.db import Unit, User

    w = world
    before = snapshot(w)
    bodies = set()
    for uid in all_ids(w, Unit):
        r = send(w, viewer, form_post(f"/admin/units/{uid}", name="改名")(w, viewer, None))
        assert r.status_code == 403
        bodies.add(r.content)
    for uid in all_ids(w, User):
        r = send(w, viewer, form_post(f"/admin/users/{uid}/active", active="0")(w, viewer, None))
        assert r.status_code == 403
        bodies.add(r.content)
    assert len(bodies) == 1
    assert_no_leak(w, r, "AB")
    assert snapshot(w) == before
