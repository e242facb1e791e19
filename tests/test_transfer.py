"""A whole round goes out as JSON and comes back the same; old contacts are deleted."""

import json
from datetime import timedelta

from sqlalchemy import func, select

from coprod.extensions import db
from coprod.models import Ballot, Contact, Phase, Rating, Round
from coprod.operations import ballots, codes, ratings
from coprod.operations.privacy import purge_contacts
from coprod.operations.transfer import export_round
from tests.factories import make_round

SECRET = "test-secret"


def test_export_and_import_round_trip_a_whole_round(app, runner, tmp_path):
    rnd = make_round(Phase.RATING, title={"en": "Brookfield", "ur": "بروک فیلڈ"})
    ratings.save_ratings(rnd, "rater-1", {rnd.barriers[0].id: 4}, {rnd.remedies[0].id: 5})
    db.session.commit()
    from coprod.operations.phase import change_phase

    change_phase(rnd, Phase.VOTING)
    db.session.commit()
    made = codes.make_codes(SECRET, rnd, 3)
    db.session.commit()
    receipt = ballots.cast(SECRET, rnd, made[0], [str(rnd.remedies[1].id)])
    db.session.commit()
    out = tmp_path / "round.json"
    assert runner.invoke(args=["export", rnd.slug, "--out", str(out)]).exit_code == 0
    taken = runner.invoke(args=["import", str(out)])
    assert taken.exit_code != 0 and "already exists" in taken.output
    result = runner.invoke(args=["import", str(out), "--slug", "copy"])
    assert result.exit_code == 0, result.output

    copy = db.session.scalar(select(Round).where(Round.slug == "copy"))
    assert copy.t("title", "ur").text == "بروک فیلڈ"
    assert copy.phase == Phase.VOTING and copy.frozen_rules["budget"] == 10000
    assert sorted(copy.frozen_rules["costs"].values()) == [3000, 4000, 5000]
    # The copy keeps its own receipts, codes and ratings, and still refuses a used code.
    stored = db.session.scalar(select(Ballot).where(Ballot.round_id == copy.id))
    assert stored.receipt_hash == ballots.receipt_hash(receipt)
    assert stored.choices[0].remedy_id == copy.remedies[1].id
    assert db.session.scalar(select(func.count(Rating.id)).where(Rating.round_id == copy.id)) == 2
    original, again = export_round(rnd), export_round(copy)
    for part in ("barriers", "codes", "ratings"):
        assert len(original[part]) == len(again[part])
    assert json.loads(out.read_text())["format"] == "coprod-round/1"
    assert runner.invoke(args=["import", str(out.parent / "nope.json")]).exit_code != 0


def test_contacts_are_deleted_after_the_round_keeps_them_long_enough(app):
    rnd = make_round(Phase.CLOSED, keep_contacts_days=30)
    db.session.add(Contact(round_id=rnd.id, address="me@example.org"))
    db.session.commit()
    due = rnd.responses_due
    assert purge_contacts(today=due + timedelta(days=30)) == 0
    db.session.commit()
    assert purge_contacts(today=due + timedelta(days=31)) == 1
    db.session.commit()
    assert db.session.scalar(select(func.count(Contact.id))) == 0
