"""Moving a round on as a decision; closing voting undone the same day; paper settings;
an imported round's own title and web address."""

import json
import threading
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select

from coprod import jobs
from coprod.extensions import db
from coprod.models import AuditEvent, Ballot, Count, Phase, RemedyStatus, Role, Round
from coprod.operations import ballots, codes, counting, paper
from coprod.operations.phase import PhaseError, close_voting, reopen_voting
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import SECRET, sign_in

ELECTION = (
    b"META\nkey;value\nbudget;100\nnum_projects;2\nnum_votes;2\nvote_type;approval\n"
    b"unit;Brookfield\ninstance;2024\ndescription;The Brookfield vote\n"
    b"PROJECTS\nproject_id;cost;name\n1;60;Bench\n2;50;Mural\n"
    b"VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
)


def organiser(app):
    client = app.test_client()
    sign_in(client, make_user(Role.ORGANISER))
    return client


def voted(voters: int = 2) -> tuple[Round, list[str]]:
    """A voting round where `voters` people chose the first idea; the unused codes."""
    rnd = make_round(Phase.VOTING)
    made = codes.make_codes(SECRET, rnd, voters + 2)
    for code in made[:voters]:
        ballots.cast(SECRET, rnd, code, [str(rnd.remedies[0].id)])
    db.session.commit()
    return rnd, made[voters:]


def ballots_of(rnd: Round) -> int:
    return db.session.scalar(select(func.count(Ballot.id)).where(Ballot.round_id == rnd.id))


def counts_of(rnd: Round) -> int:
    return db.session.scalar(select(func.count(Count.id)).where(Count.round_id == rnd.id))


def close(client, rnd: Round):
    token = csrf_token(client, f"/staff/rounds/{rnd.slug}/phase")
    return client.post(
        f"/staff/rounds/{rnd.slug}/phase",
        data={"csrf_token": token, "to": "counted"},
        follow_redirects=True,
    )


# --- The confirmation page ---------------------------------------------------------------


def test_opening_voting_says_what_freezes_and_what_is_on_the_ballot(app):
    client = organiser(app)
    rnd = make_round(Phase.RATING, budget=12000)
    page = client.get(f"/staff/rounds/{rnd.slug}/phase").get_data(as_text=True)
    assert "Move the round on to: Voting is open" in page
    assert "Nobody can give their views on problems and ideas any more." in page
    assert "The budget, the costs, the rules and the list of ideas are fixed" in page
    assert "£12,000" in page and "<dt>Ideas on the ballot</dt>\n  <dd>3</dd>" in page
    assert "No voter codes have been made yet." in page
    assert "Yes, move the round on" in page and "No, go back" in page
    db.session.expire_all()
    assert rnd.phase == Phase.RATING and rnd.frozen_rules is None  # looking changes nothing


def test_opening_voting_warns_when_no_idea_is_published(app):
    client = organiser(app)
    rnd = make_round(Phase.RATING)
    for remedy in rnd.remedies:
        remedy.status = RemedyStatus.SUBMITTED
    codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    page = client.get(f"/staff/rounds/{rnd.slug}/phase").get_data(as_text=True)
    assert "There are no published ideas. The ballot would be empty." in page
    assert "3 ideas are still waiting for a check." in page
    assert "No voter codes have been made yet." not in page


def test_closing_voting_says_nobody_can_vote_and_how_many_ballots_will_count(app):
    client = organiser(app)
    rnd, _ = voted(2)
    page = client.get(f"/staff/rounds/{rnd.slug}/phase").get_data(as_text=True)
    assert "Nobody can vote after this, online or on paper." in page
    assert "2 ballots have been cast. They will be counted." in page
    assert "The votes will be counted at the end of today." in page
    assert "Groups can no longer send ideas." not in page
    proposing = make_round(Phase.PROPOSING)
    page = client.get(f"/staff/rounds/{proposing.slug}/phase").get_data(as_text=True)
    assert "Groups can no longer send ideas." in page


def test_the_round_moves_on_only_from_the_confirmation_and_only_one_step(app):
    client = organiser(app)
    rnd = make_round(Phase.RATING)
    url = f"/staff/rounds/{rnd.slug}/phase"
    token = csrf_token(client, url)
    client.post(url, data={"csrf_token": token})  # a bare post: no step named
    client.post(url, data={"csrf_token": token, "to": "<b>"})
    client.post(url, data={"to": "voting"})  # no token
    db.session.expire_all()
    assert rnd.phase == Phase.RATING
    assert client.post(url, data={"csrf_token": token, "to": "voting"}).status_code == 302
    # The same page sent again (a second press) does not also close voting.
    page = client.post(url, data={"csrf_token": token, "to": "voting"}, follow_redirects=True)
    assert "The round has already moved on. Nothing was changed." in page.get_data(as_text=True)
    db.session.expire_all()
    assert rnd.phase == Phase.VOTING


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.COUNCILLOR])
def test_only_organisers_reach_the_confirmation_pages(app, role):
    rnd, _ = voted(1)
    client = app.test_client()
    sign_in(client, make_user(role))
    for path in ("phase", "reopen"):
        assert client.get(f"/staff/rounds/{rnd.slug}/{path}").status_code == 403
        token = csrf_token(client, "/sign-in")
        response = client.post(
            f"/staff/rounds/{rnd.slug}/{path}", data={"csrf_token": token, "to": "counted"}
        )
        assert response.status_code == 403
    db.session.expire_all()
    assert rnd.phase == Phase.VOTING


# --- Closing voting, and opening it again the same day ---------------------------------------


def test_closing_by_hand_waits_for_the_count_and_can_be_undone_today(app):
    client = organiser(app)
    rnd, unused = voted(2)
    page = close(client, rnd).get_data(as_text=True)
    assert "Voting is closed. The votes will be counted at the end of today." in page
    assert "Open voting again" in page and "Count the votes now" in page
    db.session.expire_all()
    assert rnd.phase == Phase.COUNTED and counts_of(rnd) == 0
    public = client.get(f"/rounds/{rnd.slug}").get_data(as_text=True)
    assert "Voting has closed. The votes will be counted soon." in public
    assert "Voting closed</span>" in public and "Votes counted" not in public
    # Every list that shows the round's badge says the same, not "Votes counted".
    for listing in ("/", "/staff/", "/staff/rounds/" + rnd.slug):
        shown = client.get(listing).get_data(as_text=True)
        assert "Voting closed</span>" in shown and "Votes counted" not in shown, listing
    results = client.get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    assert "Voting has closed. The votes will be counted soon." in results
    with pytest.raises(ballots.CastError):  # closed is closed, for now
        ballots.cast(SECRET, rnd, unused[0], [str(rnd.remedies[1].id)])
    db.session.rollback()

    url = f"/staff/rounds/{rnd.slug}/reopen"
    confirm = client.get(url).get_data(as_text=True)
    assert "Open voting again?" in confirm and "The 2 ballots already cast stay" in confirm
    db.session.expire_all()
    assert rnd.phase == Phase.COUNTED  # the question changes nothing
    page = client.post(url, data={"csrf_token": csrf_token(client, url)}, follow_redirects=True)
    assert "Voting is open again. Every ballot already cast still counts." in page.get_data(
        as_text=True
    )
    db.session.expire_all()
    assert rnd.phase == Phase.VOTING and ballots_of(rnd) == 2
    ballots.cast(SECRET, rnd, unused[0], [str(rnd.remedies[1].id)])
    db.session.commit()
    assert ballots_of(rnd) == 3
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "voting_reopened")
    ).one()
    assert event.round_id == rnd.id and event.actor_id is not None
    log = client.get("/staff/audit?kind=phases").get_data(as_text=True)
    assert "opened voting again in Test round" in log
    assert "opened voting again" not in client.get("/staff/audit?lang=pl").get_data(as_text=True)


def test_count_now_ends_the_undo_window(app):
    client = organiser(app)
    rnd, _ = voted(2)
    close(client, rnd)
    page = f"/staff/rounds/{rnd.slug}"
    counted = client.post(
        f"{page}/count", data={"csrf_token": csrf_token(client, page)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "The votes are counted." in counted and "Open voting again" not in counted
    assert counts_of(rnd) == 1
    url = f"{page}/reopen"
    refused = client.get(url, follow_redirects=True).get_data(as_text=True)
    assert "The votes have been counted, so voting cannot open again." in refused
    db.session.expire_all()
    assert rnd.phase == Phase.COUNTED
    assert "2 ballots were counted." in client.get(f"/rounds/{rnd.slug}/results").get_data(
        as_text=True
    )


def test_reopening_is_refused_after_a_count_or_on_a_later_day(app):
    day = date(2027, 5, 10)
    rnd, _ = voted(2)
    close_voting(rnd, today=day)
    db.session.commit()
    with pytest.raises(PhaseError) as later:
        reopen_voting(rnd, today=day + timedelta(days=1))
    assert later.value.reason == "too_late"
    counting.count_round(rnd)
    db.session.commit()
    with pytest.raises(PhaseError) as counted:
        reopen_voting(rnd, today=day)
    assert counted.value.reason == "counted"
    still_voting, _ = voted(1)
    with pytest.raises(PhaseError) as open_:
        reopen_voting(still_voting, today=day)
    assert open_.value.reason == "not_closed"
    db.session.expire_all()
    assert rnd.phase == Phase.COUNTED and still_voting.phase == Phase.VOTING


def test_a_round_closed_by_its_date_cannot_be_reopened(app):
    rnd, _ = voted(1)
    rnd.voting_closes = date(2027, 5, 9)
    db.session.commit()
    jobs.tick(now=datetime(2027, 5, 10, 12, tzinfo=UTC))
    db.session.commit()
    assert rnd.phase == Phase.COUNTED and counts_of(rnd) == 1
    with pytest.raises(PhaseError):
        reopen_voting(rnd, today=date(2027, 5, 10))


def test_tick_counts_a_round_closed_by_hand_once_its_day_is_over(app):
    day = date(2027, 5, 10)
    rnd, _ = voted(2)
    rnd.voting_closes = day + timedelta(days=10)
    close_voting(rnd, today=day)
    db.session.commit()
    # 22:00 UTC on 10 May is 23:00 in London: still the day it closed.
    assert jobs.tick(now=datetime(2027, 5, 10, 22, tzinfo=UTC)) == []
    db.session.commit()
    assert counts_of(rnd) == 0
    said = jobs.tick(now=datetime(2027, 5, 10, 23, 30, tzinfo=UTC))
    db.session.commit()
    assert said == [f"{rnd.slug}: counted"]
    assert db.session.scalar(select(Count.ballots).where(Count.round_id == rnd.id)) == 2
    assert jobs.tick(now=datetime(2027, 5, 12, tzinfo=UTC)) == []  # counted once


# --- Paper ballots settings ------------------------------------------------------------------


def test_organiser_switches_double_entry_until_a_sheet_is_typed(app):
    client = organiser(app)
    rnd, unused = voted(0)
    page = f"/staff/rounds/{rnd.slug}"
    form = client.get(page).get_data(as_text=True)
    assert "Paper ballots are typed in twice, by two different people" in form
    url = f"{page}/paper-settings"
    token = csrf_token(client, page)
    client.post(url, data={"csrf_token": token, "double_entry": "y"})
    db.session.expire_all()
    assert rnd.paper_double_entry is True
    client.post(url, data={"csrf_token": token})  # the box left empty: once
    db.session.expire_all()
    assert rnd.paper_double_entry is False
    changes = db.session.scalars(
        select(AuditEvent.detail).where(AuditEvent.action == "paper_double_entry_changed")
    ).all()
    assert [c["on"] for c in changes] == [True, False]
    assert "asked for paper ballots of Test round to be typed in twice" in client.get(
        "/staff/audit"
    ).get_data(as_text=True)

    paper.enter_paper(
        SECRET, rnd, "1", unused[0], [str(rnd.remedies[0].id)], make_user(Role.MODERATOR)
    )
    db.session.commit()
    refused = client.post(url, data={"csrf_token": token, "double_entry": "y"})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "<title>Error:" in text and 'id="double_entry-error-1"' in text
    assert "paper ballots have already been typed in for this round" in text
    db.session.expire_all()
    assert rnd.paper_double_entry is False
    assert "This cannot change now: 1 paper sheet has been typed in." in client.get(page).get_data(
        as_text=True
    )


def test_everyone_who_types_paper_ballots_finds_the_page_from_the_staff_home(app):
    rnd, _ = voted(0)
    rating = make_round(Phase.RATING)
    paper_url = f"/staff/rounds/{rnd.slug}/paper"
    for role in (Role.ORGANISER, Role.MODERATOR):
        client = app.test_client()
        sign_in(client, make_user(role))
        home = client.get("/staff/")
        assert home.status_code == 200
        text = home.get_data(as_text=True)
        assert f'href="{paper_url}"' in text
        assert f"/staff/rounds/{rating.slug}/paper" not in text
        assert client.get(paper_url).status_code == 200
    councillor = app.test_client()
    sign_in(councillor, make_user(Role.COUNCILLOR))
    assert paper_url not in councillor.get("/staff/").get_data(as_text=True)
    assert councillor.get(paper_url).status_code == 403
    token = csrf_token(councillor, "/sign-in")
    assert (
        councillor.post(
            f"/staff/rounds/{rnd.slug}/paper-settings", data={"csrf_token": token}
        ).status_code
        == 403
    )


# --- An imported election's own title and web address -----------------------------------


def upload(client, **fields):
    token = csrf_token(client, "/staff/import")
    return client.post(
        "/staff/import",
        data={"file": (BytesIO(ELECTION), "brookfield.pb"), "csrf_token": token} | fields,
        content_type="multipart/form-data",
    )


def test_an_imported_election_gets_the_title_and_web_address_asked_for(app):
    client = organiser(app)
    page = client.get("/staff/import").get_data(as_text=True)
    assert "The round's name" in page and "A short name for the web address" in page
    response = upload(client, title="Brookfield's own vote", slug="our-vote")
    assert response.headers["Location"].endswith("/rounds/our-vote/results")
    rnd = db.session.scalar(select(Round).where(Round.slug == "our-vote"))
    assert rnd.t("title", "en").text == "Brookfield's own vote"
    # Left empty: the file's place and year, and a web address made from them.
    response = upload(client)
    assert response.headers["Location"].endswith("/rounds/brookfield-2024/results")
    made = db.session.scalar(select(Round).where(Round.slug == "brookfield-2024"))
    assert made.t("title", "en").text == "Brookfield 2024"


def test_a_taken_or_malformed_web_address_is_refused_next_to_its_box(app):
    client = organiser(app)
    make_round(Phase.VOTING, slug="taken")
    response = upload(client, title="A new name", slug="taken")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<title>Error:" in page and 'id="slug-error-1"' in page
    assert "Another round already has the web address taken." in page and "taken-2" in page
    assert 'value="A new name"' in page and 'value="taken"' in page
    page = upload(client, title="A new name", slug="Not OK!").get_data(as_text=True)
    assert "Use small letters, numbers and dashes." in page and 'value="A new name"' in page
    assert db.session.scalar(select(func.count(Round.id))) == 1


def test_the_round_import_command_takes_a_new_title_and_slug(app, runner, tmp_path):
    rnd, _ = voted(1)
    out = tmp_path / "round.json"
    assert runner.invoke(args=["export", rnd.slug, "--out", str(out)]).exit_code == 0
    bad = runner.invoke(args=["import", str(out), "--slug", "Bad Slug"])
    assert bad.exit_code != 0 and "cannot be a web address" in bad.output
    result = runner.invoke(args=["import", str(out), "--slug", "copy", "--title", "The copy"])
    assert result.exit_code == 0, result.output
    copy = db.session.scalar(select(Round).where(Round.slug == "copy"))
    assert copy.t("title", "en").text == "The copy" and copy.t("title", "ur").text == "The copy"
    assert json.loads(out.read_text())["round"]["slug"] == rnd.slug


def test_opening_voting_again_and_counting_at_once_never_leave_a_count_of_an_open_round(app):
    """An organiser presses "Open voting again" while another presses "Count the votes
    now": whichever goes first, the other waits and then sees what it did."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: on SQLite one writer at a time is the whole story")
    today = jobs.today_here()
    slugs = []
    for _ in range(6):
        rnd, _unused = voted(2)
        close_voting(rnd, today=today)
        db.session.commit()
        slugs.append(rnd.slug)

    def the_round(slug: str) -> Round:
        return db.session.scalar(select(Round).where(Round.slug == slug))

    def reopen(slug: str, start: threading.Barrier) -> None:
        with app.app_context():
            rnd = the_round(slug)  # read before the other commits, as a request would
            start.wait(30)
            try:
                reopen_voting(rnd, today=today)
            except PhaseError:
                db.session.rollback()
            else:
                db.session.commit()

    def count(slug: str, start: threading.Barrier) -> None:
        with app.app_context():
            rnd = the_round(slug)
            start.wait(30)
            try:
                jobs.count_or_queue(rnd)
            except ValueError:
                db.session.rollback()
            else:
                db.session.commit()

    for slug in slugs:
        start = threading.Barrier(2)
        workers = [threading.Thread(target=job, args=(slug, start)) for job in (reopen, count)]
        for w in workers:
            w.start()
        for w in workers:
            w.join(60)
    db.session.expire_all()
    outcomes = set()
    for slug in slugs:
        rnd = the_round(slug)
        outcomes.add((rnd.phase, counts_of(rnd)))
    assert outcomes <= {(Phase.VOTING, 0), (Phase.COUNTED, 1)}, outcomes


def _press_together(people: list, url: str, data: list[dict]) -> list[str]:
    """Each client posts its form to `url` at the same moment; the pages they end on."""
    start = threading.Barrier(len(people))
    said: list[str] = []

    def press(client, form: dict) -> None:
        start.wait(30)
        said.append(client.post(url, data=form, follow_redirects=True).get_data(as_text=True))

    presses = [threading.Thread(target=press, args=pair) for pair in zip(people, data, strict=True)]
    for p in presses:
        p.start()
    for p in presses:
        p.join(60)
    return said


def test_two_organisers_confirming_the_same_step_at_once_make_one_step(app):
    """Both see "Move the round on to: voting" and press at the same moment: the round
    moves once, the log says so once, and the second is told it has already moved on."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks: on SQLite one writer at a time is the whole story")
    for attempt in range(5):
        rnd = make_round(Phase.RATING, slug=f"race-{attempt}")
        db.session.commit()
        url = f"/staff/rounds/{rnd.slug}/phase"
        people = [organiser(app) for _ in range(2)]
        forms = [{"csrf_token": csrf_token(client, url), "to": "voting"} for client in people]
        said = _press_together(people, url, forms)
        db.session.expire_all()
        assert rnd.phase == Phase.VOTING
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.round_id == rnd.id, AuditEvent.action == "phase_changed"
            )
        ).all()
        to_voting = [e for e in events if e.detail.get("after") == "voting"]
        assert len(to_voting) == 1, [e.detail for e in events]
        assert sum("already moved on" in page for page in said) == 1
