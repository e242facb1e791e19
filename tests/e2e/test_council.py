"""The council's side in a browser: dashboard, top five sent, three answered, two overdue."""

from datetime import date, timedelta

from playwright.sync_api import expect
from sqlalchemy import select, update

from coprod.extensions import db
from coprod.models import Phase, Response, Round
from coprod.operations import ballots, codes
from coprod.operations.counting import count_round
from coprod.operations.phase import change_phase
from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import sign_in
from tests.factories import make_round


def counted_round(app) -> str:
    """A counted round, new to this test, with ballots and no answers yet."""
    with app.app_context():
        rnd = make_round(
            Phase.VOTING, costs=(4000, 3000, 5000, 2000, 1500, 2500), title="Council test round"
        )
        ids = [str(r.id) for r in rnd.remedies]
        for i, code in enumerate(codes.make_codes(app.config["SECRET_KEY"], rnd, 12)):
            ballots.cast(app.config["SECRET_KEY"], rnd, code, [ids[i % 6], ids[(i + 2) % 6]])
            db.session.commit()
        change_phase(rnd, Phase.COUNTED)
        db.session.commit()
        count_round(rnd)
        db.session.commit()
        return rnd.slug


def test_top_five_answers_and_overdue_in_public(browser, base_url, live_app, demo_logins):
    slug = counted_round(live_app)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    sign_in(page, base_url, *demo_logins["councillor"])
    page.goto(f"{base_url}/staff/council/rounds/{slug}")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{base_url}/staff/council/rounds/{slug}/top-5")
    page.select_option("select[name=decision_maker]", label="Sam Okafor, Commissioner")
    page.fill("input[name=due_on]", (date.today() + timedelta(days=30)).isoformat())
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".flash").first).to_contain_text("Sam Okafor")
    page.context.clear_cookies()

    sign_in(page, base_url, *demo_logins["commissioner"])
    for rank, decision in ((1, "yes"), (2, "partly"), (3, "no")):
        page.goto(f"{base_url}/staff/council/rounds/{slug}/top-5")
        page.locator(f"a:has-text('Priority {rank}')").first.click()
        page.check(f"input[name=decision][value={decision}]")
        page.fill("textarea[name=reason]", f"Our answer to priority {rank}, in plain words.")
        page.fill("textarea[name=next_step]", "We start next month.")
        page.locator("form button:has-text('Save the answer')").click()
        page.wait_for_load_state()
    assert_accessible(page)

    # Time passes: the date for the answers goes by.
    with live_app.app_context():
        rnd = db.session.scalar(select(Round).where(Round.slug == slug))
        db.session.execute(
            update(Response)
            .where(Response.round_id == rnd.id)
            .values(due_on=date.today() - timedelta(days=1))
        )
        db.session.commit()

    for lang in ("en", "ur"):
        reader = browser.new_context(locale=lang, java_script_enabled=False).new_page()
        reader.goto(f"{base_url}/rounds/{slug}/you-said-we-did")
        expect(reader.locator("li.answer")).to_have_count(5)
        expect(reader.locator("li.answer.is-overdue")).to_have_count(2)
        expect(reader.locator("li.answer:not(.is-overdue) .overdue")).to_have_count(0)
        if lang == "en":
            expect(reader.locator(".overdue-count")).to_have_text("2 answers are overdue.")
            expect(reader.locator("li.answer").first).to_contain_text("Our answer to priority 1")
        assert_accessible(reader, lang)
        reader.context.close()
    context.close()
