"""Staff: signing in, the role check on every staff route, phases, codes, paper ballots."""

import re

import pytest
from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import AuditEvent, Ballot, Channel, PaperEntry, Phase, Rating, Role
from coprod.operations import codes, paper
from coprod.operations.ballots import CastError
from tests.conftest import csrf_token
from tests.factories import make_round, make_user

SECRET = "test-secret"
PASSWORD = "correct horse battery"


def sign_in(client, user):
    token = csrf_token(client, "/sign-in")
    response = client.post(
        "/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def staff_routes(app):
    """Every route whose view checks a role, with its allowed roles and a URL to try."""
    found = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        roles = getattr(view, "required_roles", None)
        if rule.rule.startswith("/staff"):
            assert roles, f"{rule.rule} has no role check"
        if roles:
            url = rule.rule.replace("<slug>", "round-x").replace("<sheet>", "1")
            url = re.sub(r"<int:\w+>", "1", url)
            url = re.sub(r"<any\(([\w-]+)[^>]*>", r"\1", url)  # the first allowed word
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((url, method, set(roles)))
    return found


def test_every_staff_route_refuses_anyone_without_the_role(app):
    make_round(Phase.VOTING, slug="round-x")
    routes = staff_routes(app)
    assert len(routes) >= 6
    anonymous = app.test_client()
    token = csrf_token(anonymous, "/sign-in")
    for url, method, _roles in routes:
        response = anonymous.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url
    for role in Role:
        user = make_user(role)
        client = app.test_client()
        sign_in(client, user)
        token = csrf_token(client, "/sign-in")
        for url, method, roles in routes:
            status = client.open(url, method=method, data={"csrf_token": token}).status_code
            if role in roles:
                assert status != 403, (url, method, role)
            else:
                assert status == 403, (url, method, role)


def test_wrong_password_gets_a_clear_message_and_keeps_the_email(client, app):
    user = make_user(Role.ORGANISER)
    token = csrf_token(client, "/sign-in")
    page = client.post(
        "/sign-in", data={"email": user.email, "password": "nope", "csrf_token": token}
    ).get_data(as_text=True)
    assert "don&#39;t match" in page and f'value="{user.email}"' in page


def test_organiser_moves_a_round_on_and_voting_freezes_the_rules(client):
    organiser = make_user(Role.ORGANISER)
    rnd = make_round(Phase.RATING)
    sign_in(client, organiser)
    page = client.get(f"/staff/rounds/{rnd.slug}").get_data(as_text=True)
    assert "cannot change" in page
    token = csrf_token(client, f"/staff/rounds/{rnd.slug}/phase")
    client.post(f"/staff/rounds/{rnd.slug}/phase", data={"csrf_token": token, "to": "voting"})
    db.session.expire_all()
    assert rnd.phase == Phase.VOTING and rnd.frozen_rules["budget"] == 10000
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "phase_changed")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event.actor_id == organiser.id and event.detail["after"] == "voting"


def test_organiser_gets_printable_letters_for_new_codes(client):
    sign_in(client, make_user(Role.ORGANISER))
    rnd = make_round(Phase.VOTING)
    token = csrf_token(client, f"/staff/rounds/{rnd.slug}")
    response = client.post(
        f"/staff/rounds/{rnd.slug}/codes", data={"count": "3", "lang": "ar", "csrf_token": token}
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    html = response.get_data(as_text=True)
    found = re.findall(r'class="code">([A-Z0-9-]{14})<', html)
    assert len(found) == 3 and 'lang="ar" dir="rtl"' in html
    assert codes.find(SECRET, rnd, found[0]) is not None
    bad = client.post(
        f"/staff/rounds/{rnd.slug}/codes", data={"count": "0", "lang": "ar", "csrf_token": token}
    )
    assert bad.status_code == 302


def test_a_paper_ballot_counts_like_an_online_one(client):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    sign_in(client, make_user(Role.MODERATOR))
    token = csrf_token(client, f"/staff/rounds/{rnd.slug}/paper")
    ids = [str(r.id) for r in rnd.remedies]
    page = client.post(
        f"/staff/rounds/{rnd.slug}/paper",
        data={"sheet": "17", "code": code, "choices": ids, "csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "there is only \u2068£10,000\u2069" in page and 'value="17"' in page
    page = client.post(
        f"/staff/rounds/{rnd.slug}/paper",
        data={"sheet": "17", "code": code, "choices": ids[:2], "csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Sheet 17 is counted." in page
    assert db.session.scalars(select(Ballot.channel)).all() == [Channel.PAPER]


def test_double_entry_counts_only_when_two_typists_agree(app):
    rnd = make_round(Phase.VOTING, paper_double_entry=True)
    first_code, second_code = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    ann, bob = make_user(Role.MODERATOR), make_user(Role.ORGANISER)
    ids = [str(r.id) for r in rnd.remedies]

    assert paper.enter_paper(SECRET, rnd, "1", first_code, ids[:1], ann) == "waiting"
    db.session.commit()
    with pytest.raises(CastError) as refused:
        paper.enter_paper(SECRET, rnd, "1", first_code, ids[:1], ann)
    assert refused.value.problems[0].code == "same_typist"
    assert paper.enter_paper(SECRET, rnd, "1", first_code.lower(), ids[:1], bob) == "counted"
    db.session.commit()
    assert db.session.scalar(select(func.count(Ballot.id))) == 1
    leftovers = db.session.scalars(select(PaperEntry)).all()
    assert all(e.code_hash is None and e.choices is None for e in leftovers)

    # A counted sheet's number cannot be typed again, even with another code.
    third_code = codes.make_codes(SECRET, rnd, 1)[0]
    db.session.commit()
    with pytest.raises(CastError) as refused:
        paper.enter_paper(SECRET, rnd, "1", third_code, ids[:1], ann)
    assert refused.value.problems[0].code == "sheet_counted"

    assert paper.enter_paper(SECRET, rnd, "2", second_code, ids[:1], ann) == "waiting"
    db.session.commit()
    assert paper.enter_paper(SECRET, rnd, "2", second_code, ids[1:2], bob) == "mismatch"
    db.session.commit()
    assert db.session.scalar(select(func.count(Ballot.id))) == 1
    with pytest.raises(CastError) as refused:  # until an organiser clears it
        paper.enter_paper(SECRET, rnd, "2", second_code, ids[1:2], ann)
    assert refused.value.problems[0].code == "sheet_mismatch"
    paper.clear_mismatch(rnd, "2", bob)
    db.session.commit()
    assert paper.enter_paper(SECRET, rnd, "2", second_code, ids[1:2], ann) == "waiting"
    db.session.commit()


def test_a_group_member_types_in_the_paper_ballots_their_group_collected(app, client):
    rnd = make_round(Phase.VOTING)
    made = codes.make_codes(SECRET, rnd, 2)
    group = rnd.remedies[0].group
    member, outsider = make_user(Role.MEMBER), make_user(Role.MEMBER)
    member.group_id = group.id
    outsider.group_id = make_round(Phase.VOTING).remedies[0].group_id  # another round's group
    db.session.commit()
    url = f"/toolkit/rounds/{rnd.slug}/type-ballots"
    assert client.get(url).status_code == 302  # to sign in
    for who in (outsider, make_user(Role.MODERATOR)):  # not in this round; staff have theirs
        other = app.test_client()
        sign_in(other, who)
        assert other.get(url).status_code == 403
    sign_in(client, member)
    assert url in client.get("/my-group").get_data(as_text=True)
    urdu = client.get(url, headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert 'dir="rtl"' in urdu and "پرچے پر لکھا ووٹ کا کوڈ" in urdu

    ids = [str(r.id) for r in rnd.remedies]
    token = csrf_token(client, url)
    typed = {"sheet": "4", "code": made[0], "choices": ids[:2], "csrf_token": token}
    # The same checks as online: no code, a wrong code, too much spent; what was typed stays.
    for changed, said in (
        ({"code": ""}, "This field is required."),
        ({"code": "NOT-A-CODE"}, "We couldn&#39;t find this code"),
        ({"choices": ids}, "there is only \u2068£10,000\u2069"),
    ):
        page = client.post(url, data=typed | changed).get_data(as_text=True)
        assert said in page and 'value="4"' in page
    assert db.session.scalar(select(func.count(Ballot.id))) == 0
    page = client.post(url, data=typed, follow_redirects=True).get_data(as_text=True)
    assert "Sheet 4 is counted." in page
    assert db.session.scalars(select(Ballot.channel)).all() == [Channel.PAPER]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "paper_ballot_entered"))
    assert event.actor_id == member.id
    again = client.post(url, data=typed | {"sheet": "5"}).get_data(as_text=True)
    assert "already been used" in again  # one ballot for each code, on paper or online
    assert db.session.scalar(select(func.count(Ballot.id))) == 1


def test_a_group_member_types_in_rating_sheets_with_their_voter_codes(app, client):
    rnd = make_round(Phase.RATING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    member = make_user(Role.MEMBER)
    member.group_id = rnd.remedies[0].group_id
    db.session.commit()
    sign_in(client, member)
    url = f"/toolkit/rounds/{rnd.slug}/type-ratings"
    assert url in client.get("/my-group").get_data(as_text=True)
    barrier = rnd.barriers[0]
    sheet = {f"barrier-{barrier.id}": "4", "csrf_token": csrf_token(client, url)}
    wrong = client.post(url, data=sheet | {"code": "NOT-A-CODE"})
    page = wrong.get_data(as_text=True)
    assert wrong.status_code == 400 and "We couldn&#39;t find this code" in page
    assert re.search(rf'name="barrier-{barrier.id}" value="4" checked', page)  # kept
    assert client.post(url, data=sheet | {"code": code.lower()}).status_code == 302
    [rating] = db.session.scalars(select(Rating)).all()
    assert (rating.score, rating.channel, rating.indicative) == (4, Channel.PAPER, False)
    # The code's answers online replace the sheet's: one set of answers for each code.
    online = app.test_client()
    take_part = f"/rounds/{rnd.slug}/take-part"
    online.post(take_part, data={"code": code, "csrf_token": csrf_token(online, take_part)})
    rate = f"/rounds/{rnd.slug}/rate"
    online.post(rate, data={f"barrier-{barrier.id}": "2", "csrf_token": csrf_token(online, rate)})
    db.session.expire_all()
    assert [(r.score, r.channel) for r in db.session.scalars(select(Rating))] == [
        (2, Channel.ONLINE)
    ]
