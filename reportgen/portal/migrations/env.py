"""Alembic environment of the portal's database.

Run by :func:`reportgen.portal.store.upgrade` (``alembic upgrade head`` without an ini
file): the caller passes an open connection in ``config.attributes["connection"]``.
Without one (a maintainer running Alembic by hand with ``-x url=…``), an engine is made
from that URL. Logging is left as the application configured it.
"""

from __future__ import annotations

from alembic import context

from reportgen.portal.db import Base, make_engine

target_metadata = Base.metadata


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("the portal's migrations run online only (reportgen upgrades on start)")
run_migrations_online()
