"""Each worker's copies of a voting round: changes reach voters at once, casting trusts none."""

import time

import sqlalchemy as sa
from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import Ballot, ContentText, Phase, Round, VoterCode
from coprod.operations import codes
from coprod.operations.phase import change_phase
from tests.conftest import csrf_token, make_app
from tests.factories import make_round

SECRET = "test-secret"


def vote_until_review(client, rnd, code):
    """Enter a code and choose the first remedy; returns the form's CSRF token."""
    token = csrf_token(client, f"/rounds/{rnd.slug}/take-part")
    client.post(f"/rounds/{rnd.slug}/take-part", data={"code": code, "csrf_token": token})
    first = str(rnd.remedies[0].id)
    client.post(f"/rounds/{rnd.slug}/ballot", data={"add": first, "csrf_token": token})
    return token, first


def behind_the_apps_back(url: str, rnd_id: int, phase: Phase) -> None:
    """Change a round's phase with plain SQL on another connection, as an outside tool would."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            sa.update(Round.__table__).where(Round.__table__.c.id == rnd_id).values(phase=phase)
        )
    engine.dispose()


def test_staff_changes_reach_the_ballot_at_once(app):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    client = app.test_client()
    vote_until_review(client, rnd, code)
    remedy = rnd.remedies[0]
    assert remedy.t("title", "en").text in client.get(f"/rounds/{rnd.slug}/ballot").text

    remedy.content.set("title", "en", "A new name for the first idea")
    db.session.commit()
    assert "A new name for the first idea" in client.get(f"/rounds/{rnd.slug}/ballot").text

    change_phase(rnd, Phase.CLOSED, actor=None)
    db.session.commit()
    page = client.get(f"/rounds/{rnd.slug}/ballot", follow_redirects=True).text
    assert "Voting is not open in this round." in page


def test_casting_never_trusts_a_copy(app):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    client = app.test_client()
    token, first = vote_until_review(client, rnd, code)
    assert client.get(f"/rounds/{rnd.slug}/review").status_code == 200

    behind_the_apps_back(app.config["SQLALCHEMY_DATABASE_URI"], rnd.id, Phase.CLOSED)
    # The worker's copy still says voting (for at most a few seconds)...
    assert client.get(f"/rounds/{rnd.slug}/review").status_code == 200
    # ...but casting reads the round itself, and refuses.
    response = client.post(
        f"/rounds/{rnd.slug}/cast",
        data={"choice": [first], "csrf_token": token},
        follow_redirects=True,
    )
    assert "Voting is not open in this round." in response.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(VoterCode.used)) is False


def test_votes_leave_the_copies_alone(app):
    rnd = make_round(Phase.VOTING)
    made = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    copies = app.extensions["round_copies"]
    client = app.test_client()
    token, first = vote_until_review(client, rnd, made[0])
    copy = copies.rounds[rnd.slug]
    client.post(f"/rounds/{rnd.slug}/cast", data={"choice": [first], "csrf_token": token})
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 1
    vote_until_review(app.test_client(), rnd, made[1])
    assert copies.rounds[rnd.slug] is copy  # a ballot, a used code: no reload
    # and the copy, loaded before the cast's commit, still renders in full
    assert rnd.remedies[0].t("title", "en").text in client.get(f"/rounds/{rnd.slug}").text


def test_another_workers_change_shows_here_within_a_second(tmp_path):
    # Two apps on one database stand for two gunicorn workers.
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    here, there = make_app(url), make_app(url)
    here.extensions["round_copies"].max_age = 0.3
    with here.app_context():
        db.create_all()
        rnd = make_round(Phase.VOTING)
        [code] = codes.make_codes(SECRET, rnd, 1)
        db.session.commit()
        slug, rnd_id = rnd.slug, rnd.id
        client = here.test_client()
        vote_until_review(client, rnd, code)
    with there.app_context():
        change_phase(db.session.get(Round, rnd_id), Phase.CLOSED, actor=None)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    with here.app_context():
        assert client.get(f"/rounds/{slug}/ballot").status_code == 200  # its copy, for now
        time.sleep(0.4)
        page = client.get(f"/rounds/{slug}/ballot", follow_redirects=True).text
        assert "Voting is not open in this round." in page
        db.session.remove()
        db.engine.dispose()


def test_a_reload_that_finds_nothing_changed_keeps_the_cards(app):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    copies = app.extensions["round_copies"]
    copies.max_age = 0  # every page loads the round again
    client = app.test_client()
    vote_until_review(client, rnd, code)
    url = f"/rounds/{rnd.slug}/ballot"
    client.get(url)
    cards = copies.rounds[rnd.slug].rendered
    client.get(url)
    assert copies.rounds[rnd.slug].rendered is cards

    # A change this worker never heard of (another worker's, say) shows at the next load.
    engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    texts = ContentText.__table__
    with engine.begin() as connection:
        connection.execute(
            sa.update(texts)
            .where(texts.c.content_id == rnd.remedies[0].content_id, texts.c.field == "title")
            .values(body="Renamed by another worker")
        )
    engine.dispose()
    assert "Renamed by another worker" in client.get(url).text
    assert copies.rounds[rnd.slug].rendered is not cards
