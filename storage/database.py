"""Where the database is, how to connect to it, and how to bring its tables up to date."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DATABASE_FILE = "roleguide.db"


def data_dir() -> Path:
    """The folder for local data (outside git): ROLEGUIDE_DATA_DIR, else var/ in the project."""
    return Path(os.environ.get("ROLEGUIDE_DATA_DIR", "").strip() or PROJECT_ROOT / "var")


def database_url() -> str:
    """DATABASE_URL (PostgreSQL, say), else a SQLite file in the data folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    return with_driver(url) if url else f"sqlite:///{data_dir().resolve() / DATABASE_FILE}"


def with_driver(url: str) -> str:
    """'postgresql://…' (as hosting services write it) -> the psycopg 3 driver this project installs."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL; None for any other database."""
    prefix = "sqlite:///"
    return Path(url[len(prefix) :]) if url.startswith(prefix) else None


def make_engine(url: str) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        # The action server writes while the bot and the CLI read: WAL lets them, and
        # a busy timeout makes a writer wait briefly instead of failing.
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(engine: Engine) -> None:
    """Apply any migrations the database has not had yet (a no-op when it is up to date)."""
    logging.getLogger("alembic").setLevel(logging.WARNING)  # not a line per plugin at every start
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
