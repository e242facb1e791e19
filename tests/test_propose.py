"""Community groups: signing up, new passwords, writing ideas in plain words, translating."""

import re

import pytest
from sqlalchemy import func, select

from coprod.accounts.operations import password_matches
from coprod.extensions import db
from coprod.models import (
    AuditEvent,
    GlossaryTerm,
    Group,
    Phase,
    Remedy,
    RemedyStatus,
    Role,
    User,
)
from coprod.operations.content import new_content
from tests.conftest import csrf_token
from tests.factories import make_round, make_user
from tests.test_staff import PASSWORD, sign_in


def make_group(name: str = "Brookfield Mums", approved: bool = True) -> Group:
    group = Group(slug=re.sub(r"\W+", "-", name.lower()), name=name, approved=approved)
    db.session.add(group)
    db.session.commit()
    return group


def proposal_data(rnd, **changes) -> dict:
    """What a group types into the template, as the browser sends it."""
    return {
        "lang": "en",
        "title": "Welcome packs",
        "summary": "Packs for new families, in their own language.",
        "barrier": str(rnd.barriers[0].id),
        "now": "Nobody tells new families where to find help.",
        "now_cost": "",
        "proposal": "We hand out welcome packs in five languages.",
        "proposal_cost": "1,500",
        "who_helps": "New families on the estate.",
        "offer": "Ten volunteers and our church hall on Mondays.",
        "cost": "1500",
        "area": "",
        "action": "save",
    } | changes


def post_proposal(client, rnd, url=None, **changes):
    url = url or f"/rounds/{rnd.slug}/propose"
    token = csrf_token(client, url)
    return client.post(url, data=proposal_data(rnd, **changes) | {"csrf_token": token})


def remedies_of(group: Group) -> list[Remedy]:
    db.session.expire_all()
    return db.session.scalars(select(Remedy).where(Remedy.group_id == group.id)).all()


def actions() -> list[str]:
    return db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()


# --- Accounts --------------------------------------------------------------------------------


def test_sign_up_makes_a_new_group_and_signs_the_member_in(client):
    token = csrf_token(client, "/sign-up")
    response = client.post(
        "/sign-up",
        data={
            "name": "Amina",
            "group": "",
            "new_group": "Sparkbrook Elders",
            "email": "Amina@Example.org",
            "password": "three random words",
            "lang": "ur",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302 and response.headers["Location"] == "/my-group"
    user = db.session.scalar(select(User).where(User.email == "amina@example.org"))
    assert user.group.name == "Sparkbrook Elders" and user.lang == "ur"
    assert user.role == Role.MEMBER and user.password_hash.startswith("$argon2")
    assert password_matches(user, "three random words")
    assert "Sparkbrook Elders" in client.get("/my-group").get_data(as_text=True)
    assert "member_signed_up" in actions()


def test_sign_up_joins_an_existing_group_only_by_a_members_invitation_link(app, client):
    group = make_group("Brookfield Mums")
    # Without an invitation, the group is not offered and cannot be joined by its id.
    page = client.get("/sign-up").get_data(as_text=True)
    assert "Brookfield Mums" not in page
    data = {
        "name": "Eve",
        "group": str(group.id),
        "new_group": "",
        "email": "eve@example.org",
        "password": "three random words",
        "lang": "en",
    }
    client.post("/sign-up", data=data | {"csrf_token": csrf_token(client, "/sign-up")})
    db.session.expire_all()
    assert group.members == []

    member = app.test_client()
    friend = make_user(group=group)
    sign_in(member, friend)
    token = csrf_token(member, "/my-group")
    page = member.post("/my-group/invite", data={"csrf_token": token}).get_data(as_text=True)
    link = re.search(r"http://[^\s<]+/sign-up\?invite=[\w.-]+", page).group(0)
    url = "/" + link.split("/", 3)[3]
    newcomer = app.test_client()
    page = newcomer.get(url).get_data(as_text=True)
    assert f'<option selected value="{group.id}">Brookfield Mums</option>' in page
    newcomer.post(
        url,
        data=data
        | {"name": "Bea", "email": "bea@example.org", "csrf_token": csrf_token(newcomer, url)},
    )
    db.session.expire_all()
    assert {m.name for m in group.members} == {"Bea", friend.name}
    assert db.session.scalar(select(func.count(Group.id))) == 1
    # The link works once.
    assert app.test_client().get(url).status_code == 400


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"password": "short"}, "Please use at least 10 characters."),
        ({"email": "not-an-email"}, "Please write a whole email address"),
        ({"new_group": ""}, "Choose your group from the list, or write the name"),
        ({"email": "taken@example.org"}, "There is already an account with this email."),
        ({"new_group": "taken group"}, "There is already a group with this name."),
    ],
)
def test_a_sign_up_that_cannot_go_ahead_says_why_and_keeps_what_was_typed(client, changes, message):
    make_user(email="taken@example.org")
    make_group("Taken Group")
    token = csrf_token(client, "/sign-up")
    data = {
        "name": "Chidi & Sons <3",
        "group": "",
        "new_group": "Ladywood Youth",
        "email": "chidi@example.org",
        "password": "three random words",
        "lang": "en",
        "csrf_token": token,
    } | changes
    response = client.post("/sign-up", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in page
    assert 'value="Chidi &amp; Sons &lt;3"' in page  # kept, and escaped
    assert db.session.scalar(select(func.count(User.id))) == 1
    assert db.session.scalar(select(func.count(Group.id))) == 1


def test_an_organisers_password_link_works_once(app, client):
    member = make_user(group=make_group())
    organiser = make_user(Role.ORGANISER)
    staff = app.test_client()
    sign_in(staff, organiser)
    assert member.email in staff.get("/staff/members").get_data(as_text=True)
    token = csrf_token(staff, "/staff/members")
    page = staff.post(
        f"/staff/members/{member.id}/password-link", data={"csrf_token": token}
    ).get_data(as_text=True)
    link = re.search(r"http://127\.0\.0\.1:5000(/new-password/[^<\s]+)", page).group(1)
    assert "password_link_made" in actions()

    form_token = csrf_token(client, link)
    done = client.post(
        link,
        data={"password": "a brand new one", "again": "a brand new one", "csrf_token": form_token},
    )
    assert done.status_code == 302 and done.headers["Location"] == "/sign-in"
    db.session.expire_all()
    assert password_matches(member, "a brand new one")
    assert not password_matches(member, PASSWORD)

    again = client.get(link)
    assert again.status_code == 400
    assert "This link does not work any more" in again.get_data(as_text=True)
    refused = client.post(
        link, data={"password": "taken over!!", "again": "taken over!!", "csrf_token": form_token}
    )
    assert refused.status_code == 400
    db.session.expire_all()
    assert password_matches(member, "a brand new one")


def test_a_password_link_is_emailed_when_there_is_a_mail_server(app, client, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            assert (host, port) == ("mail.example.org", 25)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def send_message(self, message):
            sent.append(message)

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    member = make_user(group=make_group(), lang="en")
    assert "ask an organiser" in client.get("/forgot-password").get_data(as_text=True)

    app.config["MAIL_SERVER"] = "mail.example.org"
    token = csrf_token(client, "/forgot-password")
    for email in (member.email, "nobody@example.org"):
        response = client.post("/forgot-password", data={"email": email, "csrf_token": token})
        assert response.status_code == 302  # the same answer, whether or not there is an account
    assert len(sent) == 1 and sent[0]["To"] == member.email
    link = re.search(r"http://127\.0\.0\.1:5000(/new-password/\S+)", sent[0].get_content())
    assert client.get(link.group(1)).status_code == 200


# --- Writing an idea -------------------------------------------------------------------------


def test_any_member_of_the_group_can_change_its_draft_but_no_one_else(app, client):
    rnd = make_round(Phase.PROPOSING)
    group = make_group()
    ann, bob = make_user(group=group), make_user(group=group)
    stranger = make_user(group=make_group("Another Group"))
    sign_in(client, ann)
    response = post_proposal(client, rnd)
    assert response.status_code == 302
    [remedy] = remedies_of(group)
    assert remedy.status == RemedyStatus.DRAFT and remedy.created_by_id == ann.id
    assert remedy.cost == 1500 and remedy.proposal_cost == 1500 and remedy.now_cost is None

    other = app.test_client()
    sign_in(other, bob)
    page = other.get("/my-group").get_data(as_text=True)
    assert "Welcome packs" in page and "Draft" in page
    response = post_proposal(
        other, rnd, url=f"/proposals/{remedy.id}/edit", title="Welcome packs for all"
    )
    assert response.status_code == 302
    assert remedies_of(group)[0].t("title", "en").text == "Welcome packs for all"

    outsider = app.test_client()
    sign_in(outsider, stranger)
    assert outsider.get(f"/proposals/{remedy.id}/edit").status_code == 403
    token = csrf_token(outsider, "/my-group")
    refused = outsider.post(
        f"/proposals/{remedy.id}/edit", data=proposal_data(rnd, title="Hijacked", csrf_token=token)
    )
    assert refused.status_code == 403
    assert "Welcome packs" not in outsider.get("/my-group").get_data(as_text=True)
    assert remedies_of(group)[0].t("title", "en").text == "Welcome packs for all"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"title": "   "}, "title", "Please give your idea a short name."),
        ({"title": "x" * 121}, "title", "Please use 120 characters or fewer. You wrote 121."),
        ({"now": "y" * 2001}, "now", "Please use 2000 characters or fewer. You wrote 2001."),
        ({"cost": "12.50"}, "cost", "Please write a whole number, like 1500"),
        ({"now_cost": "lots"}, "now_cost", "Please write a whole number, like 1500"),
        (
            {"cost": "10001"},
            "cost",
            "This is more than all the money in this round (\u2068£10,000\u2069).",
        ),
        ({"offer": "<script>alert(1)</script>"}, "offer", "without HTML tags"),
        ({"action": "send", "who_helps": ""}, "who_helps", "Please fill this in before you send"),
        ({"action": "send", "cost": ""}, "cost", "Please say how much money you ask for."),
    ],
)
def test_bad_input_says_why_beside_the_box_keeps_the_text_and_stores_nothing(
    client, changes, field, message
):
    rnd = make_round(Phase.PROPOSING)
    group = make_group()
    sign_in(client, make_user(group=group))
    before = actions()
    response = post_proposal(client, rnd, **changes)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = re.search(rf'<p class="error-message" id="{field}-error-1">([^<]*)</p>', page)
    assert error and message in error.group(1).replace("&#39;", "'"), page
    assert f'aria-describedby="{field}-hint {field}-error-1"' in page or (
        f'aria-describedby="{field}-error-1"' in page
    )
    assert "Nothing you typed is lost." in page
    assert "Ten volunteers and our church hall" in page or field == "offer"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or field != "offer"
    assert remedies_of(group) == [] and actions() == before


def test_bad_input_on_a_draft_leaves_the_stored_draft_as_it_was(client):
    rnd = make_round(Phase.PROPOSING)
    group = make_group()
    sign_in(client, make_user(group=group))
    post_proposal(client, rnd)
    [remedy] = remedies_of(group)
    response = post_proposal(
        client, rnd, url=f"/proposals/{remedy.id}/edit", title="New name", cost="99999999"
    )
    assert response.status_code == 200 and 'value="New name"' in response.get_data(as_text=True)
    [remedy] = remedies_of(group)
    assert remedy.t("title", "en").text == "Welcome packs" and remedy.cost == 1500


def test_typed_text_is_shown_as_typed_never_as_markup(client):
    rnd = make_round(Phase.PROPOSING)
    group = make_group("Fish & Chips <3")
    sign_in(client, make_user(group=group))
    post_proposal(client, rnd, title='Tea & "cake" <3', who_helps="Everyone <3 & more")
    [remedy] = remedies_of(group)
    for url in ("/my-group", f"/proposals/{remedy.id}", f"/proposals/{remedy.id}/edit"):
        page = client.get(url).get_data(as_text=True)
        assert (
            "Tea &amp; &#34;cake&#34; &lt;3" in page or "Tea &amp; &quot;cake&quot; &lt;3" in page
        )
        assert "<3" not in page, url
    assert "Everyone &lt;3 &amp; more" in client.get(f"/proposals/{remedy.id}").get_data(
        as_text=True
    )


def glossary_word(term: str, plain: str, **extra) -> None:
    db.session.add(
        GlossaryTerm(
            key=term.replace(" ", "-"),
            content=new_content("en", {"term": term, "plain": plain} | extra),
        )
    )
    db.session.commit()


def test_check_my_words_flags_jargon_and_never_blocks_sending(client):
    glossary_word("stakeholders", "people involved", variants="stakeholder")
    rnd = make_round(Phase.PROPOSING)
    group = make_group()
    sign_in(client, make_user(group=group))
    long_sentence = " ".join(["word"] * 30) + "."
    page = post_proposal(
        client,
        rnd,
        action="check",
        proposal=f"We will talk to every stakeholder in the area. {long_sentence}",
        summary="Operationalisation of community-led deliverables facilitating synergies.",
    ).get_data(as_text=True)
    assert "Tips for plain words" in page
    assert "Instead of “stakeholder”, you could write “people involved”." in page
    assert 'href="/glossary#stakeholders"' in page
    assert "This sentence has 30 words. Could you split it?" in page
    # The scores are said in words, never as "-106 out of 100" or "29 years of school".
    assert "Very hard to read: try shorter sentences and shorter words." in page
    assert "out of 100" not in page and "Years of school" not in page
    # Management words are flagged even though the glossary does not list them.
    assert "Instead of “deliverables”, you could write “what we will do”." in page
    assert 'href="/glossary#deliverables"' not in page
    assert 'value="Welcome packs"' in page and "every stakeholder in the area" in page
    assert remedies_of(group) == []  # checking saves nothing

    response = post_proposal(
        client, rnd, action="send", proposal="We will talk to every stakeholder in the area."
    )
    assert response.status_code == 302
    assert remedies_of(group)[0].status == RemedyStatus.SUBMITTED


def test_advice_in_another_language_uses_that_languages_glossary(client):
    glossary_word("co-production", "working together", **{})
    term = db.session.scalar(select(GlossaryTerm))
    term.content.set("term", "ur", "کو پروڈکشن")
    term.content.set("plain", "ur", "مل کر کام")
    db.session.commit()
    rnd = make_round(Phase.PROPOSING)
    sign_in(client, make_user(group=make_group()))
    page = post_proposal(
        client, rnd, action="check", lang="ur", proposal="ہم کو پروڈکشن کریں گے۔"
    ).get_data(as_text=True)
    assert "Instead of “کو پروڈکشن”, you could write “مل کر کام”." in page
    # English scores mean nothing for Urdu.
    assert not any(f"{how} to read" in page for how in ("Easy", "Quite hard", "Very hard"))


def test_ideas_can_only_be_written_while_the_round_takes_them(client):
    rnd = make_round(Phase.VOTING)
    group = make_group()
    sign_in(client, make_user(group=group))
    response = client.get(f"/rounds/{rnd.slug}/propose", follow_redirects=True)
    assert "This round is not taking new ideas now." in response.get_data(as_text=True)
    assert remedies_of(group) == []


def test_staff_without_a_group_cannot_write_ideas(client):
    rnd = make_round(Phase.PROPOSING)
    sign_in(client, make_user(Role.MODERATOR))
    assert client.get(f"/rounds/{rnd.slug}/propose").status_code == 403
    assert "not part of a community group" in client.get("/my-group").get_data(as_text=True)


# --- Translations ----------------------------------------------------------------------------


def test_a_volunteer_translation_is_shown_to_readers_in_that_language(app, client):
    rnd = make_round(Phase.RATING)
    remedy = rnd.remedies[0]
    url = f"/rounds/{rnd.slug}/remedies/{remedy.id}"
    volunteer = make_user(group=make_group())
    sign_in(client, volunteer)
    form = client.get(f"{url}/translate?to=ur").get_data(as_text=True)
    assert re.search(r'<textarea dir="rtl" id="now" lang="ur" name="now"', form)
    token = csrf_token(client, f"{url}/translate?to=ur")
    response = client.post(
        f"{url}/translate",
        data={"to": "ur", "title": "خوش آمدید پیک", "summary": "", "csrf_token": token},
    )
    assert response.status_code == 302
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "remedy_translated")
    ).one()
    assert event.actor_id == volunteer.id and event.detail == {"lang": "ur", "fields": ["title"]}

    reader = app.test_client()
    in_urdu = reader.get(url, headers={"Accept-Language": "ur"}).get_data(as_text=True)
    assert "<h1><span>خوش آمدید پیک</span></h1>" in in_urdu
    assert '<p class="note unchecked">' in in_urdu  # shown in Urdu, so look for its mark
    in_arabic = reader.get(url, headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "خوش آمدید پیک" not in in_arabic
    assert f'href="{url}/translate?to=ar"' in in_arabic
    db.session.expire_all()
    text = next(t for t in remedy.content.texts if t.lang == "ur")
    assert text.reviewed is False and text.translated_by_id == volunteer.id


def test_english_readers_of_an_urdu_idea_are_asked_to_help_translate_it(client):
    rnd = make_round(Phase.RATING)
    remedy = rnd.remedies[0]
    remedy.content = new_content("ur", {"title": "خوش آمدید پیک", "summary": "نئے خاندان"})
    db.session.commit()
    url = f"/rounds/{rnd.slug}/remedies/{remedy.id}"
    page = client.get(url, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert f'Written in اردو — <a href="{url}/translate?to=en">help translate it</a>' in page
    assert '<span lang="ur" dir="rtl">خوش آمدید پیک</span>' in page
    # Signing in is needed to translate; the link leads there and back.
    response = client.get(f"{url}/translate?to=en")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_only_published_ideas_can_be_translated(client):
    rnd = make_round(Phase.PROPOSING)
    remedy = rnd.remedies[0]
    remedy.status = RemedyStatus.SUBMITTED
    db.session.commit()
    sign_in(client, make_user(group=make_group()))
    assert client.get(f"/rounds/{rnd.slug}/remedies/{remedy.id}/translate").status_code == 404
