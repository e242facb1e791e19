"""Explanations of the count in plain, translated words (the tally core gives only data)."""

from flask_babel import gettext as _
from flask_babel import ngettext

from coprod.models import Phase, Remedy
from coprod.operations.counting import latest_counts
from coprod.templating import money, number


def sentence(expl: dict, currency: str) -> str:
    """Why one remedy was or was not funded, in one sentence a citizen understands."""
    a = expl["amounts"]
    text = _why(expl, a, currency)
    more = a.get("more_needed")
    if more and expl["reason"] in ("did_not_fit", "not_reached", "below_threshold"):
        if a.get("by_points"):
            text += " " + ngettext(
                "With %(n)s more point it would have got the money.",
                "With %(n)s more points it would have got the money.",
                more,
                n=number(more),
            )
        else:
            text += " " + ngettext(
                "With %(n)s more vote it would have got the money.",
                "With %(n)s more votes it would have got the money.",
                more,
                n=number(more),
            )
    if expl["reason"] == "supporters_short" and a.get("left_at_end") is not None:
        text += " " + _(
            "The %(left)s left at the end was not enough either.",
            left=money(a["left_at_end"], currency),
        )
    return text


def _why(expl: dict, a: dict, currency: str) -> str:
    def m(key: str) -> str:
        return money(a[key], currency)

    match expl["reason"]:
        case "equal_shares":
            text = ngettext(
                "Gets the money. %(n)s person who voted for it paid %(share)s of their share.",
                "Gets the money. %(n)s people who voted for it paid %(share)s each of their share.",
                a["full_payers"],
                n=number(a["full_payers"]),
                share=m("share"),
            )
            if a.get("partial_payers"):
                text += " " + ngettext(
                    "%(n)s more gave all the money they had left (%(paid)s).",
                    "%(n)s more gave all the money they had left (%(paid)s together).",
                    a["partial_payers"],
                    n=number(a["partial_payers"]),
                    paid=m("partial_paid"),
                )
            return text
        case "greedy" if a.get("by_points"):
            return _(
                "Gets the money. It had more points than the ideas after it, and %(cost)s of the "
                "%(left)s left was enough.",
                cost=m("cost"),
                left=m("left"),
            )
        case "greedy":
            return _(
                "Gets the money. It had more votes than the ideas after it, and %(cost)s of the "
                "%(left)s left was enough.",
                cost=m("cost"),
                left=m("left"),
            )
        case "completion":
            return _(
                "Gets money that Equal Shares left. Of the ideas still waiting that "
                "fitted, it had the most votes, and %(cost)s of the %(left)s left was enough.",
                cost=m("cost"),
                left=m("left"),
            )
        case "supporters_short":
            return _(
                "Does not get the money. The people who voted for it had %(money)s left between "
                "them, but it costs %(cost)s: %(short)s short.",
                money=m("money"),
                cost=m("cost"),
                short=money(a["cost"] - a["money"], currency),
            )
        case "did_not_fit":
            return _(
                "Does not get the money. It costs %(cost)s, but only %(left)s was left when "
                "its turn came.",
                cost=m("cost"),
                left=m("left"),
            )
        case "not_reached":
            return _(
                "Does not get the money. The count stopped before its turn, with %(left)s left.",
                left=m("left"),
            )
        case "below_threshold" if a.get("by_points"):
            return ngettext(
                "Does not get the money. It needed at least %(n)s point and had %(score)s.",
                "Does not get the money. It needed at least %(n)s points and had %(score)s.",
                a["threshold"],
                n=number(a["threshold"]),
                score=number(a["score"]),
            )
        case "below_threshold":
            return ngettext(
                "Does not get the money. It needed at least %(n)s vote and had %(score)s.",
                "Does not get the money. It needed at least %(n)s votes and had %(score)s.",
                a["threshold"],
                n=number(a["threshold"]),
                score=number(a["score"]),
            )
        case "no_votes":
            return _("Does not get the money. Nobody voted for it.")
    return _("Gets the money.") if expl["funded"] else _("Does not get the money.")


def outcome_of(remedies: list[Remedy]) -> dict[int, tuple[bool, str]]:
    """For each remedy of a counted round: whether it got the money, and why (for a loser,
    how close it came), from the latest count of its round (or pot)."""
    out: dict[int, tuple[bool, str]] = {}
    counts: dict[int, list] = {}
    for remedy in remedies:
        rnd = remedy.round
        if not rnd.phase.rules_frozen or rnd.phase == Phase.VOTING:
            continue
        if rnd.id not in counts:
            counts[rnd.id] = latest_counts(rnd)
        for count in counts[rnd.id]:
            expl = count.explanations.get(str(remedy.id))
            if expl is not None:
                out[remedy.id] = (expl["funded"], sentence(expl, rnd.currency))
                break
    return out
