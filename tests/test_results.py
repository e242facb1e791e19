"""Counting in the app: stored counts, the results page, a receipt's story, open data, imports."""

import json
import os
import re
import secrets
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from coprod import tally
from coprod.extensions import db
from coprod.models import Area, Ballot, BallotChoice, Channel, Count, Phase, Role, Round
from coprod.operations import ballots, codes
from coprod.operations.counting import count_round
from coprod.operations.phase import change_phase
from tests.conftest import csrf_token
from tests.factories import make_round, make_user

SECRET = "test-secret"
ROOT = Path(__file__).resolve().parent.parent
PABULIB = Path(os.environ.get("PABULIB_DIR", ROOT.parent / "shared" / "pabulib"))


def voted_round(choices_per_voter):
    """A knapsack round (£100: A £60, B £50, C £30) with these ballots, counted."""
    rnd = make_round(Phase.VOTING, budget=100, costs=(60, 50, 30))
    ids = [str(r.id) for r in rnd.remedies]
    receipts = []
    for code, picks in zip(
        codes.make_codes(SECRET, rnd, len(choices_per_voter)), choices_per_voter, strict=True
    ):
        receipts.append(ballots.cast(SECRET, rnd, code, [ids[i] for i in picks]))
        db.session.commit()
    change_phase(rnd, Phase.COUNTED)
    db.session.commit()
    return rnd, ids, receipts


def test_count_is_stored_with_rule_checksum_and_explanations(app):
    rnd, ids, _ = voted_round([[0], [0], [0, 2], [1], [1, 2]])
    with pytest.raises(ValueError):
        count_round(make_round(Phase.VOTING))
    result = count_round(rnd)
    db.session.commit()
    assert result.rule == "equalshares/add1" and result.utility == "cost"
    assert result.ballots == 5 and len(result.inputs_sha256) == 64
    assert set(result.explanations) == set(ids)
    assert result.selected[0] == ids[0]
    assert result.explanations[ids[0]]["votes"] == 3
    # The same ballots give the same checksum and the same outcome.
    again = count_round(rnd)
    db.session.commit()
    assert again.inputs_sha256 == result.inputs_sha256 and again.selected == result.selected


def test_results_page_explains_every_remedy_and_a_receipt(client):
    rnd, ids, receipts = voted_round([[0], [0], [0, 2], [1], [1, 2]])
    count_round(rnd)
    db.session.commit()
    page = client.get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    assert "5 ballots were counted." in page
    assert "1 idea gets the money: \u2068£60\u2069 of \u2068£100\u2069." in page
    # 5 voters: too few for the share who got something (it could single people out)
    assert "of voters chose at least one idea" not in page
    assert "Fewer than 10 people voted, so we do not show these figures" in page
    assert "Gets the money. 3 people who voted for it paid ⁨£20⁩ each of their share." in page
    assert "had ⁨£48⁩ left between them, but it costs ⁨£50⁩" in page
    assert "Method of Equal Shares" in page
    # The command line and the fingerprint are on their own page, for the few who want them.
    assert "SHA-256" not in page and "python -m" not in page
    assert f'href="/rounds/{rnd.slug}/results/check"' in page
    check = client.get(f"/rounds/{rnd.slug}/results/check").get_data(as_text=True)
    assert "ballots.pb" in check and "SHA-256" in check and "python -m coprod.tally" in check
    text = story_of(client, rnd, receipts[2])
    assert "Your ballot helped to pay for:" in text
    assert "it costs \u2068£30\u2069" in text  # its second choice, and why it lost
    assert "We couldn't find a ballot with this receipt" in story_of(client, rnd, "AAAAA-BBBBB")
    # A receipt in the address is ignored: access logs would keep it beside an IP address.
    ignored = client.get(f"/rounds/{rnd.slug}/results", query_string={"receipt": receipts[2]})
    assert "Your ballot helped" not in ignored.get_data(as_text=True)


TOKEN = re.compile(r'name="csrf_token"[^>]*>')  # a new one on every page


def story_of(client, rnd, receipt: str) -> str:
    """The results page after typing a receipt into its form."""
    url = f"/rounds/{rnd.slug}/results"
    posted = client.post(url, data={"receipt": receipt, "csrf_token": csrf_token(client, url)})
    return posted.get_data(as_text=True)


def add_ballots(rnd, n, remedy_ids, *, lang="en", area=None, channel=Channel.ONLINE, days_ago=0):
    """`n` ballots for `remedy_ids`, stored straight in the database (as a correction would be)."""
    for _ in range(n):
        db.session.add(
            Ballot(
                round_id=rnd.id,
                receipt_hash=secrets.token_hex(32),
                cast_on=date.today() - timedelta(days=days_ago),
                channel=channel,
                lang=lang,
                area_id=area.id if area else None,
                choices=[BallotChoice(remedy_id=int(i)) for i in remedy_ids],
            )
        )
    db.session.commit()


def votes_shown(client, rnd) -> dict[str, int]:
    api = client.get(f"/api/v1/rounds/{rnd.slug}/results").get_json()
    return {r["id"]: r["votes"] for r in api["remedies"]}


def test_results_follow_the_latest_count_and_change_when_it_is_redone(client):
    rnd, ids, receipts = voted_round([[0], [0], [0, 2], [1], [1, 2]])
    first = count_round(rnd)
    db.session.commit()
    url = f"/rounds/{rnd.slug}/results"
    before = client.get(url).get_data(as_text=True)
    assert "5 ballots were counted." in before and "Fewer than 10 people voted" in before
    assert votes_shown(client, rnd) == {ids[0]: 3, ids[1]: 2, ids[2]: 2}
    story = story_of(client, rnd, receipts[0])
    assert "Your ballot helped to pay for:" in story
    # Ballots added after the count change nothing that is shown until it is counted again:
    # every figure comes from the stored count, not from the ballots.
    add_ballots(rnd, 5, [ids[1]])
    assert TOKEN.sub("", client.get(url).get_data(as_text=True)) == TOKEN.sub("", before)
    assert votes_shown(client, rnd)[ids[1]] == 2
    again = count_round(rnd)
    db.session.commit()
    after = client.get(url).get_data(as_text=True)
    checked = client.get(f"{url}/check").get_data(as_text=True)
    assert again.inputs_sha256 != first.inputs_sha256 and again.inputs_sha256 in checked
    assert "10 ballots were counted." in after
    assert votes_shown(client, rnd) == {ids[0]: 3, ids[1]: 7, ids[2]: 2}
    assert again.selected == [ids[1], ids[2]]  # seven people now share out £50 for B, then C
    # B's 7 voters and the third voter (A and C): 8 of 10.
    assert "80% of voters got at least one idea" in after and "Fewer than 10 people" not in after
    story = story_of(client, rnd, receipts[0])
    assert "Your ballot helped to pay for:" not in story and "Does not get the money." in story
    api = client.get(f"/api/v1/rounds/{rnd.slug}/results").get_json()
    assert api["ballots"] == 10 and api["selected"] == [ids[1], ids[2]]


def test_a_count_stored_without_its_figures_shows_no_made_up_share(client):
    rnd, ids, _ = voted_round([[0], [1]])
    result = count_round(rnd)
    db.session.commit()
    result.summary = {}  # as a count made before the figures were stored
    db.session.commit()
    page = client.get(f"/rounds/{rnd.slug}/results").get_data(as_text=True)
    assert "2 ballots were counted." in page and "of voters chose" not in page


def who_took_part(client, rnd) -> str:
    html = client.get(f"/staff/council/rounds/{rnd.slug}").get_data(as_text=True)
    return html.split('id="turnout"')[1].split("</section>")[0]


def test_the_dashboards_turnout_comes_from_the_count_until_it_is_redone(app):
    from tests.test_staff import sign_in

    ward = Area(slug="ward", name="Brookfield", population=10000)
    north = Area(slug="north", name="North End", population=5000)
    south = Area(slug="south", name="South Side", population=5000)
    db.session.add_all([ward, north, south])
    db.session.commit()
    north.parent_id = south.parent_id = ward.id
    rnd = make_round(Phase.VOTING, budget=100, costs=(60, 50, 30), area_id=ward.id)
    a, b, c = (str(r.id) for r in rnd.remedies)
    add_ballots(rnd, 20, [a], area=north, days_ago=1)
    add_ballots(rnd, 4, [b, c], lang="ur", area=south, channel=Channel.PAPER)
    add_ballots(rnd, 2, [c])
    change_phase(rnd, Phase.COUNTED)
    db.session.commit()
    client = app.test_client()
    sign_in(client, make_user(Role.COUNCILLOR))
    live = who_took_part(client, rnd)  # not counted yet: from the ballots themselves
    assert "26 ballots were cast." in live and "Fewer people from South Side" in live
    count_round(rnd)
    db.session.commit()
    assert who_took_part(client, rnd) == live  # the count's figures say the same
    add_ballots(rnd, 16, [b], area=south)
    assert who_took_part(client, rnd) == live  # read from the count, not the ballots
    count_round(rnd)
    db.session.commit()
    after = who_took_part(client, rnd)
    assert "42 ballots were cast." in after and "Fewer people from South Side" not in after


def test_results_wait_for_the_count_and_for_voting_to_close(client):
    voting = make_round(Phase.VOTING)
    assert client.get(f"/rounds/{voting.slug}/results").status_code == 404
    assert client.get(f"/rounds/{voting.slug}/ballots.pb").status_code == 404
    closed = make_round(Phase.COUNTED)
    page = client.get(f"/rounds/{closed.slug}/results").get_data(as_text=True)
    assert "Voting has closed. The votes will be counted soon." in page
    page = client.get(f"/rounds/{closed.slug}").get_data(as_text=True)
    assert "Voting has closed. The votes will be counted soon." in page
    assert "The votes have been counted" not in page


def test_open_data_recounts_to_the_same_result(client, tmp_path):
    rnd, ids, _ = voted_round([[0], [0, 2], [2], [1, 2], [0]])
    result = count_round(rnd)
    db.session.commit()
    pb = client.get(f"/rounds/{rnd.slug}/ballots.pb")
    assert pb.status_code == 200 and "attachment" in pb.headers["Content-Disposition"]
    path = tmp_path / "round.pb"
    path.write_bytes(pb.data)
    recount = subprocess.run(
        [
            sys.executable,
            "-m",
            "coprod.tally",
            str(path),
            "--rule",
            result.rule,
            "--utility",
            result.utility,
            "--json",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    assert json.loads(recount.stdout)["selected"] == result.selected
    election = tally.parse_pb(pb.get_data(as_text=True))
    assert len(election.votes) == 5 and election.budget == 100
    rows = client.get(f"/rounds/{rnd.slug}/ballots.csv").get_data(as_text=True).splitlines()
    assert rows[0] == "voter_id,choices,points" and len(rows) == 6
    data = json.loads(client.get(f"/rounds/{rnd.slug}/ballots.json").data)
    assert sorted(p["id"] for p in data["projects"]) == sorted(ids)
    api = client.get(f"/api/v1/rounds/{rnd.slug}/results").get_json()
    assert api["selected"] == result.selected and api["inputs_sha256"] == result.inputs_sha256


def test_open_data_has_no_codes_receipts_or_times(client):
    rnd, _, receipts = voted_round([[0], [1]])
    count_round(rnd)
    db.session.commit()
    body = client.get(f"/rounds/{rnd.slug}/ballots.json").get_data(as_text=True)
    for receipt in receipts:
        assert ballots.receipt_hash(receipt) not in body and receipt not in body
    assert "cast_on" not in body


@pytest.mark.skipif(not PABULIB.exists(), reason="the shared pabulib files are not here")
def test_an_imported_election_counts_as_the_command_line_does(app, runner):
    source = PABULIB / "Netherlands_Assen_2024.pb"
    result = runner.invoke(args=["import-pb", str(source), "--slug", "assen"])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["count", "assen"]).exit_code == 0
    rnd = db.session.scalar(select(Round).where(Round.slug == "assen"))
    stored = db.session.scalar(select(Count).where(Count.round_id == rnd.id))
    cli = subprocess.run(
        [sys.executable, "-m", "coprod.tally", str(source), "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    expected = json.loads(cli.stdout)
    by_remedy = {str(r.id): r.external_id for r in rnd.remedies}
    assert [by_remedy[s] for s in stored.selected] == expected["selected"]
    assert stored.rule == expected["rule"] and stored.spent == expected["spent"]


def test_a_broken_pb_file_is_refused_with_the_line(app, runner, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(
        "META\nkey;value\nbudget;100\nnum_projects;1\nnum_votes;1\nvote_type;approval\n"
        "PROJECTS\nproject_id;cost\n1;lots\nVOTES\nvoter_id;vote\n1;1\n"
    )
    result = runner.invoke(args=["import-pb", str(bad)])
    assert result.exit_code != 0 and "line 9" in result.output
    assert db.session.scalar(select(Round.id)) is None


def test_organiser_uploads_a_pb_file_and_sees_line_numbered_mistakes(client, tmp_path):
    from io import BytesIO

    from coprod.models import Role
    from tests.factories import make_user
    from tests.test_staff import sign_in

    sign_in(client, make_user(Role.ORGANISER))
    token = csrf_token(client, "/staff/import")
    broken = b"META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\n1;100\nVOTES\n"
    page = client.post(
        "/staff/import",
        data={"file": (BytesIO(broken), "broken.pb"), "slug": "broken", "csrf_token": token},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "This file has a mistake on line" in page and 'value="broken"' in page
    good = (
        b"META\nkey;value\nbudget;100\nnum_projects;2\nnum_votes;2\nvote_type;approval\n"
        b"PROJECTS\nproject_id;cost;name\n1;60;Bench\n2;50;Mural\n"
        b"VOTES\nvoter_id;vote\n1;1\n2;1,2\n"
    )
    response = client.post(
        "/staff/import",
        data={"file": (BytesIO(good), "good.pb"), "slug": "good", "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert response.headers["Location"].endswith("/rounds/good/results")
    page = client.get("/rounds/good/results").get_data(as_text=True)
    assert "2 ballots were counted." in page and "Bench" in page
