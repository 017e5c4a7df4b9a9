"""The portal under a small load, on SQLite and on PostgreSQL: bench/portal_load.py with
10 unit users, each logging in, uploading its workbook and submitting once, all at once,
while a reviewer polls GET /api/dashboard every 0.2 s against a real `reportgen serve
--accounts` on 127.0.0.1.

What must hold whatever the machine: every submission recorded exactly once (the database
holds version 1 and nothing else for every unit), every poll answered, and the last
answer shows all 10 units 已提交. Timings are the bench's job (bench/portal_load.py
prints them against the 1 s target); none is asserted here.
"""

from __future__ import annotations

import sys
from pathlib import Path

from portal_backends import FAST_HASHER

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import portal_load  # noqa: E402 - bench/ is not a package

USERS = 10


def test_ten_units_submit_once_while_the_dashboard_is_polled(portal_url, tmp_path):
    result = portal_load.run(USERS, 2, tmp_path / "load", portal_url, hasher=FAST_HASHER)
    logins = [f"unit{i:03d}" for i in range(1, USERS + 1)]
    assert [(u.login, u.problem) for u in result.units] == [(login, "") for login in logins]
    assert [u.version for u in result.units] == [1] * USERS
    # the database: one version per unit, numbered 1 — none lost, none twice
    assert result.recorded == {login: [1] for login in logins}
    assert result.polls.failures == []
    assert len(result.polls.latencies) >= 2  # polled during the load, and once after it
    # the last answer: the bureau, one 主管部门, the 10 units — all of them 已提交
    assert (result.polls.rows, result.polls.submitted) == (USERS + 2, USERS)
