"""The dashboard and the answers as plain data, CSV and JSON, for the council's own tools.

No Flask here: the routes pass the reader's language and send the text. Numbers are
plain (a dot for decimals), dates ISO 8601, so spreadsheets and scripts read them as is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from coprod.council import stats
from coprod.council.data import Dashboard, Outcome, Row
from coprod.models import Barrier, Remedy, Response, ResponseUpdate, Round

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return "" if value is None else value


def to_csv(header: Sequence[str], rows: Iterable[dict]) -> str:
    """A CSV text with a header line; text that a spreadsheet would run is made harmless."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def title(thing: Barrier | Remedy | Round | None, lang: str) -> str:
    """A title in `lang`, else in the language it was written in ('' for none)."""
    found = thing.t("title", lang) if thing is not None else None
    return found.text if found else ""


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _summary(s: stats.Summary) -> dict:
    return {
        "answers": s.n,
        "mean": _round(s.mean),
        "low_95": _round(s.low),
        "high_95": _round(s.high),
        "counts": {str(k): s.count_of(k) for k in stats.SCALE},
    }


def _share(s: stats.Share) -> dict:
    return {
        "key": s.key,
        "ballots": s.ballots,
        "ballot_share": _round(s.ballot_share),
        "population": s.population,
        "population_share": _round(s.population_share),
        "under_represented": s.under,
    }


def _rated(row: Row, lang: str) -> dict:
    return {
        "kind": row.kind,
        "id": row.rated.id,
        "title": title(row.thing, lang),
        "with_code": _summary(row.rated.verified),
        "without_code": _summary(row.rated.indicative),
    }


def _outcome(outcome: Outcome | None, lang: str) -> dict | None:
    if outcome is None:
        return None
    return {
        "rule": outcome.count.rule,
        "ballots": outcome.count.ballots,
        "spent": outcome.count.spent,
        "funded": [{"id": r.id, "title": title(r, lang), "cost": r.cost} for r in outcome.funded],
        # share with a winner, satisfaction (overall and by group), EJR and the other rule
        "fairness": (outcome.count.summary or {}).get("fairness"),
    }


def dashboard_data(d: Dashboard, lang: str) -> dict:
    """The whole dashboard as nested plain data (the JSON export)."""
    rnd, t = d.round, d.turnout
    outcome = _outcome(d.outcome, lang)
    pots = [
        {
            "pot": p.pot.id,
            "area": p.pot.area.slug if p.pot.area else None,
            "name": p.name,
            "budget": p.budget,
            "outcome": _outcome(p.outcome, lang),
            "ballots": p.ballots,
            "population": p.population,
            "languages": [_share(s) for s in p.languages],
        }
        for p in d.pots
    ]
    return {
        "round": rnd.slug,
        "title": title(rnd, lang) or rnd.slug,
        "phase": rnd.phase.value,
        "budget": rnd.budget,
        "currency": rnd.currency,
        "method": {
            "interval": "Student t, 95%, clipped to 1-5; none below 2 answers",
            "under_represented": (
                f"share of ballots < {stats.UNDER_FACTOR} x share of population, "
                f"only with at least {stats.MIN_BALLOTS} ballots"
            ),
            "priorities": "funded remedies in the count's order, then by mean rating",
        },
        "barriers": [_rated(r, lang) for r in d.barriers],
        "remedies": [_rated(r, lang) for r in d.remedies],
        "outcome": outcome,
        # A round whose money is in pots: each pot's result and turnout.
        **({"pots": pots} if pots else {}),
        "turnout": {
            "ballots": t.total,
            "per_day": [{"day": day.isoformat(), "ballots": n} for day, n in t.days],
            "areas": [_share(s) | {"name": t.area_names.get(s.key, "")} for s in t.areas],
            "area_not_known": t.area_unknown,
            "languages": [_share(s) for s in t.languages],
            "channels": [_share(s) for s in t.channels],
        },
        "themes": [
            {
                "barrier": row.barrier.id,
                "title": title(row.barrier, lang),
                "rounds": [
                    {"round": other.slug} | _summary(r.rating) | {"without_code": r.only_indicative}
                    for other, r in row.cells
                ],
            }
            for row in d.themes
        ],
        "priorities": [
            {"rank": n, "kind": r.kind, "id": r.rated.id, "title": title(r.thing, lang)}
            for n, r in enumerate(d.priorities, start=1)
        ],
        # What people said in their own words, gathered into themes: null is "fewer than 10".
        "voice": [_voice(row, lang) for row in d.voice],
    }


def _voice(row: dict, lang: str) -> dict:
    theme = row["theme"]
    name = theme.t("name", lang)
    return {
        "theme": theme.id,
        "name": name.text if name else "",
        "people": row["people"],
        "counted_elsewhere": row["imported"],
        "problem": theme.barrier_id,
        "idea": theme.remedy_id,
        "areas": [{"area": a, "people": n} for a, n in row["by_area"]],
        "languages": [{"language": code, "people": n} for code, n in row["by_lang"]],
    }


DASHBOARD_COLUMNS = (
    "section",
    "rank",
    "kind",
    "id",
    "name",
    "answers",
    "mean",
    "low_95",
    "high_95",
    "score_1",
    "score_2",
    "score_3",
    "score_4",
    "score_5",
    "answers_without_code",
    "mean_without_code",
    "ballots",
    "ballot_share",
    "population",
    "population_share",
    "under_represented",
    "cost",
    "people",
    "counted_elsewhere",
    "problem",
    "idea",
    "value",
)


def _fairness_rows(fair: dict | None) -> list[dict]:
    """The fairness figures as `fairness` rows: one figure a row, named in `name`, for
    everyone (`id` empty) or a group (`kind` area, language or channel; `id` its key, or
    the keys shown together joined by "+"). Hidden figures (under ten voters) stay empty."""
    if not fair:
        return []
    rows = []

    def figures(kind: str | None, key: str | None, part: dict) -> None:
        median = (part.get("satisfaction") or {}).get("median")
        for name, value in (
            ("voters", part.get("voters")),
            ("share_with_a_winner", part.get("share_with_a_winner")),
            ("satisfaction_median", median),
        ):
            rows.append(
                {"section": "fairness", "kind": kind, "id": key, "name": name} | {"value": value}
            )

    figures(None, None, fair)
    for kind, groups in (fair.get("by") or {}).items():
        for group in groups:
            key = group.get("group") or "+".join(map(str, group.get("together") or []))
            figures(kind, key, group)
    for check in ("ejr", "pjr"):
        for name in ("satisfied", "up_to_one"):
            value = (fair.get(check) or {}).get(name)
            rows.append({"section": "fairness", "name": f"{check}_{name}", "value": value})
    other = fair.get("other_rule") or {}
    rows.append({"section": "fairness", "name": "other_rule", "value": other.get("rule")})
    for name in ("only_ours", "only_theirs"):
        value = " ".join(map(str, other.get(name) or []))
        rows.append({"section": "fairness", "name": f"other_rule_{name}", "value": value})
    return rows


def dashboard_rows(d: Dashboard, lang: str) -> list[dict]:
    """The dashboard as one flat table; the `section` column says which part a row is."""
    data = dashboard_data(d, lang)
    rows = []
    for item in data["barriers"] + data["remedies"]:
        code, open_ = item["with_code"], item["without_code"]
        rows.append(
            {
                "section": "rating",
                "kind": item["kind"],
                "id": item["id"],
                "name": item["title"],
                "answers": code["answers"],
                "mean": code["mean"],
                "low_95": code["low_95"],
                "high_95": code["high_95"],
                **{f"score_{k}": v for k, v in code["counts"].items()},
                "answers_without_code": open_["answers"],
                "mean_without_code": open_["mean"],
            }
        )
    for funded in (data["outcome"] or {}).get("funded", []):
        rows.append(
            {
                "section": "funded",
                "kind": "remedy",
                "id": funded["id"],
                "name": funded["title"],
                "cost": funded["cost"],
            }
        )
    rows.extend(_fairness_rows((data["outcome"] or {}).get("fairness")))
    for item in data["priorities"]:
        rows.append({"section": "priority", **item, "name": item["title"]})
    for item in data["voice"]:
        rows.append(
            {
                "section": "theme",
                "kind": "theme",
                "id": item["theme"],
                "name": item["name"],
                "people": item["people"],
                "counted_elsewhere": item["counted_elsewhere"],
                "problem": item["problem"],
                "idea": item["idea"],
            }
        )
    turnout = data["turnout"]
    for day in turnout["per_day"]:
        rows.append({"section": "day", "name": day["day"], "ballots": day["ballots"]})
    for section, key in (("area", "areas"), ("language", "languages"), ("channel", "channels")):
        for share in turnout[key]:
            rows.append(
                {
                    "section": section,
                    "id": share["key"],
                    "name": share.get("name", share["key"]),
                    "ballots": share["ballots"],
                    "ballot_share": share["ballot_share"],
                    "population": share["population"],
                    "population_share": share["population_share"],
                    "under_represented": share["under_represented"],
                }
            )
    return rows


def timeline(response: Response) -> list[ResponseUpdate]:
    """The steps after an answer, oldest first (same day: in the order they were added)."""
    return sorted(response.updates, key=lambda u: (u.on, u.id))


def text_of(response: Response, field: str, lang: str) -> str:
    """One field of an answer (reason, next_step) in `lang`, else as written ('' if none)."""
    found = response.t(field, lang)
    return found.text if found else ""


def answer_data(responses: Sequence[Response], lang: str, today: date) -> list[dict]:
    """Each priority sent, with its decision-maker, due date, answer and timeline."""
    out = []
    for r in responses:
        steps = timeline(r)
        out.append(
            {
                "rank": r.rank,
                "kind": "remedy" if r.remedy_id else "barrier",
                "id": r.remedy_id or r.barrier_id,
                "priority": title(r.remedy or r.barrier, lang),
                "decision_maker": r.decision_maker.name,
                "due_on": r.due_on.isoformat(),
                "overdue": r.is_overdue(today),
                "decision": r.decision.value if r.decision else None,
                "decided_on": r.decided_on.isoformat() if r.decided_on else None,
                "reason": text_of(r, "reason", lang),
                "next_step": text_of(r, "next_step", lang),
                "status": steps[-1].status if steps else None,
                "status_on": steps[-1].on.isoformat() if steps else None,
                "timeline": [
                    {
                        "on": u.on.isoformat(),
                        "status": u.status,
                        "note": str(u.t("note", lang) or ""),
                    }
                    for u in steps
                ],
            }
        )
    return out


ANSWER_COLUMNS = (
    "rank",
    "kind",
    "id",
    "priority",
    "decision_maker",
    "due_on",
    "overdue",
    "decision",
    "decided_on",
    "reason",
    "next_step",
    "status",
    "status_on",
)
