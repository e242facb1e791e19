"""API routes. The voter code in a ballot's body is the credential, so no CSRF token."""

from datetime import date

from flask import abort, current_app, jsonify, request
from flask_babel import force_locale
from sqlalchemy import select

from coprod import i18n, slowdown
from coprod.api import bp
from coprod.conversation import operations as talk
from coprod.conversation.models import StatementStatus
from coprod.conversation.routes import conversation_url, page_summary
from coprod.extensions import csrf, db
from coprod.lookups import round_or_404
from coprod.models import Channel, Phase, RemedyStatus, Round
from coprod.operations import ballots
from coprod.operations.ballots import CastError
from coprod.operations.counting import results_json
from coprod.operations.rounds import RULE_FIELDS

# The rules a partner needs to build a ballot (budget and currency are given on their own).
BALLOT_RULES = tuple(f for f in RULE_FIELDS if f not in ("budget", "currency"))


def _summary(rnd: Round) -> dict:
    title = rnd.t("title", "en")
    return {"slug": rnd.slug, "phase": rnd.phase.value, "title": title.text if title else ""}


@bp.get("/rounds")
def rounds():
    found = db.session.scalars(select(Round).where(Round.phase != Phase.DRAFT).order_by(Round.id))
    return jsonify([_summary(r) for r in found])


@bp.get("/rounds/<slug>")
def round_detail(slug: str):
    rnd = round_or_404(slug)
    lang = request.args.get("lang", "en")
    rules = ballots.frozen_rules(rnd)
    remedies = [
        {
            "id": str(r.id),
            "cost": rules["costs"].get(str(r.id), r.cost),
            "title": str(r.t("title", lang) or ""),
            "summary": str(r.t("summary", lang) or ""),
        }
        for r in rnd.remedies
        if r.status == RemedyStatus.PUBLISHED
    ]
    return jsonify(
        _summary(rnd)
        | {
            "budget": rules["budget"],
            "currency": rules["currency"],
            "rules": {k: rules[k] for k in BALLOT_RULES},
            "remedies": remedies,
            **_pots(rnd, rules),
            "dates": {
                k: getattr(rnd, k).isoformat() if getattr(rnd, k) else None
                for k in (
                    "proposing_opens",
                    "rating_opens",
                    "voting_opens",
                    "voting_closes",
                    "responses_due",
                )
            },
        }
    )


def _pots(rnd: Round, rules: dict) -> dict:
    """A round with pots: each pot (its area and budget) and each remedy's pot. A ballot may
    choose in the pot of its code's area and in the whole-place pot (area null)."""
    if "pots" not in rules:
        return {}
    slugs = {p.area_id: p.area.slug for p in rnd.pots if p.area is not None}
    return {
        "pots": [
            {"id": p["id"], "area": slugs.get(p["area_id"]), "budget": p["budget"]}
            for p in rules["pots"]
        ],
        "pot_of": rules["pot_of"],
    }


@bp.get("/rounds/<slug>/results")
def round_results(slug: str):
    rnd = round_or_404(slug)
    if not rnd.phase.rules_frozen or rnd.phase == Phase.VOTING:
        return jsonify(round=rnd.slug, counted=False), 404
    return jsonify(results_json(rnd))


STATUS = {"code_unknown": 404, "code_used": 409, "closed": 409}


@bp.post("/rounds/<slug>/ballots")
@csrf.exempt
def cast_ballot(slug: str):
    rnd = round_or_404(slug)
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # json's parser gives up on arrays nested a few thousand deep
        return jsonify(
            error="bad_request",
            reasons=[{"code": "too_deep", "detail": "the JSON is nested too deeply"}],
        ), 400
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("code"), str)
        or not isinstance(body.get("choices"), list)
        # A choice is a remedy's id: a string or a number, never a list or an object.
        or not all(isinstance(c, str | int) for c in body["choices"])
    ):
        return jsonify(
            error="invalid",
            reasons=[
                {
                    "code": "bad_request",
                    "detail": 'send {"code": "...", "choices": ["<remedy id>"]}',
                }
            ],
        ), 422
    channel = Channel.API
    lang = body["lang"] if body.get("lang") in i18n.languages() else "en"
    try:
        receipt = ballots.cast(
            current_app.config["SECRET_KEY"],
            rnd,
            body["code"],
            [str(c) for c in body["choices"]],
            channel=channel,
            lang=lang,
        )
        db.session.commit()
    except CastError as refused:
        # The code was checked first, so a right code is never held back by a wait.
        if refused.problems[0].code == "code_unknown" and (
            wait := slowdown.wrong_codes.wrong(slowdown.address())
        ):
            with force_locale(lang):
                detail = slowdown.too_many_codes(wait)
            return (
                jsonify(
                    error="slow_down",
                    retry_after=wait,
                    reasons=[{"code": "slow_down", "retry_after": wait, "detail": detail}],
                ),
                429,
                {"Retry-After": str(wait)},
            )
        status = next((STATUS[p.code] for p in refused.problems if p.code in STATUS), 422)
        return jsonify(
            error=refused.problems[0].code if status != 422 else "invalid",
            reasons=[{"code": p.code, **p.params} for p in refused.problems],
        ), status
    return jsonify(receipt=receipt), 201


@bp.get("/rounds/<slug>/conversation")
def conversation(slug: str):
    """Published statements, opinion groups, common ground and themes: figures about fewer
    than 10 people are null. The marks themselves are in the conversation's marks CSV."""
    rnd = round_or_404(slug)
    conv = talk.of_round(rnd)
    if conv is None:
        abort(404)
    return _conversation(conv, {"round": rnd.slug})


@bp.get("/conversations/<name>")
def conversation_alone(name: str):
    """The same for a conversation without a round (for an area or a service)."""
    conv = talk.by_slug(name)
    if conv is None:
        abort(404)
    title = conv.t("title", request.args.get("lang", "en"))
    area = conv.area.slug if conv.area else None
    return _conversation(conv, {"conversation": name, "title": str(title or ""), "area": area})


def _conversation(conv, about: dict):
    lang = request.args.get("lang", "en")
    summary = page_summary(conv)

    def tally(statement_id: int) -> dict:
        t = summary.everyone.get(statement_id)
        if t is None or t.seen < talk.HIDE_BELOW:
            return {"agree": None, "disagree": None, "pass": None}
        return {"agree": t.agree, "disagree": t.disagree, "pass": t.passed}

    statements = [
        {
            "id": s.id,
            "text": str(s.t("text", lang) or ""),
            "lang": s.content.original_lang,
            "theme": s.theme_id,
            "marks": tally(s.id),
        }
        for s in conv.statements
        if s.status == StatementStatus.PUBLISHED
    ]
    question = conv.t("question", lang)
    return jsonify(
        about
        | {
            "question": str(question or ""),
            "people": talk.shown(summary.people),
            "statements": statements,
            "groups": [
                {
                    "size": g["size"],
                    "distinctive": [
                        {"statement": s, "way": way, "percent": pct}
                        for s, way, pct in g["distinctive"]
                    ],
                }
                for g in summary.groups
            ],
            "common_ground": [
                {"statement": s, "percent_agree": pct} for s, pct in summary.common_ground
            ],
            "divisive": summary.divisive,
            # A big conversation is grouped by a job: when, and from how many marks.
            "grouping": {
                "waiting": summary.waiting,
                "worked_out_at": summary.worked_out_at.isoformat()
                if summary.worked_out_at
                else None,
                "marks": summary.marks,
            },
            "themes": [
                {
                    "id": t["theme"].id,
                    "name": str(t["name"] or ""),
                    "statements": [s.id for s in t["statements"]],
                    "people": t["people"],
                    "imported": t["imported"],
                }
                for t in talk.theme_rows(conv, lang)
            ],
            "marks_csv": conversation_url("conversation.marks_csv", conv, _external=True),
        }
    )


# --- Open data: ideas outside rounds and delivery --------------------------------------------


def _day(value) -> str | None:
    return value.isoformat() if value else None


@bp.get("/ideas")
def ideas_list():
    """Every published idea with its support, threshold, due date, whether it is overdue and
    the council's answer (in `lang` where translated, else the language it was written in)."""
    from coprod.ideas import operations as idea_ops
    from coprod.ideas.models import Idea, IdeaRule

    lang = request.args.get("lang", "en")
    today = date.today()
    found = list(
        db.session.scalars(
            select(Idea).where(Idea.status == RemedyStatus.PUBLISHED).order_by(Idea.id)
        ).unique()
    )
    counts = idea_ops.supporters_of(found)
    rules = {r.area_id: r for r in db.session.scalars(select(IdeaRule))}

    def text(idea, field) -> str:
        return str(idea.t(field, lang) or "")

    return jsonify(
        [
            {
                "id": idea.id,
                "area": idea.area.slug,
                "title": text(idea, "title"),
                "now": text(idea, "now"),
                "now_cost": idea.now_cost,
                "proposal": text(idea, "proposal"),
                "proposal_cost": idea.proposal_cost,
                "supporters": counts[idea.id],
                "threshold": rules[idea.area_id].needed() if idea.area_id in rules else None,
                "due": _day(idea.due_on),
                "overdue": idea.is_overdue(today),
                "answer": None
                if idea.decision is None
                else {
                    "decision": idea.decision.value,
                    "on": _day(idea.decided_on),
                    "reason": text(idea, "reason"),
                },
            }
            for idea in found
        ]
    )


@bp.get("/rounds/<slug>/delivery")
def round_delivery(slug: str):
    """Each funded remedy's delivery: stage, dates promised and met, late promises, money."""
    from coprod.delivery import operations as deliveries

    rnd = round_or_404(slug)
    today = date.today()
    glance = deliveries.glance(rnd, today)
    remedies = []
    for remedy, d in deliveries.rows(rnd, today):
        remedies.append(
            {
                "id": str(remedy.id),
                "title": str(remedy.t("title", request.args.get("lang", "en")) or ""),
                "stage": d.stage if d else "planned",
                "responsible": d.responsible if d else "",
                "money_promised": d.money_promised if d else remedy.cost,
                "money_spent": d.money_spent if d else 0,
                "start_promised": _day(d.start_promised) if d else None,
                "started_on": _day(d.started_on) if d else None,
                "done_promised": _day(d.done_promised) if d else None,
                "done_on": _day(d.done_on) if d else None,
                "late": d.late(today) if d else [],
                "case_study": bool(d and deliveries.case_study(remedy)),
            }
        )
    return jsonify(
        round=rnd.slug,
        summary=glance.__dict__ if glance else None,
        remedies=remedies,
    )
