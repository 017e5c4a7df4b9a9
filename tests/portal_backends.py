"""The portal's two database backends as one fixture: ``portal_url`` is a fresh, empty
database per test, on SQLite (a file in the test's folder) and on PostgreSQL.

PostgreSQL: ``REPORTGEN_TEST_POSTGRES_URL`` names a server (``tools/postgres.sh`` starts
a throwaway one and prints it; .ci/run does so); each test gets its own database, dropped
afterwards. Without that variable the PostgreSQL case is skipped — unless
``REPORTGEN_REQUIRE_POSTGRES`` is set (as in .ci/run), when a missing or unreachable
server fails the test instead of hiding it.

``FAST_HASHER`` is argon2id with small costs: the tests hash many passwords, and what
they check (salted hashes, verification, upgrading on login) does not depend on the cost.
"""

from __future__ import annotations

import os
import secrets

import pytest

POSTGRES_ENV = "REPORTGEN_TEST_POSTGRES_URL"
REQUIRE_ENV = "REPORTGEN_REQUIRE_POSTGRES"


def _fast_hasher():
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


FAST_HASHER = _fast_hasher()


def postgres_server_url() -> str | None:
    """The server URL to test against; skip or fail (see the module docstring) without."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{REQUIRE_ENV} is set but {POSTGRES_ENV} is not (start tools/postgres.sh)")
    pytest.skip(f"{POSTGRES_ENV} not set: run tools/postgres.sh to test on PostgreSQL")
    return None  # pragma: no cover


def _fresh_postgres_database(server_url: str):
    """(url of a new database, drop()) on the server ``server_url``."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"reportgen_test_{secrets.token_hex(6)}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    except Exception as exc:  # noqa: BLE001 - an unreachable server is a failure, said why
        admin.dispose()
        pytest.fail(f"PostgreSQL at {make_url(server_url).render_as_string()} unusable: {exc}")
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)

    def drop() -> None:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()

    return url, drop


@pytest.fixture(params=["sqlite", "postgresql"])
def portal_url(request, tmp_path):
    """A database URL with nothing in it yet, on each backend in turn."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portal-test.sqlite3'}"
        return
    url, drop = _fresh_postgres_database(postgres_server_url())
    try:
        yield url
    finally:
        drop()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def portal_url_module(request, tmp_path_factory):
    """``portal_url`` shared by the tests of one module (import it there): for modules
    that build their documents once per backend instead of once per test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('portal-module') / 'portal-test.sqlite3'}"
        return
    url, drop = _fresh_postgres_database(postgres_server_url())
    try:
        yield url
    finally:
        drop()
