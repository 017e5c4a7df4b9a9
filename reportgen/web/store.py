"""Job records in SQLite under the data dir, so a restart loses no finished job.

SQLite is embedded in the standard library: nothing to install or run next to the
server. Every job also owns one folder ``<data_dir>/jobs/<id>/`` holding its uploads
(``in/``) and its outputs (``out/``); deleting a job deletes both.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import time
from pathlib import Path

QUEUED, RUNNING, DONE, FAILED, INTERRUPTED = "queued", "running", "done", "failed", "interrupted"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    pack TEXT NOT NULL,
    created REAL NOT NULL,
    finished REAL,
    done INTEGER NOT NULL DEFAULT 0,
    total INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    result TEXT NOT NULL DEFAULT '{}'
)
"""


class JobStore:
    """Thin wrapper over one SQLite connection, shared by the event loop and threads."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.jobs_dir = self.data_dir / "jobs"
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        # one connection guarded by a lock: writes are tiny, contention is negligible
        self._db = sqlite3.connect(
            self.data_dir / "jobs.sqlite3", check_same_thread=False, isolation_level=None
        )
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def job_dir(self, job_id: str) -> Path:
        return self.jobs_dir / job_id

    def create(self, job_id: str, kind: str, pack: str, total: int) -> None:
        self._exec(
            "INSERT INTO jobs (id, kind, status, pack, created, total) VALUES (?, ?, ?, ?, ?, ?)",
            (job_id, kind, QUEUED, pack, time.time(), total),
        )

    def set_status(self, job_id: str, status: str) -> None:
        self._exec("UPDATE jobs SET status = ? WHERE id = ?", (status, job_id))

    def progress(self, job_id: str, done: int, failed: int, result: dict) -> None:
        """Record a finished unit: the pages poll this while the job runs."""
        self._exec(
            "UPDATE jobs SET done = ?, failed = ?, result = ? WHERE id = ?",
            (done, failed, _dump(result), job_id),
        )

    def finish(self, job_id: str, status: str, result: dict) -> None:
        self._exec(
            "UPDATE jobs SET status = ?, finished = ?, result = ? WHERE id = ?",
            (status, time.time(), _dump(result), job_id),
        )

    def get(self, job_id: str) -> dict | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return _record(row) if row else None

    def recent(self, limit: int = 50) -> list[dict]:
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM jobs ORDER BY created DESC LIMIT ?", (limit,)
            ).fetchall()
        return [_record(r) for r in rows]

    def mark_interrupted(self) -> int:
        """At startup: jobs that were queued or running died with the previous server."""
        with self._lock:
            cur = self._db.execute(
                "UPDATE jobs SET status = ?, finished = ? WHERE status IN (?, ?)",
                (INTERRUPTED, time.time(), QUEUED, RUNNING),
            )
        return cur.rowcount

    def purge(self, retention_days: float, now: float | None = None) -> list[str]:
        """Delete jobs (records and folders) older than the retention period."""
        cutoff = (now if now is not None else time.time()) - retention_days * 86400
        with self._lock:
            ids = [
                r["id"]
                for r in self._db.execute("SELECT id FROM jobs WHERE created < ?", (cutoff,))
            ]
            self._db.executemany("DELETE FROM jobs WHERE id = ?", [(i,) for i in ids])
        for job_id in ids:
            shutil.rmtree(self.job_dir(job_id), ignore_errors=True)
        return ids

    def _exec(self, sql: str, args: tuple) -> None:
        with self._lock:
            self._db.execute(sql, args)


def _dump(result: dict) -> str:
    return json.dumps(result, ensure_ascii=False)


def _record(row: sqlite3.Row) -> dict:
    rec = dict(row)
    rec["result"] = json.loads(rec["result"] or "{}")
    return rec
