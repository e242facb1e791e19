"""English sentences for explanations, for the command line (the web app has its own)."""

from __future__ import annotations

from .model import Explanation


def _money(value) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def describe(expl: Explanation) -> str:
    """One English sentence saying why a project was or was not funded."""
    a = expl.amounts
    reason = expl.reason
    if reason == "greedy":
        cost, left = _money(a["cost"]), _money(a["left"])
        return f"Funded: score {_money(a['score'])}, cost {cost} of {left} left."
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
            f" between them; it costs {_money(a['cost'])}."
        )
    return reason
