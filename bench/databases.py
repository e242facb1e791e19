"""What the benches share: a fresh PostgreSQL database of their own for each run."""

import sqlalchemy as sa


def fresh_database(url: str) -> None:
    """Drop and create the database `url` names (through the server's `postgres` database)."""
    admin = sa.create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    name = url.rsplit("/", 1)[1]
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
