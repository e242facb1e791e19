"""Routes: the results page, a receipt's story, and the open-data downloads."""

import csv
import io
import json
from typing import Any

from flask import Response, abort, render_template, request

from coprod import i18n, tally
from coprod.council.labels import CHANNEL
from coprod.extensions import limiter
from coprod.lookups import round_or_404, with_remedies_texts
from coprod.models import Phase, Pot, Round
from coprod.operations import ballots
from coprod.operations.counting import election_of, pot_results, pot_slug, results_data
from coprod.participate.forms import ReceiptForm
from coprod.results import bp
from coprod.results.explain import sentence


def _counted_round(slug: str) -> Round:
    rnd = round_or_404(slug, options=with_remedies_texts())
    if not rnd.phase.rules_frozen or rnd.phase == Phase.VOTING:
        abort(404)
    return rnd


def _sections(rnd: Round) -> list[dict[str, Any]]:
    """A round with pots shows one section per pot; without, the one count ([] before it)."""
    if rnd.pots:
        return pot_results(rnd)
    data = results_data(rnd)
    return [{"pot": None} | data] if data else []


@bp.route("/rounds/<slug>/results", methods=["GET", "POST"])
@limiter.limit("60 per hour", methods=["POST"])
def results(slug: str):
    """The results; with a receipt posted (never in the address, where access logs would
    keep it beside the voter's IP address), what happened to that ballot."""
    rnd = _counted_round(slug)
    sections = _sections(rnd)
    story: dict[str, Any] | None = None
    form = ReceiptForm()
    if sections and form.validate_on_submit():
        found = ballots.by_receipt(rnd, form.receipt.data)
        story = {"found": found is not None, "pots": []}
        chose = {c.remedy_id for c in found.choices} if found is not None else set()
        for section in sections:  # pot by pot (one section in a round without pots)
            explained = {row["remedy"].id: row for row in section["rows"]}
            helped, lost = [], []
            for remedy_id in sorted(chose):
                row = explained.get(remedy_id)
                if row and row["explanation"]["funded"]:
                    helped.append(row["remedy"])
                elif row:
                    lost.append((row["remedy"], sentence(row["explanation"], rnd.currency)))
            if helped or lost:
                story["pots"].append({"name": section.get("name"), "helped": helped, "lost": lost})
    every = [r["explanation"]["votes"] for s in sections for r in s["rows"]]
    return render_template(
        "results/results.html",
        round=rnd,
        data=sections[0] if sections else None,
        sections=sections,
        form=form,
        story=story,
        sentence=sentence,
        max_votes=max(every or [1]) or 1,
        language_name=i18n.native_name,
        channel_name=lambda key: str(CHANNEL.get(key, key)),
    )


@bp.get("/rounds/<slug>/results/check")
def check(slug: str):
    """For the few who want to count again: the downloads, their fingerprint, the command."""
    rnd = _counted_round(slug)
    sections = _sections(rnd)
    if not sections:
        abort(404)  # not counted yet: nothing to check
    return render_template("results/check.html", round=rnd, sections=sections)


# Each download rebuilds every ballot of the round (seconds for a city): a few an hour
# from one address is plenty for anyone checking the count.
_downloads = limiter.shared_limit("30 per hour", scope="ballot-downloads")


def _download(body: str, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _pot(rnd: Round) -> tuple[Pot | None, str]:
    """The pot a download asks for (`?pot=`) and the file name's stem; a round with pots has
    a file per pot, so it must say which."""
    if not rnd.pots:
        return None, rnd.slug
    wanted = request.args.get("pot", "")
    pot = next((p for p in rnd.pots if str(p.id) == wanted), None)
    if pot is None:
        abort(404)
    return pot, f"{rnd.slug}-{pot_slug(pot)}"


@bp.get("/rounds/<slug>/ballots.pb")
@_downloads
def ballots_pb(slug: str):
    rnd = _counted_round(slug)
    pot, stem = _pot(rnd)
    return _download(tally.write_pb(election_of(rnd, pot)), "text/plain", f"{stem}.pb")


@bp.get("/rounds/<slug>/ballots.csv")
@_downloads
def ballots_csv(slug: str):
    rnd = _counted_round(slug)
    pot, stem = _pot(rnd)
    election = election_of(rnd, pot)
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
    return _download(out.getvalue(), "text/csv", f"{stem}-ballots.csv")


@bp.get("/rounds/<slug>/ballots.json")
@_downloads
def ballots_json(slug: str):
    rnd = _counted_round(slug)
    pot, stem = _pot(rnd)
    election = election_of(rnd, pot)
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
        json.dumps(body, ensure_ascii=False), "application/json", f"{stem}-ballots.json"
    )
