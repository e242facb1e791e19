"""Offers of help for a whole area or a problem, shared only with the group the person
chooses; and panel draws forget who was chosen on the privacy schedule."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from coprod.extensions import db
from coprod.models import Area, Group, Offer, PanelDraw, Phase, Remedy, RemedyStatus, Role
from coprod.operations import offers
from coprod.operations.privacy import purge_contacts
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

CONTACT = "07700 900123"


def test_an_offer_for_a_problem_reaches_only_the_group_chosen(app, client):
    area = Area(slug="brook", name="Brookfield")
    db.session.add(area)
    db.session.commit()
    rnd = make_round(Phase.RATING, area_id=area.id)
    chosen = rnd.remedies[0].group
    other = Group(slug="other", name="Other group", approved=True)
    rnd.remedies[1].group = other
    db.session.commit()
    url = f"/rounds/{rnd.slug}/offer-help"
    assert url in client.get(f"/rounds/{rnd.slug}").get_data(as_text=True)
    page = client.get(url, headers={"Accept-Language": "bn"}).get_data(as_text=True)
    assert 'lang="bn"' in page and "Other group" in page and f"area-{area.id}" in page
    barrier = rnd.barriers[0]
    data = {
        "target": f"theme-{barrier.id}",
        "group": str(chosen.id),
        "what": "আমি বাংলা অনুবাদ করতে পারি",
        "hours": "",
        "contact": CONTACT,
        "consent": "y",
    }
    bad = client.post(
        url, data=data | {"target": "theme-999999", "csrf_token": csrf_token(client, url)}
    )
    assert bad.status_code == 400 and CONTACT in bad.get_data(as_text=True)
    sent = client.post(
        url, data=data | {"csrf_token": csrf_token(client, url)}, headers={"Accept-Language": "bn"}
    )
    assert sent.status_code == 302
    offer = db.session.scalar(select(Offer))
    assert (offer.barrier_id, offer.group_id, offer.remedy_id, offer.lang) == (
        barrier.id,
        chosen.id,
        None,
        "bn",
    )
    offers.decide(offer, make_user(Role.MODERATOR), publish=True)
    db.session.commit()

    def group_page(group: Group) -> str:
        member = app.test_client()
        sign_in(member, make_user(Role.MEMBER, group=group))
        return member.get("/my-group/offers").get_data(as_text=True)

    assert CONTACT in group_page(chosen) and "Barrier" in group_page(chosen)
    assert CONTACT not in group_page(other)
    assert CONTACT not in client.get(f"/rounds/{rnd.slug}").get_data(as_text=True)
    mine = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert chosen.name in mine and CONTACT in mine

    # Deleted with the round's other contacts.
    rnd.phase = Phase.CLOSED
    db.session.commit()
    purge_contacts(today=rnd.responses_due + timedelta(days=rnd.keep_contacts_days + 1))
    db.session.commit()
    assert db.session.scalar(select(Offer)) is None


def test_a_panel_draw_forgets_who_was_chosen_after_its_keeping_time(app):
    draw = PanelDraw(
        name="Spring", size=2, volunteers=9, seed=7, attempt=1, inputs_sha256="0" * 64,
        rows=[], chosen=["v1", "v2"], drawn_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip
    db.session.add(draw)
    db.session.commit()
    purge_contacts(today=date(2026, 3, 1))
    db.session.commit()
    assert db.session.get(PanelDraw, draw.id).chosen == ["v1", "v2"]
    purge_contacts(today=date(2026, 4, 2))
    db.session.commit()
    kept = db.session.get(PanelDraw, draw.id)
    assert kept.chosen == [] and kept.seed == 7  # the draw can still be checked


def test_no_group_to_help_means_no_form(app, client):
    rnd = make_round(Phase.RATING)
    for remedy in db.session.scalars(select(Remedy).where(Remedy.round_id == rnd.id)):
        remedy.status = RemedyStatus.DRAFT
    db.session.commit()
    assert client.get(f"/rounds/{rnd.slug}/offer-help").status_code == 404
