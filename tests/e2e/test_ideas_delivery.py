"""Power that lasts, in a real browser: an idea reaches its 20 supporters, enters the answer
queue with a due date, the council answers, followers hear it in Urdu and Polish through a
fake GOV.UK Notify (which checks every request), a funded remedy moves through its stages
with a late promise shown late, and its case study prints on one A4 page."""

import re
import threading
from datetime import date, timedelta
from http.server import HTTPServer

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select
from werkzeug.serving import make_server

from coprod.accounts.operations import create_user
from coprod.delivery.forms import CASE_MAX
from coprod.delivery.models import CaseStudy
from coprod.extensions import db
from coprod.factory import create_app
from coprod.following import operations as following
from coprod.ideas import operations as ideas
from coprod.ideas.models import Idea, SupportWay
from coprod.models import Area, Count, Phase, RemedyStatus, Role
from coprod.operations import codes
from coprod.operations.content import new_content
from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import sign_in
from tests.factories import make_round
from tests.test_ideas import API_SECRET, SERVICE_ID, FakeNotify

PASSWORD = "a long councillor password"
YESTERDAY = date.today() - timedelta(days=1)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    notify = HTTPServer(("127.0.0.1", 0), FakeNotify)
    threading.Thread(target=notify.serve_forever, args=(0.05,), daemon=True).start()
    FakeNotify.received = []
    folder = tmp_path_factory.mktemp("ideas")
    app = create_app(
        {
            "SECRET_KEY": "ideas-journey",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'live.db'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "ARGON2_PROFILE": "CHEAPEST",
            "HUEY_IMMEDIATE": True,  # jobs run at once, in the server, after the commit
            "NOTIFY_API_KEY": f"coprod_journey-{SERVICE_ID}-{API_SECRET}",
            "NOTIFY_BASE_URL": f"http://127.0.0.1:{notify.server_port}",
            "NOTIFY_EMAIL_TEMPLATE_ID": "email-template",
            "NOTIFY_SMS_TEMPLATE_ID": "sms-template",
        }
    )
    with app.app_context():
        db.create_all()
        area = Area(slug="sparkbrook", name="Sparkbrook", population=4000)
        db.session.add(area)
        db.session.flush()
        councillor = create_user(
            "cllr@brookfield.gov.uk", "Cllr Rahman", PASSWORD, role=Role.COUNCILLOR
        )
        ideas.set_rule(
            area,
            supporters=20,
            percent=None,
            answer_days=28,
            decision_maker=councillor,
            keep_days=90,
            actor=councillor,
        )
        idea = Idea(
            area_id=area.id,
            status=RemedyStatus.PUBLISHED,
            content=new_content(
                "en",
                {
                    "title": {
                        "en": "Open the library late",
                        "ur": "لائبریری دیر تک کھولیں",
                        "pl": "Dłużej otwarta biblioteka",
                    },
                    "now": "It shuts at 5 pm.",
                    "proposal": "Volunteers keep it open until 8 pm.",
                },
            ),
        )
        db.session.add(idea)
        db.session.flush()
        for n in range(19):
            ideas.add_support(idea, SupportWay.PAPER, f"paper-{n}", name=f"P {n}", address="x")
        following.follow("idea", idea.id, "email", "amina@example.org", "ur")
        following.follow("idea", idea.id, "sms", "+44 7700 900123", "pl")
        rnd = make_round(Phase.COUNTED, slug="sparkbrook-2026")
        remedy = rnd.remedies[0]
        db.session.add(
            Count(
                round_id=rnd.id,
                rule="greedy",
                utility="cost",
                inputs_sha256="0" * 64,
                ballots=20,
                spent=remedy.cost,
                selected=[str(remedy.id)],
                explanations={},
            )
        )
        [code] = codes.make_codes(app.config["SECRET_KEY"], rnd, 1, area_id=area.id)
        db.session.commit()
        ids = {"idea": idea.id, "remedy": remedy.id, "round": rnd.slug, "code": code}
        ids["others"] = [r.id for r in rnd.remedies[1:]]
    ids["app"] = app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", ids
    server.shutdown()
    notify.shutdown()


def test_an_idea_is_answered_followers_hear_and_delivery_is_seen(browser: Browser, site):
    base, ids = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    # The twentieth supporter, with a voter code of a round in the area.
    page.goto(f"{base}/ideas/{ids['idea']}")
    expect(page.locator("main")).to_contain_text("19 supporters of 20 needed")
    page.fill("input[name=code]", ids["code"].lower())
    page.get_by_role("button", name="Support with my voter code").click()
    main = page.locator("main")
    expect(main).to_contain_text("20 supporters of 20 needed")
    due = date.today() + timedelta(days=28)
    expect(main).to_contain_text("The council must answer by")
    expect(main).to_contain_text(str(due.year))
    assert_accessible(page)
    # The same code again counts nothing.
    page.fill("input[name=code]", ids["code"])
    page.get_by_role("button", name="Support with my voter code").click()
    expect(main).to_contain_text("It counts once.")
    expect(main).to_contain_text("20 supporters of 20 needed")

    # The councillor sees it in the answer queue and answers.
    sign_in(page, base, "cllr@brookfield.gov.uk", PASSWORD)
    page.goto(f"{base}/staff/council")
    page.get_by_role("link", name="Open the library late").click()
    page.get_by_label("Yes, we will do it").check()
    page.fill("textarea[name=reason]", "We will open until 8 pm from March.")
    page.get_by_role("button", name="Save the answer").click()
    expect(page.locator("body")).to_contain_text("The answer is saved.")
    by_path = {r["path"]: r for r in FakeNotify.received}
    assert len(FakeNotify.received) == 2
    urdu = by_path["/v2/notifications/email"]
    assert urdu["email_address"] == "amina@example.org"
    assert "کونسل نے جواب دے دیا" in urdu["personalisation"]["subject"]
    assert "لائبریری دیر تک کھولیں" in urdu["personalisation"]["subject"]
    polish = by_path["/v2/notifications/sms"]
    assert polish["phone_number"] == "+44 7700 900123"
    assert "Dłużej otwarta biblioteka" in polish["personalisation"]["body"]
    assert "/unfollow/" in polish["personalisation"]["body"]
    reader = browser.new_context(java_script_enabled=False, locale="ur").new_page()
    reader.goto(f"{base}/ideas/{ids['idea']}")
    expect(reader.locator("html")).to_have_attribute("dir", "rtl")
    expect(reader.locator("main")).to_contain_text("We will open until 8 pm from March.")

    # The funded remedy moves through its stages; a promise past its date shows late.
    delivery = f"{base}/rounds/{ids['round']}/remedies/{ids['remedy']}/delivery"
    page.goto(delivery)
    page.get_by_label("Started", exact=True).check()
    page.fill("input[name=responsible]", "Library service")
    page.fill("input[name=money_spent]", "1500")
    page.fill("input[name=done_promised]", YESTERDAY.isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("main dl.facts")).to_contain_text("Late")
    page.get_by_label("Done", exact=True).check()
    page.fill("input[name=done_on]", date.today().isoformat())
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("main dl.facts")).not_to_contain_text("Late")
    page.get_by_role("link", name="Write the case study").click()
    page.fill("textarea[name=before]", "The library shut at 5 pm; students went home.")
    page.fill("input[name=before_cost]", "0")
    page.fill("textarea[name=after]", "Volunteers keep it open until 8 pm.")
    page.fill("input[name=after_cost]", "4000")
    page.fill("textarea[name=who]", "Students and shift workers have somewhere to read.")
    page.fill("textarea[name=stories]", "I finished my course here. — Bilal")
    page.check("input[name=consent]")
    page.get_by_role("button", name="Save the case study").click()
    expect(page.locator("h1")).to_contain_text("Remedy")
    expect(page.locator("main")).to_contain_text("I finished my course here.")
    assert "/case-studies/" in page.url
    # It prints on one A4 page, without the site's menus.
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def _longest(words: str) -> str:
    """A case study's part as long as the form lets it be."""
    return (words * CASE_MAX)[:CASE_MAX]


def test_every_case_study_prints_on_one_a4_page_in_any_script(browser: Browser, site):
    """The longest case studies the form takes, in Arabic and in Chinese, gathered by area and
    by problem, print one to a page: each on its own, and all of them in a director's pack."""
    base, ids = site
    longest = {
        "ar": _longest("فتحت المكتبة أبوابها حتى الساعة الثامنة مساءً كل يوم. "),
        "zh_Hans": _longest("图书馆现在每天开放到晚上八点，学生有地方读书。"),
    }
    app = ids["app"]
    with app.app_context():
        for remedy_id, (lang, text) in zip(ids["others"], longest.items(), strict=True):
            fields = {f: text for f in ("before", "after", "who", "stories")}
            db.session.add(
                CaseStudy(
                    remedy_id=remedy_id,
                    before_cost=9000,
                    after_cost=4000,
                    stories_consent=True,
                    content=new_content(lang, fields),
                )
            )
        db.session.commit()
        studies = db.session.scalar(select(func.count(CaseStudy.id)))
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{base}/case-studies?by=theme")
    expect(page.locator("main .card")).to_have_count(studies)
    assert_accessible(page)
    page.get_by_role("link", name="Print them all, one page each").click()
    expect(page.locator("article.case-study")).to_have_count(studies)
    assert_accessible(page)
    pack_pages = len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format="A4")))
    for remedy_id, lang in zip(ids["others"] * 2, [*longest, "en", "en"], strict=True):
        reader = browser.new_context(java_script_enabled=False, locale=lang).new_page()
        reader.goto(f"{base}/case-studies/{remedy_id}")
        expect(reader.locator("html")).to_have_attribute("lang", lang.replace("_", "-"))
        pages = len(re.findall(rb"/Type\s*/Page[^s]", reader.pdf(format="A4")))
        assert pages == 1, f"{lang}: {pages} pages"
        reader.context.close()
    assert pack_pages == studies
    context.close()
