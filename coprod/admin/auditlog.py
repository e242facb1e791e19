"""The audit log for organisers: each event as a sentence, filtered, and exported as CSV."""

import csv
import io

from flask import Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from coprod import words
from coprod.accounts import role_required
from coprod.accounts.labels import ROLE
from coprod.admin import bp
from coprod.extensions import db
from coprod.models import AuditEvent, Phase, Role, Round, User
from coprod.templating import clock, day

LIMIT = 500

# Each kind of event, with the actions it holds: the filter on the page.
KINDS = {
    "phases": (
        _l("Rounds moving to their next step, and vote counts"),
        {
            "phase_changed",
            "voting_reopened",
            "round_counted",
            "count_queued",
            "count_failed",
            "rules_changed",
        },
    ),
    "setup": (
        _l("Setting rounds up"),
        {"round_made", "round_changed", "round_deleted", "rules_changed", "rules_change_refused"},
    ),
    "people": (
        _l("Accounts and roles"),
        {
            "staff_created",
            "staff_invited",
            "role_changed",
            "staff_removed",
            "password_link_made",
            "password_changed",
            "two_step_on",
            "two_step_off",
            "member_signed_up",
        },
    ),
    "votes": (
        _l("Voter codes and paper ballots"),
        {
            "codes_made",
            "paper_ballot_entered",
            "paper_ballot_first_entry",
            "paper_ballot_mismatch",
            "paper_mismatch_cleared",
            "paper_double_entry_changed",
        },
    ),
}


# The parts of a round's set-up a change names, one per question screen.
SETUP_PARTS = {
    "name": _l("name and introduction"),
    "languages": _l("languages"),
    "areas": _l("areas and pots"),
    "money": _l("money"),
    "ballot": _l("how people vote"),
    "rule": _l("how votes are counted"),
    "who": _l("who may take part"),
    "dates": _l("dates"),
}


def _round_named(round_id: object, slug: object, lang: str) -> str:
    """A round's name in the reader's language, or its slug when it has gone."""
    rnd = db.session.get(Round, round_id) if isinstance(round_id, int) else None
    return str(rnd.t("title", lang) or rnd.slug) if rnd else str(slug or "")


def _role(value: object) -> str:
    try:
        return str(ROLE[Role(str(value))])
    except (ValueError, KeyError):
        return str(value)


def _who(event: AuditEvent) -> str:
    if event.actor is None:
        return _("Coprod itself")
    return _("%(role)s %(name)s", role=_role(event.actor.role), name=event.actor.name)


def sentence(event: AuditEvent, lang: str) -> str:
    """What happened, as a sentence in the reader's language."""
    detail = event.detail or {}
    rnd = db.session.get(Round, event.round_id) if event.round_id else None
    # A deleted round's events keep its name in their detail.
    title = str(rnd.t("title", lang) or rnd.slug) if rnd else str(detail.get("name", ""))
    common = {
        "who": _who(event),
        "day": day(event.at),
        "time": clock(event.at),
        "round": title,
        "name": str(detail.get("name", "")),
    }
    action = event.action
    if action == "phase_changed":
        try:
            phase = str(words.PHASE[Phase(str(detail.get("after")))])
        except ValueError:
            phase = str(detail.get("after"))
        return _(
            "%(who)s moved %(round)s on to “%(phase)s” on %(day)s at %(time)s.",
            phase=phase,
            **common,
        )
    if action == "voting_reopened":
        return _(
            "%(who)s opened voting again in %(round)s on %(day)s at %(time)s.",
            **common,
        )
    if action == "paper_double_entry_changed":
        if detail.get("on"):
            return _(
                "%(who)s asked for paper ballots of %(round)s to be typed in twice "
                "on %(day)s at %(time)s.",
                **common,
            )
        return _(
            "%(who)s asked for paper ballots of %(round)s to be typed in once "
            "on %(day)s at %(time)s.",
            **common,
        )
    if action == "staff_invited":
        return _(
            "%(who)s invited %(name)s as %(role)s on %(day)s at %(time)s.",
            role=_role(detail.get("role")),
            **common,
        )
    if action == "staff_created":
        return _(
            "%(who)s made an account for %(name)s as %(role)s on %(day)s at %(time)s.",
            role=_role(detail.get("role")),
            **common,
        )
    if action == "role_changed":
        return _(
            "%(who)s changed the role of %(name)s to %(role)s on %(day)s at %(time)s.",
            role=_role(detail.get("role")),
            **common,
        )
    if action == "staff_removed":
        return _("%(who)s removed the account of %(name)s on %(day)s at %(time)s.", **common)
    if action == "round_counted":
        return _("%(who)s counted the votes of %(round)s on %(day)s at %(time)s.", **common)
    if action == "round_made" and detail.get("copied_from"):
        return _(
            "%(who)s made the round %(round)s as a copy of %(source)s on %(day)s at %(time)s.",
            source=_round_named(detail.get("copied_from_id"), detail.get("copied_from"), lang),
            **common,
        )
    if action == "round_made":
        return _("%(who)s made the round %(round)s on %(day)s at %(time)s.", **common)
    if action == "round_changed":
        changed = [str(SETUP_PARTS.get(str(part), part)) for part in detail.get("changed") or []]
        if not changed:
            return _("%(who)s saved %(round)s without changes on %(day)s at %(time)s.", **common)
        return _(
            "%(who)s changed %(round)s (%(parts)s) on %(day)s at %(time)s.",
            parts=", ".join(changed),
            **common,
        )
    if action == "round_deleted":
        return _("%(who)s deleted the draft round %(name)s on %(day)s at %(time)s.", **common)
    if action == "rules_changed":
        return _("%(who)s changed the rules of %(round)s on %(day)s at %(time)s.", **common)
    if action == "rules_change_refused":
        return _(
            "%(who)s tried to change the rules of %(round)s on %(day)s at %(time)s, after "
            "voting had opened. Nothing was changed.",
            **common,
        )
    if action == "codes_made":
        return _("%(who)s made voter codes for %(round)s on %(day)s at %(time)s.", **common)
    if rnd is not None:
        return _(
            "%(who)s: “%(action)s” in %(round)s on %(day)s at %(time)s.", action=action, **common
        )
    return _("%(who)s: “%(action)s” on %(day)s at %(time)s.", action=action, **common)


def _int(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


def _events():
    """The events the GET form's filters ask for, newest first, and the filters as read."""
    chosen = {"round": _int("round"), "person": _int("person"), "kind": request.args.get("kind")}
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(LIMIT)
    if chosen["round"] is not None:
        query = query.where(AuditEvent.round_id == chosen["round"])
    if chosen["person"] is not None:
        query = query.where(AuditEvent.actor_id == chosen["person"])
    if chosen["kind"] in KINDS:
        query = query.where(AuditEvent.action.in_(KINDS[chosen["kind"]][1]))
    else:
        chosen["kind"] = None
    return db.session.scalars(query).all(), chosen


@bp.get("/audit")
@role_required(Role.ORGANISER)
def audit_log():
    events, chosen = _events()
    lang = str(get_locale())
    rounds = db.session.scalars(select(Round).order_by(Round.id.desc())).all()
    people = db.session.scalars(
        select(User).where(User.id.in_(select(AuditEvent.actor_id))).order_by(User.name)
    ).all()
    return render_template(
        "admin/audit.html",
        lines=[(event, sentence(event, lang)) for event in events],
        rounds=[(r.id, str(r.t("title", lang) or r.slug)) for r in rounds],
        people=people,
        kinds={key: label for key, (label, _actions) in KINDS.items()},
        chosen=chosen,
    )


def _safe(cell: str) -> str:
    # A spreadsheet runs a cell that starts with one of these as a formula.
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


@bp.get("/audit.csv")
@role_required(Role.ORGANISER)
def audit_csv():
    events, _chosen = _events()
    lang = str(get_locale())
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("When"), _("Who"), _("What")])
    for event in events:
        who = event.actor.name if event.actor else ""
        writer.writerow([_safe(c) for c in (event.at.isoformat(), who, sentence(event, lang))])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=audit-log.csv"},
    )
