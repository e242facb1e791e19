"""A conversation: say something, a moderator publishes it, others mark it, it adds up."""

import csv
import io
import re

from sqlalchemy import select

from coprod.conversation import operations as ops
from coprod.conversation.models import Mark, Statement, StatementStatus
from coprod.extensions import db
from coprod.models import Eligibility, Phase, Role
from coprod.operations import codes
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import sign_in


def _round(**fields):
    rnd = make_round(Phase.PROPOSING, **fields)
    ops.start(rnd, {"en": "What would make support for your family better?", "pl": "Co pomoże?"})
    db.session.commit()
    return rnd


def _say(client, rnd, text, lang=None):
    url = f"/rounds/{rnd.slug}/conversation" + (f"?lang={lang}" if lang else "")
    token = csrf_token(client, url)
    return client.post(
        f"/rounds/{rnd.slug}/conversation/say" + (f"?lang={lang}" if lang else ""),
        data={"text": text, "csrf_token": token},
    )


def _mark(client, rnd, statement_id, value):
    token = csrf_token(client, f"/rounds/{rnd.slug}/conversation")
    return client.post(
        f"/rounds/{rnd.slug}/conversation/mark",
        data={"statement": statement_id, "value": value, "csrf_token": token},
    )


def test_a_statement_is_seen_by_its_author_at_once_and_by_others_once_published(app, client):
    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    assert _say(client, rnd, "  More   respite care at weekends  ").status_code == 302
    page = client.get(f"/rounds/{rnd.slug}/conversation").get_data(as_text=True)
    assert "More respite care at weekends" in page and "Waiting for a check" in page
    other = app.test_client()
    assert "More respite care" not in other.get(f"/rounds/{rnd.slug}/conversation").get_data(
        as_text=True
    )
    moderator = make_user(Role.MODERATOR)
    staff = app.test_client()
    sign_in(staff, moderator)
    queue = staff.get("/staff/moderate/").get_data(as_text=True)
    assert "More respite care at weekends" in queue
    [statement] = db.session.scalars(select(Statement)).all()
    token = csrf_token(staff, "/staff/moderate/")
    staff.post(f"/staff/moderate/statements/{statement.id}/publish", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(Statement, statement.id).status == StatementStatus.PUBLISHED
    # The author is never asked to mark their own; someone else is.
    assert "I agree" not in client.get(f"/rounds/{rnd.slug}/conversation").get_data(as_text=True)
    page = other.get(f"/rounds/{rnd.slug}/conversation").get_data(as_text=True)
    assert "More respite care at weekends" in page and "I agree" in page
    assert _mark(other, rnd, statement.id, "agree").status_code == 302
    assert _mark(other, rnd, statement.id, "disagree").status_code == 302
    # One mark per person, the latest kept; the author agrees with their own (as in Pol.is).
    authors, others = db.session.scalars(select(Mark).order_by(Mark.id)).all()
    assert authors.marker == statement.author and authors.value == 1
    assert others.value == -1 and others.indicative
    assert ops.summarise(statement.conversation).everyone[statement.id].seen == 2


def test_bad_statements_are_refused_with_the_text_kept(app, client):
    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    long = "x" * 281
    response = _say(client, rnd, long)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and long in page
    response = _say(client, rnd, "<script>alert(1)</script>")
    assert response.status_code == 400 and "<script>alert" not in response.get_data(as_text=True)
    assert _say(client, rnd, "   ").status_code == 400
    assert db.session.scalars(select(Statement)).all() == []
    for hostile in (999, 10**30, -1, "x"):  # no such statement: nothing, and never a 5xx
        assert _mark(client, rnd, hostile, "agree").status_code == 302


def test_marks_are_kept_under_the_ratings_pseudonym_never_the_code(app, client):
    rnd = _round()
    [code] = codes.make_codes(app.config["SECRET_KEY"], rnd, 1)
    db.session.commit()
    page = client.get(f"/rounds/{rnd.slug}/conversation").get_data(as_text=True)
    assert "Enter your voter code" in page
    token = csrf_token(client, f"/rounds/{rnd.slug}/conversation")
    client.post(f"/rounds/{rnd.slug}/conversation/code", data={"code": code, "csrf_token": token})
    conv = ops.of_round(rnd)
    statement = ops.write(conv, None, "Shorter waiting lists", "en")
    statement.status = StatementStatus.PUBLISHED
    db.session.commit()
    _mark(client, rnd, statement.id, "pass")
    [mark] = db.session.scalars(select(Mark)).all()
    expected = codes.keyed_hash("test-secret", f"rater:{rnd.id}", codes.normalise(code))
    assert mark.marker == expected and codes.normalise(code) not in mark.marker
    assert mark.value == 0 and not mark.indicative


def test_the_next_statement_is_one_with_fewer_marks():
    seen = []
    for marks, ident in ((3, 1), (0, 2), (0, 3)):
        seen.append((marks, ident))
    assert min(seen) == (0, 2)


def _seeded(rnd, people=24, translated=False):
    """Two sides of 12, six statements: 0 everyone agrees with, 1-2 one side, 3-5 other."""
    conv = ops.of_round(rnd)
    texts = [
        "Listen to parents",
        "More clubs",
        "Longer hours",
        "Less paperwork",
        "Own key worker",
        "Home visits",
    ]
    statements = []
    for text in texts:
        s = ops.write(conv, None, text, "en")
        s.status = StatementStatus.PUBLISHED
        statements.append(s)
    if translated:
        statements[0].content.set("text", "ur", "والدین کی بات سنیں", reviewed=False)
    for p in range(people):
        side = 1 if p % 2 else -1
        person = ops.Person(f"p{p}", lang="ur" if p < 12 else "pl")
        for i, s in enumerate(statements):
            value = "agree" if i == 0 or (side == 1) == (i <= 2) else "disagree"
            ops.mark(s, person, value)
    db.session.commit()
    return conv, statements


def test_results_show_common_ground_groups_and_hide_small_figures(app, client):
    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    conv, statements = _seeded(rnd, translated=True)
    summary = ops.summarise(conv, min_marks=3)
    assert [s for s, _pct in summary.common_ground] == [statements[0].id]
    assert len(summary.groups) == 2 and all(g["size"] == 12 for g in summary.groups)
    assert set(summary.divisive) == {s.id for s in statements[1:]}
    page = client.get(f"/rounds/{rnd.slug}/conversation/results").get_data(as_text=True)
    assert "Common ground" in page and "Listen to parents" in page and "24 people took part" in page
    # The Urdu reader sees the translation, marked unchecked, the original one tap away.
    page = client.get(f"/rounds/{rnd.slug}/conversation/results?lang=ur").get_data(as_text=True)
    assert "والدین کی بات سنیں" in page and "<details>" in page
    # Few people: no figures.
    small = _round(eligibility=Eligibility.OPEN_RATING)
    _seeded(small, people=6)
    page = client.get(f"/rounds/{small.slug}/conversation/results").get_data(as_text=True)
    assert "Fewer than 10 people" in page and "6 people" not in page
    data = client.get(f"/api/v1/rounds/{small.slug}/conversation").get_json()
    assert data["people"] is None and all(g["size"] is None for g in data["groups"])
    assert all(s["marks"]["agree"] is None for s in data["statements"])


def test_the_api_and_the_marks_csv(app, client):
    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    conv, statements = _seeded(rnd)
    moderator = make_user(Role.MODERATOR)
    ops.make_theme(conv, {"en": "Being listened to"}, [statements[0].id], moderator)
    db.session.commit()
    data = client.get(f"/api/v1/rounds/{rnd.slug}/conversation").get_json()
    assert {"statements", "groups", "common_ground", "themes"} <= set(data)
    assert len(data["statements"]) == 6 and data["statements"][0]["marks"]["agree"] == 24
    assert data["themes"][0]["name"] == "Being listened to"
    assert data["themes"][0]["people"] == 24
    page = client.get(f"/rounds/{rnd.slug}/conversation/results").get_data(as_text=True)
    assert "No area given 24" in page  # the theme's people, by area
    assert "اردو 12" in page and "Polski 12" in page  # and by language
    response = client.get(f"/rounds/{rnd.slug}/conversation/marks.csv")
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["participant", *(str(s.id) for s in statements)]
    assert len(rows) == 25 and all(not r[0].startswith("p") for r in rows[1:])
    assert client.get("/api/v1/rounds/nope/conversation").status_code == 404


def test_moderators_make_themes(app, client):
    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    _conv, statements = _seeded(rnd, people=2)
    moderator = make_user(Role.MODERATOR)
    sign_in(client, moderator)
    url = f"/staff/moderate/rounds/{rnd.slug}/themes"
    token = csrf_token(client, url)
    response = client.post(url, data={"name": "Time off", "csrf_token": token})
    assert (
        response.status_code == 400
        and "Please tick at least one statement." in response.get_data(as_text=True)
    )
    response = client.post(
        url,
        data={"name": "Time off", "statement": [str(statements[2].id)], "csrf_token": token},
    )
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Time off" in page
    # The page's title is its name, and its form for counts is on the page once, not in it.
    assert re.search(r"<title>Themes[^<]*</title>", page) and page.count("Add the counts") == 1


def test_theme_counts_come_in_as_counts_only_and_themes_reach_the_council(app, client):
    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    conv, statements = _seeded(rnd, people=12)
    moderator = make_user(Role.MODERATOR)
    theme = ops.make_theme(conv, {"en": "Being listened to"}, [statements[0].id], moderator)
    db.session.commit()
    sign_in(client, moderator)
    url = f"/staff/moderate/rounds/{rnd.slug}/themes"

    def upload(data: bytes):
        token = csrf_token(client, url)
        return client.post(
            f"/staff/moderate/rounds/{rnd.slug}/theme-counts",
            data={
                "file": (io.BytesIO(data), "counts.csv"),
                "source": "Care plans",
                "csrf_token": token,
            },
            content_type="multipart/form-data",
        )

    refused = upload(b"theme,area,count,nhs number\nBeing listened to,North,30,9434765919\n")
    assert refused.status_code == 400
    assert "Line 1:" in refused.get_data(as_text=True) and "nhs number" in refused.get_data(
        as_text=True
    )
    refused = upload(b"theme,area,count\nBeing listened to,North,30\nNo such theme,North,4\n")
    assert refused.status_code == 400 and "Line 3:" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(theme), theme.id).imported == []  # nothing half-written
    assert upload(b"theme,area,count\nbeing listened to,North,30\n").status_code == 302
    token = csrf_token(client, url)
    client.post(f"/staff/moderate/themes/{theme.id}/problem", data={"csrf_token": token})
    db.session.expire_all()
    theme = db.session.get(type(theme), theme.id)
    assert theme.imported[0].people == 30 and theme.barrier in theme.conversation.round.barriers
    organiser = make_user(Role.ORGANISER)
    council = app.test_client()
    sign_in(council, organiser)
    for page in (f"/staff/council/rounds/{rnd.slug}", f"/staff/council/rounds/{rnd.slug}/top-5"):
        html = council.get(page).get_data(as_text=True)
        assert "Being listened to" in html and ">12<" in html and ">30<" in html, page


def test_an_organiser_starts_a_conversation_types_in_paper_and_closes_it(app, client):
    rnd = make_round(Phase.PROPOSING, eligibility=Eligibility.OPEN_RATING)
    sign_in(client, make_user(Role.ORGANISER))
    url = f"/staff/rounds/{rnd.slug}/conversation"
    token = csrf_token(client, url)
    assert client.post(url, data={"question": " ", "csrf_token": token}).status_code == 400
    client.post(url, data={"question": "What would help?", "csrf_token": token})
    conv = ops.of_round(rnd)
    assert conv.t("question", "en").text == "What would help?"
    response = client.post(
        f"{url}/paper", data={"text": "Buses", "lang": "xx", "csrf_token": token}
    )
    assert response.status_code == 400
    client.post(
        f"{url}/paper", data={"text": "Więcej autobusów", "lang": "pl", "csrf_token": token}
    )
    [paper] = ops.waiting()
    assert paper.content.original_lang == "pl" and paper.author is None
    client.post(f"{url}/close", data={"csrf_token": token})
    db.session.expire_all()
    assert not ops.of_round(rnd).is_open
    page = client.get(f"/rounds/{rnd.slug}/conversation").get_data(as_text=True)
    assert "This conversation is closed." in page


def test_moderators_translate_statements_and_what_they_write_is_checked(app, client):
    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    _conv, statements = _seeded(rnd, people=2)
    sign_in(client, make_user(Role.MODERATOR))
    url = f"/staff/moderate/translate/statement/{statements[0].id}"
    token = csrf_token(client, url)
    response = client.post(url, data={"text-ur": "x" * 281, "csrf_token": token})
    assert response.status_code == 400 and "x" * 281 in response.get_data(as_text=True)
    client.post(url, data={"text-ur": "والدین کی بات سنیں", "csrf_token": token})
    db.session.expire_all()
    said = db.session.get(Statement, statements[0].id).t("text", "ur")
    assert said.text == "والدین کی بات سنیں" and said.reviewed
    assert client.get("/staff/moderate/translate/theme/99").status_code == 404


def test_themes_turned_into_problems_go_beside_the_top_five_with_the_same_duty(app):
    from datetime import date, timedelta

    from coprod.models import Response
    from coprod.operations import responses

    rnd = make_round(Phase.RESPONDING, costs=(1000, 2000, 3000, 4000, 5000))
    ops.start(rnd, "What would help?")
    conv, statements = _seeded(rnd, people=12)
    theme = ops.make_theme(conv, {"en": "Being listened to"}, [statements[0].id], None)
    problem = ops.turn_into_problem(theme, None)
    db.session.commit()
    assert ops.problems_from_themes(rnd) == [("barrier", problem.id)]
    items = [("remedy", r.id) for r in rnd.remedies]
    due = date.today() + timedelta(days=30)
    sent = responses.send_top5(
        rnd,
        items,
        make_user(Role.COMMISSIONER),
        due,
        actor=make_user(Role.ORGANISER),
        themes=ops.problems_from_themes(rnd),
    )
    db.session.commit()
    assert len(sent) == 6 and sent[5].barrier_id == problem.id and sent[5].rank == 6
    assert db.session.get(Response, sent[5].id).due_on == due


def test_two_moderators_turning_a_theme_into_a_problem_at_once_make_one_problem(app):
    """The soak pressed "turn into a problem" from two browsers at once and got a 500 (the
    second insert broke the key's uniqueness). Now both see it done, and there is one."""
    from tests.test_phase import _press_together

    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    conv, statements = _seeded(rnd, people=12)
    theme = ops.make_theme(conv, {"en": "Being listened to"}, [statements[0].id], None)
    db.session.commit()
    people = []
    for _ in range(2):
        person = app.test_client()
        sign_in(person, make_user(Role.MODERATOR))
        people.append(person)
    url = f"/staff/moderate/rounds/{rnd.slug}/themes"
    forms = [{"csrf_token": csrf_token(person, url)} for person in people]
    pages = _press_together(people, f"/staff/moderate/themes/{theme.id}/problem", forms)
    assert all("The theme is now a problem" in page for page in pages), [
        p[-3000:] for p in pages if "The theme is now" not in p
    ]
    db.session.expire_all()
    barriers = db.session.get(type(theme), theme.id).conversation.round.barriers
    assert [b.key for b in barriers].count(f"theme-{theme.id}") == 1


def test_a_volunteer_translates_a_statement_readers_see_it_marked_unchecked(app, client):
    """A signed-in member translates a published statement; readers in that language see
    the translation marked as not checked, with the original one tap away; a moderator
    saving it checks it."""
    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    _conv, statements = _seeded(rnd, people=2)
    volunteer = app.test_client()
    sign_in(volunteer, make_user(Role.MEMBER))
    talk = f"/rounds/{rnd.slug}/conversation?lang=ur"
    url = f"/statements/{statements[0].id}/translate"
    assert url in volunteer.get(talk).get_data(as_text=True)
    assert (
        volunteer.get(f"/staff/moderate/translate/statement/{statements[0].id}").status_code == 403
    )
    sent = volunteer.post(
        url, data={"text-ur": "والدین کی سنیں", "csrf_token": csrf_token(volunteer, url)}
    )
    assert sent.status_code == 302 and sent.location.endswith(f"/rounds/{rnd.slug}/conversation")
    page = client.get(talk).get_data(as_text=True)
    assert "والدین کی سنیں" in page and "<details><summary>" in page  # the original, a tap away
    assert page.count('class="note unchecked"') == 1
    waiting = ops.write(ops.of_round(rnd), None, "Not shown yet", "en")
    db.session.commit()
    assert volunteer.get(f"/statements/{waiting.id}/translate").status_code == 403
    moderator = app.test_client()
    sign_in(moderator, make_user(Role.MODERATOR))
    moderator.post(
        url, data={"text-ur": "والدین کی سنیں", "csrf_token": csrf_token(moderator, url)}
    )
    assert 'class="note unchecked"' not in client.get(talk).get_data(as_text=True)


def test_two_volunteers_translating_a_statement_at_once_both_get_through(app):
    """The soak had two people translate the same statement into the same language at the
    same moment: the second insert broke the one-text-per-language key and gave a 500. Now
    both are thanked, and one of their two translations is kept, whole."""
    from tests.test_phase import _press_together

    rnd = _round(eligibility=Eligibility.OPEN_RATING)
    _conv, statements = _seeded(rnd, people=2)
    for attempt, statement in enumerate(statements[:3]):  # each untranslated before
        url = f"/statements/{statement.id}/translate"
        people = []
        for _ in range(2):
            person = app.test_client()
            sign_in(person, make_user(Role.MEMBER))
            people.append(person)
        words = [f"ترجمہ {attempt} {n}" for n in range(2)]
        forms = [
            {"text-ur": said, "csrf_token": csrf_token(person, url)}
            for person, said in zip(people, words, strict=True)
        ]
        pages = _press_together(people, url, forms)
        assert all("Thank you" in page for page in pages), [p[-2000:] for p in pages]
        db.session.expire_all()
        kept = [t.body for t in statement.content.texts if t.lang == "ur"]
        assert len(kept) == 1 and kept[0] in words
