"""Paper ballots typed in by staff: the same checks and the same casting as online."""

from sqlalchemy import distinct, func, select

from coprod.extensions import db
from coprod.models import (
    Ballot,
    Channel,
    Group,
    PaperEntry,
    Phase,
    Remedy,
    RemedyStatus,
    Round,
    User,
)
from coprod.operations import audit, ballots, codes
from coprod.operations.ballots import CastError, Problem


def enter_paper(
    secret: str, rnd: Round, sheet: str, typed_code: str, choices: list[str], typist: User
) -> str:
    """Type in one paper ballot; return 'counted', 'waiting' (for a second typist) or 'mismatch'.

    Everything a typing writes (the ballot, the sheet's bookkeeping, the audit event) goes
    into the caller's transaction, which commits once.
    """
    choices = sorted({str(c) for c in choices})
    code = codes.find(secret, rnd, typed_code)
    if code is None:
        raise CastError(Problem("code_unknown"))
    if code.used:
        raise CastError(Problem("code_used"))
    problems = ballots.check(ballots.frozen_rules(rnd), choices, code.area_id)
    if problems:
        raise CastError(*problems)
    if not rnd.paper_double_entry:
        ballots.cast(secret, rnd, typed_code, choices, channel=Channel.PAPER)
        audit.record("paper_ballot_entered", actor=typist, round=rnd, sheet=sheet)
        db.session.flush()
        return "counted"

    hashed = codes.code_hash(secret, typed_code)
    typings = db.session.scalars(
        select(PaperEntry).where(PaperEntry.round_id == rnd.id, PaperEntry.sheet == sheet)
    ).all()
    if any(e.status == "mismatch" for e in typings):  # an organiser must clear it first
        raise CastError(Problem("sheet_mismatch"))
    if any(e.status == "counted" for e in typings):  # a sheet number is used once
        raise CastError(Problem("sheet_counted"))
    earlier = [e for e in typings if e.status == "waiting"]
    if any(e.entered_by_id == typist.id for e in earlier):
        raise CastError(Problem("same_typist"))

    def typing(status: str) -> PaperEntry:
        return PaperEntry(
            round_id=rnd.id,
            sheet=sheet,
            code_hash=hashed,
            choices=choices,
            entered_by_id=typist.id,
            status=status,
        )

    if not earlier:
        db.session.add(typing("waiting"))
        audit.record("paper_ballot_first_entry", actor=typist, round=rnd, sheet=sheet)
        db.session.flush()
        return "waiting"
    first = earlier[0]
    if first.code_hash != hashed or first.choices != choices:
        first.status = "mismatch"
        db.session.add(typing("mismatch"))
        audit.record("paper_ballot_mismatch", actor=typist, round=rnd, sheet=sheet)
        db.session.flush()
        return "mismatch"

    ballots.cast(secret, rnd, typed_code, choices, channel=Channel.PAPER)
    # Wipe what would link this code to its vote, in the transaction that stores it.
    first.status, first.code_hash, first.choices = "counted", None, None
    db.session.add(
        PaperEntry(round_id=rnd.id, sheet=sheet, entered_by_id=typist.id, status="counted")
    )
    audit.record("paper_ballot_entered", actor=typist, round=rnd, sheet=sheet)
    db.session.flush()
    return "counted"


def clear_mismatch(rnd: Round, sheet: str, organiser: User) -> None:
    """Throw away both typings of a sheet that did not agree, so it can be typed again."""
    for entry in db.session.scalars(
        select(PaperEntry).where(
            PaperEntry.round_id == rnd.id,
            PaperEntry.sheet == sheet,
            PaperEntry.status == "mismatch",
        )
    ):
        db.session.delete(entry)
    audit.record("paper_mismatch_cleared", actor=organiser, round=rnd, sheet=sheet)
    db.session.flush()


class PaperSettingError(Exception):
    """The paper setting cannot change now; `reason` says why ("typed" or "closed")."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def sheets_typed(rnd: Round) -> int:
    """Paper sheets typed in for a round so far: counted ones, and ones waiting or in doubt."""
    counted = db.session.scalar(
        select(func.count(Ballot.id)).where(
            Ballot.round_id == rnd.id, Ballot.channel == Channel.PAPER
        )
    )
    open_sheets = db.session.scalar(
        select(func.count(distinct(PaperEntry.sheet))).where(
            PaperEntry.round_id == rnd.id, PaperEntry.status != "counted"
        )
    )
    return (counted or 0) + (open_sheets or 0)


def set_double_entry(rnd: Round, on: bool, organiser: User) -> bool:
    """Switch double entry of paper ballots on or off; refused once a sheet has been typed
    (the sheets already in would follow other rules) or after voting. Returns True if it
    changed (the caller commits)."""
    if rnd.phase.rules_frozen and rnd.phase != Phase.VOTING:
        raise PaperSettingError("closed")
    if rnd.paper_double_entry == on:
        return False
    if sheets_typed(rnd):
        raise PaperSettingError("typed")
    rnd.paper_double_entry = on
    audit.record("paper_double_entry_changed", actor=organiser, round=rnd, on=on)
    db.session.flush()
    return True


def group_takes_part(group: Group | None, rnd: Round) -> bool:
    """Whether a group takes part in a round: it has sent an idea to it (a draft does not
    count). Only then may one of its members type in the paper ballots it collected."""
    if group is None or not group.approved:
        return False
    return (
        db.session.scalar(
            select(Remedy.id)
            .where(
                Remedy.round_id == rnd.id,
                Remedy.group_id == group.id,
                Remedy.status != RemedyStatus.DRAFT,
            )
            .limit(1)
        )
        is not None
    )


def rounds_to_type(group: Group | None) -> list[Round]:
    """The rounds rating or voting now whose paper rating sheets or ballots this group's
    members may type in."""
    if group is None or not group.approved:
        return []
    return list(
        db.session.scalars(
            select(Round)
            .where(
                Round.phase.in_((Phase.RATING, Phase.VOTING)),
                Round.id.in_(
                    select(Remedy.round_id).where(
                        Remedy.group_id == group.id, Remedy.status != RemedyStatus.DRAFT
                    )
                ),
            )
            .order_by(Round.id)
        ).unique()
    )
