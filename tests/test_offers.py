"""Offers of help: offering in one's own language, moderation, the group alone seeing how to
reach people, taking an offer back, the privacy schedule, asks on remedies, the dashboard."""

import re
from datetime import timedelta

from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import Offer, Phase, Role
from coprod.operations import offers
from coprod.operations.offers import help_for
from coprod.operations.privacy import purge_contacts
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

CONTACT = "amina@example.org"


def offer_url(rnd, remedy) -> str:
    return f"/rounds/{rnd.slug}/remedies/{remedy.id}/offer-help"


def send_offer(client, rnd, remedy, lang="en", **changes):
    url = offer_url(rnd, remedy)
    data = {"what": "I can translate Somali", "hours": "3", "contact": CONTACT, "consent": "y"}
    data |= changes | {"csrf_token": csrf_token(client, url)}
    return client.post(url, data=data, headers={"Accept-Language": lang})


def test_help_counts_offers_against_the_ask():
    h = help_for(4, 2, [3, None, 5])
    assert (h.offers, h.hours_offered, h.hours_wanted, h.helpers_still_wanted) == (3, 8, 8, 1)
    assert help_for(None, None, []).asked is False
    assert help_for(2, None, [1, 1, 1]).helpers_still_wanted == 0


def test_an_offer_in_somali_reaches_only_the_chosen_group_after_a_check(app, client):
    rnd = make_round(Phase.RATING)
    remedy, other = rnd.remedies[0], rnd.remedies[1]
    other.group = None  # another idea, not this group's
    remedy.helpers_wanted, remedy.helper_hours = 4, 2
    db.session.commit()

    page = client.get(offer_url(rnd, remedy), headers={"Accept-Language": "so"})
    assert page.status_code == 200 and 'lang="so"' in page.get_data(as_text=True)
    response = send_offer(client, rnd, remedy, lang="so", what="Waxaan turjumi karaa")
    assert response.status_code == 302
    secret_page = response.headers["Location"]
    offer = db.session.scalar(select(Offer))
    assert offer.lang == "so" and offer.status == "waiting" and offer.consent_at is not None

    # Not counted, and the contact is nowhere public, before or after the check.
    public = client.get(f"/rounds/{rnd.slug}/remedies/{remedy.id}").get_data(as_text=True)
    assert "Nobody has offered to help yet." in public and CONTACT not in public
    assert "4 helpers, 2 hours a month each" in public

    moderator = make_user(Role.MODERATOR)
    staff = app.test_client()
    sign_in(staff, moderator)
    queue = staff.get("/staff/moderate/offers").get_data(as_text=True)
    assert "Waxaan turjumi karaa" in queue and CONTACT not in queue
    token = csrf_token(staff, "/staff/moderate/offers")
    staff.post(f"/staff/moderate/offers/{offer.id}/publish", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == "published"

    public = client.get(f"/rounds/{rnd.slug}/remedies/{remedy.id}").get_data(as_text=True)
    assert "1 neighbour has offered to help." in public and CONTACT not in public
    assert CONTACT not in staff.get("/staff/moderate/offers").get_data(as_text=True)

    member = make_user(Role.MEMBER, group=remedy.group)
    outsider_group = make_user(Role.MEMBER, group=None)
    theirs = app.test_client()
    sign_in(theirs, member)
    assert CONTACT in theirs.get("/my-group/offers").get_data(as_text=True)
    stranger = app.test_client()
    sign_in(stranger, outsider_group)
    assert stranger.get("/my-group/offers").status_code == 403

    # The person takes it back from their private page: it is gone, contact and all.
    assert CONTACT in client.get(secret_page).get_data(as_text=True)
    token = csrf_token(client, secret_page)
    gone = client.post(secret_page, data={"csrf_token": token})
    assert "Your offer is taken back" in gone.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Offer.id))) == 0
    assert client.get(secret_page).status_code == 404


def test_a_bad_offer_is_refused_with_what_was_typed_kept_in_arabic(app, client):
    rnd = make_round(Phase.RATING)
    remedy = rnd.remedies[0]
    response = send_offer(
        client, rnd, remedy, lang="ar", what="<script>x</script>", hours="lots", consent=""
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'dir="rtl"' in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page
    assert CONTACT in page  # kept
    assert page.count('class="error-message"') == 3
    assert db.session.scalar(select(func.count(Offer.id))) == 0


def test_a_moderator_can_turn_an_offer_down_and_it_is_deleted(app, client):
    rnd = make_round(Phase.RATING)
    send_offer(client, rnd, rnd.remedies[0])
    offer_id = db.session.scalar(select(Offer.id))
    staff = app.test_client()
    sign_in(staff, make_user(Role.ORGANISER))
    token = csrf_token(staff, "/staff/moderate/offers")
    staff.post(f"/staff/moderate/offers/{offer_id}/reject", data={"csrf_token": token})
    assert db.session.scalar(select(func.count(Offer.id))) == 0


def test_offers_are_deleted_on_the_privacy_schedule(app, client):
    rnd = make_round(Phase.RATING)
    send_offer(client, rnd, rnd.remedies[0])
    rnd.phase = Phase.CLOSED
    rnd.keep_contacts_days = 30
    db.session.commit()
    ended = rnd.responses_due
    purge_contacts(today=ended + timedelta(days=30))
    db.session.commit()
    assert db.session.scalar(select(func.count(Offer.id))) == 1
    purge_contacts(today=ended + timedelta(days=31))
    db.session.commit()
    assert db.session.scalar(select(func.count(Offer.id))) == 0
    # and a closed round takes no new offers
    page = client.get(offer_url(rnd, rnd.remedies[0]))
    assert page.status_code == 410


def test_the_dashboard_shows_offered_hours_beside_money(app, client):
    rnd = make_round(Phase.RATING)
    remedy = rnd.remedies[0]
    remedy.helpers_wanted, remedy.helper_hours = 4, 2
    offer, _ = offers.make(remedy, "I have a van", "en", 5, CONTACT)
    offer.status = offers.PUBLISHED
    db.session.commit()
    staff = app.test_client()
    sign_in(staff, make_user(Role.COMMISSIONER))
    page = staff.get(f"/staff/council/rounds/{rnd.slug}").get_data(as_text=True)
    section = page[page.index('id="helpers"') :]
    row = re.search(r"<tr><th scope=\"row\">.*?</tr>", section, re.S)
    assert row and "4 helpers, 2 hours a month each" in row.group(0)
    assert ">5</td>" in row.group(0) and CONTACT not in page


def test_a_group_asks_for_helpers_in_its_proposal(app, client):
    from tests.test_propose import make_group, post_proposal, remedies_of

    rnd = make_round(Phase.PROPOSING, costs=())
    group = make_group()
    sign_in(client, make_user(Role.MEMBER, group=group))
    assert post_proposal(client, rnd, helpers_wanted="4", helper_hours="2").status_code == 302
    (remedy,) = remedies_of(group)
    assert (remedy.helpers_wanted, remedy.helper_hours) == (4, 2)
