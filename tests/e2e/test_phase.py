"""Closing voting by keyboard, without JavaScript: asked first, undone the same day."""

from playwright.sync_api import expect

from coprod.extensions import db
from coprod.models import Phase, Round
from coprod.operations import ballots, codes
from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import sign_in
from tests.factories import make_round


def voting_round(app) -> str:
    """A voting round, new to this test, with two ballots."""
    with app.app_context():
        rnd = make_round(Phase.VOTING, title="Closing test round")
        secret = app.config["SECRET_KEY"]
        for code in codes.make_codes(secret, rnd, 2):
            ballots.cast(secret, rnd, code, [str(rnd.remedies[0].id)])
        db.session.commit()
        return rnd.slug


def phase_of(app, slug: str) -> Phase:
    with app.app_context():
        return db.session.scalars(db.select(Round.phase).where(Round.slug == slug)).one()


def press(page, name: str) -> None:
    """Reach a link or button with the Tab key and press Enter, as a keyboard user does."""
    target = page.get_by_role("link", name=name).or_(page.get_by_role("button", name=name))
    for _ in range(80):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            break
    else:
        raise AssertionError(f"{name!r} cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_closing_voting_is_confirmed_and_undone_by_keyboard(
    browser, base_url, live_app, demo_logins
):
    slug = voting_round(live_app)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, base_url, *demo_logins["organiser"])

    page.goto(f"{base_url}/staff/rounds/{slug}")
    press(page, "Go to the next step: Votes counted")
    expect(page.locator("h1")).to_contain_text("Move the round on to")
    expect(page.locator("main")).to_contain_text("Nobody can vote after this, online or on paper.")
    assert_accessible(page)
    assert phase_of(live_app, slug) == Phase.VOTING  # the page only asks

    press(page, "Yes, move the round on")
    expect(page.locator("main")).to_contain_text("The votes will be counted at the end of today.")
    assert phase_of(live_app, slug) == Phase.COUNTED
    assert_accessible(page)
    page.goto(f"{base_url}/rounds/{slug}")
    expect(page.locator("main")).to_contain_text("The votes will be counted soon.")
    assert_accessible(page)

    page.goto(f"{base_url}/staff/rounds/{slug}")
    press(page, "Open voting again")
    expect(page.locator("h1")).to_have_text("Open voting again?")
    assert_accessible(page)
    press(page, "Yes, open voting again")
    expect(page.locator(".flash").first).to_contain_text("Voting is open again.")
    assert phase_of(live_app, slug) == Phase.VOTING
    context.close()
