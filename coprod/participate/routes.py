"""Routes for taking part: code, rating, ballot, review, cast, receipt, check.

The citizen's code and choices live in their session, kept on the server (`coprod.sessions`),
until the ballot is cast; then both are cleared and the session gets a new id. Every step
works without JavaScript.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from coprod import pots, sessions, slowdown
from coprod.extensions import db, limiter
from coprod.lookups import published_remedies, round_or_404, with_texts
from coprod.models import (
    Ballot,
    Eligibility,
    Phase,
    Rating,
    Remedy,
    Round,
)
from coprod.operations import ballots, codes, ratings
from coprod.operations.ballots import CastError, Problem
from coprod.participate import bp
from coprod.participate.forms import SCALE, CodeForm, ReceiptForm, read_scores
from coprod.participate.messages import explain

# How long voting takes, said on the start page: reading the ideas, choosing, checking.
MINUTES = 10
# Every voter goes through these pages, so each loads what it shows in as few queries as it
# can: the round with its title's texts joined in, or without its texts when the page does
# not show them (they still load if something asks for them).
WITHOUT_TEXTS = (lazyload(Round.content),)


def _secret() -> str:
    return current_app.config["SECRET_KEY"]


def _code(rnd: Round) -> str | None:
    return session.get(f"code:{rnd.slug}")


def _choices(rnd: Round) -> list[str]:
    return list(session.get(f"choices:{rnd.slug}", []))


def _keep_choices(rnd: Round, choices: list[str]) -> None:
    # Storing the same choices again would write the visitor's session row for nothing.
    if session.get(f"choices:{rnd.slug}") != choices:
        session[f"choices:{rnd.slug}"] = choices


def _open(slug: str, options: tuple = WITHOUT_TEXTS) -> tuple[Round, object]:
    """The round, and a detour to its page when it takes neither votes nor ratings."""
    rnd = round_or_404(slug, options=options)
    if rnd.phase in (Phase.RATING, Phase.VOTING):
        return rnd, None
    flash(_("This round is not taking votes or ratings right now."))
    return rnd, redirect(url_for("public.round_page", slug=slug))


@bp.get("/rounds/<slug>/vote")
def start(slug: str):
    """The start page: what a voter needs before they begin (GOV.UK's start page pattern)."""
    rnd, detour = _open(slug, (with_texts(Round.content),))
    if detour is not None:
        return detour
    return render_template("participate/start.html", round=rnd, minutes=MINUTES)


@bp.get("/rounds/<slug>/take-part")
def enter_code(slug: str):
    rnd, detour = _open(slug, (with_texts(Round.content),))
    if detour is not None:
        return detour
    if (scanned := request.args.get("code")) is not None:
        # A letter's QR code brings the code in the address. Keep it in the session (no
        # more than a code's length) and drop it from the address at
        # once, so no later link, Referer or log line of this visit carries it.
        session[f"typed:{slug}"] = scanned[:40]
        return redirect(url_for("participate.enter_code", slug=slug), 303)
    form = CodeForm(code=session.pop(f"typed:{slug}", ""))
    return render_template("participate/code.html", round=rnd, form=form)


@bp.post("/rounds/<slug>/take-part")
def submit_code(slug: str):
    rnd, detour = _open(slug)
    if detour is not None:
        return detour
    form = CodeForm()
    if form.validate_on_submit():
        code = codes.find(_secret(), rnd, form.code.data)
        if code is None:
            # The code is checked first: a right one is let in whatever this address did.
            if wait := slowdown.wrong_codes.wrong(slowdown.address()):
                form.code.errors.append(slowdown.too_many_codes(wait))
                page = render_template("participate/code.html", round=rnd, form=form)
                return page, 429, {"Retry-After": str(wait)}
            form.code.errors.append(explain(Problem("code_unknown"), rnd.currency))
        elif code.used and rnd.phase == Phase.VOTING:
            form.code.errors.append(explain(Problem("code_used"), rnd.currency))
        else:
            session[f"code:{slug}"] = codes.normalise(form.code.data)
            sessions.renew_id()  # an id planted in this browser earlier carries no code
            after = "participate.rate" if rnd.phase == Phase.RATING else "participate.ballot"
            if rnd.phase == Phase.VOTING and _choices(rnd):
                after = "participate.review"
            return redirect(url_for(after, slug=slug))
    return render_template("participate/code.html", round=rnd, form=form)


# --- Rating -------------------------------------------------------------------------------


def _rater(rnd: Round) -> tuple[str, bool] | None:
    """A keyed pseudonym for whoever is rating, and whether their ratings are indicative."""
    if code := _code(rnd):
        return codes.keyed_hash(_secret(), f"rater:{rnd.id}", code), False
    if room := session.get(f"room:{rnd.slug}"):
        # Someone in a workshop's room (coprod.workshop): rated without a voter code.
        return codes.keyed_hash(_secret(), f"room-rater:{rnd.id}", room), True
    if rnd.eligibility == Eligibility.OPEN_RATING:
        browser = session.setdefault("browser", secrets.token_urlsafe(16))
        return codes.keyed_hash(_secret(), f"open-rater:{rnd.id}", browser), True
    return None


@bp.route("/rounds/<slug>/rate", methods=["GET", "POST"])
def rate(slug: str):
    rnd = round_or_404(slug)
    if rnd.phase != Phase.RATING:
        flash(_("Rating is not open in this round."))
        return redirect(url_for("public.round_page", slug=slug))
    rater = _rater(rnd)
    if rater is None:
        return redirect(url_for("participate.enter_code", slug=slug))
    key, indicative = rater
    remedies = published_remedies(rnd)
    if request.method == "POST":
        barrier_scores = read_scores("barrier", {b.id for b in rnd.barriers})
        remedy_scores = read_scores("remedy", {r.id for r in remedies})
        ratings.save_ratings(
            rnd, key, barrier_scores, remedy_scores, indicative=indicative, lang=str(get_locale())
        )
        db.session.commit()
        flash(_("Thank you. Your answers are saved. You can change them until rating closes."))
        return redirect(url_for("participate.rate", slug=slug))
    saved = db.session.scalars(
        select(Rating).where(Rating.round_id == rnd.id, Rating.rater == key)
    ).all()
    given = {
        ("barrier", r.barrier_id) if r.barrier_id else ("remedy", r.remedy_id): r.score
        for r in saved
    }
    return render_template(
        "participate/rate.html",
        round=rnd,
        remedies=remedies,
        given=given,
        scale=SCALE,
        indicative=indicative,
    )


# --- The ballot ---------------------------------------------------------------------------


def _order(rnd: Round, remedies: list) -> list:
    """A random order for each voter, the same on every reload of their ballot.

    Worked out from their code (keyed with the app's secret, so the order tells nothing of
    the code): nothing more to keep in the session, which showing the ballot then leaves as
    it was, unwritten.
    """
    seed = codes.keyed_hash(_secret(), f"order:{rnd.id}", _code(rnd) or "")
    return sorted(
        remedies,
        key=lambda r: hmac.new(seed.encode(), str(r.id).encode(), hashlib.sha256).digest(),
    )


def _meter(rules: dict, choices: list[str], pot: dict | None = None) -> dict:
    """Money spent and left (or ideas chosen), for the whole ballot or for one pot."""
    budget = pot["budget"] if pot is not None else rules["budget"]
    spent = sum(rules["costs"].get(c, 0) for c in choices)
    return {
        "spent": spent,
        "left": budget - spent,
        "budget": budget,
        "count": len(choices),
        "max": rules["max_choices"],
        "knapsack": rules["ballot_type"] == "knapsack",
    }


def _voter_area(rnd: Round, rules: dict) -> int | None:
    """The area on the voter's code, which says which pots they vote in (rounds with pots)."""
    if "pots" not in rules or not (code := _code(rnd)):
        return None
    found = codes.find(_secret(), rnd, code)
    return found.area_id if found is not None else None


def _sections(rnd: Round, rules: dict, choices: list[str], area_id: int | None) -> list[dict]:
    """The voter's pots, each with its name, its remedies' ids, the choices in it and its
    meter; a round without pots is one section with no pot."""
    if "pots" not in rules:
        return [{"pot": None, "costs": rules["costs"], "meter": _meter(rules, choices)}]
    by_id = {str(p.id): p for p in rnd.pots}
    sections = []
    for pot in ballots.voter_pots(rules, area_id):
        costs = ballots.pot_costs(rules, pot["id"])
        mine = [c for c in choices if c in costs]
        sections.append(
            {
                "pot": by_id[pot["id"]],
                "name": pots.name(by_id[pot["id"]]),
                "costs": costs,
                "choices": mine,
                "meter": _meter(rules, mine, pot),
            }
        )
    return sections


def _voter_state(
    slug: str, options: tuple = WITHOUT_TEXTS
) -> tuple[Round, object, dict, list[str]]:
    """The round, a detour (when voting is shut or there is no code yet), rules, choices."""
    rnd = round_or_404(slug, options=options)
    return rnd, _need_code(rnd), ballots.frozen_rules(rnd), _choices(rnd)


def _need_code(rnd: Round):
    if rnd.phase != Phase.VOTING:
        flash(_("Voting is not open in this round."))
        return redirect(url_for("public.round_page", slug=rnd.slug))
    if not _code(rnd):
        return redirect(url_for("participate.enter_code", slug=rnd.slug))
    return None


@bp.get("/rounds/<slug>/ballot")
def ballot(slug: str):
    rnd, detour, rules, choices = _voter_state(slug, (with_texts(Round.content),))
    if detour is not None:
        return detour
    area_id = _voter_area(rnd, rules)
    if not ballots.voter_pots(rules, area_id):
        # A code with no area, in a round with area pots and none for the whole place.
        flash(explain(Problem("no_pot"), rnd.currency), "error")
        return redirect(url_for("public.round_page", slug=slug))
    allowed = ballots.ballot_costs(rules, area_id)
    choices = [c for c in choices if c in allowed]
    remedies = _order(rnd, [r for r in published_remedies(rnd) if str(r.id) in allowed])
    sections = _sections(rnd, rules, choices, area_id)
    for section in sections:
        section["remedies"] = [r for r in remedies if str(r.id) in section["costs"]]
    return render_template(
        "participate/ballot.html",
        round=rnd,
        remedies=remedies,
        sections=sections,
        choices=choices,
        meter=_meter(rules, choices),
    )


@bp.post("/rounds/<slug>/ballot")
def change_ballot(slug: str):
    """Add or remove one remedy; the page comes back with the meter worked out again."""
    rnd, detour, rules, choices = _voter_state(slug)
    if detour is not None:
        return detour
    added = request.form.get("add")
    allowed = rules["costs"]
    if "pots" in rules and added is not None:
        allowed = ballots.ballot_costs(rules, _voter_area(rnd, rules))
    if added is not None and added in allowed and added not in choices:
        choices.append(added)
    if (removed := request.form.get("remove")) in choices:
        choices.remove(removed)
    _keep_choices(rnd, choices)
    if request.form.get("review"):
        return redirect(url_for("participate.review", slug=slug))
    anchor = added or removed
    return redirect(url_for("participate.ballot", slug=slug, _anchor=f"remedy-{anchor}"))


@bp.get("/rounds/<slug>/review")
def review(slug: str):
    rnd, detour, rules, choices = _voter_state(slug)
    if detour is not None:
        return detour
    area_id = _voter_area(rnd, rules)
    names = pots.names(rnd) if "pots" in rules else None
    problems = [explain(p, rnd.currency, names) for p in ballots.check(rules, choices, area_id)]
    # Only ids from the frozen rules reach the query: the choices come from the browser.
    allowed = ballots.ballot_costs(rules, area_id)
    chosen = published_remedies(rnd, only={c for c in choices if c in allowed})
    sections = _sections(rnd, rules, [str(r.id) for r in chosen], area_id)
    for section in sections:
        section["remedies"] = [r for r in chosen if str(r.id) in section["costs"]]
    return render_template(
        "participate/review.html",
        round=rnd,
        chosen=chosen,
        sections=sections,
        meter=_meter(rules, choices),
        problems=problems,
    )


@bp.post("/rounds/<slug>/cast")
def cast(slug: str):
    rnd = round_or_404(slug, options=WITHOUT_TEXTS)
    rules = ballots.frozen_rules(rnd)
    # The review form carries the choices, so an expired session loses nothing. Only those
    # on this ballot are kept: tampered values would swell the stored session.
    choices = request.form.getlist("choice")
    _keep_choices(rnd, [c for c in dict.fromkeys(choices) if c in rules["costs"]])
    code = _code(rnd)
    if not code:
        flash(_("Your session ended. Please type your code again; your choices are kept."))
        return redirect(url_for("participate.enter_code", slug=slug))
    try:
        receipt = ballots.cast(_secret(), rnd, code, choices, lang=str(get_locale()), rules=rules)
        db.session.commit()
    except CastError as refused:
        names = pots.names(rnd) if "pots" in rules else None
        for problem in refused.problems:
            flash(explain(problem, rnd.currency, names), "error")
        if any(p.code in ("code_used", "code_unknown", "closed") for p in refused.problems):
            session.pop(f"code:{slug}", None)
            return redirect(url_for("public.round_page", slug=slug))
        return redirect(url_for("participate.ballot", slug=slug))
    session.pop(f"code:{slug}", None)
    session.pop(f"choices:{slug}", None)
    session[f"receipt:{slug}"] = receipt
    sessions.renew_id()  # the id that carried the code and choices is gone from the store
    return redirect(url_for("participate.receipt", slug=slug))


@bp.get("/rounds/<slug>/receipt")
def receipt(slug: str):
    # The receipt is in the voter's own session, put there by casting in this round.
    value = session.get(f"receipt:{slug}")
    if not value:
        return redirect(url_for("participate.check", slug=slug))
    rnd = round_or_404(slug, options=WITHOUT_TEXTS)
    # The votes are counted at the end of the day voting closes (the scheduled `tick`).
    results_on = rnd.voting_closes + timedelta(days=1) if rnd.voting_closes else None
    return render_template(
        "participate/receipt.html", slug=slug, receipt=value, round=rnd, results_on=results_on
    )


@bp.route("/rounds/<slug>/check", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def check(slug: str):
    """'Check my ballot': a receipt shows that the ballot is in the count, and its choices.

    The receipt comes in a POST body, never in the address: an address lands in access logs
    (and in the next page's Referer) next to the voter's IP address, which would link the
    person to their ballot.
    """
    rnd = round_or_404(slug)
    form = ReceiptForm()
    found = None
    if form.validate_on_submit():
        found = ballots.by_receipt(rnd, form.receipt.data)
        if found is None:
            form.receipt.errors.append(
                _("We couldn't find a ballot with this receipt in this round. Check the letters.")
            )
    chosen = []
    groups: list[tuple[str, list[Remedy]]] = []
    if found:
        ids = {c.remedy_id for c in found.choices}
        chosen = [r for r in rnd.remedies if r.id in ids]
        # In a round with pots, the choices under the pot each was in.
        groups = [(pots.name(p), [r for r in chosen if r.pot_id == p.id]) for p in rnd.pots]
        groups = [(name, remedies) for name, remedies in groups if remedies]
    return render_template(
        "participate/check.html",
        round=rnd,
        form=form,
        ballot=found,
        chosen=chosen,
        groups=groups,
    )


@bp.get("/rounds/<slug>/receipts.txt")
def receipt_hashes(slug: str):
    """After voting closes: every receipt's SHA-256, one per line, so anyone can find theirs."""
    rnd = round_or_404(slug)
    if not rnd.phase.rules_frozen or rnd.phase == Phase.VOTING:
        abort(404)
    hashes = db.session.scalars(
        select(Ballot.receipt_hash).where(Ballot.round_id == rnd.id).order_by(Ballot.receipt_hash)
    )
    return "\n".join(hashes) + "\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
