"""The portal's pages and JSON API (``reportgen serve --accounts``).

Modules follow what a request goes through: :mod:`.guard` finds the session's user and
refuses a write without its CSRF token; :mod:`.access` decides what that user may see
(404 for another unit's things, 403 for a role without the right); :mod:`.unit_pages`,
:mod:`.review_pages` and :mod:`.admin_pages` are the three roles' pages; :mod:`.api` the
same actions as JSON. :func:`routes` lists them all for :func:`reportgen.web.app.create_app`.
"""

from __future__ import annotations

from starlette.routing import Route

from . import admin_pages, api, review_pages, unit_pages
from .guard import home, login_page, login_post, logout_post

#: Routes that take a workbook upload: SecurityMiddleware counts their bodies.
UPLOAD_PATHS = ("/unit/upload", "/api/unit/upload")


def routes() -> list[Route]:
    """Every route of the portal; each handler checks the role it needs itself."""
    return [
        Route("/", home),
        Route("/login", login_page),
        Route("/login", login_post, methods=["POST"]),
        Route("/logout", logout_post, methods=["POST"]),
        *unit_pages.routes(),
        *review_pages.routes(),
        *admin_pages.routes(),
        *api.routes(),
    ]
