"""Server-side login sessions, so logging out (or deactivating a user) ends them at once.

The cookie carries only a random token signed with the server's secret (itsdangerous,
with its timestamp checked against the session's lifetime); the database keeps the
token's SHA-256, the user and the two deadlines: an absolute one (``lifetime``) and an
idle one (``idle``) renewed at most once a minute. Several servers behind one reverse
proxy share sessions through the shared database and the same secret
(``REPORTGEN_SECRET_KEY``). The CSRF token of a session is an HMAC of its token: no
storage, and it changes with every login.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, TimestampSigner
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, select
from sqlalchemy.engine import Engine

metadata = MetaData()
#: Created by migration 0002 (reportgen/portal/migrations/versions/0002_sessions.py).
web_sessions = Table(
    "web_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    # the foreign key to users.id is the migration's; this table is used for rows only
    Column("user_id", Integer, nullable=False, index=True),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("ip", String(64), nullable=False, default=""),
)

SECRET_FILE = "portal-secret.key"
LIFETIME_S = 8 * 3600
IDLE_S = 2 * 3600
TOUCH_EVERY_S = 60


def load_secret(data_dir: Path) -> bytes:
    """``REPORTGEN_SECRET_KEY`` when set (several servers must share it), else a random
    key kept in the data dir, readable by its owner only, made on first start."""
    if env := os.environ.get("REPORTGEN_SECRET_KEY"):
        return env.encode()
    path = Path(data_dir) / SECRET_FILE
    if path.exists():
        return path.read_bytes().strip()
    key = secrets.token_hex(32).encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


@dataclass(frozen=True)
class Session:
    token: str
    user_id: int
    expires: float


class Sessions:
    """Create, resolve and end sessions; ``clock`` is injectable for expiry tests."""

    def __init__(
        self,
        engine: Engine,
        secret: bytes,
        lifetime: float = LIFETIME_S,
        idle: float = IDLE_S,
        clock: Callable[[], float] = time.time,
    ):
        self.engine, self.secret = engine, secret
        self.lifetime, self.idle, self.clock = lifetime, idle, clock
        self.signer = TimestampSigner(secret, salt="reportgen-session")

    def create(self, user_id: int, ip: str = "") -> tuple[str, str]:
        """A new session: (cookie value, CSRF token)."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.engine.begin() as conn:
            conn.execute(
                web_sessions.insert().values(
                    token_hash=_hash(token),
                    user_id=user_id,
                    created=now,
                    expires=now + self.lifetime,
                    last_seen=now,
                    ip=ip[:64],
                )
            )
            conn.execute(delete(web_sessions).where(web_sessions.c.expires < now))
        return self.signer.sign(token).decode(), self.csrf_token(token)

    def resolve(self, cookie: str | None) -> Session | None:
        """The live session a cookie names, or None (bad signature, ended, expired, idle)."""
        if not cookie:
            return None
        try:
            token = self.signer.unsign(cookie, max_age=self.lifetime).decode()
        except (BadSignature, UnicodeDecodeError):
            return None
        now = self.clock()
        with self.engine.begin() as conn:
            row = conn.execute(
                select(web_sessions).where(web_sessions.c.token_hash == _hash(token))
            ).first()
            if row is None:
                return None
            if row.expires < now or row.last_seen + self.idle < now:
                conn.execute(
                    delete(web_sessions).where(web_sessions.c.token_hash == row.token_hash)
                )
                return None
            if now - row.last_seen > TOUCH_EVERY_S:
                conn.execute(
                    web_sessions.update()
                    .where(web_sessions.c.token_hash == row.token_hash)
                    .values(last_seen=now)
                )
        return Session(token, row.user_id, row.expires)

    def end(self, token: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == _hash(token)))

    def end_all(self, user_id: int) -> None:
        """Every session of a user (password changed, user deactivated)."""
        with self.engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))

    def csrf_token(self, token: str) -> str:
        return hmac.new(self.secret, b"csrf:" + token.encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, token: str, offered: str | None) -> bool:
        return bool(offered) and hmac.compare_digest(self.csrf_token(token), offered or "")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
