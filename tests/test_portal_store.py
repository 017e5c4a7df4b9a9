"""The portal's storage (reportgen/portal/store.py), on SQLite and on PostgreSQL.

Everything runs against both backends through the ``portal_url`` fixture
(tests/portal_backends.py): the schema the Alembic revisions build, the unit tree and
account imports with their row-numbered errors, argon2 hashes and the login throttle
(time moved by an injected clock, never slept), numbered versions under concurrent
submissions, the review state machine, the dashboard, its .xlsx, the .zip of approved
documents and the audit log.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from openpyxl import Workbook, load_workbook
from portal_backends import FAST_HASHER
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from reportgen.portal.db import Base, User
from reportgen.portal.store import (
    Conflict,
    Forbidden,
    Invalid,
    LoginRefused,
    NotFound,
    Portal,
    local_time,
)

#: 2026-12-01 10:00 北京时间
START = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


class Clock:
    """The portal's clock, moved by the test."""

    def __init__(self, start: datetime = START):
        self.now = start

    def __call__(self) -> float:
        return self.now.timestamp()

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def portal(tmp_path, portal_url, clock):
    p = Portal(tmp_path / "data", portal_url, clock=clock, hasher=FAST_HASHER)
    yield p
    p.close()


#: A district bureau's tree as a bureau keeps it: columns in its own order, an extra
#: column, children listed before their parents.
TREE_ROWS = [
    ["联系人", "单位名称", "备注", "上级单位", "单位性质", "联系电话"],
    ["王芳", "某某区文化馆", "", "某某区文化和旅游局", "事业单位", "021-5000 0001"],
    ["李明", "某某区图书馆", "", "某某区文化和旅游局", "事业单位", ""],
    ["", "某某区文物管理所", "", "某某区文化和旅游局", "事业单位", ""],
    ["张伟", "某某区文化和旅游局", "二级预算单位", "某某区财政局", "行政单位", "021-5000 0000"],
    ["", "某某区财政局", "", "", "行政单位", ""],
    ["", "某某区教育局", "", "某某区财政局", "行政单位", ""],
    ["", "某某区实验小学", "", "某某区教育局", "事业单位", ""],
    ["", "某某区第一中学", "", "某某区教育局", "事业单位", ""],
    ["", "某某区职业技术学校", "", "某某区教育局", "事业单位", ""],
]

#: (name, depth, parent) in tree order: depth-first, siblings in the order first listed.
TREE = [
    ("某某区财政局", 0, ""),
    ("某某区文化和旅游局", 1, "某某区财政局"),
    ("某某区文化馆", 2, "某某区文化和旅游局"),
    ("某某区图书馆", 2, "某某区文化和旅游局"),
    ("某某区文物管理所", 2, "某某区文化和旅游局"),
    ("某某区教育局", 1, "某某区财政局"),
    ("某某区实验小学", 2, "某某区教育局"),
    ("某某区第一中学", 2, "某某区教育局"),
    ("某某区职业技术学校", 2, "某某区教育局"),
]

USERS_ROWS = [
    ["登录名", "角色", "单位名称", "初始密码"],
    ["admin", "管理员", "", "Admin-2024!"],
    ["shencha", "审核员", "", "Review-2024!"],
    ["wl", "reviewer", "某某区文化和旅游局", "Wenlv-2024!"],
    ["whg", "单位", "某某区文化馆", "Wenhua-2024"],
    ["tsg", "unit", "某某区图书馆", "Tushu-20240"],
    ["xx", "单位", "某某区实验小学", "Xiaoxue-2024"],
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list], title: str = "单位表", notes: bool = True) -> Path:
    book = Workbook()
    if notes:  # a bureau's workbook often opens with a note sheet
        book.active.title = "说明"
        book.active.append(["本表由财政局预算科维护"])
        sheet = book.create_sheet(title)
    else:
        sheet = book.active
        sheet.title = title
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def tree_of(portal: Portal) -> list[tuple[str, int, str]]:
    return [(u.name, u.depth, u.parent_name) for u in portal.units()]


@pytest.fixture
def bureau(portal, tmp_path):
    """The tree and the accounts imported; returns {login: UserInfo} and {name: id}."""
    assert portal.import_units(write_csv(tmp_path / "units.csv", TREE_ROWS)).ok
    assert portal.import_users(write_csv(tmp_path / "users.csv", USERS_ROWS)).ok
    users = {u.login: u for u in portal.users()}
    units = {u.name: u.id for u in portal.units()}
    return users, units


def draft(portal: Portal, unit_id: int, unit_name: str, content: bytes = b"v") -> Path:
    """A draft folder as the web layer leaves it after a build."""
    folder = portal.draft_dir(unit_id, 2024)
    (folder / "workbook.xlsx").write_bytes(b"workbook " + content)
    (folder / f"2024年度{unit_name}部门决算公开.docx").write_bytes(b"docx " + content)
    (folder / f"2024年度{unit_name}部门决算公开.pdf").write_bytes(b"pdf " + content)
    (folder / f"2024年度{unit_name}部门决算公开审核结果.txt").write_text("审核结果", "utf-8")
    return folder


WARNING = {"severity": "警告", "rule": "R05", "message": "…", "where": "公开01表!C10"}
ERROR = {"severity": "错误", "rule": "R01", "message": "…", "where": "公开01表!C6"}


# --------------------------------------------------------------------------- schema


def test_the_migrations_build_exactly_the_models_and_one_head(portal):
    """Alembic's autogenerate finds nothing between the revisions and db.py (the server
    sessions table of migration 0002 is described in sessions.py); the database is at
    the single head, and upgrading again changes nothing."""
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from reportgen.portal.store import MIGRATIONS, upgrade

    def only_models(obj, name, type_, reflected, compare_to):
        return type_ != "table" or name in Base.metadata.tables

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1
    upgrade(portal.engine)
    with portal.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "include_object": only_models}
        )
        assert compare_metadata(context, Base.metadata) == []
        assert context.get_current_revision() == heads[0]
        assert conn.execute(text("select count(*) from alembic_version")).scalar() == 1


def test_the_migrations_downgrade_to_nothing_and_up_again(portal):
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import inspect

    from reportgen.portal.store import MIGRATIONS, upgrade

    portal.add_unit("某某区财政局")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with portal.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert inspect(portal.engine).get_table_names() == ["alembic_version"]
    upgrade(portal.engine)
    assert set(inspect(portal.engine).get_table_names()) >= set(Base.metadata.tables)
    assert portal.units() == []


def test_foreign_keys_are_enforced(portal):
    """On SQLite only when asked per connection (db.make_engine does)."""
    with portal.engine.connect() as conn, pytest.raises(IntegrityError):
        conn.execute(
            User.__table__.insert().values(
                login="x", password_hash="h", role="unit", unit_id=999, active=True, created=START
            )
        )
        conn.commit()


def test_several_servers_starting_at_once_migrate_once(tmp_path, portal_url):
    made, failed = [], []
    barrier = threading.Barrier(3)

    def start(i: int) -> None:
        barrier.wait()
        try:
            made.append(Portal(tmp_path / f"d{i}", portal_url, hasher=FAST_HASHER))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failed.append(exc)

    threads = [threading.Thread(target=start, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == []
    made[0].add_unit("某某区财政局")
    assert [u.name for u in made[2].units()] == ["某某区财政局"]
    for p in made:
        p.close()


def test_default_database_is_sqlite_in_the_data_dir_with_wal(tmp_path, monkeypatch):
    monkeypatch.delenv("REPORTGEN_DATABASE_URL", raising=False)
    p = Portal(tmp_path / "data", hasher=FAST_HASHER)
    try:
        assert p.database_url == f"sqlite:///{(tmp_path / 'data' / 'portal.sqlite3').resolve()}"
        with p.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        p.close()
    monkeypatch.setenv("REPORTGEN_DATABASE_URL", f"sqlite:///{tmp_path / 'elsewhere.db'}")
    p = Portal(tmp_path / "data2", hasher=FAST_HASHER)
    p.add_unit("某某区财政局")
    p.close()
    assert (tmp_path / "elsewhere.db").exists()
    assert not (tmp_path / "data2" / "portal.sqlite3").exists()


# --------------------------------------------------------------------------- the tree


def test_units_import_builds_the_tree_whatever_the_column_and_row_order(portal, tmp_path):
    report = portal.import_units(write_csv(tmp_path / "units.csv", TREE_ROWS))
    assert (report.added, report.updated, report.errors) == (9, 0, [])
    assert report.text() == "新增 9 条，更新 0 条。"
    assert tree_of(portal) == TREE
    whg = portal.unit_by_name("某某区文化馆")
    assert (whg.nature, whg.contact, whg.phone) == ("事业单位", "王芳", "021-5000 0001")
    bureau = portal.unit_by_name("某某区文化和旅游局")
    assert portal.subtree_ids(bureau.id) == {
        portal.unit_by_name(n).id
        for n in ("某某区文化和旅游局", "某某区文化馆", "某某区图书馆", "某某区文物管理所")
    }


@pytest.mark.parametrize("form", ["csv-utf8", "csv-gbk", "xlsx"])
def test_units_import_reads_utf8_gbk_and_xlsx_alike(portal, tmp_path, form):
    if form == "xlsx":
        rows = [list(r) for r in TREE_ROWS]
        rows[2][5] = 13800000000  # a phone typed as a number
        path = write_xlsx(tmp_path / "units.xlsx", rows)
    else:
        encoding = "utf-8" if form == "csv-utf8" else "gbk"
        path = write_csv(tmp_path / "units.csv", TREE_ROWS, encoding)
    assert portal.import_units(path).added == 9
    assert tree_of(portal) == TREE
    if form == "xlsx":
        assert portal.unit_by_name("某某区图书馆").phone == "13800000000"


def test_reimport_updates_by_name_instead_of_duplicating(portal, tmp_path):
    portal.import_units(write_csv(tmp_path / "units.csv", TREE_ROWS))
    changed = [
        ["单位名称", "上级单位", "联系人"],
        ["某某区文化馆", "某某区文化和旅游局", "赵敏"],  # new contact
        ["某某区第一中学", "某某区文化和旅游局", ""],  # moved (and contact stays empty)
        ["某某区图书馆", "某某区文化和旅游局", "李明"],  # unchanged
        ["某某区档案馆", "某某区财政局", "钱进"],  # new
    ]
    report = portal.import_units(write_csv(tmp_path / "again.csv", changed))
    assert (report.added, report.updated) == (1, 2)
    assert len(portal.units()) == 10
    assert portal.unit_by_name("某某区文化馆").contact == "赵敏"
    assert portal.unit_by_name("某某区文化馆").nature == "事业单位"  # column absent: kept
    assert portal.unit_by_name("某某区第一中学").parent_name == "某某区文化和旅游局"
    assert portal.import_units(write_csv(tmp_path / "again.csv", changed)).text() == (
        "新增 0 条，更新 0 条。"
    )


def test_a_unit_list_with_errors_names_each_row_and_writes_nothing(portal, tmp_path):
    rows = [
        ["单位名称", "上级单位"],
        ["某某区财政局", ""],
        ["某某区教育局", "某某区财政局"],
        ["", "某某区教育局"],
        ["某某区实验小学", "某某局"],
        ["某某区教育局", "某某区财政局"],
        ["甲单位", "乙单位"],
        ["乙单位", "甲单位"],
        ["某某区第一中学", "某某区第一中学"],
        [],
        ["某某区职业技术学校", "某某区教育厅"],
    ]
    report = portal.import_units(write_csv(tmp_path / "bad.csv", rows))
    assert [str(e) for e in report.errors] == [
        "第 4 行：单位名称为空。",
        "第 5 行：上级单位“某某局”不在单位表中。",
        "第 6 行：单位“某某区教育局”与第 3 行重复。",
        "第 7 行：上级单位关系形成循环：甲单位 → 乙单位 → 甲单位。",
        "第 9 行：单位“某某区第一中学”不能是自己的上级单位。",
        "第 11 行：上级单位“某某区教育厅”不在单位表中。",
    ]
    assert (report.added, report.updated) == (0, 0)
    assert report.text().endswith("\n文件有错误，未导入任何内容。")
    assert portal.units() == []
    assert [e.action for e in portal.audit_log()] == []


def test_a_cycle_through_stored_units_is_refused(portal, tmp_path):
    portal.import_units(write_csv(tmp_path / "units.csv", TREE_ROWS))
    rows = [["单位名称", "上级单位"], ["某某区财政局", "某某区文化馆"]]
    report = portal.import_units(write_csv(tmp_path / "loop.csv", rows))
    assert [str(e) for e in report.errors] == [
        "第 2 行：上级单位关系形成循环：某某区财政局 → 某某区文化馆 → 某某区文化和旅游局 → "
        "某某区财政局。"
    ]
    assert tree_of(portal) == TREE


def test_unit_lists_that_are_no_lists(portal, tmp_path):
    no_name = write_csv(tmp_path / "x.csv", [["名称", "上级单位"], ["某某区财政局", ""]])
    assert [str(e) for e in portal.import_units(no_name).errors] == [
        "第 1 行：表头中没有“单位名称”列（第一行应为表头）。"
    ]
    with pytest.raises(Invalid, match="^不支持的文件类型“.txt”：请使用 .csv 或 .xlsx 文件。$"):
        portal.import_units(write_csv(tmp_path / "x.txt", TREE_ROWS))
    (tmp_path / "fake.xlsx").write_bytes(b"not a zip")
    with pytest.raises(Invalid, match="^文件 fake.xlsx 不是有效的 .xlsx 工作簿。$"):
        portal.import_units(tmp_path / "fake.xlsx")
    with zipfile.ZipFile(tmp_path / "bomb.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (51 * 1024 * 1024))
    with pytest.raises(
        Invalid, match="^文件 bomb.xlsx 解压后过大，不像单位表或账号表，已拒绝读取。$"
    ):
        portal.import_units(tmp_path / "bomb.xlsx")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(Invalid, match="^empty.csv 是空的"):
        portal.import_units(tmp_path / "empty.csv")


def test_editing_the_tree(portal, tmp_path, clock):
    portal.import_units(write_csv(tmp_path / "units.csv", TREE_ROWS))
    whg = portal.unit_by_name("某某区文化馆")
    moved = portal.update_unit(whg.id, parent="某某区教育局", phone="021-5000 0009")
    assert (moved.parent_name, moved.depth, moved.phone) == ("某某区教育局", 2, "021-5000 0009")
    top = portal.unit_by_name("某某区财政局")
    with pytest.raises(Conflict, match="^不能把单位移到它自己或它的下级单位之下。$"):
        portal.update_unit(top.id, parent="某某区文化馆")
    with pytest.raises(Conflict, match="^单位“某某区图书馆”已存在。$"):
        portal.update_unit(whg.id, name="某某区图书馆")
    with pytest.raises(NotFound, match="^上级单位“某某区文化局”不在单位表中。$"):
        portal.update_unit(whg.id, parent="某某区文化局")
    alone = portal.update_unit(whg.id, parent="", name="某某区群众艺术馆")
    assert (alone.name, alone.depth, alone.parent_id) == ("某某区群众艺术馆", 0, None)
    with pytest.raises(Conflict, match="^单位“某某区财政局”已存在。$"):
        portal.add_unit("某某区财政局")
    with pytest.raises(Invalid, match="^单位名称不能为空。$"):
        portal.add_unit("  ")


def test_files_are_named_from_ids_never_from_unit_names(portal):
    unit = portal.add_unit("../../某某区/财政局")
    assert portal.draft_dir(unit.id, 2024) == (
        portal.data_dir / "portal" / "units" / str(unit.id) / "2024" / "draft"
    )
    with pytest.raises(NotFound):
        portal.draft_dir(unit.id + 1, 2024)
    with pytest.raises(Invalid, match="^年度“../2024”无效。$"):
        portal.draft_dir(unit.id, "../2024")


# --------------------------------------------------------------------------- accounts


def test_users_import_with_roles_in_chinese_or_english(bureau):
    users, _units = bureau
    assert [(u.login, u.role, u.role_text, u.unit_name) for u in users.values()] == [
        ("admin", "admin", "管理员", ""),
        ("shencha", "reviewer", "审核员", ""),
        ("wl", "reviewer", "审核员", "某某区文化和旅游局"),
        ("whg", "unit", "单位", "某某区文化馆"),
        ("tsg", "unit", "单位", "某某区图书馆"),
        ("xx", "unit", "单位", "某某区实验小学"),
    ]


def test_a_user_list_with_errors_names_each_row_and_writes_nothing(portal, tmp_path):
    portal.import_units(write_csv(tmp_path / "units.csv", TREE_ROWS))
    rows = [
        ["初始密码", "单位名称", "角色", "登录名"],
        ["Passw0rd-1", "某某区文化馆", "单位", "whg"],
        ["Passw0rd-1", "", "单位", "a1"],
        ["Passw0rd-1", "某某区文化馆", "局长", "a2"],
        ["Passw0rd-1", "某某区文化宫", "单位", "a3"],
        ["short", "某某区文化馆", "单位", "a4"],
        ["", "某某区文化馆", "单位", "a5"],
        ["Passw0rd-2", "某某区图书馆", "单位", "whg"],
        ["Passw0rd-1", "某某区图书馆", "单位", "王 芳"],
    ]
    report = portal.import_users(write_csv(tmp_path / "bad.csv", rows, "gbk"))
    assert [str(e) for e in report.errors] == [
        "第 3 行：单位用户须填写单位名称。",
        "第 4 行：角色“局长”无效：应为 管理员、审核员 或 单位（admin、reviewer、unit）。",
        "第 5 行：单位“某某区文化宫”不在单位表中，请先导入单位表。",
        "第 6 行：密码至少需要 8 个字符。",
        "第 7 行：新账号须填写初始密码。",
        "第 8 行：登录名“whg”与第 2 行重复。",
        "第 9 行：登录名“王 芳”中不能有空格或不可见字符。",
    ]
    assert portal.users() == []


def test_reimporting_users_updates_role_and_unit_and_keeps_the_password(bureau, portal, tmp_path):
    rows = [
        ["登录名", "角色", "单位名称", "初始密码"],
        ["whg", "单位", "某某区图书馆", "Another-2024"],  # moved to another unit
        ["xx", "单位", "某某区实验小学", ""],  # unchanged, no password needed
        ["dyzx", "单位", "某某区第一中学", "Diyi-2024!"],  # new
    ]
    report = portal.import_users(write_csv(tmp_path / "again.csv", rows))
    assert (report.added, report.updated) == (1, 1)
    assert portal.user_by_login("whg").unit_name == "某某区图书馆"
    assert portal.authenticate("whg", "Wenhua-2024").login == "whg"
    with pytest.raises(LoginRefused):
        portal.authenticate("whg", "Another-2024")
    assert portal.authenticate("dyzx", "Diyi-2024!").unit_name == "某某区第一中学"
    demote = [["登录名", "角色", "单位名称"], ["admin", "审核员", ""]]
    with pytest.raises(Conflict, match="^导入后将没有启用的管理员账号：至少须保留一个管理员。$"):
        portal.import_users(write_csv(tmp_path / "demote.csv", demote))
    assert portal.user_by_login("admin").role == "admin"


def test_add_user_rules(portal):
    with pytest.raises(Invalid, match="^密码至少需要 8 个字符。$"):
        portal.add_user("whg", "unit", "1234567", unit="某某区文化馆")
    with pytest.raises(Invalid, match="^单位用户须指定所属单位。$"):
        portal.add_user("whg", "unit", "12345678")
    with pytest.raises(Invalid, match="^角色“boss”无效：应为 admin、reviewer 或 unit。$"):
        portal.add_user("whg", "boss", "12345678")
    assert portal.units() == []
    user = portal.add_user("whg", "unit", "12345678", unit="某某区文化馆")
    assert (user.role, user.unit_name, user.active) == ("unit", "某某区文化馆", True)
    assert tree_of(portal) == [("某某区文化馆", 0, "")]  # added to the tree
    with pytest.raises(Conflict, match="^登录名“whg”已存在。$"):
        portal.add_user("whg", "reviewer", "12345678")
    portal.add_user("wg2", "unit", "12345678", unit="某某区文化馆")
    assert len(portal.units()) == 1  # not twice


def test_no_password_is_stored_or_logged_anywhere(bureau, portal):
    users, _ = bureau
    portal.set_password(users["whg"].id, "Changed-Pass-1")
    portal.authenticate("whg", "Changed-Pass-1", ip="10.0.0.1")
    with pytest.raises(LoginRefused):
        portal.authenticate("whg", "Wenhua-2024", ip="10.0.0.1")
    secrets = ["Admin-2024!", "Review-2024!", "Wenhua-2024", "Changed-Pass-1", "Tushu-20240"]
    with portal.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(table.select()):
                assert not any(s in str(row) for s in secrets), (table.name, row)
        hashes = list(conn.execute(select(User.password_hash)).scalars())
    assert all(h.startswith("$argon2id$v=19$") for h in hashes)
    assert len(set(hashes)) == len(hashes)  # salted


def test_login_right_wrong_and_unknown(bureau, portal, clock):
    user = portal.authenticate("whg", "Wenhua-2024", ip="10.0.0.1")
    assert (user.login, user.last_login) == ("whg", START)
    for login, password in (("whg", "wrong-password"), ("nobody", "Wenhua-2024"), ("", "")):
        with pytest.raises(LoginRefused, match="^用户名或密码错误。$") as refused:
            portal.authenticate(login, password, ip="10.0.0.1")
        assert refused.value.minutes == 0


def test_a_missing_account_costs_one_verification_like_a_wrong_password(bureau, portal):
    """Same work for both (a dummy hash): the answer's timing tells no login apart."""
    calls = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            calls.append(hash)
            return super().verify(hash, password)

    portal.hasher = Counting(time_cost=1, memory_cost=1024, parallelism=1)
    for login in ("whg", "nobody"):
        with pytest.raises(LoginRefused, match="^用户名或密码错误。$"):
            portal.authenticate(login, "wrong-password")
    assert len(calls) == 2
    assert all(h.startswith("$argon2id$v=19$m=1024,t=1,p=1$") for h in calls)
    assert calls[0] != calls[1]


def test_throttle_after_five_failures_for_one_login(bureau, portal, clock):
    for _ in range(5):
        with pytest.raises(LoginRefused, match="^用户名或密码错误。$"):
            portal.authenticate("whg", "wrong-password", ip="10.0.0.1")
        clock.advance(minutes=1)
    clock.advance(minutes=-1)  # the fifth failure was at START + 4 min: now
    locked = "^登录失败次数过多，请 11 分钟后再试。$"
    with pytest.raises(LoginRefused, match=locked) as refused:  # right password, refused
        portal.authenticate("whg", "Wenhua-2024", ip="10.0.0.2")
    assert refused.value.minutes == 11
    clock.advance(minutes=6)  # START + 10 min; attempts while locked are not counted
    with pytest.raises(LoginRefused, match="^登录失败次数过多，请 5 分钟后再试。$"):
        portal.authenticate("whg", "Wenhua-2024", ip="10.0.0.2")
    clock.advance(minutes=4, seconds=30)  # 30 s left: said as one minute
    with pytest.raises(LoginRefused, match="^登录失败次数过多，请 1 分钟后再试。$"):
        portal.authenticate("whg", "Wenhua-2024")
    clock.advance(seconds=30)  # START + 15 min: the first failure has left the window
    assert portal.authenticate("whg", "Wenhua-2024").login == "whg"
    # the success cleared the login's failures: four more are not yet a lock
    for _ in range(4):
        with pytest.raises(LoginRefused, match="^用户名或密码错误。$"):
            portal.authenticate("whg", "wrong-password")
    assert portal.authenticate("whg", "Wenhua-2024").login == "whg"
    # other logins were never concerned
    assert portal.authenticate("tsg", "Tushu-20240").login == "tsg"


def test_throttle_after_five_failures_from_one_ip(bureau, portal, clock):
    for i in range(5):
        with pytest.raises(LoginRefused, match="^用户名或密码错误。$"):
            portal.authenticate(f"guess{i}", "Wenhua-2024", ip="203.0.113.7")
    with pytest.raises(LoginRefused, match="^登录失败次数过多，请 15 分钟后再试。$"):
        portal.authenticate("tsg", "Tushu-20240", ip="203.0.113.7")
    assert portal.authenticate("tsg", "Tushu-20240", ip="203.0.113.8").login == "tsg"
    clock.advance(minutes=15)
    assert portal.authenticate("tsg", "Tushu-20240", ip="203.0.113.7").login == "tsg"


def test_a_login_with_weaker_hash_parameters_upgrades_the_hash(bureau, tmp_path, portal_url):
    def stored(p: Portal) -> str:
        with p.engine.connect() as conn:
            return conn.execute(select(User.password_hash).where(User.login == "whg")).scalar()

    fast = Portal(tmp_path / "data", portal_url, hasher=FAST_HASHER)
    before = stored(fast)
    fast.authenticate("whg", "Wenhua-2024")
    assert stored(fast) == before  # same parameters: left alone
    fast.close()
    stronger = Portal(
        tmp_path / "data",
        portal_url,
        hasher=PasswordHasher(time_cost=2, memory_cost=2048, parallelism=1),
    )
    stronger.authenticate("whg", "Wenhua-2024")
    assert stored(stronger).startswith("$argon2id$v=19$m=2048,t=2,p=1$")
    assert stronger.audit_log(1)[0].detail == "已更新密码哈希参数"
    assert stronger.authenticate("whg", "Wenhua-2024").login == "whg"
    stronger.close()


def test_disabled_accounts(bureau, portal):
    users, _ = bureau
    portal.set_active(users["whg"].id, False)
    with pytest.raises(LoginRefused, match="^该账号已停用，请与管理员联系。$"):
        portal.authenticate("whg", "Wenhua-2024")
    with pytest.raises(LoginRefused, match="^用户名或密码错误。$"):  # no hint without password
        portal.authenticate("whg", "wrong-password")
    assert portal.visible_unit_ids(users["whg"]) == set()
    with pytest.raises(Conflict, match="^至少须保留一个启用的管理员账号。$"):
        portal.set_active(users["admin"].id, False)
    portal.set_active(users["whg"].id, True)
    assert portal.authenticate("whg", "Wenhua-2024").active is True


# --------------------------------------------------------------------------- scope


def test_who_sees_which_units(bureau, portal):
    users, units = bureau
    assert portal.visible_unit_ids(users["admin"]) is None
    assert portal.visible_unit_ids(users["shencha"]) is None
    assert portal.visible_unit_ids(users["wl"]) == {
        units[n] for n in ("某某区文化和旅游局", "某某区文化馆", "某某区图书馆", "某某区文物管理所")
    }
    assert portal.visible_unit_ids(users["whg"]) == {units["某某区文化馆"]}
    assert portal.can_see_unit(users["whg"], units["某某区文化馆"])
    assert not portal.can_see_unit(users["whg"], units["某某区图书馆"])
    assert not portal.can_see_unit(users["wl"], units["某某区实验小学"])
    assert not portal.can_see_unit(users["admin"], 999)


# --------------------------------------------------------------------------- versions


def test_submit_freezes_the_draft_as_numbered_versions(bureau, portal, clock):
    users, units = bureau
    whg, unit_id = users["whg"], units["某某区文化馆"]
    folder = draft(portal, unit_id, "某某区文化馆", b"one")
    v1 = portal.submit(
        whg, unit_id, 2024, folder, [WARNING, WARNING, ERROR], {"department": "某某区文化馆"}
    )
    assert (v1.number, v1.status, v1.status_text, v1.errors, v1.warnings) == (
        1,
        "submitted",
        "已提交",
        1,
        2,
    )
    assert (v1.submitted_by_login, v1.submitted_at, v1.summary) == (
        "whg",
        START,
        {"department": "某某区文化馆"},
    )
    (folder / "workbook.xlsx").write_bytes(b"changed after submitting")
    frozen = portal.version_dir(v1.id)
    assert frozen == folder.parent / "v1"
    assert (frozen / "workbook.xlsx").read_bytes() == b"workbook one"
    assert sorted(p.name for p in frozen.iterdir()) == sorted(
        [
            "workbook.xlsx",
            "2024年度某某区文化馆部门决算公开.docx",
            "2024年度某某区文化馆部门决算公开.pdf",
            "2024年度某某区文化馆部门决算公开审核结果.txt",
            "findings.json",
        ]
    )
    assert portal.version_findings(v1.id) == [WARNING, WARNING, ERROR]
    clock.advance(minutes=5)
    v2 = portal.submit(whg, unit_id, 2024, folder, [], {})  # before any decision: replaces
    assert (v2.number, v2.errors, v2.warnings, v2.latest) == (2, 0, 0, True)
    assert [(v.number, v.status, v.latest) for v in portal.versions(v2.case_id)] == [
        (2, "submitted", True),
        (1, "submitted", False),
    ]
    assert portal.case(unit_id, 2024).status == "submitted"
    assert (portal.version_dir(v2.id) / "workbook.xlsx").read_bytes() == b"changed after submitting"
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")]


def test_the_review_state_machine(bureau, portal, clock):
    users, units = bureau
    whg, rev, unit_id = users["whg"], users["shencha"], units["某某区文化馆"]
    folder = draft(portal, unit_id, "某某区文化馆")
    case = portal.case(unit_id, 2024)
    assert (case.status, case.status_text, case.latest_number) == ("draft", "未提交", None)
    with pytest.raises(Conflict, match="^某某区文化馆的文档尚未通过审核，不能公开。$"):
        portal.publish(rev, [case.id])
    v1 = portal.submit(whg, unit_id, 2024, folder, [WARNING], {})
    v2 = portal.submit(whg, unit_id, 2024, folder, [], {})
    with pytest.raises(Conflict, match=r"^只能审核该单位最新提交的版本（第 2 版）。$"):
        portal.decide(rev, v1.id, "approved")
    returned = portal.decide(rev, v2.id, "returned", "  请补充重点工作的完成情况。 ")
    assert (returned.status, returned.case_status, returned.decided_by_login) == (
        "returned",
        "returned",
        "shencha",
    )
    assert [(c.author_login, c.body, c.section) for c in portal.comments(v2.id)] == [
        ("shencha", "请补充重点工作的完成情况。", "")
    ]
    with pytest.raises(Conflict, match="^该版本已退回修改，须等单位重新提交。$"):
        portal.decide(rev, v2.id, "approved")
    with pytest.raises(Conflict, match="^该版本已退回修改，须等单位重新提交。$"):
        portal.decide(rev, v2.id, "returned")
    v3 = portal.submit(whg, unit_id, 2024, folder, [], {})
    assert (v3.number, v3.case_status) == (3, "submitted")
    approved = portal.decide(rev, v3.id, "approved")
    assert (approved.status_text, portal.case(unit_id, 2024).status_text) == ("已通过", "已通过")
    assert portal.comments(v3.id) == []  # no comment given, none stored
    with pytest.raises(Conflict, match="^该版本已通过审核，不能再提交。$"):
        portal.submit(whg, unit_id, 2024, folder, [], {})
    with pytest.raises(Conflict, match="^该版本已通过审核，不能再次审核通过。$"):
        portal.decide(rev, v3.id, "approved")
    assert portal.publish(rev, [case.id]) == 1
    assert portal.publish(rev, [case.id]) == 0  # already published: left as it is
    assert portal.case(unit_id, 2024).status_text == "已公开"
    with pytest.raises(Conflict, match="^该单位的文档已公开，不能再提交。$"):
        portal.submit(whg, unit_id, 2024, folder, [], {})
    with pytest.raises(Conflict, match="^该单位的文档已公开，不能再次审核通过。$"):
        portal.decide(rev, v3.id, "approved")
    reopened = portal.decide(rev, v3.id, "returned", "公开后发现问题，请修改。")
    assert reopened.case_status == "returned"
    assert portal.submit(whg, unit_id, 2024, folder, [], {}).number == 4
    with pytest.raises(Invalid):
        portal.decide(rev, v3.id, "published")


def test_roles_and_scope_in_the_store(bureau, portal):
    users, units = bureau
    whg, tsg, wl = users["whg"], users["tsg"], users["wl"]
    whg_id, xx_id = units["某某区文化馆"], units["某某区实验小学"]
    folder = draft(portal, whg_id, "某某区文化馆")
    with pytest.raises(NotFound, match="^未找到该单位。$"):
        portal.submit(tsg, whg_id, 2024, folder, [], {})  # another unit's
    with pytest.raises(Forbidden, match="^只有本单位的用户可以提交。$"):
        portal.submit(users["shencha"], whg_id, 2024, folder, [], {})
    v1 = portal.submit(whg, whg_id, 2024, folder, [], {})
    with pytest.raises(Forbidden, match="^您的角色无权进行此操作。$"):
        portal.decide(whg, v1.id, "approved")
    with pytest.raises(Forbidden):
        portal.comment(whg, v1.id, "自己批准")
    with pytest.raises(Forbidden):
        portal.dashboard(whg, 2024)
    with pytest.raises(Forbidden):
        portal.set_setting(users["shencha"], "year", "2024")
    xx_draft = draft(portal, xx_id, "某某区实验小学")
    school = portal.submit(users["xx"], xx_id, 2024, xx_draft, [], {})
    with pytest.raises(NotFound, match="^未找到该单位。$"):  # outside wl's subtree
        portal.decide(wl, school.id, "approved")
    with pytest.raises(NotFound):
        portal.comment(wl, school.id, "看看")
    assert portal.decide(wl, v1.id, "approved").status == "approved"
    portal.set_active(whg.id, False)
    with pytest.raises(Forbidden, match="^该账号已停用或不存在。$"):
        portal.submit(whg, whg_id, 2024, folder, [], {})


def test_concurrent_submissions_get_distinct_numbers(bureau, portal):
    """Eight submissions of one case at the same instant: numbers 1–8, each once, each
    with its own frozen folder (the unique constraint decides, the losers retry)."""
    users, units = bureau
    whg, unit_id = users["whg"], units["某某区文化馆"]
    folder = draft(portal, unit_id, "某某区文化馆")
    barrier = threading.Barrier(8)
    made, failed = [], []

    def submit(i: int) -> None:
        barrier.wait()
        try:
            made.append(portal.submit(whg, unit_id, 2024, folder, [WARNING] * i, {"i": i}))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failed.append(exc)

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == []
    assert sorted(v.number for v in made) == [1, 2, 3, 4, 5, 6, 7, 8]
    stored = portal.versions(made[0].case_id)
    assert [v.number for v in stored] == [8, 7, 6, 5, 4, 3, 2, 1]
    for v in stored:  # each version's folder holds its own findings
        assert len(portal.version_findings(v.id)) == v.warnings == v.summary["i"]
        assert (portal.version_dir(v.id) / "workbook.xlsx").read_bytes() == b"workbook v"
    assert sorted(p.name for p in folder.parent.iterdir()) == [
        "draft",
        *sorted(f"v{n}" for n in range(1, 9)),
    ]


def test_concurrent_submissions_of_different_units(bureau, portal):
    users, units = bureau
    pairs = [
        (users["whg"], units["某某区文化馆"]),
        (users["tsg"], units["某某区图书馆"]),
        (users["xx"], units["某某区实验小学"]),
    ]
    folders = [draft(portal, uid, "x") for _, uid in pairs]
    barrier = threading.Barrier(6)
    made, failed = [], []

    def submit(k: int) -> None:
        user, uid = pairs[k % 3]
        barrier.wait()
        try:
            made.append((uid, portal.submit(user, uid, 2024, folders[k % 3], [], {}).number))
        except Exception as exc:  # noqa: BLE001
            failed.append(exc)

    threads = [threading.Thread(target=submit, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == []
    assert sorted(made) == sorted((uid, n) for _, uid in pairs for n in (1, 2))


# --------------------------------------------------------------------------- bureau


@pytest.fixture
def reviewed(bureau, portal, clock):
    """文化馆 returned with two comments, 图书馆 approved at its second version,
    实验小学 submitted with one comment; the others have nothing."""
    users, units = bureau
    rev = users["shencha"]
    whg = portal.submit(
        users["whg"],
        units["某某区文化馆"],
        2024,
        draft(portal, units["某某区文化馆"], "某某区文化馆"),
        [WARNING, WARNING],
        {},
    )
    portal.decide(rev, whg.id, "returned", "请补充重点工作。")
    portal.comment(rev, whg.id, "图2 的说明与表不符。", section="图2", finding="R05")
    clock.advance(minutes=5)  # 10:05
    tsg_folder = draft(portal, units["某某区图书馆"], "某某区图书馆", b"first")
    portal.submit(users["tsg"], units["某某区图书馆"], 2024, tsg_folder, [ERROR], {})
    tsg_folder = draft(portal, units["某某区图书馆"], "某某区图书馆", b"second")
    tsg = portal.submit(users["tsg"], units["某某区图书馆"], 2024, tsg_folder, [WARNING], {})
    portal.comment(rev, tsg.id, "可以。")
    portal.decide(rev, tsg.id, "approved")
    draft(portal, units["某某区图书馆"], "某某区图书馆", b"edited after approval")
    clock.advance(minutes=30)  # 10:35
    xx = portal.submit(
        users["xx"],
        units["某某区实验小学"],
        2024,
        draft(portal, units["某某区实验小学"], "某某区实验小学"),
        [ERROR, WARNING],
        {},
    )
    portal.comment(rev, xx.id, "十（四）缺少绩效自评结果。", section="十（四）")
    return users, units


#: (unit, status, version, errors, warnings, open comments, submitted at, by)
DASHBOARD = [
    ("某某区财政局", "未提交", None, 0, 0, 0, "", ""),
    ("某某区文化和旅游局", "未提交", None, 0, 0, 0, "", ""),
    ("某某区文化馆", "退回修改", 1, 0, 2, 2, "2026-12-01 10:00", "whg"),
    ("某某区图书馆", "已通过", 2, 0, 1, 0, "2026-12-01 10:05", "tsg"),
    ("某某区文物管理所", "未提交", None, 0, 0, 0, "", ""),
    ("某某区教育局", "未提交", None, 0, 0, 0, "", ""),
    ("某某区实验小学", "已提交", 1, 1, 1, 1, "2026-12-01 10:35", "xx"),
    ("某某区第一中学", "未提交", None, 0, 0, 0, "", ""),
    ("某某区职业技术学校", "未提交", None, 0, 0, 0, "", ""),
]


def shown(rows) -> list[tuple]:
    return [
        (
            r.unit_name,
            r.status_text,
            r.version,
            r.errors,
            r.warnings,
            r.open_comments,
            local_time(r.submitted_at),
            r.submitted_by,
        )
        for r in rows
    ]


def test_dashboard_one_row_per_unit_in_scope(reviewed, portal):
    users, units = reviewed
    rev = users["shencha"]
    assert shown(portal.dashboard(rev, 2024)) == DASHBOARD
    assert shown(portal.dashboard(users["admin"], 2024)) == DASHBOARD
    assert shown(portal.dashboard(users["wl"], 2024)) == DASHBOARD[1:5]
    assert [r.unit_name for r in portal.dashboard(rev, 2024, search="文化")] == [
        "某某区文化和旅游局",
        "某某区文化馆",
    ]
    assert shown(portal.dashboard(rev, 2024, parent=units["某某区教育局"])) == DASHBOARD[5:]
    assert [r.unit_name for r in portal.dashboard(rev, 2024, status="已通过")] == ["某某区图书馆"]
    assert len(portal.dashboard(rev, 2024, status="draft")) == 6
    assert portal.dashboard(rev, 2024, status="已公开") == []
    with pytest.raises(NotFound):  # a subtree outside wl's scope
        portal.dashboard(users["wl"], 2024, parent=units["某某区教育局"])
    assert {r.status_text for r in portal.dashboard(rev, 2023)} == {"未提交"}
    row = portal.dashboard(rev, 2024, search="图书馆")[0]
    assert (row.depth, row.parent_name, row.case_id is not None) == (2, "某某区文化和旅游局", True)


def test_dashboard_xlsx_has_a_header_and_one_row_per_unit(reviewed, portal):
    users, _ = reviewed
    data = portal.dashboard_xlsx(portal.dashboard(users["shencha"], 2024))
    sheet = load_workbook(io.BytesIO(data)).active
    values = [
        tuple("" if c is None else c for c in row) for row in sheet.iter_rows(values_only=True)
    ]
    assert sheet.title == "单位状态"
    assert values[0] == (
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
    assert values[1:] == [
        ("某某区财政局", "", "未提交", "", 0, 0, 0, "", ""),
        ("某某区文化和旅游局", "某某区财政局", "未提交", "", 0, 0, 0, "", ""),
        ("某某区文化馆", "某某区文化和旅游局", "退回修改", 1, 0, 2, 2, "2026-12-01 10:00", "whg"),
        ("某某区图书馆", "某某区文化和旅游局", "已通过", 2, 0, 1, 0, "2026-12-01 10:05", "tsg"),
        ("某某区文物管理所", "某某区文化和旅游局", "未提交", "", 0, 0, 0, "", ""),
        ("某某区教育局", "某某区财政局", "未提交", "", 0, 0, 0, "", ""),
        ("某某区实验小学", "某某区教育局", "已提交", 1, 1, 1, 1, "2026-12-01 10:35", "xx"),
        ("某某区第一中学", "某某区教育局", "未提交", "", 0, 0, 0, "", ""),
        ("某某区职业技术学校", "某某区教育局", "未提交", "", 0, 0, 0, "", ""),
    ]


def test_approved_zip_holds_each_approved_document_and_the_summary(reviewed, portal, tmp_path):
    users, units = reviewed
    rev = users["shencha"]
    odd = portal.add_unit("某某区/测试:单位", "某某区教育局")
    portal.add_user("odd", "unit", "Odd-unit-2024", unit=odd.name)
    odd_user = portal.user_by_login("odd")
    v = portal.submit(odd_user, odd.id, 2024, draft(portal, odd.id, "测试单位"), [], {})
    portal.decide(rev, v.id, "approved")
    portal.publish(rev, [v.case_id])
    with zipfile.ZipFile(io.BytesIO(portal.approved_zip(rev, 2024, ip="10.0.0.5"))) as z:
        names = z.namelist()
        assert names == [
            "某某区图书馆/2024年度某某区图书馆部门决算公开.docx",
            "某某区图书馆/2024年度某某区图书馆部门决算公开.pdf",
            "某某区_测试_单位/2024年度测试单位部门决算公开.docx",
            "某某区_测试_单位/2024年度测试单位部门决算公开.pdf",
            "汇总.xlsx",
        ]
        # the approved version's bytes, not the draft edited afterwards
        assert z.read(names[0]) == b"docx second"
        summary = load_workbook(io.BytesIO(z.read("汇总.xlsx"))).active
        statuses = {r[0]: r[2] for r in summary.iter_rows(min_row=2, values_only=True)}
    assert len(statuses) == 10
    assert (statuses["某某区图书馆"], statuses["某某区/测试:单位"]) == ("已通过", "已公开")
    entry = portal.audit_log(1)[0]
    assert (entry.action, entry.login, entry.target, entry.detail, entry.ip) == (
        "download_zip",
        "shencha",
        "2024 年度",
        "2 个单位",
        "10.0.0.5",
    )
    assert portal.write_approved_zip(rev, 2024, tmp_path / "all.zip") == 2
    with zipfile.ZipFile(tmp_path / "all.zip") as z:
        assert len(z.namelist()) == 5
        assert z.getinfo(names[0]).compress_type == zipfile.ZIP_STORED
        assert z.getinfo(names[1]).compress_type == zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(io.BytesIO(portal.approved_zip(users["wl"], 2024))) as z:
        assert [n.split("/")[0] for n in z.namelist()] == [
            "某某区图书馆",
            "某某区图书馆",
            "汇总.xlsx",
        ]


def test_settings(bureau, portal):
    users, _ = bureau
    assert portal.get_setting("profile") is None
    assert portal.get_setting("profile", "yunnan-2021") == "yunnan-2021"
    portal.set_setting(users["admin"], "profile", "shanghai-2024", ip="10.0.0.9")
    assert portal.get_setting("profile") == "shanghai-2024"
    portal.set_setting(users["admin"], "profile", "yunnan-2021")
    assert portal.get_setting("profile") == "yunnan-2021"
    with pytest.raises(Invalid, match="^设置项“../x”无效。$"):
        portal.set_setting(users["admin"], "../x", "1")


def test_every_write_is_in_the_audit_log(bureau, portal, tmp_path, clock):
    users, units = bureau
    admin, rev, whg = users["admin"], users["shencha"], users["whg"]
    ip = "198.51.100.4"
    unit = portal.add_unit("某某区档案馆", "某某区财政局", actor=admin, ip=ip)
    portal.update_unit(unit.id, contact="钱进", actor=admin, ip=ip)
    portal.add_user("dag", "unit", "Dangan-2024", unit="某某区档案馆", actor=admin, ip=ip)
    dag = portal.user_by_login("dag")
    portal.set_password(dag.id, "Dangan-2025", actor=admin, ip=ip)
    portal.set_active(dag.id, False, actor=admin, ip=ip)
    portal.set_active(dag.id, True, actor=admin, ip=ip)
    portal.authenticate("whg", "Wenhua-2024", ip=ip)
    with pytest.raises(LoginRefused):
        portal.authenticate("whg", "not-the-password", ip=ip)
    v = portal.submit(
        whg, units["某某区文化馆"], 2024, draft(portal, units["某某区文化馆"], "x"), [], {}, ip=ip
    )
    portal.comment(rev, v.id, "请核对。", ip=ip)
    portal.decide(rev, v.id, "returned", ip=ip)
    v2 = portal.submit(
        whg, units["某某区文化馆"], 2024, draft(portal, units["某某区文化馆"], "x"), [], {}, ip=ip
    )
    portal.decide(rev, v2.id, "approved", ip=ip)
    portal.publish(rev, [v2.case_id], ip=ip)
    portal.set_setting(admin, "year", "2024", ip=ip)
    portal.audit(rev, "logout", "shencha", ip=ip)
    log = portal.audit_log()
    mine = [(e.login, e.action, e.target, e.ip) for e in reversed(log) if e.ip == ip]
    assert mine == [
        ("admin", "add_unit", "某某区档案馆", ip),
        ("admin", "update_unit", "某某区档案馆", ip),
        ("admin", "add_user", "dag", ip),
        ("admin", "set_password", "dag", ip),
        ("admin", "disable_user", "dag", ip),
        ("admin", "enable_user", "dag", ip),
        ("whg", "login", "whg", ip),
        ("", "login_failed", "whg", ip),
        ("whg", "submit", "某某区文化馆 第 1 版", ip),
        ("shencha", "comment", "某某区文化馆 第 1 版", ip),
        ("shencha", "returned", "某某区文化馆 第 1 版", ip),
        ("whg", "submit", "某某区文化馆 第 2 版", ip),
        ("shencha", "approved", "某某区文化馆 第 2 版", ip),
        ("shencha", "publish", "某某区文化馆 2024 年度", ip),
        ("admin", "set_setting", "year", ip),
        ("shencha", "logout", "shencha", ip),
    ]
    # the imports of the fixture, by the command line (no actor)
    assert [(e.login, e.action, e.target, e.detail) for e in log[-2:]] == [
        ("", "import_users", "users.csv", "新增 6，更新 0"),
        ("", "import_units", "units.csv", "新增 9，更新 0"),
    ]
    assert log[0].at == START
    assert all(e.user_id == admin.id for e in log if e.login == "admin")
    assert json.loads(json.dumps([e.action for e in portal.audit_log(3)])) == [
        "logout",
        "set_setting",
        "publish",
    ]
