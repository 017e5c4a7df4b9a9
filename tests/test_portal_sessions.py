"""The portal's sessions and CSRF defences (issue 17 item 5), through HTTP, on SQLite and
on PostgreSQL: expiry (absolute and idle, with the sessions' clock moved instead of
waiting), logout, deactivation, tampered cookies, every POST without its CSRF token or
with another session's (403, nothing written), the login form's double-submit token,
cookie attributes, ``next=`` open redirects, cross-site Origin, login throttling (by
login and by IP: 429 with the Chinese message, the right password refused meanwhile) and
the audit log of logins, logouts, submissions and decisions with user and IP.

One app per backend (module-scoped): 某某区财政局 → 某某区文化馆 (unit A, one submitted
version of the bundled example), 某某区实验小学 (unit B); an admin and a reviewer.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from portal_backends import FAST_HASHER, portal_url, portal_url_module  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "example" / "2021年度玉溪市互联网信息办公室.xlsx"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COOKIE, LOGIN_COOKIE = "rg_session", "rg_login"
CSRF_REFUSED = "请求缺少有效的安全令牌（CSRF），已拒绝。请刷新页面后重试。"
CROSS_SITE = "拒绝跨站提交：请从本系统的页面上传文件。"
WRONG = "用户名或密码错误。"
HOUR = 3600.0


@dataclass(frozen=True)
class Account:
    login: str
    role: str
    unit: str | None = None

    @property
    def password(self) -> str:
        return f"{self.login}-密码2021"


ACCOUNTS = {
    "admin": Account("czj-admin", "admin"),
    "reviewer": Account("czj-shenhe", "reviewer"),
    "unit_a": Account("whg", "unit", "某某区文化馆"),
    "unit_b": Account("syxx", "unit", "某某区实验小学"),
}


@dataclass(frozen=True)
class Session:
    cookie: str
    csrf: str


@dataclass
class World:
    app: object
    main: object
    portal: object
    data_dir: Path
    user_id: dict[str, int] = field(default_factory=dict)
    unit_id: dict[str, int] = field(default_factory=dict)
    version_id: int = 0
    case_id: int = 0
    text_key: str = ""

    @property
    def sessions(self):
        return self.app.state.ctx.sessions

    def client(self, ip: str = "10.1.0.1"):
        """A client from ``ip`` with no cookies, on the running app's event loop."""
        from starlette.testclient import TestClient

        client = TestClient(self.app, client=(ip, 50000), follow_redirects=False)
        client.portal = self.main.portal
        return client

    def login(self, who: str, ip: str = "10.1.0.1") -> Session:
        """A new session of ``who`` through POST /api/login."""
        account = ACCOUNTS[who]
        r = self.client(ip).post(
            "/api/login", json={"username": account.login, "password": account.password}
        )
        assert r.status_code == 200, r.text
        return Session(r.cookies[COOKIE], r.json()["csrf"])

    def as_(self, session: Session | None, ip: str = "10.1.0.1"):
        client = self.client(ip)
        if session is not None:
            client.cookies.set(COOKIE, session.cookie)
        return client


@pytest.fixture(scope="module")
def world(portal_url_module, tmp_path_factory):  # noqa: F811 - the fixture
    from starlette.testclient import TestClient

    from reportgen.web.app import create_app

    data_dir = tmp_path_factory.mktemp("portal-sessions")
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
        w = World(app, main, portal, data_dir)
        portal.add_unit("某某区财政局")
        for side, name in (("A", "某某区文化馆"), ("B", "某某区实验小学")):
            w.unit_id[side] = portal.add_unit(name, parent="某某区财政局").id
        for who, account in ACCOUNTS.items():
            user = portal.add_user(account.login, account.role, account.password, account.unit)
            w.user_id[who] = user.id
        portal.set_setting(None, "year", "2021")
        a = w.login("unit_a")
        headers = {"X-CSRF-Token": a.csrf}
        r = w.as_(a).post(
            "/api/unit/upload",
            files={"file": (EXAMPLE.name, EXAMPLE.read_bytes(), XLSX)},
            headers=headers,
        )
        assert r.status_code == 200 and r.json()["can_submit"], r.text
        r = w.as_(a).post("/api/unit/submit", headers=headers)
        assert r.status_code == 201, r.text
        w.version_id, w.case_id = r.json()["version"]["id"], r.json()["version"]["case_id"]
        w.text_key = w.as_(a).get("/api/unit/texts").json()["fields"][0]["key"]
        yield w


def me(w: World, session: Session | None) -> int:
    return w.as_(session).get("/api/me").status_code


def session_rows(w: World, user_id: int) -> int:
    from sqlalchemy import func, select

    from reportgen.portal.sessions import web_sessions

    with w.portal.engine.connect() as conn:
        query = select(func.count()).where(web_sessions.c.user_id == user_id)
        return conn.execute(query).scalar_one()


class Clock:
    """A clock the test moves (seconds since the epoch)."""

    def __init__(self, start: float):
        self.now = start

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(world, monkeypatch):
    """The sessions' and the store's clock, moved by the test; restored afterwards."""
    import time

    c = Clock(time.time())
    monkeypatch.setattr(world.sessions, "clock", c)
    monkeypatch.setattr(world.portal, "clock", c)
    return c


# --- expiry, logout, deactivation, tampering -----------------------------------------------


def test_a_session_ends_after_its_lifetime_however_busy(world, clock):
    """8 hours after login the session is over even when used every 110 minutes (never
    idle); the page sends to the login page, the API says 401, and the session is gone
    from the database (moving the clock back does not revive it)."""
    w = world
    start = clock.now
    s = w.login("unit_a")
    assert (w.sessions.lifetime, w.sessions.idle) == (8 * HOUR, 2 * HOUR)
    for minutes in (110, 220, 330, 440, 479):
        clock.now = start + minutes * 60
        assert me(w, s) == 200, minutes
    clock.now = start + 8 * HOUR + 1
    assert me(w, s) == 401
    page = w.as_(s).get("/unit")
    assert (page.status_code, page.headers["location"]) == (303, "/login?next=/unit")
    clock.now = start + HOUR
    assert me(w, s) == 401


def test_an_idle_session_ends_after_two_hours(world, clock):
    """Each request (a minute or more after the last) renews the idle deadline; two
    hours and a second without one end the session."""
    w = world
    start = clock.now
    s = w.login("unit_b")
    clock.now = start + 2 * HOUR - 1
    assert me(w, s) == 200
    clock.now = start + 4 * HOUR - 2
    assert me(w, s) == 200
    clock.now = start + 6 * HOUR
    assert me(w, s) == 401
    assert w.as_(s).get("/unit").status_code == 303


@pytest.mark.parametrize("how", ["page", "api"])
def test_logout_ends_that_session_only(world, how):
    w = world
    s, other = w.login("unit_a"), w.login("unit_a")
    if how == "page":
        r = w.as_(s).post("/logout", data={"csrf": s.csrf})
        assert (r.status_code, r.headers["location"]) == (303, "/login")
    else:
        r = w.as_(s).post("/api/logout", headers={"X-CSRF-Token": s.csrf})
        assert (r.status_code, r.json()) == (200, {"ok": True})
    gone = r.headers["set-cookie"]
    assert gone.startswith(f'{COOKIE}=""') and "Max-Age=0" in gone and "Path=/" in gone
    assert me(w, s) == 401 and me(w, other) == 200
    assert w.as_(s).get("/unit").status_code == 303
    r = w.as_(s).post("/api/unit/submit", headers={"X-CSRF-Token": s.csrf})
    assert r.status_code == 401


def test_deactivating_a_user_ends_their_sessions(world):
    """The admin disables unit B's account: both of its sessions end at once, its login
    is refused with the Chinese message; enabled again, it logs in."""
    w = world
    b1, b2 = w.login("unit_b"), w.login("unit_b")
    admin = w.login("admin")
    uid = w.user_id["unit_b"]
    r = w.as_(admin).post(f"/admin/users/{uid}/active", data={"csrf": admin.csrf, "active": "0"})
    assert r.status_code == 303
    try:
        assert (me(w, b1), me(w, b2), session_rows(w, uid)) == (401, 401, 0)
        account = ACCOUNTS["unit_b"]
        r = w.client("10.1.0.9").post(
            "/api/login", json={"username": account.login, "password": account.password}
        )
        assert (r.status_code, r.json()) == (401, {"error": "该账号已停用，请与管理员联系。"})
    finally:
        r = w.as_(admin).post(
            f"/admin/users/{uid}/active", data={"csrf": admin.csrf, "active": "1"}
        )
        assert r.status_code == 303
    assert me(w, w.login("unit_b")) == 200


def test_a_user_disabled_elsewhere_is_refused_at_once(world):
    """Disabled without the web page (the store: another server, the command line), the
    account's live session is refused on its next request."""
    w = world
    s = w.login("unit_b")
    w.portal.set_active(w.user_id["unit_b"], False)
    try:
        assert me(w, s) == 401
        assert w.as_(s).get("/unit").status_code == 303
    finally:
        w.portal.set_active(w.user_id["unit_b"], True)


def test_tampered_cookies_are_refused(world):
    from itsdangerous import TimestampSigner

    w = world
    s = w.login("unit_a")
    token = s.cookie.rsplit(".", 2)[0]
    signed, signature = s.cookie.rsplit(".", 1)
    # the signature's FIRST character: its last one carries bits base64 decoding drops,
    # so changing it (A → B) can leave the same signature (seen once in 20 runs)
    first = signature[0]
    forged = [
        f"{signed}.{'A' if first != 'A' else 'B'}{signature[1:]}",  # signature changed
        ("x" if token[0] != "x" else "y") + s.cookie[1:],  # token changed
        TimestampSigner(b"another secret", salt="reportgen-session").sign(token).decode(),
        w.sessions.signer.sign("a-token-no-session-has").decode(),  # signed, but no session
        token,  # unsigned
        "",
        "abc",
        "a" * 8000,
        s.cookie + ".x",
    ]
    for cookie in forged:
        client = w.client()
        client.cookies.set(COOKIE, cookie)
        assert client.get("/api/me").status_code == 401, cookie[:40]
        assert client.get("/unit").status_code == 303
    assert me(w, s) == 200  # the real one still works


# --- CSRF -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """A POST that ``who`` may make, written as the route expects it; ``token`` goes in
    the form field ``csrf`` (pages) or the ``X-CSRF-Token`` header (API)."""

    who: str
    api: bool = False
    fields: dict = field(default_factory=dict)
    upload: tuple | None = None
    json: dict | None = None

    def send(self, w: World, url: str, session: Session, token: str | None):
        client = w.as_(session)
        if self.api:
            headers = {} if token is None else {"X-CSRF-Token": token}
            kwargs = {"headers": headers}
            if self.upload:
                kwargs["files"] = {"file": self.upload}
            elif self.json is not None:
                kwargs["json"] = self.json
            return client.post(url, **kwargs)
        data = dict(self.fields) if token is None else {**self.fields, "csrf": token}
        files = {"file": self.upload} if self.upload else None
        return client.post(url, data=data, files=files)


WORKBOOK = (EXAMPLE.name, EXAMPLE.read_bytes(), XLSX)
UNITS_CSV = ("单位.csv", "单位名称,上级单位\n某某区图书馆,某某区财政局\n".encode(), "text/csv")
USERS_CSV = (
    "账户.csv",
    "登录名,角色,单位名称,初始密码\ntsg,单位,某某区文化馆,tsg-密码2021\n".encode(),
    "text/csv",
)


def posts(w: World) -> dict[str, Post]:
    """Every POST route that needs a session, with a request it would carry out."""
    v, key = w.version_id, w.text_key
    return {
        "/logout": Post("unit_a"),
        "/unit/upload": Post("unit_a", upload=WORKBOOK),
        "/unit/texts": Post("unit_a", fields={f"t:{key}": "改过的文字"}),
        "/unit/submit": Post("unit_a"),
        "/bureau/publish": Post("reviewer", fields={"case": str(w.case_id)}),
        f"/versions/{v}/comments": Post("reviewer", fields={"body": "不该记下的意见"}),
        f"/versions/{v}/decision": Post("reviewer", fields={"decision": "returned"}),
        "/admin/units": Post("admin", fields={"name": "某某区档案馆", "parent": "某某区财政局"}),
        "/admin/units/import": Post("admin", upload=UNITS_CSV),
        f"/admin/units/{w.unit_id['A']}": Post("admin", fields={"contact": "王五"}),
        "/admin/users": Post(
            "admin", fields={"login": "dag", "role": "reviewer", "password": "dag-密码2021"}
        ),
        "/admin/users/import": Post("admin", upload=USERS_CSV),
        f"/admin/users/{w.user_id['unit_b']}/active": Post("admin", fields={"active": "0"}),
        "/admin/settings": Post("admin", fields={"year": "2020", "profile": "", "wording": ""}),
        "/api/logout": Post("unit_a", api=True),
        "/api/unit/upload": Post("unit_a", api=True, upload=WORKBOOK),
        "/api/unit/texts": Post("unit_a", api=True, json={"texts": {key: "改过的文字"}}),
        "/api/unit/submit": Post("unit_a", api=True),
        f"/api/versions/{v}/comments": Post("reviewer", api=True, json={"body": "不该记下的意见"}),
        f"/api/versions/{v}/decision": Post("reviewer", api=True, json={"decision": "approved"}),
    }


def state(w: World) -> list:
    """The database (sessions without their last-seen time) and the portal's files."""
    from sqlalchemy import select

    from reportgen.portal import db
    from reportgen.portal.sessions import web_sessions

    with w.portal.engine.connect() as conn:
        rows = [
            sorted(tuple(map(str, row)) for row in conn.execute(select(t.__table__)))
            for t in (db.Unit, db.User, db.Case, db.Version, db.Comment, db.AuditRecord, db.Setting)
        ]
        columns = [c for c in web_sessions.c if c.name != "last_seen"]
        rows.append(sorted(tuple(map(str, r)) for r in conn.execute(select(*columns))))
    files = sorted(
        (str(p.relative_to(w.data_dir)), hashlib.sha256(p.read_bytes()).hexdigest())
        for p in (w.data_dir / "portal").rglob("*")
        if p.is_file()
    )
    return [*rows, files]


def test_every_post_route_is_in_the_csrf_table(world):
    """A POST route added without a row here fails (the logins have no session yet:
    the double-submit token and the Origin check are tested below)."""
    from starlette.routing import Route

    routes = {
        r.path for r in world.app.routes if isinstance(r, Route) and "POST" in (r.methods or ())
    }
    ids = {"version_id": world.version_id, "unit_id": world.unit_id["A"]}
    ids["user_id"] = world.user_id["unit_b"]
    listed = {re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), p) for p in routes}
    assert listed - {"/login", "/api/login"} == set(posts(world))


def test_posts_without_the_sessions_token_change_nothing(world):
    """Every POST route, as a role that may use it: without a token, with an empty one,
    with the token of another session of the same user and of another user's session,
    and (pages) with the token in the header instead of the form: 403 with the Chinese
    message, and the database and the files exactly as before."""
    w = world
    sessions = {who: w.login(who) for who in ("unit_a", "reviewer", "admin")}
    seconds = {who: w.login(who) for who in sessions}
    stranger = w.login("unit_b")
    before = state(w)
    for url, post in posts(w).items():
        own = sessions[post.who]
        for token in (None, "", seconds[post.who].csrf, stranger.csrf, own.csrf[:-1] + "0"):
            if token == own.csrf:
                continue
            r = post.send(w, url, own, token)
            assert r.status_code == 403, (url, token, r.text[:200])
            if post.api:
                assert r.json() == {"error": CSRF_REFUSED}, url
            else:
                assert CSRF_REFUSED in r.text, url
        if not post.api:  # a page's form must carry it in the form
            client = w.as_(own)
            files = {"file": post.upload} if post.upload else None
            headers = {"X-CSRF-Token": own.csrf}
            r = client.post(url, data=post.fields, files=files, headers=headers)
            assert r.status_code == 403, url
    assert state(w) == before
    assert all(me(w, s) == 200 for s in sessions.values())


def test_the_right_token_is_what_was_missing(world):
    """The same comment with the session's token is recorded (the refusals above were
    the token's doing), by page and by API."""
    w = world
    s = w.login("reviewer")
    url = f"/versions/{w.version_id}/comments"
    r = Post("reviewer", fields={"body": "补充说明"}).send(w, url, s, s.csrf)
    assert r.status_code == 303
    r = Post("reviewer", api=True, json={"body": "再补充"}).send(w, "/api" + url, s, s.csrf)
    assert r.status_code == 201
    bodies = [c.body for c in w.portal.comments(w.version_id)]
    assert bodies[-2:] == ["补充说明", "再补充"]


@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
    ids=["origin", "null-origin", "sec-fetch-site"],
)
def test_cross_site_posts_are_refused(world, headers):
    """A POST from another site is refused before anything (even with a valid session
    and token, even a login); nothing changes."""
    w = world
    s = w.login("reviewer")
    before = state(w)
    account = ACCOUNTS["unit_a"]
    for url, kwargs in (
        ("/api/login", {"json": {"username": account.login, "password": account.password}}),
        ("/login", {"data": {"username": account.login, "password": account.password}}),
        (
            f"/api/versions/{w.version_id}/decision",
            {"json": {"decision": "returned"}, "headers": {"X-CSRF-Token": s.csrf}},
        ),
        (f"/versions/{w.version_id}/comments", {"data": {"csrf": s.csrf, "body": "跨站"}}),
    ):
        kwargs.setdefault("headers", {}).update(headers)
        r = w.as_(s).post(url, **kwargs)
        assert r.status_code == 403 and CROSS_SITE in r.text, (url, r.status_code)
        assert COOKIE not in r.headers.get("set-cookie", "")
    assert state(w) == before
    r = w.as_(s).post(
        f"/versions/{w.version_id}/comments",
        data={"csrf": s.csrf, "body": "同站"},
        headers={"Origin": "http://testserver"},
    )
    assert r.status_code == 303


# --- login ------------------------------------------------------------------------------------


def cookie_attributes(header: str) -> dict[str, str]:
    """The attributes of one Set-Cookie header, names in lower case."""
    parts = [p.strip() for p in header.split(";")]
    attrs = {"value": parts[0].split("=", 1)[1]}
    for part in parts[1:]:
        name, _, value = part.partition("=")
        attrs[name.lower()] = value
    return attrs


def set_cookies(response) -> dict[str, dict[str, str]]:
    return {
        h.split("=", 1)[0]: cookie_attributes(h) for h in response.headers.get_list("set-cookie")
    }


def login_token(page) -> str:
    return re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)


def test_the_login_form_double_submit_token(world):
    """The login page sets a token cookie (HttpOnly, SameSite=Strict, /login only) and
    puts the same token in the form; a POST whose field and cookie differ, or lacks
    either, is refused (403) before the password is looked at; the right pair logs in
    and the token cookie is dropped."""
    w = world
    account = ACCOUNTS["unit_a"]
    client = w.client("10.1.0.20")
    page = client.get("/login")
    cookie = set_cookies(page)[LOGIN_COOKIE]
    token = login_token(page)
    assert cookie == {
        "value": token,
        "httponly": "",
        "max-age": "3600",
        "path": "/login",
        "samesite": "strict",
    }
    fields = {"username": account.login, "password": account.password}
    before = state(w)
    for sent_cookie, sent_field in ((None, token), (token, None), (token, token[:-1] + "x")):
        c = w.client("10.1.0.20")
        if sent_cookie:
            c.cookies.set(LOGIN_COOKIE, sent_cookie)
        data = dict(fields) if sent_field is None else {**fields, "login_token": sent_field}
        r = c.post("/login", data=data)
        assert r.status_code == 403 and "登录页面已过期，请重新输入。" in r.text
        assert COOKIE not in set_cookies(r)
    assert state(w) == before  # no login, no failure counted, no audit entry
    r = client.post("/login", data={**fields, "login_token": token})
    assert (r.status_code, r.headers["location"]) == (303, "/")
    cookies = set_cookies(r)
    assert cookies[LOGIN_COOKIE]["max-age"] == "0" and cookies[LOGIN_COOKIE]["path"] == "/login"
    assert me(w, Session(cookies[COOKIE]["value"], "")) == 200


@pytest.mark.parametrize("how", ["api", "page"])
def test_session_cookie_attributes(world, how):
    w = world
    account = ACCOUNTS["reviewer"]
    fields = {"username": account.login, "password": account.password}
    client = w.client()
    if how == "api":
        r = client.post("/api/login", json=fields)
        assert r.status_code == 200
    else:
        token = login_token(client.get("/login"))
        r = client.post("/login", data={**fields, "login_token": token})
        assert r.status_code == 303
    attrs = set_cookies(r)[COOKIE]
    assert {k: v for k, v in attrs.items() if k != "value"} == {
        "httponly": "",
        "max-age": "28800",
        "path": "/",
        "samesite": "lax",
    }


def test_secure_cookies(portal_url, tmp_path):  # noqa: F811 - the fixture
    """create_app(secure_cookies=True) (serve --secure-cookies, behind HTTPS): the
    session cookie and the login form's token cookie carry Secure."""
    from starlette.testclient import TestClient

    from reportgen.web.app import create_app

    app = create_app(
        tmp_path / "data",
        jobs=1,
        allowed_hosts=["testserver"],
        accounts=True,
        database_url=portal_url,
        secure_cookies=True,
    )
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        app.state.ctx.portal.hasher = FAST_HASHER
        app.state.ctx.portal.add_user("czj-admin", "admin", "czj-admin-密码2021")
        page = c.get("/login")
        assert "secure" in set_cookies(page)[LOGIN_COOKIE]
        r = c.post("/api/login", json={"username": "czj-admin", "password": "czj-admin-密码2021"})
        attrs = set_cookies(r)[COOKIE]
        assert {k: v for k, v in attrs.items() if k != "value"} == {
            "httponly": "",
            "max-age": "28800",
            "path": "/",
            "samesite": "lax",
            "secure": "",
        }


EVIL_NEXT = [
    "//evil.example",
    "//evil.example/unit",
    "https://evil.example",
    "http://evil.example/login",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example",
    "%2F%2Fevil.example",
]


def lands_here(location: str) -> bool:
    """Whether a browser following ``location`` stays on this site: it treats \\ as /
    and drops tabs and newlines before resolving."""
    seen = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin("http://testserver/login", seen)).netloc == "testserver"


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_next_never_leaves_the_site(world, target):
    """After login (form), and for a logged-in user opening the login page, ``next=``
    naming another site goes to / instead."""
    w = world
    account = ACCOUNTS["reviewer"]
    client = w.client("10.1.0.30")
    token = login_token(client.get("/login", params={"next": target}))
    r = client.post(
        "/login",
        data={
            "username": account.login,
            "password": account.password,
            "login_token": token,
            "next": target,
        },
    )
    assert r.status_code == 303 and lands_here(r.headers["location"]), r.headers["location"]
    assert r.headers["location"] == "/"
    again = client.get("/login", params={"next": target})
    assert (again.status_code, again.headers["location"]) == (303, "/")


def test_next_keeps_a_path_of_the_site(world):
    w = world
    account = ACCOUNTS["reviewer"]
    client = w.client("10.1.0.31")
    token = login_token(client.get("/login"))
    r = client.post(
        "/login",
        data={
            "username": account.login,
            "password": account.password,
            "login_token": token,
            "next": "/bureau?status=approved",
        },
    )
    assert (r.status_code, r.headers["location"]) == (303, "/bureau?status=approved")


def throttled(minutes: int) -> str:
    return f"登录失败次数过多，请 {minutes} 分钟后再试。"


def test_login_throttled_after_five_failures_of_a_login(world, clock):
    """Five wrong passwords for a login (from anywhere): the sixth attempt, the right
    password included, from any address and by page or API, is 429 with the message;
    15 minutes after the failures the right password logs in again."""
    w = world
    w.portal.add_user("throttle-a", "reviewer", "throttle-a-密码2021")
    good = {"username": "throttle-a", "password": "throttle-a-密码2021"}
    for i in range(5):
        r = w.client(f"10.2.0.{i + 1}").post("/api/login", json={**good, "password": f"错的{i}"})
        assert (r.status_code, r.json()) == (401, {"error": WRONG})
    for ip in ("10.2.0.1", "10.2.0.99"):
        r = w.client(ip).post("/api/login", json=good)
        assert (r.status_code, r.json()) == (429, {"error": throttled(15)})
        assert COOKIE not in set_cookies(r)
    client = w.client("10.2.0.50")
    token = login_token(client.get("/login"))
    r = client.post("/login", data={**good, "login_token": token})
    assert r.status_code == 429 and throttled(15) in r.text and COOKIE not in set_cookies(r)
    clock.now += 10 * 60
    r = w.client("10.2.0.1").post("/api/login", json=good)
    assert (r.status_code, r.json()) == (429, {"error": throttled(5)})
    clock.now += 5 * 60 + 1
    r = w.client("10.2.0.1").post("/api/login", json=good)
    assert r.status_code == 200


def test_login_throttled_after_five_failures_from_an_address(world, clock):
    """Five failures from one address (five different logins): a sixth login from there,
    right password and all, is 429; the same account from another address logs in."""
    w = world
    w.portal.add_user("throttle-b", "reviewer", "throttle-b-密码2021")
    good = {"username": "throttle-b", "password": "throttle-b-密码2021"}
    ip = "203.0.113.20"
    for i in range(5):
        r = w.client(ip).post("/api/login", json={"username": f"nobody{i}", "password": "x" * 9})
        assert (r.status_code, r.json()) == (401, {"error": WRONG})
    r = w.client(ip).post("/api/login", json=good)
    assert (r.status_code, r.json()) == (429, {"error": throttled(15)})
    assert w.client("203.0.113.21").post("/api/login", json=good).status_code == 200
    failed = [e for e in w.portal.audit_log(50) if e.action == "login_failed" and e.ip == ip]
    assert sorted(e.target for e in failed) == [f"nobody{i}" for i in range(5)]


def test_the_audit_log_names_user_and_address(world):
    """Login, submission, decision and logout, each recorded once with the account and
    the address it came from."""
    w = world
    newest = w.portal.audit_log(1)[0].id
    a = w.login("unit_a", ip="198.51.100.7")
    headers = {"X-CSRF-Token": a.csrf}
    r = w.as_(a, "198.51.100.7").post("/api/unit/submit", headers=headers)
    assert r.status_code == 201, r.text
    number, vid = r.json()["version"]["number"], r.json()["version"]["id"]
    rev = w.login("reviewer", ip="198.51.100.8")
    r = w.as_(rev, "198.51.100.8").post(
        f"/versions/{vid}/decision", data={"csrf": rev.csrf, "decision": "returned"}
    )
    assert r.status_code == 303
    r = w.as_(a, "198.51.100.7").post("/logout", data={"csrf": a.csrf})
    assert r.status_code == 303
    entries = [e for e in reversed(w.portal.audit_log(50)) if e.id > newest]
    seen = [(e.action, e.login, e.user_id, e.ip, e.target) for e in entries]
    ua, ur = w.user_id["unit_a"], w.user_id["reviewer"]
    assert seen == [
        ("login", "whg", ua, "198.51.100.7", "whg"),
        ("submit", "whg", ua, "198.51.100.7", f"某某区文化馆 第 {number} 版"),
        ("login", "czj-shenhe", ur, "198.51.100.8", "czj-shenhe"),
        ("returned", "czj-shenhe", ur, "198.51.100.8", f"某某区文化馆 第 {number} 版"),
        ("logout", "whg", ua, "198.51.100.7", ""),
    ]
