"""Configuration read from the environment; every setting has a development default."""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(url: str | None, default: str) -> str:
    url = url or default
    # psycopg 3 is the driver; accept the usual postgres:// spellings.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


# Options of every PostgreSQL connection. No JIT: it compiles any query whose estimated
# cost is high, and for a page's queries compiling costs more than it saves (150 ms of JIT
# for a 120 ms aggregate whose row count the planner overestimated).
POSTGRES_OPTIONS = "-c jit=off"


def engine_options(url: str, options: dict) -> dict:
    """``SQLALCHEMY_ENGINE_OPTIONS`` for the database at ``url``: on PostgreSQL the
    connection options start with ``POSTGRES_OPTIONS`` (create_app applies it, so a
    configuration that only names another database gets them right too)."""
    if not url.startswith("postgresql"):
        return options
    connect_args = dict(options.get("connect_args", {}))
    connect_args["options"] = f"{POSTGRES_OPTIONS} {connect_args.get('options', '')}".strip()
    return {**options, "connect_args": connect_args}


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-secret-key-change-me")
    SQLALCHEMY_DATABASE_URI = _database_url(
        os.environ.get("DATABASE_URL"), f"sqlite:///{BASE_DIR / 'instance' / 'mitmach.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection is pinged before use once idle this long (core/pool_ping.py).
    DB_PING_AFTER_IDLE = float(os.environ.get("DB_PING_AFTER_IDLE", 10))
    REDIS_URL = os.environ.get("REDIS_URL")

    # Rate limits: shared across processes through Redis when it is configured.
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # No X-RateLimit-* headers on every answer: working them out costs a Redis round trip
    # per limited write. A refused request gets Retry-After (core/errors.py).
    RATELIMIT_HEADERS_ENABLED = False
    RATELIMIT_STRATEGY = "moving-window"
    LOGIN_FAILURE_LIMIT = os.environ.get("LOGIN_FAILURE_LIMIT", "10 per 15 minutes")
    REGISTER_LIMIT = os.environ.get("REGISTER_LIMIT", "10 per hour")
    # Per member: new topics and replies, reactions, flags (pages and API alike).
    POST_RATE_LIMIT = os.environ.get("POST_RATE_LIMIT", "10 per minute;60 per hour")
    REACT_RATE_LIMIT = os.environ.get("REACT_RATE_LIMIT", "30 per minute;300 per hour")
    VOTE_RATE_LIMIT = os.environ.get("VOTE_RATE_LIMIT", "30 per minute;300 per hour")
    FLAG_RATE_LIMIT = os.environ.get("FLAG_RATE_LIMIT", "10 per minute;50 per day")
    # Weighted flags on one item that hide it at once, pending review.
    FLAG_HIDE_THRESHOLD = float(os.environ.get("FLAG_HIDE_THRESHOLD", "3"))
    # Risk score (0-100) at which a sandboxed member's new post is held hidden for review.
    SPAM_HOLD_SCORE = int(os.environ.get("SPAM_HOLD_SCORE", "60"))

    # Mail: without MAIL_SERVER, mails are written to the log.
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "587"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", True)
    MAIL_USE_SSL = _bool("MAIL_USE_SSL", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "Mitmach <no-reply@localhost>")

    LANGUAGES = ("en", "de")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "community" / "translations")

    # Lifetimes of signed links and API tokens.
    RESET_TOKEN_MAX_AGE = int(os.environ.get("RESET_TOKEN_MAX_AGE", str(60 * 60)))
    CONFIRM_TOKEN_MAX_AGE = int(os.environ.get("CONFIRM_TOKEN_MAX_AGE", str(7 * 24 * 60 * 60)))
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "365"))

    # argon2id cost; the defaults follow RFC 9106's second recommended option.
    PASSWORD_TIME_COST = int(os.environ.get("PASSWORD_TIME_COST", "3"))
    PASSWORD_MEMORY_COST = int(os.environ.get("PASSWORD_MEMORY_COST", str(64 * 1024)))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_TIME_LIMIT = None
    # CSRF is enforced in create_app() so that token-authenticated API calls can skip it.
    WTF_CSRF_CHECK_DEFAULT = False
    PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http")
    # The new-member sandbox (reputation/privileges.py): in the first SANDBOX_HOURS and
    # under SANDBOX_POINTS points, at most SANDBOX_TOPICS threads or ideas, SANDBOX_POSTS
    # posts and SANDBOX_LINKS links per post.
    SANDBOX_HOURS = int(os.environ.get("SANDBOX_HOURS", "24"))
    SANDBOX_POINTS = int(os.environ.get("SANDBOX_POINTS", "10"))
    SANDBOX_TOPICS = int(os.environ.get("SANDBOX_TOPICS", "3"))
    SANDBOX_POSTS = int(os.environ.get("SANDBOX_POSTS", "10"))
    SANDBOX_LINKS = int(os.environ.get("SANDBOX_LINKS", "2"))
    # Market Mavens named per category each month (flask reputation designate-mavens).
    MAVENS_PER_CATEGORY = int(os.environ.get("MAVENS_PER_CATEGORY", "3"))
    # The anti-gaming review (flask reputation review-votes): votes from one member to
    # another beyond these are reversed; mutual voting at VOTE_RING_MIN each way is a ring.
    SERIAL_VOTES_PER_DAY = int(os.environ.get("SERIAL_VOTES_PER_DAY", "5"))
    SERIAL_VOTES_PER_30_DAYS = int(os.environ.get("SERIAL_VOTES_PER_30_DAYS", "20"))
    VOTE_RING_MIN = int(os.environ.get("VOTE_RING_MIN", "5"))
    # Ideas: at most this many open votes per member (votes on ideas not yet shipped,
    # declined or merged; those give their votes back); 0 switches the budget off.
    IDEA_VOTE_BUDGET = int(os.environ.get("IDEA_VOTE_BUDGET", "0"))
    # How many reverse proxies (nginx, a load balancer) sit in front and set X-Forwarded-*;
    # 0 trusts none. Rate limits count per client address, so this must be right.
    TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
    SERVER_NAME = os.environ.get("SERVER_NAME")
    # Benchmarks only (bench/run.py): add an X-Query-Count header, the SQL statements the
    # request ran (community/core/query_count.py). Off in normal use.
    QUERY_COUNT_HEADER = _bool("MITMACH_QUERY_COUNT_HEADER", False)
    # Whole pages kept per process until the next write (community/core/page_cache.py).
    PAGE_CACHE = _bool("MITMACH_PAGE_CACHE", True)


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = _database_url(os.environ.get("TEST_DATABASE_URL"), "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    PASSWORD_TIME_COST = 1
    PASSWORD_MEMORY_COST = 64
    MAIL_SERVER = None
    SERVER_NAME = None


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def __init__(self) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production")
        self.SECRET_KEY = os.environ["SECRET_KEY"]


CONFIGS = {"development": Config, "testing": TestConfig, "production": ProductionConfig}
