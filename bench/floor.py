"""The floor: what Flask itself serves on this machine against the same database.

One indexed SELECT (a ``user_account`` row by primary key, a random id per request)
through a plain SQLAlchemy Core engine, rendered with a small Jinja template. No
Mitmach code. bench/run.py serves it under gunicorn exactly like the app:

    DATABASE_URL=... gunicorn -w 2 -k gthread --threads 4 --chdir bench floor:app
"""

from __future__ import annotations

import os
import random

from flask import Flask, render_template
from sqlalchemy import create_engine, text


def _database_url() -> str:
    url = os.environ["DATABASE_URL"]
    # The same driver as the app (config.py): psycopg 3.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


engine = create_engine(_database_url())
with engine.connect() as connection:
    MAX_ID = connection.execute(text("SELECT max(id) FROM user_account")).scalar() or 1

MEMBER = text("SELECT id, username, display_name, reputation FROM user_account WHERE id = :id")

app = Flask(__name__)


@app.get("/")
def member():
    with engine.connect() as connection:
        row = connection.execute(MEMBER, {"id": random.randint(1, MAX_ID)}).first()
    return render_template("floor.html", member=row)
