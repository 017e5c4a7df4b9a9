"""``reportgen users add | import | import-units | list``: the portal's accounts from a terminal.

Registered lazily by reportgen/cli.py (``reportgen --help`` imports neither this module
nor SQLAlchemy or argon2): the database is opened only inside a command. Every command
takes the same ``--data-dir`` as ``reportgen serve`` (default ``reportgen-data``) and
``--database-url`` (or env ``REPORTGEN_DATABASE_URL``), so the accounts made here are
the ones ``serve --accounts`` logs in.

A password is never an argument (it would stay in the shell history and be visible to
every user in ``ps``): ``--password-stdin`` reads it from standard input, else it is
asked for twice without echo. Exit codes: 0 done, 2 bad input (nothing written).
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

import click

#: Exit code for bad input (an unknown role, a short password, a file with errors…).
EXIT_INPUT = 2

_data_dir = click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reportgen-data"),
    show_default=True,
    help="数据目录（与 reportgen serve 的 --data-dir 相同）",
)
_database_url = click.option(
    "--database-url",
    envvar="REPORTGEN_DATABASE_URL",
    default=None,
    metavar="URL",
    help="数据库地址（默认：数据目录中的 SQLite；PostgreSQL：postgresql+psycopg://用户:密码@主机/库）",
)


@click.group("users")
def users() -> None:
    """财政局门户的账号：添加、导入、列出（reportgen serve --accounts 用这些账号登录）。"""


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(EXIT_INPUT)


def _open(data_dir: Path, database_url: str | None):
    """The portal of ``data_dir``; a bad or unreachable database is bad input (exit 2)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, OperationalError

    from .store import Portal

    try:
        return Portal(data_dir, database_url)
    except ArgumentError:
        _fail("数据库地址无效：应形如 sqlite:///路径 或 postgresql+psycopg://用户:密码@主机/库。")
    except OperationalError as exc:
        shown = make_url(database_url).render_as_string(hide_password=True) if database_url else ""
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else ""
        _fail(f"无法连接数据库 {shown or data_dir}：{reason}")
    except ModuleNotFoundError as exc:
        _fail(f"缺少数据库驱动 {exc.name}：PostgreSQL 需要 pip install 'reportgen[postgres]'。")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        _fail("请用 --password-stdin 从标准输入提供密码。")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码")


@users.command("add")
@click.argument("login")
@click.option(
    "--role",
    type=click.Choice(["admin", "reviewer", "unit"]),
    required=True,
    help="admin 管理员、reviewer 审核员、unit 单位用户",
)
@click.option(
    "--unit",
    default=None,
    metavar="单位名称",
    help="所属单位（单位用户必填；不在单位表中时添加为顶层单位；审核员、管理员可选，限定可见范围）",
)
@click.option("--password-stdin", is_flag=True, help="从标准输入读入密码（一行）")
@_data_dir
@_database_url
def add(
    login: str,
    role: str,
    unit: str | None,
    password_stdin: bool,
    data_dir: Path,
    database_url: str | None,
) -> None:
    """添加账号 LOGIN。"""
    from .db import ROLE_TEXT
    from .store import NotFound, PortalError

    if role == "unit" and not (unit or "").strip():
        _fail("单位用户须用 --unit 指定所属单位。")
    password = _read_password(password_stdin)
    portal = _open(data_dir, database_url)
    try:
        new_unit = False
        if unit and unit.strip():
            try:
                portal.unit_by_name(unit)
            except NotFound:
                new_unit = True
        try:
            user = portal.add_user(login, role, password, unit)
        except PortalError as exc:
            _fail(exc.message)
    finally:
        portal.close()
    if new_unit:
        click.echo(f"单位“{user.unit_name}”不在单位表中，已添加为顶层单位。")
    where = f"，{user.unit_name}" if user.unit_name else ""
    click.echo(f"已添加账号 {user.login}（{ROLE_TEXT[user.role]}{where}）。")


def _import(kind: str, path: Path, data_dir: Path, database_url: str | None) -> None:
    from .store import PortalError

    portal = _open(data_dir, database_url)
    try:
        method = portal.import_users if kind == "users" else portal.import_units
        try:
            report = method(path)
        except PortalError as exc:
            _fail(exc.message)
    finally:
        portal.close()
    if not report.ok:
        _fail(report.text())
    click.echo(report.text())


@users.command("import")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@_data_dir
@_database_url
def import_users(path: Path, data_dir: Path, database_url: str | None) -> None:
    """从 .csv 或 .xlsx 导入账号（列：登录名、角色、单位名称、初始密码）。

    角色写 管理员/审核员/单位（或 admin/reviewer/unit）；单位须已在单位表中（先用
    import-units 导入）；已有的账号按文件更新角色和单位，密码不变。文件有任何错误时
    列出行号，不导入任何内容。
    """
    _import("users", path, data_dir, database_url)


@users.command("import-units")
@click.argument("path", type=click.Path(path_type=Path, dir_okay=False))
@_data_dir
@_database_url
def import_units(path: Path, data_dir: Path, database_url: str | None) -> None:
    """从 .csv 或 .xlsx 导入单位表（列：单位名称、上级单位、单位性质、联系人、联系电话）。

    已有的单位按名称更新；文件有任何错误时列出行号，不导入任何内容。
    """
    _import("units", path, data_dir, database_url)


@users.command("list")
@_data_dir
@_database_url
def list_users(data_dir: Path, database_url: str | None) -> None:
    """列出账号：登录名、角色、单位、状态。"""
    portal = _open(data_dir, database_url)
    try:
        accounts = portal.users()
    finally:
        portal.close()
    if not accounts:
        click.echo("还没有账号。用 reportgen users add 添加。")
        return
    rows = [("登录名", "角色", "单位", "状态")]
    rows += [
        (u.login, u.role_text, u.unit_name or "—", "启用" if u.active else "停用") for u in accounts
    ]
    click.echo("\n".join(_table(rows)))


def _width(text: str) -> int:
    """Columns a terminal gives ``text`` (CJK and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return lines
