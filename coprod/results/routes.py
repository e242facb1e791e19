"""Routes: the results page, a receipt's story, and the open-data downloads."""

import csv
import io
import json
from typing import Any

from flask import Response, abort, render_template

from coprod import tally
from coprod.extensions import limiter
from coprod.lookups import round_or_404
from coprod.models import Phase, Round
from coprod.operations import ballots
from coprod.operations.counting import election_of, results_data
from coprod.participate.forms import ReceiptForm
from coprod.results import bp
from coprod.results.explain import sentence


def _counted_round(slug: str) -> Round:
    rnd = round_or_404(slug)
    if not rnd.phase.rules_frozen or rnd.phase == Phase.VOTING:
        abort(404)
    return rnd


@bp.route("/rounds/<slug>/results", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def results(slug: str):
    """The results; with a receipt posted (never in the address, where access logs would
    keep it beside the voter's IP address), what happened to that ballot."""
    rnd = _counted_round(slug)
    data = results_data(rnd)
    story: dict[str, Any] | None = None
    form = ReceiptForm()
    if data and form.validate_on_submit():
        found = ballots.by_receipt(rnd, form.receipt.data)
        story = {"found": found is not None, "helped": [], "lost": []}
        if found:
            explained = {row["remedy"].id: row for row in data["rows"]}
            for choice in found.choices:
                row = explained.get(choice.remedy_id)
                if row and row["explanation"]["funded"]:
                    story["helped"].append(row["remedy"])
                elif row:
                    story["lost"].append(
                        (row["remedy"], sentence(row["explanation"], rnd.currency))
                    )
    return render_template(
        "results/results.html",
        round=rnd,
        data=data,
        form=form,
        story=story,
        sentence=sentence,
        max_votes=max([r["explanation"]["votes"] for r in data["rows"]] or [1]) if data else 1,
    )


# Each download rebuilds every ballot of the round (seconds for a city): a few an hour
# from one address is plenty for anyone checking the count.
_downloads = limiter.shared_limit("30 per hour", scope="ballot-downloads")


def _download(body: str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/rounds/<slug>/ballots.pb")
@_downloads
def ballots_pb(slug: str):
    rnd = _counted_round(slug)
    return _download(tally.write_pb(election_of(rnd)), "text/plain", f"{rnd.slug}.pb")


@bp.get("/rounds/<slug>/ballots.csv")
@_downloads
def ballots_csv(slug: str):
    rnd = _counted_round(slug)
    election = election_of(rnd)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["voter_id", "choices", "points"])
    for vote in election.votes:
        writer.writerow(
            [
                vote.voter_id,
                ",".join(vote.choices),
                ",".join(map(str, vote.points)) if vote.points else "",
            ]
        )
    return _download(out.getvalue(), "text/csv", f"{rnd.slug}-ballots.csv")


@bp.get("/rounds/<slug>/ballots.json")
@_downloads
def ballots_json(slug: str):
    rnd = _counted_round(slug)
    election = election_of(rnd)
    body = {
        "meta": election.meta,
        "projects": [
            {"id": p.id, "cost": int(p.cost), "name": p.name} for p in election.projects.values()
        ],
        "votes": [
            {
                "voter_id": v.voter_id,
                "choices": list(v.choices),
                **({"points": [int(x) for x in v.points]} if v.points else {}),
            }
            for v in election.votes
        ],
    }
    return _download(
        json.dumps(body, ensure_ascii=False), "application/json", f"{rnd.slug}-ballots.json"
    )
