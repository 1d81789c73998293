"""Password hashing with argon2id; the cost comes from the configuration."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app


def _hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["PASSWORD_TIME_COST"],
        memory_cost=config["PASSWORD_MEMORY_COST"],
        parallelism=1,
    )


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` with a fresh salt."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches; never raises for a malformed or unusable hash."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with older cost settings."""
    try:
        return _hasher().check_needs_rehash(password_hash)
    except InvalidHashError:
        return False


_dummy_hashes: dict[tuple[int, int], str] = {}


def dummy_verify(password: str) -> None:
    """Spend the time of one verification, so a login for an unknown name takes as long as
    one with a wrong password."""
    config = current_app.config
    cost = (config["PASSWORD_TIME_COST"], config["PASSWORD_MEMORY_COST"])
    if cost not in _dummy_hashes:
        _dummy_hashes[cost] = hash_password("timing-equaliser")
    verify_password(_dummy_hashes[cost], password)
