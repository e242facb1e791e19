"""Voter codes: made in batches, stored only as a keyed hash, used once."""

import hashlib
import hmac
import secrets
from typing import cast

from sqlalchemy import Row, Table, bindparam, select

from coprod.extensions import db
from coprod.models import Phase, Round, User, VoterCode
from coprod.operations import audit

# No look-alikes: no 0/O, 1/I/L; also no U/V pair confusion when read aloud.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
GROUPS, GROUP_SIZE = 3, 4  # XXXX-XXXX-XXXX: 12 symbols of 29 = 58 bits of randomness


def normalise(typed: str) -> str:
    """Forgive lowercase, spaces and dashes: ' abcd-efgh ijkm ' -> 'ABCDEFGHIJKM'."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def pretty(code: str) -> str:
    """Group a normalised code for reading aloud: ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + GROUP_SIZE] for i in range(0, len(code), GROUP_SIZE))


def keyed_hash(secret: str, purpose: str, value: str) -> str:
    """HMAC-SHA256 of a value for one purpose, so hashes for different uses never match."""
    key = hmac.new(secret.encode(), purpose.encode(), hashlib.sha256).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def code_hash(secret: str, typed: str) -> str:
    """The stored form of a voter code."""
    return keyed_hash(secret, "voter-code", normalise(typed))


def make_codes(
    secret: str,
    rnd: Round,
    count: int,
    *,
    letter_lang: str = "en",
    area_id: int | None = None,
    actor: User | None = None,
) -> list[str]:
    """Create `count` new codes for a round, store their hashes, and return them (once only;
    the caller commits)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
        codes.append(raw)
        db.session.add(
            VoterCode(
                round_id=rnd.id,
                code_hash=code_hash(secret, raw),
                letter_lang=letter_lang,
                area_id=area_id,
            )
        )
    audit.record("codes_made", actor=actor, round=rnd, count=count, letter_lang=letter_lang)
    db.session.flush()
    return [pretty(c) for c in codes]


# Built once, on the table rather than the model: every ballot looks its code up, and
# what is asked is only whether it was used.
_CODES = cast(Table, VoterCode.__table__)  # a declarative model's table is a Table
_FIND = select(_CODES.c.used, _CODES.c.area_id).where(
    _CODES.c.round_id == bindparam("round_id"), _CODES.c.code_hash == bindparam("code_hash")
)


def find(secret: str, rnd: Round, typed: str) -> Row | None:
    """Whether what a citizen typed is a code of this round (None if not), if `used`, and
    its `area_id`.

    Every citizen who types a code asks this once: it is one round trip to the database.
    """
    found = db.session.execute(_FIND, {"round_id": rnd.id, "code_hash": code_hash(secret, typed)})
    return found.first()


# The names of the bound values differ from the columns', which SQLAlchemy keeps for an
# UPDATE's own values. The round's row is read FOR SHARE (on PostgreSQL; SQLite has one
# writer at a time anyway): closing the round waits for casts already under way to commit,
# so its count has every ballot, and a cast that comes after the close sees it closed.
_ROUNDS = Round.__table__
_VOTING = (
    select(_ROUNDS.c.id)
    .where(_ROUNDS.c.id == bindparam("in_round"), _ROUNDS.c.phase == Phase.VOTING)
    .with_for_update(read=True)
)
_USE = (
    _CODES.update()
    .where(
        _CODES.c.round_id == bindparam("in_round"),
        _CODES.c.code_hash == bindparam("hashed"),
        _CODES.c.used.is_(False),
        _VOTING.exists(),
    )
    .values(used=True)
    .returning(_CODES.c.area_id)
)


def use(secret: str, rnd: Round, typed: str) -> Row | None:
    """Find and mark a typed code used in one statement, inside the caller's transaction:
    the one place the one-ballot rule lives, the same on every database.

    Returns the code's row (area_id), or None when there is no such unused code in a round
    that is voting: unknown, used before, used a moment ago by someone else, or voting has
    just closed. With `used = false` and the round's phase in its WHERE, the database, not
    Python, decides who wins when two casts race with one code, or a cast with the close.
    """
    return db.session.execute(
        _USE, {"in_round": rnd.id, "hashed": code_hash(secret, typed)}
    ).first()


class ReplaceError(ValueError):
    """A code that cannot be replaced: `reason` is "unknown" or "used"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def replace_code(
    secret: str, rnd: Round, typed: str, *, actor: User | None = None
) -> tuple[str, str]:
    """Delete a lost code that has not been used and make one new code in its place, for the
    same area and letter language. Returns (new code, letter language); the caller commits.

    The DELETE asks for `used = false` itself, so a vote cast with the old code a moment
    earlier wins and the replacement is refused.
    """
    hashed = code_hash(secret, typed)
    old = db.session.execute(
        _CODES.delete()
        .where(
            _CODES.c.round_id == rnd.id,
            _CODES.c.code_hash == hashed,
            _CODES.c.used.is_(False),
        )
        .returning(_CODES.c.area_id, _CODES.c.letter_lang)
    ).first()
    if old is None:
        exists = db.session.scalar(
            select(VoterCode.id).where(VoterCode.round_id == rnd.id, VoterCode.code_hash == hashed)
        )
        raise ReplaceError("used" if exists else "unknown")
    raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_SIZE))
    db.session.add(
        VoterCode(
            round_id=rnd.id,
            code_hash=code_hash(secret, raw),
            letter_lang=old.letter_lang,
            area_id=old.area_id,
        )
    )
    audit.record("code_replaced", actor=actor, round=rnd, letter_lang=old.letter_lang)
    db.session.flush()
    return pretty(raw), old.letter_lang
