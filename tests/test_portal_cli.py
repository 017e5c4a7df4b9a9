"""``reportgen users add | import | import-units | list`` on SQLite and PostgreSQL.

The accounts a command makes are checked by logging in through the same ``Portal`` that
``serve --accounts`` uses; messages and exit codes are the exact ones a bureau's admin
sees. ``reportgen --help`` must not load the portal (SQLAlchemy, argon2).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from portal_backends import FAST_HASHER
from test_portal_store import TREE, TREE_ROWS, USERS_ROWS, write_csv, write_xlsx

from reportgen.cli import main
from reportgen.portal.store import LoginRefused, Portal

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def run(tmp_path, portal_url):
    """``run(*args, stdin=…)``: one ``reportgen users …`` on the test's database."""
    data_dir = tmp_path / "data"

    def invoke(*args: str, stdin: str | None = None):
        where = ["--data-dir", str(data_dir), "--database-url", portal_url]
        return CliRunner().invoke(main, ["users", *args, *where], input=stdin)

    invoke.portal = lambda: Portal(data_dir, portal_url, hasher=FAST_HASHER)
    return invoke


def test_users_add_reads_the_password_from_stdin(run):
    res = run("add", "admin", "--role", "admin", "--password-stdin", stdin="Admin-2024!\n")
    assert (res.exit_code, res.stdout, res.stderr) == (0, "已添加账号 admin（管理员）。\n", "")
    res = run(
        "add",
        "whg",
        "--role",
        "unit",
        "--unit",
        "某某区文化馆",
        "--password-stdin",
        stdin="Wenhua 2024\r\n",  # inner space kept, line end (Windows too) dropped
    )
    assert res.exit_code == 0
    assert res.stdout == (
        "单位“某某区文化馆”不在单位表中，已添加为顶层单位。\n已添加账号 whg（单位，某某区文化馆）。\n"
    )
    res = run(
        "add", "wl", "--role", "reviewer", "--unit", "某某区文化馆", "--password-stdin",
        stdin="Wenlv-2024!",
    )  # fmt: skip
    assert res.stdout == "已添加账号 wl（审核员，某某区文化馆）。\n"
    portal = run.portal()
    assert portal.authenticate("whg", "Wenhua 2024").unit_name == "某某区文化馆"
    assert portal.authenticate("admin", "Admin-2024!").role == "admin"
    assert [u.name for u in portal.units()] == ["某某区文化馆"]
    assert [(e.login, e.action, e.target) for e in reversed(portal.audit_log())][:3] == [
        ("", "add_user", "admin"),
        ("", "add_unit", "某某区文化馆"),
        ("", "add_user", "whg"),
    ]
    portal.close()


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["x", "--role", "unit", "--password-stdin"], "Passw0rd-1\n", "单位用户须用 --unit 指定所属单位。"),
        (["x", "--role", "admin", "--password-stdin"], "short\n", "密码至少需要 8 个字符。"),
        (["x", "--role", "admin", "--password-stdin"], "", "密码至少需要 8 个字符。"),
        (["x", "--role", "admin"], "Passw0rd-1\n", "请用 --password-stdin 从标准输入提供密码。"),
        (["王 芳", "--role", "admin", "--password-stdin"], "Passw0rd-1\n",
         "登录名“王 芳”中不能有空格或不可见字符。"),
    ],
)  # fmt: skip
def test_users_add_refuses_bad_input_with_exit_2(run, args, stdin, message):
    res = run("add", *args, stdin=stdin)
    assert (res.exit_code, res.stdout, res.stderr) == (2, "", message + "\n")
    portal = run.portal()
    assert (portal.users(), portal.units()) == ([], [])
    portal.close()


def test_users_add_refuses_a_login_twice(run):
    assert (
        run("add", "admin", "--role", "admin", "--password-stdin", stdin="Admin-2024!").exit_code
        == 0
    )
    res = run("add", "admin", "--role", "reviewer", "--password-stdin", stdin="Other-2024!")
    assert (res.exit_code, res.stderr) == (2, "登录名“admin”已存在。\n")
    portal = run.portal()
    with pytest.raises(LoginRefused):
        portal.authenticate("admin", "Other-2024!")
    portal.close()


def test_an_unknown_role_is_refused_by_click(run):
    res = run("add", "x", "--role", "boss", "--password-stdin", stdin="Passw0rd-1")
    assert res.exit_code == 2
    assert "'boss' is not one of 'admin', 'reviewer', 'unit'" in res.stderr


def test_users_import_units_then_accounts_and_list(run, tmp_path):
    res = run("import-units", str(write_xlsx(tmp_path / "单位表.xlsx", TREE_ROWS)))
    assert (res.exit_code, res.stdout) == (0, "新增 9 条，更新 0 条。\n")
    res = run("import", str(write_csv(tmp_path / "账号.csv", USERS_ROWS, "gbk")))
    assert (res.exit_code, res.stdout) == (0, "新增 6 条，更新 0 条。\n")
    res = run("list")
    assert res.exit_code == 0
    assert res.stdout.splitlines() == [
        "登录名   角色    单位                状态",
        "admin    管理员  —                   启用",
        "shencha  审核员  —                   启用",
        "wl       审核员  某某区文化和旅游局  启用",
        "whg      单位    某某区文化馆        启用",
        "tsg      单位    某某区图书馆        启用",
        "xx       单位    某某区实验小学      启用",
    ]
    portal = run.portal()
    assert [(u.name, u.depth, u.parent_name) for u in portal.units()] == TREE
    portal.set_active(portal.user_by_login("tsg").id, False)
    portal.close()
    assert run("list").stdout.splitlines()[5] == "tsg      单位    某某区图书馆        停用"


def test_users_import_with_errors_lists_rows_writes_nothing_exit_2(run, tmp_path):
    run("import-units", str(write_csv(tmp_path / "units.csv", TREE_ROWS)))
    rows = [
        ["登录名", "角色", "单位名称", "初始密码"],
        ["whg", "单位", "某某区文化馆", "Wenhua-2024"],
        ["tsg", "单位", "某某区图书馆", "1234"],
        ["xx", "校长", "某某区实验小学", "Xiaoxue-2024"],
    ]
    res = run("import", str(write_csv(tmp_path / "users.csv", rows)))
    assert (res.exit_code, res.stdout) == (2, "")
    assert res.stderr == (
        "第 3 行：密码至少需要 8 个字符。\n"
        "第 4 行：角色“校长”无效：应为 管理员、审核员 或 单位（admin、reviewer、unit）。\n"
        "文件有错误，未导入任何内容。\n"
    )
    assert run("list").stdout == "还没有账号。用 reportgen users add 添加。\n"
    res = run("import", str(tmp_path / "missing.csv"))
    assert res.exit_code == 2
    assert res.stderr.startswith("无法读取文件 missing.csv：")
    res = run("import-units", str(write_csv(tmp_path / "u.txt", TREE_ROWS)))
    assert (res.exit_code, res.stderr) == (
        2,
        "不支持的文件类型“.txt”：请使用 .csv 或 .xlsx 文件。\n",
    )


def test_the_data_dir_is_the_one_serve_uses(tmp_path, monkeypatch):
    """Same option, same default: accounts made without --data-dir are serve's."""
    from reportgen.portal.cli import users

    serve = {p.name: p for p in main.commands["serve"].params}["data_dir"]
    for name in ("add", "import", "import-units", "list"):
        option = {p.name: p for p in users.commands[name].params}["data_dir"]
        assert (option.default, option.opts) == (serve.default, serve.opts)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("REPORTGEN_DATABASE_URL", raising=False)
    res = CliRunner().invoke(
        main, ["users", "add", "admin", "--role", "admin", "--password-stdin"], input="Admin-2024!"
    )
    assert res.exit_code == 0
    assert (tmp_path / "reportgen-data" / "portal.sqlite3").exists()


def test_the_database_url_from_the_environment(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'bureau.db'}"
    monkeypatch.setenv("REPORTGEN_DATABASE_URL", url)
    res = CliRunner().invoke(
        main,
        [
            "users",
            "add",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
            "--data-dir",
            str(tmp_path),
        ],
        input="Admin-2024!",
    )
    assert res.exit_code == 0
    assert (tmp_path / "bureau.db").exists() and not (tmp_path / "portal.sqlite3").exists()


def test_a_bad_or_unreachable_database_is_exit_2_without_the_password(tmp_path):
    res = CliRunner().invoke(
        main, ["users", "list", "--data-dir", str(tmp_path), "--database-url", "nonsense"]
    )
    assert (res.exit_code, res.stderr) == (
        2,
        "数据库地址无效：应形如 sqlite:///路径 或 postgresql+psycopg://用户:密码@主机/库。\n",
    )
    url = "postgresql+psycopg://bureau:Secret-pw-1@127.0.0.1:1/portal"
    res = CliRunner().invoke(
        main, ["users", "list", "--data-dir", str(tmp_path), "--database-url", url]
    )
    assert res.exit_code == 2
    assert res.stderr.startswith(
        "无法连接数据库 postgresql+psycopg://bureau:***@127.0.0.1:1/portal：connection failed"
    )
    assert "Secret-pw-1" not in res.stderr


def test_reportgen_help_does_not_load_the_portal():
    code = (
        "import json, sys\n"
        "from reportgen.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:], standalone_mode=False)\n"
        "finally:\n"
        "    print(json.dumps(sorted(m for m in ('sqlalchemy', 'argon2', 'alembic',\n"
        "        'reportgen.portal', 'reportgen.portal.cli') if m in sys.modules)))\n"
    )

    def loaded(*args: str) -> list[str]:
        out = subprocess.run(
            [sys.executable, "-c", code, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        ).stdout
        return json.loads(out.strip().splitlines()[-1])

    assert loaded("--help") == []
    # the group's help names its commands without opening a database
    assert loaded("users", "--help") == ["reportgen.portal", "reportgen.portal.cli"]
