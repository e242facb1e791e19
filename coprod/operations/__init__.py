"""The writes that must be atomic, each in one place: content, codes, ballots, phases, counts.

One transaction per request or command: an operation adds its rows to the session and
flushes (so the database checks them and ids exist); it never commits. The view, CLI
command or job that called it commits once, at its end:

    codes.make_codes(secret, rnd, 10, actor=current_user)
    db.session.commit()

If anything fails before that commit, nothing of it is stored: the session is rolled back
when the request, command or job ends (Flask-SQLAlchemy removes it). Account operations
follow the same rule and live in `coprod.accounts.operations`.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection

from coprod.extensions import db


def in_a_transaction() -> bool:
    """Whether this request's session has a transaction open (and so holds a connection)."""
    return db.session().in_transaction()


@contextmanager
def for_one_statement() -> Iterator[Connection]:
    """A connection for one statement that needs no transaction around it: a read, or a
    write that is atomic on its own.

    Outside a transaction it is one of the pool's, in autocommit: one round trip to the
    database instead of three or four (BEGIN, the statement, COMMIT or ROLLBACK, and on
    PostgreSQL the driver forgetting its prepared statements after a ROLLBACK). Inside one,
    it is the session's own: a request never holds two of the pool's connections at once,
    which under load could leave every request waiting for a second one.
    """
    if in_a_transaction():
        yield db.session.connection()
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        yield conn
