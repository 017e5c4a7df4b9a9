"""What a user may see: their own unit (unit users) or the units of their scope
(reviewers and admins, limited to a subtree when their account names a unit).

Anything outside the scope is answered exactly like something that does not exist
(404, the same message), so ids and names of other units never leak.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from .guard import ctx


def not_found() -> HTTPException:
    return HTTPException(404)


#: The largest id a table holds (PostgreSQL's ``integer``: a bigger one is a database
#: error there, not "not found").
MAX_ID = 2**31 - 1


def as_id(raw) -> int | None:
    """``raw`` as a table id when it is one: ASCII digits (``str.isdigit`` alone admits
    ``²``, which ``int`` refuses) up to :data:`MAX_ID`; else None."""
    raw = str(raw)
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 10 or int(raw) > MAX_ID:
        return None
    return int(raw)


def int_param(request: Request, name: str) -> int:
    """A path id, else 404 before touching the database."""
    value = as_id(request.path_params.get(name, ""))
    if value is None:
        raise not_found()
    return value


def unit_of(request: Request, user, unit_id: int):
    """The unit, when the user may see it."""
    from ..store import NotFound

    portal = ctx(request).portal
    if not portal.can_see_unit(user, unit_id):
        raise not_found()
    try:
        return portal.unit(unit_id)
    except NotFound:
        raise not_found() from None


def version_of(request: Request, user, version_id: int):
    """(version, case, unit) when the user may see the version's unit."""
    from ..store import NotFound

    portal = ctx(request).portal
    try:
        version = portal.version(version_id)
        case = portal.case_by_id(version.case_id)
    except NotFound:
        raise not_found() from None
    unit = unit_of(request, user, case.unit_id)
    return version, case, unit


def own_unit_id(user) -> int:
    """A unit user's unit; other roles have no "own" unit pages."""
    if user.role != "unit" or user.unit_id is None:
        raise not_found()
    return user.unit_id
