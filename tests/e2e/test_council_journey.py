"""A council's whole journey, from an empty database, as new people would do it.

Only `flask --app app db upgrade` and `flask --app app staff create` are run by hand (the
README's first-run steps); everything else is done in the browser, without JavaScript:
the first organiser fills the settings and invites a moderator, makes a round with two
areas and a whole-place pot in three languages, a group proposes an idea for each pot, the
moderator approves the group and publishes the ideas, `tick` opens voting, codes are made
for each area, voters in both areas vote, `tick` closes and counts, and each pot's results
and each voter's receipt appear. Every step is checked on what the person sees.
"""

import re
import threading
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from coprod import jobs
from coprod.extensions import db
from tests.e2e.a11y import assert_accessible
from tests.e2e.conftest import browser_app, sign_in

ORGANISER = ("olu@brookfield.gov.uk", "Olu Adebayo", "a long organiser password")
MODERATOR = ("mira@brookfield.gov.uk", "Mira Shah", "a long moderator password")
MEMBER = ("ade@example.org", "Ade Green", "a long member password")
CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")
TODAY = date.today()
DAYS = {  # the round's dates, from proposals opening to answers due
    "proposing_opens": TODAY,
    "rating_opens": TODAY + timedelta(days=10),
    "voting_opens": TODAY + timedelta(days=20),
    "voting_closes": TODAY + timedelta(days=30),
    "responses_due": TODAY + timedelta(days=60),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A new council's site: an empty database, then only the first organiser's account."""
    app = browser_app(tmp_path_factory.mktemp("council"), "council-journey")
    runner = app.test_cli_runner()
    for args, given in (
        (["db", "upgrade"], None),
        (
            ["staff", "create", "--email", ORGANISER[0], "--name", ORGANISER[1]]
            + ["--role", "organiser", "--password-stdin"],
            ORGANISER[2] + "\n",
        ),
    ):
        result = runner.invoke(args=args, input=given)
        assert result.exit_code == 0, result.output
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Invitation links and letters print the address the site is served at.
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def person(browser: Browser, lang: str = "en") -> Page:
    return browser.new_context(locale=lang, java_script_enabled=False).new_page()


def press(page: Page, selector: str = "main form button[type=submit]") -> None:
    page.locator(selector).first.click()
    page.wait_for_load_state()


def tick(app, day: date) -> list[str]:
    """What the worker's 5-minute tick does, on a given day (time passes in this test)."""
    with app.app_context():
        said = jobs.tick(datetime.combine(day, time(12), tzinfo=UTC))
        db.session.commit()
    return said


def test_a_council_runs_its_own_round_from_an_empty_database(browser, site):
    app, base = site

    # --- The first organiser signs in and says which council this is. -------------------
    organiser = person(browser)
    sign_in(organiser, base, ORGANISER[0], ORGANISER[2])
    expect(organiser.locator("h1")).to_be_visible()
    organiser.goto(f"{base}/staff/settings")
    organiser.fill("input[name=name]", "Brookfield Council")
    organiser.fill("input[name=email]", "help@brookfield.gov.uk")
    organiser.fill("input[name=phone]", "0121 000 0000")
    organiser.fill("textarea[name=address]", "1 High Street, Brookfield")
    organiser.fill("input[name=controller]", "Brookfield Council")
    press(organiser)
    expect(organiser.locator("header")).to_contain_text("Brookfield Council")
    citizen = person(browser)
    citizen.goto(f"{base}/contact")
    expect(citizen.locator("main")).to_contain_text("help@brookfield.gov.uk")

    # --- ... invites a moderator, who chooses a password from the link. ------------------
    organiser.goto(f"{base}/staff/people")
    organiser.fill("input[name=name]", MODERATOR[1])
    organiser.fill("input[name=email]", MODERATOR[0])
    organiser.check("input[name=role][value=moderator]")
    organiser.check("input[name=how][value=link]")
    press(organiser, "main form button:has-text('Invite')")
    link = organiser.locator("main code").inner_text().strip()
    moderator = person(browser)
    moderator.goto(link)
    moderator.fill("input[name=password]", MODERATOR[2])
    moderator.fill("input[name=again]", MODERATOR[2])
    press(moderator)
    expect(moderator.locator(".flash").first).to_contain_text(f"Welcome, {MODERATOR[1]}")

    # --- ... and makes a round: two areas, a pot for the whole place, three languages. ----
    organiser.goto(f"{base}/staff/")
    organiser.locator("a:has-text('Start a new round')").click()
    organiser.wait_for_url(re.compile(r"/new/name$"))
    organiser.fill("#title", "Brookfield 2027")
    organiser.fill("#summary", "Share out money for the two wards and the whole town.")
    press(organiser)
    organiser.wait_for_url(re.compile(r"/new/languages$"))
    for code in ("ur", "bn"):
        organiser.check(f"input[value={code}]")
    press(organiser)
    organiser.wait_for_url(re.compile(r"/new/areas$"))
    organiser.fill("#area-1-name", "Northfield")
    organiser.fill("#area-1-budget", "3000")
    organiser.fill("#area-1-population", "2000")
    organiser.locator("button[name=add]").click()
    organiser.wait_for_load_state()
    organiser.fill("#area-2-name", "Southbank")
    organiser.fill("#area-2-budget", "2000")
    organiser.fill("#area-2-population", "1500")
    organiser.check("#whole_place")
    organiser.fill("#whole_place_budget", "5000")
    press(organiser, "main form button[type=submit]:not([name=add])")
    for step in ("money", "ballot", "rule", "who"):
        organiser.wait_for_url(re.compile(rf"/new/{step}$"))
        press(organiser)
    organiser.wait_for_url(re.compile(r"/new/dates$"))
    for name, day in DAYS.items():
        organiser.fill(f"#{name}", day.isoformat())
    press(organiser)
    organiser.wait_for_url(re.compile(r"/new/check$"))
    check = organiser.locator("main")
    for seen in (
        "Brookfield 2027",
        "Northfield: \u2068£3,000\u2069",
        "Southbank: \u2068£2,000\u2069",
        "£5,000",
    ):
        expect(check).to_contain_text(seen)
    assert_accessible(organiser)
    press(organiser)
    organiser.wait_for_url(re.compile(r"/staff/rounds/brookfield-2027$"))
    expect(organiser.locator(".flash").first).to_contain_text("The round is made")
    slug = "brookfield-2027"

    # --- Proposals open on their date; a new group signs up and is approved. ------------
    assert f"{slug}: proposing" in tick(app, DAYS["proposing_opens"])
    member = person(browser)
    member.goto(f"{base}/sign-up")
    member.fill("input[name=name]", MEMBER[1])
    member.fill("input[name=new_group]", "Brookfield Gardeners")
    member.fill("input[name=email]", MEMBER[0])
    member.fill("input[name=password]", MEMBER[2])
    press(member)
    sign_in(moderator, base, MODERATOR[0], MODERATOR[2])
    moderator.goto(f"{base}/staff/moderate/")
    press(moderator, "button:has-text('Approve: Brookfield Gardeners')")

    # --- The group proposes an idea for each pot; the moderator publishes them. ----------
    ideas = {  # area (None: the whole place) -> (idea, cost)
        "Northfield": ("Benches on Northfield green", "2500"),
        "Southbank": ("A safe crossing by Southbank school", "1800"),
        None: ("Fruit trees along every path in town", "4000"),  # the whole place
    }
    for pot, (title, cost) in ideas.items():
        member.goto(f"{base}/rounds/{slug}/propose")
        member.fill("input[name=title]", title)
        member.fill("textarea[name=summary]", f"{title}, for everyone.")
        member.fill("textarea[name=now]", "There is nothing there now.")
        member.fill("textarea[name=proposal]", f"We propose: {title.lower()}.")
        member.fill("textarea[name=who_helps]", "Children and older people.")
        member.fill("textarea[name=offer]", "We will look after it every week.")
        member.fill("input[name=cost]", cost)
        options = member.locator("select[name=pot] option").all_inner_texts()[1:]
        whole = [o for o in options if "Northfield" not in o and "Southbank" not in o]
        member.select_option("select[name=pot]", label=pot or whole[0])
        press(member, "button[name=action][value=send]")
        moderator.goto(f"{base}/staff/moderate/")
        moderator.locator(f"a:has-text('{title}')").first.click()
        press(moderator, "button:has-text('Publish it')")
    citizen.goto(f"{base}/rounds/{slug}")
    for title, _cost in ideas.values():
        expect(citizen.locator("main")).to_contain_text(title)

    # --- Voting opens on its date; codes are made for each area. -------------------------
    assert f"{slug}: voting" in tick(app, DAYS["voting_opens"])
    codes: dict[str, list[str]] = {}
    for area in ("Northfield", "Southbank"):
        organiser.goto(f"{base}/staff/rounds/{slug}")
        organiser.fill("input[name=count]", "2")
        organiser.select_option("select[name=area]", label=area)
        with organiser.expect_download() as letters:
            organiser.locator("form[action$='/codes'] button[type=submit]").click()
        html = Path(letters.value.path()).read_text(encoding="utf-8")
        assert area in html
        codes[area] = sorted(set(CODE.findall(html)))
        assert len(codes[area]) == 2

    # --- Voters in both areas vote, each in their own area's pot and the whole town's. ---
    receipts: dict[str, str] = {}
    for area, lang in (("Northfield", "en"), ("Northfield", "ur"), ("Southbank", "bn")):
        voter = person(browser, lang)
        voter.goto(f"{base}/rounds/{slug}/take-part?code={codes[area].pop()}")
        press(voter)
        voter.wait_for_url(re.compile(r"/ballot(#.*)?$"))
        pots = voter.locator("section.pot")
        expect(pots).to_have_count(2)  # their area's and the whole town's
        expect(pots.filter(has_text=area)).to_contain_text(ideas[area][0])
        expect(pots.filter(has_text=ideas[None][0])).to_have_count(1)
        for n in range(2):
            pots.nth(n).locator("button[name=add]").first.click()
            voter.wait_for_load_state()
        press(voter, "button[name=review]")
        press(voter, "form[action$='/cast'] button[type=submit]")
        voter.wait_for_url(re.compile(r"/receipt(#.*)?$"))
        receipts[f"{area}-{lang}"] = voter.locator("p.receipt").inner_text().strip()
        voter.context.close()

    # --- Voting closes on its date: tick closes and counts every pot. ------------------
    said = tick(app, DAYS["voting_closes"] + timedelta(days=1))
    assert f"{slug}: counted" in said
    citizen.goto(f"{base}/rounds/{slug}/results")
    pots = citizen.locator("section.pot")
    expect(pots).to_have_count(3)
    for heading, (title, _cost) in (
        ("Northfield — \u2068£3,000\u2069 to share", ideas["Northfield"]),
        ("Southbank — \u2068£2,000\u2069 to share", ideas["Southbank"]),
        ("\u2068£5,000\u2069 to share", ideas[None]),
    ):
        section = pots.filter(has_text=heading)
        expect(section.locator("section[aria-labelledby^=funded]")).to_contain_text(title)
    expect(pots.filter(has_text="Northfield")).to_contain_text("2 ballots were counted.")
    expect(pots.filter(has_text="Southbank")).to_contain_text("1 ballot was counted.")
    assert_accessible(citizen)

    # --- A Southbank voter's receipt tells them what their ballot helped to pay for. -----
    citizen.fill("#receipt", receipts["Southbank-bn"])
    press(citizen, "section[aria-labelledby=your-ballot] button[type=submit]")
    story = citizen.locator(".story")
    expect(story).to_contain_text(ideas["Southbank"][0])
    expect(story).to_contain_text(ideas[None][0])
    expect(story).not_to_contain_text(ideas["Northfield"][0])
    for page in (organiser, moderator, member, citizen):
        page.context.close()
