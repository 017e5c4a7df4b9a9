"""The finance bureau's portal (``reportgen serve --accounts``): accounts, the unit tree,
submitted versions, review and sign-off.

docs/portal-design.md is the contract between its layers: :mod:`.store` (class ``Portal``,
every read and write of the portal's data), :mod:`.db` (SQLAlchemy models, Alembic
migrations in ``migrations/``), :mod:`.auth`, :mod:`.hierarchy`, :mod:`.cli` and ``web/``.

This module imports nothing: ``reportgen --help`` and the single-user server must not
load SQLAlchemy or argon2.
"""
