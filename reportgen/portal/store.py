"""class :class:`Portal`: every read and write of the portal's data (docs/portal-design.md).

The web layer and the CLI call only this class. It hands out frozen dataclasses, never ORM
objects, so a caller cannot change the database by accident or touch a lazy attribute
after its session ended; it refuses with :class:`PortalError` subclasses whose message is
Chinese and can be shown as it is.

Each call uses its own session and transaction (a write either happens whole or not at
all), so one ``Portal`` is shared by all the server's threads. The schema is brought to
the newest Alembic revision when the ``Portal`` is made. Files live under
``<data_dir>/portal/units/<unit_id>/<year>/`` in folders named from integer ids only.

Every write records an audit entry in the same transaction: who (``actor`` or the
method's ``user``; None = the command line), what, on which target, from which IP.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import secrets
import shutil
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from . import auth
from .db import (
    APPROVED,
    DRAFT,
    PUBLISHED,
    RETURNED,
    ROLE_TEXT,
    ROLES,
    STATUS_TEXT,
    SUBMITTED,
    AuditRecord,
    Case,
    Comment,
    LoginFailure,
    Setting,
    Unit,
    User,
    Version,
    make_engine,
)
from .hierarchy import ImportProblem, ImportReport, TableError, login_problem

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: The bureaus are in China: times shown (pages, 汇总.xlsx) are 北京时间.
BEIJING = timezone(timedelta(hours=8), "北京时间")

#: Submissions retried this often when another submission took the same number.
_SUBMIT_ATTEMPTS = 50

__all__ = [
    "AuditEntry",
    "CaseInfo",
    "CommentInfo",
    "Conflict",
    "DashboardRow",
    "Forbidden",
    "ImportProblem",
    "ImportReport",
    "Invalid",
    "LoginRefused",
    "NotFound",
    "Portal",
    "PortalError",
    "UnitInfo",
    "UserInfo",
    "VersionInfo",
    "local_time",
]


# --------------------------------------------------------------------------- refusals


class PortalError(Exception):
    """A refusal whose message (Chinese) can be shown to the user as it is."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class NotFound(PortalError):
    """No such record, or one the caller may not know exists (web: 404)."""


class Forbidden(PortalError):
    """The caller's role may not do this (web: 403)."""


class Conflict(PortalError):
    """Not possible in the record's present state (web: 409)."""


class Invalid(PortalError):
    """Bad input: an empty name, a short password, an unreadable file (web: 400)."""


class LoginRefused(PortalError):
    """Wrong login or password, a disabled account, or too many failures (``minutes`` > 0)."""

    def __init__(self, message: str, minutes: int = 0):
        super().__init__(message)
        self.minutes = minutes


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class UnitInfo:
    id: int
    name: str
    parent_id: int | None
    parent_name: str
    nature: str
    contact: str
    phone: str
    depth: int  # 0 for a top unit (the bureau), 1 for its units, …
    created: datetime


@dataclass(frozen=True)
class UserInfo:
    id: int
    login: str
    role: str  # admin / reviewer / unit
    unit_id: int | None
    unit_name: str
    active: bool
    created: datetime
    last_login: datetime | None

    @property
    def role_text(self) -> str:
        return ROLE_TEXT[self.role]


@dataclass(frozen=True)
class CaseInfo:
    id: int
    unit_id: int
    unit_name: str
    year: int
    status: str
    updated: datetime
    latest_version_id: int | None
    latest_number: int | None

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


@dataclass(frozen=True)
class VersionInfo:
    id: int
    case_id: int
    unit_id: int
    unit_name: str
    year: int
    number: int
    status: str  # submitted / returned / approved (the decision on this version)
    case_status: str  # the case's status now (published, or a later version's)
    latest: bool  # the newest version of its case
    submitted_by: int
    submitted_by_login: str
    submitted_at: datetime
    decided_by: int | None
    decided_by_login: str
    decided_at: datetime | None
    errors: int
    warnings: int
    summary: dict = field(hash=False, compare=False)

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


@dataclass(frozen=True)
class CommentInfo:
    id: int
    version_id: int
    author_id: int
    author_login: str
    section: str
    finding: str
    body: str
    created: datetime


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    user_id: int | None
    login: str
    action: str
    target: str
    detail: str
    ip: str


@dataclass(frozen=True)
class DashboardRow:
    unit_id: int
    unit_name: str
    depth: int
    parent_name: str
    case_id: int | None
    version_id: int | None  # the latest version
    version: int | None  # its number
    status: str  # the case's status (draft when the unit has no case yet)
    errors: int
    warnings: int
    open_comments: int
    submitted_at: datetime | None
    submitted_by: str  # login of who submitted the latest version

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


def local_time(moment: datetime | None) -> str:
    """``2026-12-02 14:05`` in 北京时间 ('' for None): how pages and 汇总.xlsx show times."""
    if moment is None:
        return ""
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None else None


# --------------------------------------------------------------------------- schema


def upgrade(engine) -> None:
    """``alembic upgrade head`` on ``engine``, with the revisions shipped in the package.

    Several servers may start at once against one PostgreSQL database: a transaction-level
    advisory lock lets one of them migrate while the others wait. On SQLite (one machine)
    a lock file beside the database does the same for several processes.
    """
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with _migration_lock(engine), engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(731017)")
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


@contextlib.contextmanager
def _migration_lock(engine) -> Iterator[None]:
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    import fcntl

    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------- the portal


class Portal:
    """The portal's data in one database (SQLite in ``data_dir`` by default) and files.

    ``database_url`` (else env ``REPORTGEN_DATABASE_URL``, else
    ``sqlite:///<data_dir>/portal.sqlite3``); ``clock`` returns the time in seconds since
    the epoch (tests move it instead of sleeping); ``hasher`` is the argon2
    ``PasswordHasher`` (its defaults unless given; tests pass a cheap one).
    """

    def __init__(
        self,
        data_dir: Path,
        database_url: str | None = None,
        *,
        clock: Callable[[], float] = time.time,
        hasher: PasswordHasher | None = None,
    ):

        self.data_dir = Path(data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.files_dir = self.data_dir / "portal"
        url = database_url or os.environ.get("REPORTGEN_DATABASE_URL") or ""
        self.database_url = url or f"sqlite:///{self.data_dir / 'portal.sqlite3'}"
        self.clock = clock
        self.hasher = hasher or PasswordHasher()
        self.engine = make_engine(self.database_url)
        upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    # ---------------------------------------------------------------- plumbing

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on an exception."""
        with self._sessions() as session, session.begin():
            yield session

    def _now(self) -> datetime:
        """Now as naive UTC (how the tables store times, see db.py)."""
        return datetime.fromtimestamp(self.clock(), UTC).replace(tzinfo=None)

    def _audit(
        self,
        s: Session,
        actor: UserInfo | None,
        action: str,
        target: str = "",
        detail: str = "",
        ip: str = "",
    ) -> None:
        s.add(
            AuditRecord(
                at=self._now(),
                user_id=actor.id if actor else None,
                login=actor.login if actor else "",
                action=action,
                target=target[:300],
                detail=detail,
                ip=(ip or "")[:64],
            )
        )

    def _actor(self, s: Session, user: UserInfo, *roles: str) -> User:
        """The caller's current row (role and unit as stored now, not as when the session
        began); Forbidden when the account is disabled or its role is not in ``roles``."""
        row = s.get(User, user.id)
        if row is None or not row.active:
            raise Forbidden("该账号已停用或不存在。")
        if roles and row.role not in roles:
            raise Forbidden("您的角色无权进行此操作。")
        return row

    # ---------------------------------------------------------------- units

    def _unit_info(self, s: Session, unit: Unit) -> UnitInfo:
        parent = s.get(Unit, unit.parent_id) if unit.parent_id else None
        depth, up, seen = 0, parent, {unit.id}
        while up is not None and up.id not in seen:
            seen.add(up.id)
            depth += 1
            up = s.get(Unit, up.parent_id) if up.parent_id else None
        return UnitInfo(
            id=unit.id,
            name=unit.name,
            parent_id=unit.parent_id,
            parent_name=parent.name if parent else "",
            nature=unit.nature,
            contact=unit.contact,
            phone=unit.phone,
            depth=depth,
            created=_aware(unit.created),
        )

    def add_unit(
        self,
        name: str,
        parent: str | None = None,
        nature: str = "",
        contact: str = "",
        phone: str = "",
        *,
        actor: UserInfo | None = None,
        ip: str = "",
    ) -> UnitInfo:
        """A new unit under ``parent`` (a unit's name; None or '' for a top unit)."""
        name = _unit_name(name)
        with self._session() as s:
            if s.scalar(select(Unit.id).where(Unit.name == name)) is not None:
                raise Conflict(f"单位“{name}”已存在。")
            parent_id = self._parent_id(s, parent)
            unit = Unit(
                name=name,
                parent_id=parent_id,
                nature=_field(nature, "单位性质"),
                contact=_field(contact, "联系人"),
                phone=_field(phone, "联系电话"),
                created=self._now(),
            )
            s.add(unit)
            self._flush_unique(s, f"单位“{name}”已存在。")
            self._audit(s, actor, "add_unit", name, f"上级单位：{parent or '—'}", ip)
            return self._unit_info(s, unit)

    def _parent_id(self, s: Session, parent: str | None) -> int | None:
        if not parent or not parent.strip():
            return None
        parent = parent.strip()
        found = s.scalar(select(Unit.id).where(Unit.name == parent))
        if found is None:
            raise NotFound(f"上级单位“{parent}”不在单位表中。")
        return found

    @staticmethod
    def _flush_unique(s: Session, message: str) -> None:
        try:
            s.flush()
        except IntegrityError as exc:
            raise Conflict(message) from exc

    def update_unit(
        self,
        unit_id: int,
        *,
        name: str | None = None,
        parent: str | None = None,
        nature: str | None = None,
        contact: str | None = None,
        phone: str | None = None,
        actor: UserInfo | None = None,
        ip: str = "",
    ) -> UnitInfo:
        """Change what is given (None = unchanged; ``parent=''`` makes it a top unit)."""
        with self._session() as s:
            unit = s.get(Unit, int(unit_id))
            if unit is None:
                raise NotFound("未找到该单位。")
            changes = []
            if name is not None and _unit_name(name) != unit.name:
                new = _unit_name(name)
                if s.scalar(select(Unit.id).where(Unit.name == new)) is not None:
                    raise Conflict(f"单位“{new}”已存在。")
                changes.append(f"名称：{unit.name} → {new}")
                unit.name = new
            if parent is not None:
                parent_id = self._parent_id(s, parent)
                if parent_id is not None and parent_id in _subtree(s, unit.id):
                    raise Conflict("不能把单位移到它自己或它的下级单位之下。")
                if parent_id != unit.parent_id:
                    changes.append(f"上级单位：{parent or '—'}")
                unit.parent_id = parent_id
            for attr, value, label in (
                ("nature", nature, "单位性质"),
                ("contact", contact, "联系人"),
                ("phone", phone, "联系电话"),
            ):
                if value is not None and _field(value, label) != getattr(unit, attr):
                    setattr(unit, attr, _field(value, label))
                    changes.append(f"{label}：{_field(value, label)}")
            self._flush_unique(s, f"单位“{unit.name}”已存在。")
            self._audit(s, actor, "update_unit", unit.name, "；".join(changes), ip)
            return self._unit_info(s, unit)

    def units(self) -> list[UnitInfo]:
        """Every unit in tree order (each unit followed by its subtree; siblings in the
        order they were added), with its depth."""
        with self._session() as s:
            rows = list(s.scalars(select(Unit).order_by(Unit.id)))
        return _tree_order(rows)

    def unit(self, unit_id: int) -> UnitInfo:
        with self._session() as s:
            unit = s.get(Unit, int(unit_id))
            if unit is None:
                raise NotFound("未找到该单位。")
            return self._unit_info(s, unit)

    def unit_by_name(self, name: str) -> UnitInfo:
        with self._session() as s:
            unit = s.scalar(select(Unit).where(Unit.name == (name or "").strip()))
            if unit is None:
                raise NotFound(f"单位“{name}”不在单位表中。")
            return self._unit_info(s, unit)

    def subtree_ids(self, unit_id: int) -> set[int]:
        """The unit and every unit below it."""
        with self._session() as s:
            if s.get(Unit, int(unit_id)) is None:
                raise NotFound("未找到该单位。")
            return _subtree(s, int(unit_id))

    def import_units(
        self, path: Path, *, actor: UserInfo | None = None, ip: str = ""
    ) -> ImportReport:
        """Add or update (by name) the units listed in ``path`` (.csv/.xlsx); with any
        problem nothing is written and the report lists them by row."""
        from .hierarchy import read_units

        try:
            sheet, rows, problems = read_units(Path(path))
        except TableError as exc:
            raise Invalid(str(exc)) from exc
        with self._session() as s:
            stored = {u.name: u for u in s.scalars(select(Unit))}
            by_id = {u.id: u.name for u in stored.values()}
            problems += _tree_problems(sheet, rows, stored, by_id)
            if problems:  # nothing was written yet
                return ImportReport(errors=sorted(problems, key=lambda p: p.row))
            added = updated = 0
            now = self._now()
            for row in rows:  # first every new unit, so that parents can be named
                if row.name not in stored:
                    stored[row.name] = Unit(
                        name=row.name, nature="", contact="", phone="", created=now
                    )
                    s.add(stored[row.name])
                    added += 1
            self._flush_unique(s, "单位表已被同时修改，请重新导入。")
            for row in rows:
                unit = stored[row.name]
                before = (unit.parent_id, unit.nature, unit.contact, unit.phone)
                if row.parent is not None:
                    unit.parent_id = stored[row.parent].id if row.parent else None
                for attr, value in row.fields.items():
                    setattr(unit, attr, value)
                is_new = unit.id not in by_id
                if not is_new and before != (unit.parent_id, unit.nature, unit.contact, unit.phone):
                    updated += 1
            self._flush_unique(s, "单位表已被同时修改，请重新导入。")
            self._audit(
                s, actor, "import_units", Path(path).name, f"新增 {added}，更新 {updated}", ip
            )
        return ImportReport(added=added, updated=updated)

    # ---------------------------------------------------------------- users

    def _user_info(self, s: Session, user: User) -> UserInfo:
        unit = s.get(Unit, user.unit_id) if user.unit_id else None
        return UserInfo(
            id=user.id,
            login=user.login,
            role=user.role,
            unit_id=user.unit_id,
            unit_name=unit.name if unit else "",
            active=user.active,
            created=_aware(user.created),
            last_login=_aware(user.last_login),
        )

    def add_user(
        self,
        login: str,
        role: str,
        password: str,
        unit: str | None = None,
        *,
        actor: UserInfo | None = None,
        ip: str = "",
    ) -> UserInfo:
        """A new account; ``unit`` (a unit's name) is added to the tree (as a top unit)
        when it is not there yet. A unit user needs a unit; for a reviewer or admin a unit
        limits what they see to its subtree."""
        login = (login or "").strip()
        if problem := login_problem(login):
            raise Invalid(problem)
        if role not in ROLES:
            raise Invalid(f"角色“{role}”无效：应为 admin、reviewer 或 unit。")
        if problem := auth.password_problem(password):
            raise Invalid(problem)
        unit = (unit or "").strip()
        if role == "unit" and not unit:
            raise Invalid("单位用户须指定所属单位。")
        password_hash = auth.hash_password(self.hasher, password)
        with self._session() as s:
            if s.scalar(select(User.id).where(User.login == login)) is not None:
                raise Conflict(f"登录名“{login}”已存在。")
            unit_id = None
            if unit:
                unit_id = s.scalar(select(Unit.id).where(Unit.name == _unit_name(unit)))
                if unit_id is None:
                    new = Unit(
                        name=_unit_name(unit), nature="", contact="", phone="", created=self._now()
                    )
                    s.add(new)
                    self._flush_unique(s, f"单位“{unit}”已存在。")
                    unit_id = new.id
                    self._audit(s, actor, "add_unit", new.name, "随账号添加", ip)
            user = User(
                login=login,
                password_hash=password_hash,
                role=role,
                unit_id=unit_id,
                active=True,
                created=self._now(),
            )
            s.add(user)
            self._flush_unique(s, f"登录名“{login}”已存在。")
            self._audit(
                s, actor, "add_user", login, f"角色：{ROLE_TEXT[role]}；单位：{unit or '—'}", ip
            )
            return self._user_info(s, user)

    def import_users(
        self, path: Path, *, actor: UserInfo | None = None, ip: str = ""
    ) -> ImportReport:
        """Add or update (by 登录名) the accounts listed in ``path``. A new account needs
        its 初始密码; an existing one keeps its password (change it with set_password) and
        takes the file's role and unit. Units must be in the tree already (import the unit
        list first), so a misspelt unit is an error rather than a new unit."""
        from .hierarchy import read_users

        try:
            sheet, rows, problems = read_users(Path(path))
        except TableError as exc:
            raise Invalid(str(exc)) from exc
        with self._session() as s:
            units = dict(s.execute(select(Unit.name, Unit.id)).all())
            existing = {u.login: u for u in s.scalars(select(User))}
        for row in rows:
            if row.unit and row.unit not in units:
                problems.append(
                    ImportProblem(sheet, row.row, f"单位“{row.unit}”不在单位表中，请先导入单位表。")
                )
            if row.login not in existing and not row.password:
                problems.append(ImportProblem(sheet, row.row, "新账号须填写初始密码。"))
        if problems:
            return ImportReport(errors=sorted(problems, key=lambda p: p.row))
        hashes = {
            r.login: auth.hash_password(self.hasher, r.password)
            for r in rows
            if r.login not in existing
        }
        added = updated = 0
        with self._session() as s:
            for row in rows:
                unit_id = units[row.unit] if row.unit else None
                user = s.scalar(select(User).where(User.login == row.login))
                if user is None:
                    if row.login in existing:
                        raise Conflict("账号表已被同时修改，请重新导入。")
                    s.add(
                        User(
                            login=row.login,
                            password_hash=hashes[row.login],
                            role=row.role,
                            unit_id=unit_id,
                            active=True,
                            created=self._now(),
                        )
                    )
                    added += 1
                elif (user.role, user.unit_id) != (row.role, unit_id):
                    user.role, user.unit_id = row.role, unit_id
                    updated += 1
            self._flush_unique(s, "账号表已被同时修改，请重新导入。")
            if any(u.role == "admin" and u.active for u in existing.values()) and not s.scalar(
                select(func.count()).where(User.role == "admin", User.active.is_(True))
            ):
                raise Conflict("导入后将没有启用的管理员账号：至少须保留一个管理员。")
            self._audit(
                s, actor, "import_users", Path(path).name, f"新增 {added}，更新 {updated}", ip
            )
        return ImportReport(added=added, updated=updated)

    def users(self) -> list[UserInfo]:
        with self._session() as s:
            return [self._user_info(s, u) for u in s.scalars(select(User).order_by(User.id))]

    def user(self, user_id: int) -> UserInfo:
        with self._session() as s:
            user = s.get(User, int(user_id))
            if user is None:
                raise NotFound("未找到该账号。")
            return self._user_info(s, user)

    def user_by_login(self, login: str) -> UserInfo:
        with self._session() as s:
            user = s.scalar(select(User).where(User.login == (login or "").strip()))
            if user is None:
                raise NotFound(f"没有登录名为“{login}”的账号。")
            return self._user_info(s, user)

    def set_password(
        self, user_id: int, password: str, *, actor: UserInfo | None = None, ip: str = ""
    ) -> None:
        if problem := auth.password_problem(password):
            raise Invalid(problem)
        password_hash = auth.hash_password(self.hasher, password)
        with self._session() as s:
            user = s.get(User, int(user_id))
            if user is None:
                raise NotFound("未找到该账号。")
            user.password_hash = password_hash
            s.execute(delete(LoginFailure).where(LoginFailure.login == user.login))
            self._audit(s, actor, "set_password", user.login, "", ip)

    def set_active(
        self, user_id: int, active: bool, *, actor: UserInfo | None = None, ip: str = ""
    ) -> None:
        """Enable or disable an account; the last enabled admin cannot be disabled."""
        with self._session() as s:
            user = s.get(User, int(user_id))
            if user is None:
                raise NotFound("未找到该账号。")
            if not active and user.role == "admin" and user.active:
                admins = s.scalar(
                    select(func.count()).where(User.role == "admin", User.active.is_(True))
                )
                if admins <= 1:
                    raise Conflict("至少须保留一个启用的管理员账号。")
            user.active = bool(active)
            self._audit(s, actor, "enable_user" if active else "disable_user", user.login, "", ip)

    def authenticate(self, login: str, password: str, ip: str = "") -> UserInfo:
        """The account ``login`` if ``password`` is its password.

        Refused with one message for a wrong login and a wrong password (the same work is
        done for both: a missing account is verified against a dummy hash). After
        :data:`auth.MAX_FAILURES` failures for the login, or from the IP address, within
        :data:`auth.WINDOW`, every attempt is refused — the right password too — until
        they age out; refused attempts are not counted, so waiting always helps. A
        success clears the login's failures and upgrades a hash made with weaker
        parameters than the hasher's.
        """
        login = (login or "").strip()[:100]
        ip = (ip or "")[:64]
        now = self._now()
        since = now - auth.WINDOW
        with self._session() as s:
            by_login = list(
                s.scalars(
                    select(LoginFailure.at).where(
                        LoginFailure.login == login, LoginFailure.at > since
                    )
                )
            )
            by_ip = (
                list(
                    s.scalars(
                        select(LoginFailure.at).where(
                            LoginFailure.ip == ip, LoginFailure.at > since
                        )
                    )
                )
                if ip
                else []
            )
            user = s.scalar(select(User).where(User.login == login)) if login else None
        minutes = max(auth.lock_minutes(by_login, now), auth.lock_minutes(by_ip, now))
        if minutes:
            raise LoginRefused(auth.throttled_message(minutes), minutes)
        stored = user.password_hash if user is not None else None
        if not auth.verify_password(self.hasher, stored, password or ""):
            with self._session() as s:
                s.add(LoginFailure(login=login, ip=ip, at=now))
                s.execute(delete(LoginFailure).where(LoginFailure.at <= since))
                self._audit(s, None, "login_failed", login, "", ip)
            raise LoginRefused(auth.WRONG_LOGIN)
        if not user.active:
            raise LoginRefused("该账号已停用，请与管理员联系。")
        rehash = auth.needs_rehash(self.hasher, user.password_hash)
        new_hash = auth.hash_password(self.hasher, password) if rehash else None
        with self._session() as s:
            row = s.get(User, user.id)
            row.last_login = now
            if new_hash:
                row.password_hash = new_hash
            s.execute(delete(LoginFailure).where(LoginFailure.login == login))
            info = self._user_info(s, row)
            self._audit(s, info, "login", login, "已更新密码哈希参数" if new_hash else "", ip)
            return info

    # ---------------------------------------------------------------- scope

    def visible_unit_ids(self, user: UserInfo) -> set[int] | None:
        """Units ``user`` may see: None = all (admin/reviewer without a unit); a reviewer
        or admin with a unit sees its subtree; a unit user only its own unit; a disabled
        account nothing."""
        with self._session() as s:
            return self._scope(s, user)

    def _scope(self, s: Session, user: UserInfo) -> set[int] | None:
        row = s.get(User, user.id)
        if row is None or not row.active:
            return set()
        if row.role == "unit":
            return {row.unit_id} if row.unit_id else set()
        if row.unit_id is None:
            return None
        return _subtree(s, row.unit_id)

    def can_see_unit(self, user: UserInfo, unit_id: int) -> bool:
        with self._session() as s:
            scope = self._scope(s, user)
            if scope is None:
                return s.get(Unit, int(unit_id)) is not None
            return int(unit_id) in scope

    def _visible(self, s: Session, user: UserInfo, unit_id: int) -> None:
        scope = self._scope(s, user)
        if (scope is not None and unit_id not in scope) or s.get(Unit, unit_id) is None:
            raise NotFound("未找到该单位。")

    # ---------------------------------------------------------------- cases

    def _case_row(self, s: Session, unit_id: int, year: int) -> Case:
        return s.scalar(select(Case).where(Case.unit_id == unit_id, Case.year == year))

    def case(self, unit_id: int, year: int) -> CaseInfo:
        """The unit's case of ``year``, created (未提交) on first use."""
        unit_id, year = int(unit_id), _year(year)
        for _attempt in range(3):
            try:
                with self._session() as s:
                    if s.get(Unit, unit_id) is None:
                        raise NotFound("未找到该单位。")
                    row = self._case_row(s, unit_id, year)
                    if row is None:
                        row = Case(unit_id=unit_id, year=year, status=DRAFT, updated=self._now())
                        s.add(row)
                        s.flush()
                    return self._case_info(s, row)
            except IntegrityError:  # created at the same moment by another request
                continue
        raise Conflict("请稍后重试。")  # pragma: no cover - three races in a row

    def case_by_id(self, case_id: int) -> CaseInfo:
        with self._session() as s:
            row = s.get(Case, int(case_id))
            if row is None:
                raise NotFound("未找到该文档。")
            return self._case_info(s, row)

    def _case_info(self, s: Session, row: Case) -> CaseInfo:
        latest = s.execute(
            select(Version.id, Version.number)
            .where(Version.case_id == row.id)
            .order_by(Version.number.desc())
            .limit(1)
        ).first()
        return CaseInfo(
            id=row.id,
            unit_id=row.unit_id,
            unit_name=s.get(Unit, row.unit_id).name,
            year=row.year,
            status=row.status,
            updated=_aware(row.updated),
            latest_version_id=latest.id if latest else None,
            latest_number=latest.number if latest else None,
        )

    def _case_dir(self, unit_id: int, year: int) -> Path:
        return self.files_dir / "units" / str(int(unit_id)) / str(int(year))

    def draft_dir(self, unit_id: int, year: int) -> Path:
        """The unit's working folder of ``year`` (created): workbook.xlsx and the outputs
        of its last build."""
        unit_id, year = int(unit_id), _year(year)
        with self._session() as s:
            if s.get(Unit, unit_id) is None:
                raise NotFound("未找到该单位。")
        path = self._case_dir(unit_id, year) / "draft"
        path.mkdir(parents=True, exist_ok=True)
        return path

    # ---------------------------------------------------------------- versions

    def submit(
        self,
        user: UserInfo,
        unit_id: int,
        year: int,
        files: Path,
        findings: list[dict],
        summary: dict,
        *,
        ip: str = "",
    ) -> VersionInfo:
        """Freeze ``files`` (the draft folder, or one file) as the case's next version.

        Only the unit's own users submit. A draft or returned case becomes 已提交; a case
        already 已提交 (not yet decided) may be submitted again, the newer version
        replacing the older for review; an approved or published case may not. The
        number is the case's highest + 1: two submissions racing for it both insert, the
        database's unique(case_id, number) lets one win, and the other retries with the
        next number. ``v<N>/findings.json`` keeps ``findings``.
        """
        unit_id, year = int(unit_id), _year(year)
        with self._session() as s:
            actor = self._actor(s, user)
            if actor.role != "unit":
                raise Forbidden("只有本单位的用户可以提交。")
            if actor.unit_id != unit_id or s.get(Unit, unit_id) is None:
                raise NotFound("未找到该单位。")
            unit_name = s.get(Unit, unit_id).name
        case = self.case(unit_id, year)
        _refuse_submit(case.status)
        errors, warnings, listed = _count_findings(findings)
        summary_text = json.dumps(summary or {}, ensure_ascii=False, default=str, sort_keys=True)
        case_dir = self._case_dir(unit_id, year)
        staging = _stage(Path(files), case_dir, listed)
        try:
            for _attempt in range(_SUBMIT_ATTEMPTS):
                made = self._try_submit(
                    user, case.id, case_dir, staging, errors, warnings, summary_text, unit_name, ip
                )
                if made is not None:
                    return made
            raise Conflict("同时提交的人太多，请稍后重试。")
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def _try_submit(
        self,
        user: UserInfo,
        case_id: int,
        case_dir: Path,
        staging: Path,
        errors: int,
        warnings: int,
        summary_text: str,
        unit_name: str,
        ip: str,
    ) -> VersionInfo | None:
        """One attempt; None when another submission took the number first."""
        now = self._now()
        target: Path | None = None
        try:
            with self._session() as s:
                number = (
                    s.scalar(select(func.max(Version.number)).where(Version.case_id == case_id))
                    or 0
                ) + 1
                version = Version(
                    case_id=case_id,
                    number=number,
                    submitted_by=user.id,
                    submitted_at=now,
                    status=SUBMITTED,
                    errors=errors,
                    warnings=warnings,
                    summary=summary_text,
                )
                s.add(version)
                s.flush()  # the unique constraint decides who has this number
                moved = s.execute(
                    update(Case)
                    .where(Case.id == case_id, Case.status.in_((DRAFT, SUBMITTED, RETURNED)))
                    .values(status=SUBMITTED, updated=now)
                )
                if moved.rowcount != 1:
                    _refuse_submit(s.get(Case, case_id).status)
                # earlier undecided versions stay 已提交 (never decided); the newest is reviewed
                target = case_dir / f"v{number}"
                if target.exists():  # left by an attempt whose commit failed
                    shutil.rmtree(target)
                staging.rename(target)
                self._audit(s, user, "submit", f"{unit_name} 第 {number} 版", "", ip)
                info = self._version_info(s, version)
        except IntegrityError:
            if target is not None and target.exists():
                target.rename(staging)
            return None
        except BaseException:
            if target is not None and target.exists():
                target.rename(staging)
            raise
        return info

    def _version_info(self, s: Session, v: Version) -> VersionInfo:
        case = s.get(Case, v.case_id)
        latest = s.scalar(select(func.max(Version.number)).where(Version.case_id == v.case_id))
        submitter = s.get(User, v.submitted_by)
        decider = s.get(User, v.decided_by) if v.decided_by else None
        return VersionInfo(
            id=v.id,
            case_id=v.case_id,
            unit_id=case.unit_id,
            unit_name=s.get(Unit, case.unit_id).name,
            year=case.year,
            number=v.number,
            status=v.status,
            case_status=case.status,
            latest=v.number == latest,
            submitted_by=v.submitted_by,
            submitted_by_login=submitter.login if submitter else "",
            submitted_at=_aware(v.submitted_at),
            decided_by=v.decided_by,
            decided_by_login=decider.login if decider else "",
            decided_at=_aware(v.decided_at),
            errors=v.errors,
            warnings=v.warnings,
            summary=json.loads(v.summary or "{}"),
        )

    def versions(self, case_id: int) -> list[VersionInfo]:
        """The case's versions, newest first."""
        with self._session() as s:
            rows = s.scalars(
                select(Version)
                .where(Version.case_id == int(case_id))
                .order_by(Version.number.desc())
            )
            return [self._version_info(s, v) for v in rows]

    def version(self, version_id: int) -> VersionInfo:
        with self._session() as s:
            v = s.get(Version, int(version_id))
            if v is None:
                raise NotFound("未找到该版本。")
            return self._version_info(s, v)

    def version_dir(self, version_id: int) -> Path:
        v = self.version(version_id)
        return self._case_dir(v.unit_id, v.year) / f"v{v.number}"

    def version_findings(self, version_id: int) -> list[dict]:
        """The findings recorded with the version (its ``findings.json``)."""
        path = self.version_dir(version_id) / "findings.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []

    def decide(
        self,
        user: UserInfo,
        version_id: int,
        decision: str,
        comment: str = "",
        *,
        ip: str = "",
    ) -> VersionInfo:
        """Return (退回修改) or approve (已通过) the case's newest version.

        Approving needs a case 已提交; returning also reopens an approved or published case
        (so that the unit may submit again). ``comment`` is stored as a comment.
        """
        if decision not in (RETURNED, APPROVED):
            raise Invalid("审核结论应为 returned（退回修改）或 approved（通过）。")
        body = _comment_body(comment) if comment and comment.strip() else ""
        with self._session() as s:
            actor = self._actor(s, user, "admin", "reviewer")
            v = s.get(Version, int(version_id))
            case = s.get(Case, v.case_id) if v else None
            if case is None:
                raise NotFound("未找到该版本。")
            self._visible(s, user, case.unit_id)
            latest = s.scalar(select(func.max(Version.number)).where(Version.case_id == case.id))
            if v.number != latest:
                raise Conflict(f"只能审核该单位最新提交的版本（第 {latest} 版）。")
            allowed = (SUBMITTED,) if decision == APPROVED else (SUBMITTED, APPROVED, PUBLISHED)
            now = self._now()
            moved = s.execute(
                update(Case)
                .where(Case.id == case.id, Case.status.in_(allowed))
                .values(status=decision, updated=now)
            )
            if moved.rowcount != 1:
                s.refresh(case)
                raise Conflict(_decide_refusal(case.status))
            v.status, v.decided_by, v.decided_at = decision, actor.id, now
            if body:
                s.add(
                    Comment(
                        version_id=v.id,
                        author_id=actor.id,
                        section="",
                        finding="",
                        body=body,
                        created=now,
                    )
                )
            unit_name = s.get(Unit, case.unit_id).name
            self._audit(s, user, decision, f"{unit_name} 第 {v.number} 版", body, ip)
            s.flush()
            s.refresh(case)
            return self._version_info(s, v)

    def publish(self, user: UserInfo, case_ids: Iterable[int], *, ip: str = "") -> int:
        """Mark approved cases 已公开; how many changed. Every case must be approved (or
        already published, which is left as it is), else nothing is published."""
        ids = sorted({int(c) for c in case_ids})
        with self._session() as s:
            self._actor(s, user, "admin", "reviewer")
            cases = []
            for case_id in ids:
                case = s.get(Case, case_id)
                if case is None:
                    raise NotFound("未找到该文档。")
                self._visible(s, user, case.unit_id)
                if case.status not in (APPROVED, PUBLISHED):
                    name = s.get(Unit, case.unit_id).name
                    raise Conflict(f"{name}的文档尚未通过审核，不能公开。")
                cases.append(case)
            now, count = self._now(), 0
            for case in cases:
                moved = s.execute(
                    update(Case)
                    .where(Case.id == case.id, Case.status == APPROVED)
                    .values(status=PUBLISHED, updated=now)
                )
                if moved.rowcount == 1:
                    count += 1
                    name = s.get(Unit, case.unit_id).name
                    self._audit(s, user, "publish", f"{name} {case.year} 年度", "", ip)
            return count

    # ---------------------------------------------------------------- comments

    def comment(
        self,
        user: UserInfo,
        version_id: int,
        body: str,
        section: str = "",
        finding: str = "",
        *,
        ip: str = "",
    ) -> CommentInfo:
        """A reviewer's comment on a version, on the whole, a section or a finding (rule)."""
        body = _comment_body(body)
        with self._session() as s:
            actor = self._actor(s, user, "admin", "reviewer")
            v = s.get(Version, int(version_id))
            if v is None:
                raise NotFound("未找到该版本。")
            case = s.get(Case, v.case_id)
            self._visible(s, user, case.unit_id)
            row = Comment(
                version_id=v.id,
                author_id=actor.id,
                section=(section or "").strip()[:200],
                finding=(finding or "").strip()[:100],
                body=body,
                created=self._now(),
            )
            s.add(row)
            s.flush()
            unit_name = s.get(Unit, case.unit_id).name
            self._audit(s, user, "comment", f"{unit_name} 第 {v.number} 版", body, ip)
            return _comment_info(row, actor.login)

    def comments(self, version_id: int) -> list[CommentInfo]:
        """The version's comments, oldest first."""
        with self._session() as s:
            rows = s.execute(
                select(Comment, User.login)
                .join(User, User.id == Comment.author_id)
                .where(Comment.version_id == int(version_id))
                .order_by(Comment.id)
            ).all()
            return [_comment_info(c, login) for c, login in rows]

    # ---------------------------------------------------------------- bureau

    def dashboard(
        self,
        user: UserInfo,
        year: int,
        status: str | None = None,
        search: str = "",
        parent: int | None = None,
    ) -> list[DashboardRow]:
        """One row per unit in the user's scope (tree order), with its case of ``year``.

        ``status`` filters by the case's status (code or Chinese name; a unit without a
        case is 未提交); ``search`` keeps units whose name contains it; ``parent`` keeps
        that unit's subtree. Open comments: those on the latest version while the case
        awaits the unit or the reviewer (已提交 / 退回修改); none once approved.
        """
        year = _year(year)
        wanted = _status_code(status)
        with self._session() as s:
            self._actor(s, user, "admin", "reviewer")
            scope = self._scope(s, user)
            units = _tree_order(list(s.scalars(select(Unit).order_by(Unit.id))))
            if parent is not None:
                top = int(parent)
                if (scope is not None and top not in scope) or s.get(Unit, top) is None:
                    raise NotFound("未找到该单位。")
                below = _subtree(s, top)
                scope = below if scope is None else below & scope
            cases = {c.unit_id: c for c in s.scalars(select(Case).where(Case.year == year))}
            latest = self._latest_versions(s, [c.id for c in cases.values()])
            counts = self._open_comments(s, [v.id for v, _ in latest.values()])
        needle = (search or "").strip().casefold()
        rows = []
        for unit in units:
            if scope is not None and unit.id not in scope:
                continue
            if needle and needle not in unit.name.casefold():
                continue
            case = cases.get(unit.id)
            version, login = latest.get(case.id, (None, "")) if case else (None, "")
            row_status = case.status if case else DRAFT
            if wanted and row_status != wanted:
                continue
            rows.append(
                DashboardRow(
                    unit_id=unit.id,
                    unit_name=unit.name,
                    depth=unit.depth,
                    parent_name=unit.parent_name,
                    case_id=case.id if case else None,
                    version_id=version.id if version else None,
                    version=version.number if version else None,
                    status=row_status,
                    errors=version.errors if version else 0,
                    warnings=version.warnings if version else 0,
                    open_comments=(
                        counts.get(version.id, 0)
                        if version and row_status in (SUBMITTED, RETURNED)
                        else 0
                    ),
                    submitted_at=_aware(version.submitted_at) if version else None,
                    submitted_by=login,
                )
            )
        return rows

    @staticmethod
    def _latest_versions(s: Session, case_ids: list[int]) -> dict[int, tuple[Version, str]]:
        if not case_ids:
            return {}
        newest = (
            select(Version.case_id, func.max(Version.number).label("number"))
            .where(Version.case_id.in_(case_ids))
            .group_by(Version.case_id)
            .subquery()
        )
        rows = s.execute(
            select(Version, User.login)
            .join(
                newest,
                (Version.case_id == newest.c.case_id) & (Version.number == newest.c.number),
            )
            .join(User, User.id == Version.submitted_by)
        ).all()
        return {v.case_id: (v, login) for v, login in rows}

    @staticmethod
    def _open_comments(s: Session, version_ids: list[int]) -> dict[int, int]:
        if not version_ids:
            return {}
        rows = s.execute(
            select(Comment.version_id, func.count())
            .where(Comment.version_id.in_(version_ids))
            .group_by(Comment.version_id)
        ).all()
        return dict(rows)

    def dashboard_xlsx(self, rows: list[DashboardRow]) -> bytes:
        """The dashboard as an .xlsx: a header row, then one row per unit."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        book = Workbook()
        sheet = book.active
        sheet.title = "单位状态"
        sheet.append(list(DASHBOARD_HEADER))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(
                [
                    row.unit_name,
                    row.parent_name,
                    row.status_text,
                    row.version if row.version is not None else "",
                    row.errors,
                    row.warnings,
                    row.open_comments,
                    local_time(row.submitted_at),
                    row.submitted_by,
                ]
            )
        for letter, width in zip("ABCDEFGHI", (36, 30, 10, 10, 8, 8, 12, 18, 16), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def approved_zip(self, user: UserInfo, year: int, *, ip: str = "") -> bytes:
        """Every approved or published document of ``year`` in the user's scope, each
        unit's in a folder named after it, and 汇总.xlsx (the dashboard of all units).
        For many units prefer :meth:`write_approved_zip`, which does not hold it in memory."""
        out = io.BytesIO()
        self.write_approved_zip(user, year, out, ip=ip)
        return out.getvalue()

    def write_approved_zip(self, user: UserInfo, year: int, target, *, ip: str = "") -> int:
        """:meth:`approved_zip` written to ``target`` (a path or a binary file); how many
        units' documents it holds. Word documents and 汇总.xlsx are zip files already and
        are stored as they are; PDFs are deflated."""
        from ..paths import safe_filename

        rows = self.dashboard(user, year)
        used: set[str] = set()
        count = 0
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as z:
            for row in rows:
                if row.status not in (APPROVED, PUBLISHED) or row.version_id is None:
                    continue
                folder = safe_filename(row.unit_name)
                if folder in used:  # two names that differ only in unsafe characters
                    folder = safe_filename(f"{row.unit_name}~{row.unit_id}")
                used.add(folder)
                count += 1
                source = self.version_dir(row.version_id)
                for path in _documents(source):
                    name = safe_filename(path.stem, path.suffix.lower())
                    packing = zipfile.ZIP_DEFLATED if path.suffix.lower() == ".pdf" else None
                    z.write(path, f"{folder}/{name}", compress_type=packing)
            z.writestr("汇总.xlsx", self.dashboard_xlsx(rows))
        with self._session() as s:
            self._audit(s, user, "download_zip", f"{year} 年度", f"{count} 个单位", ip)
        return count

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        with self._session() as s:
            row = s.get(Setting, key)
            return row.value if row else default

    def set_setting(self, user: UserInfo | None, key: str, value: str, *, ip: str = "") -> None:
        """An admin's setting (``profile``, ``wording``, ``year``…); None = command line."""
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,49}", key or ""):
            raise Invalid(f"设置项“{key}”无效。")
        with self._session() as s:
            if user is not None:
                self._actor(s, user, "admin")
            row = s.get(Setting, key)
            if row is None:
                s.add(Setting(key=key, value=str(value)))
            else:
                row.value = str(value)
            self._audit(s, user, "set_setting", key, str(value), ip)

    def audit(
        self,
        user: UserInfo | None,
        action: str,
        target: str = "",
        detail: str = "",
        ip: str = "",
    ) -> None:
        """Record something the web layer did (a download, a logout…)."""
        with self._session() as s:
            self._audit(s, user, action[:50], target, detail, ip)

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        """The newest ``limit`` entries, newest first."""
        with self._session() as s:
            rows = s.scalars(
                select(AuditRecord).order_by(AuditRecord.id.desc()).limit(max(1, int(limit)))
            )
            return [
                AuditEntry(
                    id=r.id,
                    at=_aware(r.at),
                    user_id=r.user_id,
                    login=r.login,
                    action=r.action,
                    target=r.target,
                    detail=r.detail,
                    ip=r.ip,
                )
                for r in rows
            ]


DASHBOARD_HEADER = (
    "单位名称",
    "上级单位",
    "状态",
    "最新版本",
    "错误",
    "警告",
    "未处理意见",
    "最近提交时间",
    "提交人",
)

#: What approved_zip takes from a version's folder.
DOCUMENT_SUFFIXES = (".docx", ".pdf")


def _is_document(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES and not path.name.startswith(".")


def _documents(version_dir: Path) -> list[Path]:
    """The documents a version holds, at any depth (the portal's build writes them under
    ``out/<workbook>/``); hidden entries and symbolic links are never followed, and the
    uploaded workbooks (``in/``) are not documents."""
    found = []
    for root, dirs, files in os.walk(version_dir, followlinks=False):
        here = Path(root)
        dirs[:] = sorted(
            d for d in dirs if not d.startswith(".") and not (here == version_dir and d == "in")
        )
        for name in sorted(files):
            path = here / name
            if not path.is_symlink() and _is_document(path):
                found.append(path)
    return found


# --------------------------------------------------------------------------- helpers


def _unit_name(name: str | None) -> str:
    from .hierarchy import WIDTHS, clean

    value = clean(name)
    if not value:
        raise Invalid("单位名称不能为空。")
    if len(value) > WIDTHS["单位名称"]:
        raise Invalid(f"单位名称过长（最多 {WIDTHS['单位名称']} 个字符）。")
    return value


def _field(value: str | None, label: str) -> str:
    from .hierarchy import WIDTHS, clean

    text = clean(value)
    if len(text) > WIDTHS[label]:
        raise Invalid(f"{label}过长（最多 {WIDTHS[label]} 个字符）。")
    return text


def _year(year: int | str) -> int:
    try:
        value = int(year)
    except (TypeError, ValueError):
        raise Invalid(f"年度“{year}”无效。") from None
    if not 2000 <= value <= 2100:
        raise Invalid(f"年度“{year}”无效。")
    return value


def _status_code(status: str | None) -> str | None:
    if not status:
        return None
    if status in STATUS_TEXT:
        return status
    for code, text in STATUS_TEXT.items():
        if text == status:
            return code
    raise Invalid(f"状态“{status}”无效。")


def _comment_body(body: str | None) -> str:
    text = (body or "").strip()
    if not text:
        raise Invalid("意见不能为空。")
    if len(text) > 5000:
        raise Invalid("意见过长（最多 5000 个字符）。")
    return text


def _comment_info(row: Comment, login: str) -> CommentInfo:
    return CommentInfo(
        id=row.id,
        version_id=row.version_id,
        author_id=row.author_id,
        author_login=login,
        section=row.section,
        finding=row.finding,
        body=row.body,
        created=_aware(row.created),
    )


def _refuse_submit(status: str) -> None:
    if status == APPROVED:
        raise Conflict("该版本已通过审核，不能再提交。")
    if status == PUBLISHED:
        raise Conflict("该单位的文档已公开，不能再提交。")


def _decide_refusal(status: str) -> str:
    return {
        APPROVED: "该版本已通过审核，不能再次审核通过。",
        PUBLISHED: "该单位的文档已公开，不能再次审核通过。",
        RETURNED: "该版本已退回修改，须等单位重新提交。",
        DRAFT: "该单位尚未提交。",
    }.get(status, "该版本不能审核。")


def _count_findings(findings: list) -> tuple[int, int, list[dict]]:
    """(errors, warnings, findings as dicts); a finding is a dict or a Finding."""
    from ..findings import ERROR, WARNING

    listed = [asdict(f) if is_dataclass(f) else dict(f) for f in findings or []]
    errors = sum(1 for f in listed if f.get("severity") == ERROR)
    warnings = sum(1 for f in listed if f.get("severity") == WARNING)
    return errors, warnings, listed


def _stage(files: Path, case_dir: Path, findings: list[dict]) -> Path:
    """A copy of ``files`` (a folder: its regular files and subfolders, never symlinks or
    hidden files; or one file) in a fresh folder of ``case_dir``, with findings.json."""
    case_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(case_dir)
    staging = case_dir / f".staging-{secrets.token_hex(8)}"
    staging.mkdir()
    try:
        if files.is_dir():
            _copy_tree(files, staging)
        elif files.is_file():
            shutil.copy2(files, staging / files.name)
        else:
            raise Invalid("没有可提交的文件。")
        (staging / "findings.json").write_text(
            json.dumps(findings, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _remove_stale_staging(case_dir: Path) -> None:
    """Staging folders a killed process left (a submission takes seconds, not a day)."""
    cutoff = time.time() - 86400
    for entry in case_dir.glob(".staging-*"):
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < cutoff:
                shutil.rmtree(entry)


def _copy_tree(source: Path, target: Path) -> None:
    for entry in os.scandir(source):
        if entry.name.startswith(".") or entry.is_symlink():
            continue
        if entry.is_dir(follow_symlinks=False):
            (target / entry.name).mkdir()
            _copy_tree(Path(entry.path), target / entry.name)
        elif entry.is_file(follow_symlinks=False):
            shutil.copy2(entry.path, target / entry.name)


def _subtree(s: Session, unit_id: int) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for uid, parent in s.execute(select(Unit.id, Unit.parent_id)).all():
        children.setdefault(parent, []).append(uid)
    found, todo = set(), [unit_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.add(current)
        todo.extend(children.get(current, []))
    return found


def _tree_order(rows: list[Unit]) -> list[UnitInfo]:
    """Depth-first from the top units; siblings by id (the order they were added)."""
    by_id = {u.id: u for u in rows}
    children: dict[int | None, list[Unit]] = {}
    for u in rows:
        parent = u.parent_id if u.parent_id in by_id else None
        children.setdefault(parent, []).append(u)
    out: list[UnitInfo] = []
    seen: set[int] = set()

    def visit(unit: Unit, depth: int) -> None:
        if unit.id in seen:
            return
        seen.add(unit.id)
        parent = by_id.get(unit.parent_id) if unit.parent_id else None
        out.append(
            UnitInfo(
                id=unit.id,
                name=unit.name,
                parent_id=unit.parent_id,
                parent_name=parent.name if parent else "",
                nature=unit.nature,
                contact=unit.contact,
                phone=unit.phone,
                depth=depth,
                created=_aware(unit.created),
            )
        )
        for child in children.get(unit.id, []):
            visit(child, depth + 1)

    for top in children.get(None, []):
        visit(top, 0)
    return out


def _tree_problems(sheet: str, rows, stored: dict[str, Unit], by_id: dict[int, str]) -> list:
    """Parents named nowhere, and cycles in the tree the import would make."""
    problems = []
    in_file = {r.name for r in rows}
    parent_of: dict[str, str | None] = {
        name: by_id.get(u.parent_id) if u.parent_id else None for name, u in stored.items()
    }
    for row in rows:
        if row.parent is None:
            parent_of.setdefault(row.name, None)
            continue
        if row.parent and row.parent not in in_file and row.parent not in stored:
            problems.append(ImportProblem(sheet, row.row, f"上级单位“{row.parent}”不在单位表中。"))
            parent_of[row.name] = None
            continue
        parent_of[row.name] = row.parent or None
    reported: set[str] = set()
    for row in rows:
        if row.name in reported:
            continue
        chain, current = [row.name], parent_of.get(row.name)
        while current is not None and current not in chain:
            chain.append(current)
            current = parent_of.get(current)
        if current == row.name:
            reported.update(chain)
            path = " → ".join([*chain, row.name])
            problems.append(ImportProblem(sheet, row.row, f"上级单位关系形成循环：{path}。"))
    return problems
