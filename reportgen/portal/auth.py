"""Passwords (argon2id through argon2-cffi), the login throttle's arithmetic and CSRF tokens.

Passwords are never stored or logged: only their argon2 hash, which carries its own salt
and parameters, so :func:`needs_rehash` can tell when a stored hash was made with weaker
parameters than today's and the login upgrades it. A login for an account that does not
exist still verifies against a fixed dummy hash, so its answer takes as long as a wrong
password's and the timing tells nothing about which logins exist.
"""

from __future__ import annotations

import hmac
import math
import secrets
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

#: Shortest password accepted (characters).
MIN_PASSWORD = 8
#: Failed logins (per login name, and per IP address) that lock further attempts ...
MAX_FAILURES = 5
#: ... within this window; the lock lifts as the failures age out of it.
WINDOW = timedelta(minutes=15)

WRONG_LOGIN = "用户名或密码错误。"


def password_problem(password: str) -> str | None:
    """Why ``password`` cannot be used, in Chinese; None when it can."""
    if len(password or "") < MIN_PASSWORD:
        return f"密码至少需要 {MIN_PASSWORD} 个字符。"
    if password != password.strip():
        return "密码的开头和结尾不能是空格。"
    return None


def hash_password(hasher: PasswordHasher, password: str) -> str:
    return hasher.hash(password)


def verify_password(hasher: PasswordHasher, stored: str | None, password: str) -> bool:
    """Whether ``password`` matches ``stored``; with no stored hash, the same work is done
    against a dummy hash and the answer is False."""
    target = stored or _dummy_hash(hasher)
    try:
        ok = hasher.verify(target, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(ok) and stored is not None


def needs_rehash(hasher: PasswordHasher, stored: str) -> bool:
    try:
        return hasher.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@cache
def _dummy_hash_for(time_cost: int, memory_cost: int, parallelism: int) -> str:
    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    return hasher.hash(secrets.token_hex(16))


def _dummy_hash(hasher: PasswordHasher) -> str:
    return _dummy_hash_for(hasher.time_cost, hasher.memory_cost, hasher.parallelism)


def lock_minutes(failures: list[datetime], now: datetime) -> int:
    """Minutes until attempts are accepted again, given the failure times (of one login, or
    of one IP address) inside the window; 0 when fewer than :data:`MAX_FAILURES`.

    Attempts resume once fewer than MAX_FAILURES failures remain in the window, i.e. when
    the (k - MAX_FAILURES + 1)-th oldest of k failures leaves it; partial minutes count
    as a whole one, so the message never says 0.
    """
    recent = sorted(t for t in failures if t > now - WINDOW)
    if len(recent) < MAX_FAILURES:
        return 0
    frees_at = recent[len(recent) - MAX_FAILURES] + WINDOW
    return max(1, math.ceil((frees_at - now).total_seconds() / 60))


def throttled_message(minutes: int) -> str:
    return f"登录失败次数过多，请 {minutes} 分钟后再试。"


def new_csrf_token() -> str:
    """A random token bound to one session (the web layer keeps it in the signed cookie)."""
    return secrets.token_urlsafe(32)


def same_token(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of a CSRF token; a missing one never matches."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
