"""Conversations without a round, themes that become ideas for a round, one voice counted once."""

import csv
import io
import json

from sqlalchemy import select

from coprod.conversation import operations as ops
from coprod.conversation.models import Mark, Statement, StatementStatus
from coprod.extensions import db
from coprod.models import Area, Eligibility, Phase, Remedy, RemedyStatus, Role
from coprod.operations import codes
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

ALONE = "young-carers"


def _start(client, **fields):
    data = {"title": "Support for young carers", "question": "What would help you most?",
            "slug": ALONE, "area": ""} | fields  # fmt: skip
    data["csrf_token"] = csrf_token(client, "/staff/conversations")
    return client.post("/staff/conversations", data=data)


def test_an_organiser_opens_a_conversation_for_an_area_and_anyone_takes_part(app, client):
    north = Area(slug="north", name="North")
    db.session.add(north)
    db.session.commit()
    organiser = app.test_client()
    sign_in(organiser, make_user(Role.ORGANISER))
    refused = _start(organiser, slug="Young Carers!")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "small letters a to z" in page
    assert "Support for young carers" in page  # what they typed is kept
    assert _start(organiser, area=str(north.id)).status_code == 302
    assert _start(organiser).status_code == 400  # the address is taken now
    assert "Support for young carers" in client.get("/").get_data(as_text=True)

    # Anyone may say something (no code); the author sees it at once and agrees with it.
    url = f"/conversations/{ALONE}"
    said = client.post(
        f"{url}/say", data={"text": "A break once a month", "csrf_token": csrf_token(client, url)}
    )
    assert said.status_code == 302 and "A break once a month" in client.get(url).get_data(
        as_text=True
    )
    [statement] = db.session.scalars(select(Statement)).all()
    assert statement.area_id == north.id and statement.conversation.round is None
    moderator = app.test_client()
    sign_in(moderator, make_user(Role.MODERATOR))
    queue = moderator.get("/staff/moderate/").get_data(as_text=True)
    assert "A break once a month" in queue and f"/staff/moderate/conversations/{ALONE}/themes" in (
        queue
    )
    moderator.post(
        f"/staff/moderate/statements/{statement.id}/publish",
        data={"csrf_token": csrf_token(moderator, "/staff/moderate/")},
    )
    other = app.test_client()
    assert "I agree" in other.get(url).get_data(as_text=True)
    other.post(
        f"{url}/mark",
        data={"statement": statement.id, "value": "disagree", "csrf_token": csrf_token(other, url)},
    )
    values = sorted(m.value for m in db.session.scalars(select(Mark)))
    assert values == [-1, 1]  # the author's own agree, and the other person's disagree

    data = client.get(f"/api/v1/conversations/{ALONE}").get_json()
    assert data["conversation"] == ALONE and data["area"] == "north"
    assert [s["text"] for s in data["statements"]] == ["A break once a month"]
    assert data["marks_csv"].endswith(f"/conversations/{ALONE}/marks.csv")
    rows = list(csv.reader(io.StringIO(client.get(f"{url}/marks.csv").get_data(as_text=True))))
    assert rows[0] == ["participant", str(statement.id)] and len(rows) == 3
    assert client.get(f"{url}/results").status_code == 200
    assert client.get("/conversations/nope").status_code == 404

    # Closed by the organiser: nobody can add to it, and it leaves the home page.
    setup = f"/staff/conversations/{ALONE}"
    organiser.post(f"{setup}/close", data={"csrf_token": csrf_token(organiser, setup)})
    assert "This conversation is closed." in client.get(url).get_data(as_text=True)
    assert "Support for young carers" not in client.get("/").get_data(as_text=True)


def test_a_theme_becomes_an_idea_for_the_next_round_and_reaches_its_council_report(app, client):
    conv = ops.start_alone(ALONE, "Young carers", "What would help?", None)
    statement = ops.write(conv, None, "A break once a month", "en")
    statement.status = StatementStatus.PUBLISHED
    theme = ops.make_theme(conv, {"en": "Breaks for carers"}, [statement.id], None)
    later = make_round(Phase.PROPOSING, slug="next-round")
    voting = make_round(Phase.VOTING, slug="voting-round")
    db.session.commit()
    moderator = make_user(Role.MODERATOR)
    sign_in(client, moderator)
    themes = f"/staff/moderate/conversations/{ALONE}/themes"
    page = client.get(themes).get_data(as_text=True)
    assert 'value="next-round"' in page
    assert page.count('value="voting-round"') == 1  # a problem yes; an idea no (ballot fixed)
    token = csrf_token(client, themes)
    refused = client.post(
        f"/staff/moderate/themes/{theme.id}/idea",
        data={"round": voting.slug, "csrf_token": token},
        follow_redirects=True,
    )
    assert "still open for this" in refused.get_data(as_text=True)
    client.post(
        f"/staff/moderate/themes/{theme.id}/idea", data={"round": later.slug, "csrf_token": token}
    )
    db.session.expire_all()
    idea = db.session.scalars(select(Remedy).where(Remedy.round_id == later.id)).all()[-1]
    assert idea.status == RemedyStatus.SUBMITTED and idea.t("title", "en").text == (
        "Breaks for carers"
    )
    assert ops.theme_of(remedy=idea).id == theme.id
    assert ops.problems_from_themes(later) == [("remedy", idea.id)]

    # The public follows it both ways once a moderator publishes the idea.
    idea.status = RemedyStatus.PUBLISHED
    db.session.commit()
    results = client.get(f"/conversations/{ALONE}/results").get_data(as_text=True)
    assert f"/rounds/next-round/remedies/{idea.id}" in results
    remedy_page = client.get(f"/rounds/next-round/remedies/{idea.id}").get_data(as_text=True)
    assert f"/conversations/{ALONE}/results#theme-{theme.id}" in remedy_page

    # The council sees it beside the top five, and in its exports.
    council = app.test_client()
    sign_in(council, make_user(Role.COMMISSIONER))
    report = council.get("/staff/council/rounds/next-round/top-5").get_data(as_text=True)
    assert "Breaks for carers" in report and "An idea" in report
    exported = json.loads(council.get("/staff/council/rounds/next-round/results.json").data)
    assert [v["name"] for v in exported["voice"]] == ["Breaks for carers"]
    assert exported["voice"][0]["idea"] == idea.id
    table = council.get("/staff/council/rounds/next-round/results.csv").get_data(as_text=True)
    assert f"theme,,theme,{theme.id},Breaks for carers," in table


def test_marks_made_before_giving_a_code_count_once(app, client):
    """Someone marks without a code in an open round, then gives their code: their marks
    move to the code's pseudonym; where they marked again with the code, that mark stands."""
    rnd = make_round(Phase.RATING, eligibility=Eligibility.OPEN_RATING)
    conv = ops.start(rnd, "What would help?")
    first, second = (ops.write(conv, None, text, "en") for text in ("One", "Two"))
    first.status = second.status = StatementStatus.PUBLISHED
    [code] = codes.make_codes(app.config["SECRET_KEY"], rnd, 1)
    db.session.commit()
    url = f"/rounds/{rnd.slug}/conversation"
    for statement, value in ((first, "agree"), (second, "disagree")):
        client.post(
            f"{url}/mark",
            data={"statement": statement.id, "value": value, "csrf_token": csrf_token(client, url)},
        )
    client.post(f"{url}/code", data={"code": code, "csrf_token": csrf_token(client, url)})
    db.session.expire_all()
    marks = db.session.scalars(select(Mark).order_by(Mark.statement_id)).all()
    key = codes.keyed_hash("test-secret", f"rater:{rnd.id}", codes.normalise(code))
    assert [(m.marker, m.value, m.indicative) for m in marks] == [
        (key, 1, False),
        (key, -1, False),
    ]
    assert ops.summarise(conv).people == 1


def test_a_big_conversation_is_grouped_by_a_job_and_the_result_kept(app, client):
    """Over the limit, a page never groups in the request: it shows the grouping a job
    kept, and the tick queues a new one once more marks have come in."""
    from coprod import jobs
    from coprod.conversation.models import StoredGrouping

    app.config["GROUP_IN_JOB_OVER"] = 10
    conv = ops.start_alone(ALONE, "Young carers", "What would help?", None)
    statements = [ops.write(conv, None, f"Idea {n}", "en") for n in range(3)]
    for s in statements:
        s.status = StatementStatus.PUBLISHED
    for p in range(4):
        for s in statements:
            ops.mark(s, ops.Person(f"p{p}"), "agree")
    db.session.commit()
    assert ops.summary_for_page(conv, 10).waiting  # 12 marks: too many to group inline
    # The page queues the job (tests run jobs at once) and shows what it kept.
    assert client.get(f"/api/v1/conversations/{ALONE}").get_json()["grouping"]["marks"] == 12
    [kept] = db.session.scalars(select(StoredGrouping)).all()
    assert kept.marks == 12 and kept.result["everyone"][str(statements[0].id)] == [4, 0, 0]
    with app.app_context():
        assert jobs.tick() == []  # nothing new: nothing queued
    ops.mark(statements[0], ops.Person("p9"), "disagree")
    db.session.commit()
    with app.app_context():
        said = jobs.tick()
        db.session.commit()
    assert said == [f"conversation {conv.id}: grouping queued"]
    db.session.expire_all()
    assert db.session.scalars(select(StoredGrouping)).one().marks == 13
    page = client.get(f"/conversations/{ALONE}/results").get_data(as_text=True)
    assert "The groups were last worked out on" in page


def test_anyone_follows_a_theme_of_a_conversation_without_a_round(app, client):
    """Each theme on the public results has a "tell me what happens" link; following it
    from a conversation that has no round brings the person back to that theme's card."""
    from coprod.following.models import Follower

    app.config["MAIL_SERVER"] = "smtp.invalid"  # email can be sent: the form is offered
    talk = ops.start_alone(ALONE, "Support for young carers", "What would help?", None)
    theme = ops.make_theme(talk, {"en": "Breaks for carers"}, [], None)
    db.session.commit()
    results = client.get(f"/conversations/{ALONE}/results").get_data(as_text=True)
    follow = f"/follow/theme/{theme.id}"
    assert f'href="{follow}"' in results and "Tell me what happens to this theme" in results
    data = {"address": "sam@example.org", "lang": "pl", "csrf_token": csrf_token(client, follow)}
    sent = client.post(follow, data=data)
    assert sent.status_code == 302
    assert sent.location.endswith(f"/conversations/{ALONE}/results#theme-{theme.id}")
    [follower] = db.session.scalars(select(Follower)).all()
    assert (follower.kind, follower.target_id, follower.lang) == ("theme", theme.id, "pl")
