"""English sentences for explanations, for the command line (the web app has its own)."""

from __future__ import annotations

from .model import Explanation


def _money(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def describe(expl: Explanation) -> str:
    """One English sentence saying why a project was or was not funded (and how close)."""
    text = _why(expl)
    a = expl.amounts
    if a.get("more_needed"):
        unit = "points" if a.get("by_points") else "votes"
        text += f" With {_money(a['more_needed'])} more {unit} it would have been funded."
    if a.get("left_at_end") is not None:
        text += f" The {_money(a['left_at_end'])} left at the end was not enough either."
    return text


def _why(expl: Explanation) -> str:
    a = expl.amounts
    reason = expl.reason
    if reason == "greedy":
        cost, left = _money(a["cost"]), _money(a["left"])
        unit = "points" if a.get("by_points") else "votes"
        return f"Funded: {_money(a['score'])} {unit}, cost {cost} of {left} left."
    if reason == "equal_shares":
        share = _money(a["share"])
        text = f"Funded in round {expl.step}: {a['full_payers']:,} supporters paid {share} each"
        if a["partial_payers"]:
            text += (
                f", {a['partial_payers']:,} paid all they had left ({_money(a['partial_paid'])})"
            )
        return f"{text}; effective votes {_money(a['effective_votes'] or 0)}."
    if reason == "completion":
        cost, left = _money(a["cost"]), _money(a["left"])
        return f"Funded from the money left: {a['votes']:,} votes, cost {cost} of {left} left."
    if reason == "no_votes":
        return "Not funded: nobody voted for it."
    if reason == "below_threshold":
        score, threshold = _money(a["score"]), _money(a["threshold"])
        return f"Not funded: score {score} is below the threshold {threshold}."
    if reason == "did_not_fit":
        return f"Not funded: it costs {_money(a['cost'])} but {_money(a['left'])} was left."
    if reason == "not_reached":
        return f"Not funded: counting stopped before its turn ({_money(a['left'])} was left)."
    if reason == "supporters_short":
        return (
            f"Not funded: in round {expl.step} its supporters had {_money(a['money'])} left"
            f" between them; it costs {_money(a['cost'])} ({_money(a['short'])} short)."
        )
    return reason
