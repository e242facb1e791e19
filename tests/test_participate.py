"""Taking part: a letter's code, ratings, the budget ballot, the receipt and its check."""

import re

import pytest
import segno
import sqlalchemy as sa
from markupsafe import escape
from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import (
    Ballot,
    BallotType,
    Channel,
    Eligibility,
    Phase,
    Rating,
    Role,
    Round,
    VoterCode,
)
from coprod.operations import ballots, codes
from coprod.operations.ballots import CastError
from coprod.operations.phase import change_phase
from tests.conftest import CSRF, csrf_token, make_app
from tests.factories import make_round, make_user
from tests.test_staff import sign_in

SECRET = "test-secret"


def enter(client, rnd, code):
    token = csrf_token(client, f"/rounds/{rnd.slug}/take-part")
    return client.post(f"/rounds/{rnd.slug}/take-part", data={"code": code, "csrf_token": token})


def ballot_token(client, rnd):
    return csrf_token(client, f"/rounds/{rnd.slug}/ballot")


def test_codes_are_readable_random_and_stored_only_as_a_keyed_hash(app):
    rnd = make_round(Phase.VOTING)
    made = codes.make_codes(SECRET, rnd, 50)
    db.session.commit()
    assert len(set(made)) == 50
    for code in made:
        assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTWXYZ]{4}(-[23456789A-Z]{4}){2}", code)
        assert not set(code) & set("01OIL")
    stored = db.session.scalars(select(VoterCode.code_hash)).all()
    assert all(len(h) == 64 for h in stored)
    assert not any(codes.normalise(c) in " ".join(stored) for c in made)
    assert len(codes.ALPHABET) ** 12 > 2**50


def test_codes_command_prints_only_codes_and_can_write_csv_and_letters(app, runner, tmp_path):
    rnd = make_round(Phase.VOTING)
    result = runner.invoke(args=["codes", rnd.slug, "--count", "3"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 3 and all(len(line) == 14 for line in lines)
    out, letters = tmp_path / "codes.csv", tmp_path / "letters.html"
    result = runner.invoke(
        args=[
            "codes",
            rnd.slug,
            "-n",
            "2",
            "--out",
            str(out),
            "--letters",
            str(letters),
            "--lang",
            "ur",
        ]
    )
    assert result.exit_code == 0 and result.output == ""
    rows = out.read_text().splitlines()
    assert rows[0] == "code" and len(rows) == 3
    html = letters.read_text()
    assert html.count('class="letter"') == 2 and "<svg" in html
    assert 'lang="ur" dir="rtl"' in html
    # The QR code opens the round with this very code filled in.
    url = f"http://127.0.0.1:5000/rounds/{rnd.slug}/take-part?code={rows[1]}"
    assert segno.make(url, error="m").svg_inline(scale=4, title=rows[1]) in html
    assert runner.invoke(args=["codes", "no-such-round", "-n", "1"]).exit_code != 0


def test_citizen_goes_from_code_to_receipt_without_javascript(client):
    rnd = make_round(Phase.VOTING, costs=(4000, 3000, 5000))
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    first, second, third = (str(r.id) for r in rnd.remedies)

    scanned = client.get(f"/rounds/{rnd.slug}/take-part?code={code}")
    # The QR code fills it in, and the address loses it at once: no later link, Referer
    # or log line carries it.
    assert scanned.status_code == 303
    assert scanned.headers["Location"].endswith(f"/rounds/{rnd.slug}/take-part")
    page = client.get(scanned.headers["Location"]).get_data(as_text=True)
    assert f'value="{code}"' in page and f"code={code}" not in page
    response = enter(client, rnd, code.lower().replace("-", " "))
    assert response.headers["Location"].endswith(f"/rounds/{rnd.slug}/ballot")

    page = client.get(f"/rounds/{rnd.slug}/ballot").get_data(as_text=True)
    assert (
        "different order for each person" in page
        and "Spent: \u2068£0\u2069 of \u2068£10,000\u2069" in page
    )
    token = ballot_token(client, rnd)
    for remedy in (first, third, second):
        client.post(f"/rounds/{rnd.slug}/ballot", data={"add": remedy, "csrf_token": token})
    page = client.get(f"/rounds/{rnd.slug}/ballot").get_data(as_text=True)
    assert (
        "Spent: \u2068£12,000\u2069 of \u2068£10,000\u2069" in page
        and "Over by \u2068£2,000\u2069" in page
    )
    page = client.get(f"/rounds/{rnd.slug}/review").get_data(as_text=True)
    assert "there is only \u2068£10,000\u2069" in page and "Cast my ballot" not in page

    client.post(f"/rounds/{rnd.slug}/ballot", data={"remove": second, "csrf_token": token})
    page = client.get(f"/rounds/{rnd.slug}/review").get_data(as_text=True)
    assert "You chose these 2 ideas (\u2068£9,000\u2069 of \u2068£10,000\u2069)." in page
    assert "Once you cast your ballot you cannot change it." in page

    response = client.post(
        f"/rounds/{rnd.slug}/cast", data={"choice": [first, third], "csrf_token": token}
    )
    assert response.headers["Location"].endswith("/receipt")
    page = client.get(f"/rounds/{rnd.slug}/receipt").get_data(as_text=True)
    receipt = re.search(r'<bdi dir="ltr">([A-Z0-9-]{11})</bdi>', page).group(1)

    check = client.post(
        f"/rounds/{rnd.slug}/check",
        data={
            "receipt": receipt.lower(),
            "csrf_token": csrf_token(client, f"/rounds/{rnd.slug}/check"),
        },
    )
    text = check.get_data(as_text=True)
    assert "Your ballot is in the count." in text
    assert rnd.remedies[0].t("title", "en").text in text
    assert rnd.remedies[1].t("title", "en").text not in text

    db.session.expire_all()
    stored = db.session.scalars(select(Ballot)).one()
    assert {c.remedy_id for c in stored.choices} == {int(first), int(third)}
    assert db.session.scalars(select(VoterCode.used)).one() is True


def test_wrong_and_used_codes_get_friendly_messages(client):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    page = enter(client, rnd, "ABCD-EFGH-JKMN").get_data(as_text=True)
    assert "We couldn&#39;t find this code" in page and 'value="ABCD-EFGH-JKMN"' in page
    ballots.cast(SECRET, rnd, code, [str(rnd.remedies[0].id)])
    db.session.commit()
    page = enter(client, rnd, code).get_data(as_text=True)
    assert "This code has already been used to vote." in page


def test_a_code_from_another_round_is_not_found(app):
    rnd, other = make_round(Phase.VOTING), make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, other, 1)
    db.session.commit()
    with pytest.raises(CastError) as refused:
        ballots.cast(SECRET, rnd, code, [str(rnd.remedies[0].id)])
    assert refused.value.problems[0].code == "code_unknown"


def test_a_refused_ballot_names_the_code_first_and_uses_nothing(app):
    rnd = make_round(Phase.VOTING, budget=10000, costs=(4000, 3000, 5000))
    [spent, fresh] = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    ids = [str(r.id) for r in rnd.remedies]
    ballots.cast(SECRET, rnd, spent, ids[:1])
    db.session.commit()
    # A wrong or spent code is what the voter must hear about, even if the choices are wrong.
    for typed, why in (("ABCD-EFGH-JKMN", "code_unknown"), (spent, "code_used")):
        with pytest.raises(CastError) as refused:
            ballots.cast(SECRET, rnd, typed, ids)
        assert [p.code for p in refused.value.problems] == [why]
    with pytest.raises(CastError) as refused:
        ballots.cast(SECRET, rnd, fresh, ids)
    assert [p.code for p in refused.value.problems] == ["over_budget"]
    # The refusal did not use up the good code: it still casts, once.
    ballots.cast(SECRET, rnd, fresh, ids[1:2])
    db.session.commit()
    with pytest.raises(CastError):
        ballots.cast(SECRET, rnd, fresh, ids[1:2])
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 2


def test_ballot_rules_are_checked(app):
    rules = {
        "budget": 10000,
        "ballot_type": "knapsack",
        "min_spend_percent": 50,
        "min_choices": 2,
        "max_choices": 3,
        "costs": {"1": 4000, "2": 3000, "3": 5000, "4": 500},
    }
    problems = {p.code for p in ballots.check(rules, ["1", "3", "2"])}
    assert problems == {"over_budget"}
    assert {p.code for p in ballots.check(rules, ["4"])} == {"too_few", "under_min_spend"}
    assert {p.code for p in ballots.check(rules, ["1", "2", "4", "9"])} == {"unknown_remedy"}
    assert {p.code for p in ballots.check(rules, ["1", "1"])} >= {"duplicate"}
    assert ballots.check(rules, ["1", "2"]) == []
    approval = rules | {"ballot_type": "approval", "min_choices": 0, "min_spend_percent": 0}
    assert {p.code for p in ballots.check(approval, ["1", "2", "3", "4"])} == {"too_many"}
    assert ballots.check(approval, ["1", "2", "3"]) == []


def test_a_tampered_choice_is_refused_and_choices_are_kept(client):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    enter(client, rnd, code)
    token = ballot_token(client, rnd)
    first = str(rnd.remedies[0].id)
    client.post(f"/rounds/{rnd.slug}/ballot", data={"add": first, "csrf_token": token})
    response = client.post(
        f"/rounds/{rnd.slug}/cast",
        data={"choice": [first, "99999"], "csrf_token": token},
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "One of your choices is not on this ballot" in page
    assert f'name="remove" value="{first}"' in page
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


def test_an_expired_session_keeps_the_choices(client):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    first = str(rnd.remedies[0].id)
    token = csrf_token(client, f"/rounds/{rnd.slug}/take-part")
    response = client.post(
        f"/rounds/{rnd.slug}/cast", data={"choice": [first], "csrf_token": token}
    )
    assert response.headers["Location"].endswith("/take-part")
    response = enter(client, rnd, code)
    assert response.headers["Location"].endswith("/review")
    page = client.get(f"/rounds/{rnd.slug}/review").get_data(as_text=True)
    assert "You chose this 1 idea" in page


def test_ballot_order_is_random_per_voter_and_stable_for_one(app):
    rnd = make_round(Phase.VOTING, costs=tuple(range(100, 1300, 100)))
    made = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    orders = []
    for code in made:
        client = app.test_client()
        enter(client, rnd, code)
        first = client.get(f"/rounds/{rnd.slug}/ballot").get_data(as_text=True)
        again = client.get(f"/rounds/{rnd.slug}/ballot").get_data(as_text=True)
        ids = re.findall(r'id="remedy-(\d+)"', first)
        assert ids == re.findall(r'id="remedy-(\d+)"', again)
        orders.append(ids)
    assert sorted(orders[0]) == sorted(orders[1]) and orders[0] != orders[1]


def test_approval_ballot_counts_choices_not_money(client):
    rnd = make_round(Phase.VOTING, ballot_type=BallotType.APPROVAL, max_choices=1)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    enter(client, rnd, code)
    token = ballot_token(client, rnd)
    for r in rnd.remedies[:2]:
        client.post(f"/rounds/{rnd.slug}/ballot", data={"add": str(r.id), "csrf_token": token})
    page = client.get(f"/rounds/{rnd.slug}/review").get_data(as_text=True)
    assert "You can choose only 1 idea. You have chosen 2." in page


def test_rules_freeze_when_voting_opens(app):
    rnd = make_round(Phase.RATING, costs=(4000,))
    assert rnd.frozen_rules is None
    change_phase(rnd, Phase.VOTING)
    db.session.commit()
    # Even a change that slips past the admin pages does not reach the ballot.
    rnd.budget = 100
    db.session.commit()
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    assert ballots.cast(SECRET, rnd, code, [str(rnd.remedies[0].id)])
    db.session.commit()


def test_changing_frozen_rules_is_refused_with_the_reason_and_logged(app):
    from coprod.models import AuditEvent
    from coprod.operations.rounds import RulesFrozen, update_rules

    rnd = make_round(Phase.RATING)
    update_rules(rnd, {"budget": 12000})
    db.session.commit()
    assert rnd.budget == 12000
    change_phase(rnd, Phase.VOTING)
    db.session.commit()
    with pytest.raises(RulesFrozen) as refused:
        update_rules(rnd, {"budget": 50000})
    assert "voting has opened" in str(refused.value)
    with pytest.raises(RulesFrozen):
        update_rules(rnd, {}, costs={rnd.remedies[0].id: 1})
    db.session.expire_all()
    assert rnd.budget == 12000 and rnd.remedies[0].cost == 4000
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("rules_change_refused") == 2


def test_ratings_one_set_per_code_replaced_not_added(client):
    rnd = make_round(Phase.RATING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    assert enter(client, rnd, code).headers["Location"].endswith("/rate")
    page = client.get(f"/rounds/{rnd.slug}/rate").get_data(as_text=True)
    assert "How much does this hold you back?" in page and "Very much" in page
    token = csrf_token(client, f"/rounds/{rnd.slug}/rate")
    barrier, remedy = rnd.barriers[0].id, rnd.remedies[0].id
    client.post(
        f"/rounds/{rnd.slug}/rate",
        data={f"barrier-{barrier}": "5", f"remedy-{remedy}": "2", "csrf_token": token},
    )
    client.post(
        f"/rounds/{rnd.slug}/rate",
        data={
            f"barrier-{barrier}": "4",
            f"remedy-{remedy}": "",
            "remedy-99999": "5",
            "csrf_token": token,
        },
    )
    saved = db.session.scalars(select(Rating)).all()
    assert [(r.barrier_id, r.score, r.indicative) for r in saved] == [(barrier, 4, False)]
    assert codes.normalise(code) not in saved[0].rater
    page = client.get(f"/rounds/{rnd.slug}/rate").get_data(as_text=True)
    assert f'name="barrier-{barrier}" value="4" checked' in page


def test_open_rating_needs_no_code_and_is_marked_indicative(client):
    rnd = make_round(Phase.RATING, eligibility=Eligibility.OPEN_RATING)
    page = client.get(f"/rounds/{rnd.slug}/rate").get_data(as_text=True)
    assert "counted as a guide only" in page
    token = csrf_token(client, f"/rounds/{rnd.slug}/rate")
    client.post(
        f"/rounds/{rnd.slug}/rate", data={f"barrier-{rnd.barriers[0].id}": "3", "csrf_token": token}
    )
    assert db.session.scalars(select(Rating.indicative)).all() == [True]


def test_a_round_that_is_not_voting_refuses_ballots(client):
    rnd = make_round(Phase.COUNTED)
    response = client.get(f"/rounds/{rnd.slug}/ballot", follow_redirects=True)
    assert "Voting is not open in this round." in response.get_data(as_text=True)


def test_receipt_hashes_are_published_after_voting_closes(client):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    receipt = ballots.cast(SECRET, rnd, code, [str(rnd.remedies[0].id)])
    db.session.commit()
    assert client.get(f"/rounds/{rnd.slug}/receipts.txt").status_code == 404
    change_phase(rnd, Phase.COUNTED)
    db.session.commit()
    listed = client.get(f"/rounds/{rnd.slug}/receipts.txt").get_data(as_text=True).split()
    assert ballots.receipt_hash(receipt) in listed


def test_ballot_rows_hold_no_code_and_no_time(app):
    columns = set(Ballot.__table__.columns.keys())
    assert not any("code" in c for c in columns)
    assert str(Ballot.__table__.c.cast_on.type) == "DATE"


# --- The API ---------------------------------------------------------------------------------


def test_api_lists_rounds_and_describes_one(client):
    rnd = make_round(Phase.VOTING)
    listed = client.get("/api/v1/rounds").get_json()
    assert {"slug": rnd.slug, "phase": "voting"}.items() <= listed[0].items()
    detail = client.get(f"/api/v1/rounds/{rnd.slug}").get_json()
    assert detail["budget"] == 10000 and detail["phase"] == "voting"
    assert [r["cost"] for r in detail["remedies"]] == [4000, 3000, 5000]
    assert all(isinstance(r["id"], str) for r in detail["remedies"])


def test_api_casts_once_and_explains_refusals(client):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    url = f"/api/v1/rounds/{rnd.slug}/ballots"
    ids = [str(r.id) for r in rnd.remedies]
    assert client.post(url, json={"code": "ZZZZ-ZZZZ-ZZZZ", "choices": ids[:1]}).status_code == 404
    invalid = client.post(url, json={"code": code, "choices": ids})
    assert invalid.status_code == 422
    assert invalid.get_json()["reasons"][0] == {
        "code": "over_budget",
        "spent": 12000,
        "budget": 10000,
    }
    assert client.post(url, json={"code": code}).status_code == 422
    ok = client.post(url, json={"code": code, "choices": ids[:2]})
    assert ok.status_code == 201 and len(ok.get_json()["receipt"]) == 11
    assert client.post(url, json={"code": code, "choices": ids[:1]}).status_code == 409
    assert db.session.scalars(select(Ballot.channel)).all() == [Channel.API]


# --- What one voter sees is theirs alone, and what staff change shows at once ---------------


def test_the_code_page_gives_each_voter_their_own_token(app):
    rnd = make_round(Phase.VOTING)
    made = codes.make_codes(SECRET, rnd, 2)
    db.session.commit()
    alice, bob = app.test_client(), app.test_client()
    url = f"/rounds/{rnd.slug}/take-part"
    pages = [c.get(url).get_data(as_text=True) for c in (alice, bob)]
    tokens = [CSRF.search(page).group(1) for page in pages]
    assert tokens[0] != tokens[1]
    assert pages[0].replace(tokens[0], "") == pages[1].replace(tokens[1], "")

    # Each token belongs to its own voter's session, as on any other page.
    stolen = bob.post(url, data={"code": made[1], "csrf_token": tokens[0]})
    assert stolen.status_code == 400
    for client, code, token in zip((alice, bob), made, tokens, strict=True):
        response = client.post(url, data={"code": code, "csrf_token": token})
        assert response.headers["Location"].endswith("/ballot")


def test_what_is_one_visitors_own_never_reaches_another_visitors_code_page(app):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    url = f"/rounds/{rnd.slug}/take-part"
    staff, scanned, expired, anyone = (app.test_client() for _ in range(4))
    sign_in(staff, make_user(Role.ORGANISER, name="Olu <Organiser>"))
    assert "Olu &lt;Organiser&gt;" in staff.get(url).get_data(as_text=True)

    page = scanned.get(f"{url}?code={code}", follow_redirects=True).get_data(as_text=True)
    assert f'value="{code}"' in page
    token = csrf_token(expired, url)
    page = expired.post(
        f"/rounds/{rnd.slug}/cast",
        data={"choice": [str(rnd.remedies[0].id)], "csrf_token": token},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Your session ended." in page

    page = anyone.get(url).get_data(as_text=True)
    assert code not in page and "Your session ended." not in page and "Olu" not in page
    assert "Enter your voter code" in page


def test_the_code_page_follows_the_language_and_the_round(app):
    rnd = make_round(Phase.VOTING)
    url = f"/rounds/{rnd.slug}/take-part"
    english, urdu = app.test_client(), app.test_client()
    urdu.get(f"/language/ur?next={url}")
    assert '<html lang="ur" dir="rtl">' in urdu.get(url).get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in english.get(url).get_data(as_text=True)

    rnd.content.set("title", "en", "The park and the <river>")
    db.session.commit()
    page = english.get(url).get_data(as_text=True)
    assert "The park and the &lt;river&gt;" in page


def test_each_voter_sees_their_own_receipt_escaped(app):
    rnd = make_round(Phase.VOTING)
    url = f"/rounds/{rnd.slug}/receipt"
    shown = []
    for receipt in ("ABCD-EFGH-JK", 'WXYZ-"><b>-x'):
        client = app.test_client()
        with client.session_transaction() as session:
            session[f"receipt:{rnd.slug}"] = receipt
        page = client.get(url).get_data(as_text=True)
        shown.append(re.findall(r'<bdi dir="ltr">([^<]*)</bdi>', page))
        assert re.search(r'name="receipt" value="([^"]*)"', page).group(1) == str(escape(receipt))
    assert shown == [["ABCD-EFGH-JK"], ["WXYZ-&#34;&gt;&lt;b&gt;-x"]]


def vote_until_review(client, rnd, code):
    """Enter a code and choose the first remedy; returns the form's CSRF token and choice."""
    enter(client, rnd, code)
    token = ballot_token(client, rnd)
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


def test_another_workers_change_shows_here_at_once(tmp_path):
    # Two apps on one database stand for two gunicorn workers.
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    here, there = make_app(url), make_app(url)
    with here.app_context():
        db.create_all()
        rnd = make_round(Phase.VOTING)
        [code] = codes.make_codes(SECRET, rnd, 1)
        db.session.commit()
        slug, rnd_id = rnd.slug, rnd.id
        client = here.test_client()
        vote_until_review(client, rnd, code)
        assert client.get(f"/rounds/{slug}/ballot").status_code == 200
    with there.app_context():
        change_phase(db.session.get(Round, rnd_id), Phase.CLOSED, actor=None)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    with here.app_context():
        page = client.get(f"/rounds/{slug}/ballot", follow_redirects=True).text
        assert "Voting is not open in this round." in page
        db.session.remove()
        db.engine.dispose()


def test_a_round_closed_behind_the_apps_back_takes_no_ballot(app):
    rnd = make_round(Phase.VOTING)
    [code] = codes.make_codes(SECRET, rnd, 1)
    db.session.commit()
    client = app.test_client()
    token, first = vote_until_review(client, rnd, code)
    assert client.get(f"/rounds/{rnd.slug}/review").status_code == 200

    behind_the_apps_back(app.config["SQLALCHEMY_DATABASE_URI"], rnd.id, Phase.CLOSED)
    response = client.post(
        f"/rounds/{rnd.slug}/cast",
        data={"choice": [first], "csrf_token": token},
        follow_redirects=True,
    )
    assert "Voting is not open in this round." in response.text
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert db.session.scalar(select(VoterCode.used)) is False
