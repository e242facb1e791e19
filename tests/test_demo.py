"""The demo: the workshop as a living ward, loaded once, with codes that really vote."""

from sqlalchemy import func, select

from coprod.conversation import operations as ops
from coprod.extensions import db
from coprod.models import Ballot, Count, GlossaryTerm, Phase, Remedy, Response, Round, User
from coprod.operations import ballots


def test_demo_loads_once_with_a_round_in_each_phase(app, runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    phases = dict(db.session.execute(select(Round.slug, Round.phase)).all())
    assert set(phases.values()) >= {Phase.PROPOSING, Phase.RATING, Phase.VOTING, Phase.RESPONDING}
    # The ward's main voting round (the demo's round with pots votes too).
    voting = db.session.scalar(select(Round).where(Round.slug == "brookfield-2026"))
    assert voting.phase == Phase.VOTING
    assert voting.budget == 10000 and voting.currency == "GBP"
    assert all(r.cost > 0 for r in voting.remedies)
    assert "organiser@example.org" in first.output and "commissioner" in first.output
    codes = [
        line.strip()
        for line in first.output.splitlines()
        if line.count("-") == 2 and len(line.strip()) == 14
    ]
    assert len(codes) == 10
    counted = db.session.scalar(select(Round).where(Round.phase == Phase.RESPONDING))
    assert db.session.scalar(select(Count).where(Count.round_id == counted.id)) is not None
    answers = db.session.scalars(select(Response).where(Response.round_id == counted.id)).all()
    assert len(answers) == 5 and sum(a.decision is not None for a in answers) == 3
    # Each answer is about the remedy it is shown under (they were once matched by position).
    said_about = {
        db.session.get(Remedy, a.remedy_id).t("title", "en").text: a.t("reason", "en").text
        for a in answers
        if a.decision is not None
    }
    assert "interpreters" in said_about["Interpreters at council drop-ins"]
    assert "newsletter" in said_about["The ward newsletter in six languages"]
    assert "library" in said_about["Free rooms for community groups"]
    assert db.session.scalar(select(func.count(GlossaryTerm.id))) >= 19
    ur = voting.t("title", "ur")
    assert ur and not ur.is_fallback  # the demo speaks Urdu too
    # The conversation finds real groups, and common ground across them.
    spring = ops.of_round(db.session.scalar(select(Round).where(Round.slug == "brookfield-spring")))
    summary = ops.summarise(spring)
    assert len(summary.groups) >= 2 and all(g["size"] for g in summary.groups)
    said = {s.id: s.t("text", "en").text for s in spring.statements}
    common = {said[s] for s, _pct in summary.common_ground}
    assert "Every family should have one person to call." in common
    assert "The council should spend on roads first, not on extra support." not in common

    # Ideas outside rounds and delivery: one overdue, one answered; each stage, one late,
    # one case study; all in the open data too.
    found = app.test_client().get("/api/v1/ideas").get_json()
    assert sum(i["overdue"] for i in found) == 1
    assert sum(i["answer"] is not None for i in found) == 1
    assert all(i["threshold"] == 20 for i in found)
    delivered = app.test_client().get(f"/api/v1/rounds/{counted.slug}/delivery").get_json()
    stages = {r["stage"] for r in delivered["remedies"]}
    assert stages == {"planned", "started", "done"}
    assert delivered["summary"]["late"] == 1
    assert sum(r["case_study"] for r in delivered["remedies"]) == 1

    def sizes():
        return [
            db.session.scalar(select(func.count()).select_from(t))
            for t in (Round, Remedy, Ballot, User, GlossaryTerm)
        ]

    before = sizes()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0 and "already loaded" in second.output
    assert sizes() == before
    # A printed code really votes, once.
    receipt = ballots.cast(app.config["SECRET_KEY"], voting, codes[0], [str(voting.remedies[0].id)])
    db.session.commit()
    assert receipt
