"""Demo: ideas outside rounds (one overdue, one answered) and funded remedies at each stage of
delivery (one late, one done with its case study). Flushed into the demo's one transaction."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from coprod.delivery import operations as deliveries
from coprod.delivery.models import CaseStudy, Delivery, DeliveryUpdate
from coprod.extensions import db
from coprod.ideas.models import Idea, IdeaAnswer, IdeaRule, IdeaSupport, SupportWay
from coprod.models import Area, Phase, Remedy, RemedyStatus, Round, User
from coprod.operations.content import new_content

IDEAS = [
    # (title by language, now, proposal, now cost, proposal cost, supporters, days since queued)
    (
        {
            "en": "Lights on the canal path",
            "ur": "نہر کے راستے پر روشنیاں",
            "pl": "Oświetlenie ścieżki nad kanałem",
        },
        "The path is dark after 4 pm in winter, so people walk the long way round.",
        "Solar lights every 30 metres, looked after by the canal volunteers.",
        0,
        18000,
        24,
        70,
    ),
    (
        {
            "en": "A repair café once a month",
            "ur": "مہینے میں ایک بار مرمت کیفے",
            "pl": "Kawiarnia naprawcza raz w miesiącu",
        },
        "Broken toasters and bikes go to the tip.",
        "Volunteers fix things with people in the community centre.",
        2500,
        600,
        21,
        40,
    ),
    (
        {"en": "Water fountain in the park", "pl": "Poidełko w parku"},
        "Families buy bottled water or go home early.",
        "One drinking fountain by the play area.",
        0,
        3500,
        7,
        None,
    ),
]


def load(area: Area, decision_maker: User, today: date) -> None:
    """Add the demo's ideas and delivery to the ward."""
    db.session.add(
        IdeaRule(
            area=area, supporters=20, answer_days=56, decision_maker=decision_maker, keep_days=90
        )
    )
    for n, (title, now, proposal, now_cost, cost, people, queued) in enumerate(IDEAS):
        idea = Idea(
            area_id=area.id,
            status=RemedyStatus.PUBLISHED,
            now_cost=now_cost,
            proposal_cost=cost,
            content=new_content("en", {"title": title, "now": now, "proposal": proposal}),
        )
        db.session.add(idea)
        db.session.flush()
        for p in range(people):
            db.session.add(
                IdeaSupport(
                    idea_id=idea.id,
                    supporter=f"demo-{n}-{p}",
                    way=SupportWay.CODE,
                    confirmed=True,
                    on=today - timedelta(days=80 - p),
                )
            )
        if queued is not None:
            idea.queued_on = today - timedelta(days=queued)
            idea.due_on = idea.queued_on + timedelta(days=56)
            idea.decision_maker_id = decision_maker.id
        if n == 1:  # answered: yes, on the next ballot; the Urdu translation not checked yet
            idea.decision, idea.decided_on = IdeaAnswer.NEXT_BALLOT, today - timedelta(days=3)
            idea.answered_in = "en"
            idea.content.set(
                "reason", "en", "We will put it on next spring's ballot, costed.", reviewed=True
            )
            idea.content.set(
                "reason", "ur", "ہم اسے اگلی بہار کے بیلٹ پر رکھیں گے۔", reviewed=False
            )
    _delivery(today)
    db.session.flush()


def _delivery(today: date) -> None:
    """Funded remedies of the counted rounds: planned, started and late, done with a story."""
    rounds = db.session.scalars(
        select(Round).where(Round.phase.in_([Phase.RESPONDING, Phase.CLOSED])).order_by(Round.id)
    )
    funded = [db.session.get_one(Remedy, i) for rnd in rounds for i in deliveries.funded_ids(rnd)]
    stages = [
        ("done", -120, -100, -60, -45),
        ("started", -40, -38, -5, None),  # finish promised 5 days ago: late
        ("planned", 20, None, 90, None),
    ]
    for remedy, (stage, start, started, done_by, done) in zip(funded, stages, strict=False):

        def day(offset: int | None) -> date | None:
            return today + timedelta(days=offset) if offset is not None else None

        delivery = Delivery(
            remedy=remedy,
            stage=stage,
            responsible="Brookfield parks team",
            money_promised=remedy.cost,
            money_spent=remedy.cost if stage == "done" else remedy.cost // 3 if started else 0,
            start_promised=day(start),
            started_on=day(started),
            done_promised=day(done_by),
            done_on=day(done),
        )
        if started is not None:
            delivery.updates.append(
                DeliveryUpdate(
                    on=day(started) or today,
                    by_group=True,
                    note="We started this week. Twelve neighbours came to help.",
                    lang="en",
                    photo_url="https://upload.wikimedia.org/wikipedia/commons/3/3f/Community_garden.jpg",
                    photo_alt="Neighbours planting in raised beds on a sunny day",
                )
            )
        db.session.add(delivery)
        if stage == "done":
            db.session.add(
                CaseStudy(
                    remedy=remedy,
                    before_cost=remedy.now_cost,
                    after_cost=remedy.proposal_cost,
                    stories_consent=True,
                    content=new_content(
                        "en",
                        {
                            "before": "Each family found its own way, and many did not.",
                            "after": "Neighbours run it together every week.",
                            "who": "Older people and new arrivals now meet every week.",
                            "stories": "“I did not know anyone here. Now I know the whole "
                            "street.” — Amina",
                        },
                    ),
                )
            )
