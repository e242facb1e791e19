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
