"""The Flask extensions, created unbound and initialised in create_app()."""

from __future__ import annotations

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as _FlaskSession
from flask_wtf.csrf import CSRFProtect

from community.core.db import Base


class Session(_FlaskSession):
    """Flask-SQLAlchemy's session, honouring an explicit ``bind``.

    Flask-SQLAlchemy always routes to its engine; the test suite binds the session to
    one connection holding an outer transaction, so an explicit bind must win.
    """

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):  # type: ignore[override]
        if bind is None and self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def _client_address() -> str:
    return get_remote_address() or request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=_client_address)
babel = Babel()
