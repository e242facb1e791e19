"""Plain, translated messages for the reasons a ballot or a code is refused."""

from flask_babel import gettext as _
from flask_babel import ngettext

from coprod.operations.ballots import Problem
from coprod.templating import money


def explain(problem: Problem, currency: str, pot_names: dict[str, str] | None = None) -> str:
    """One sentence a citizen understands, in their language; a problem with one pot of a
    round's money names that pot first (`pot_names`: pot id -> its name)."""
    said = _explain(problem, currency)
    if (pot := problem.params.get("pot")) is not None and pot_names and pot in pot_names:
        # i18n: a problem with one part of the money, e.g. "Brookfield: Please spend at least £500."
        return _("%(pot)s: %(problem)s", pot=pot_names[pot], problem=said)
    return said


def _explain(problem: Problem, currency: str) -> str:
    p = problem.params
    match problem.code:
        case "closed":
            return _("Voting is not open in this round.")
        case "code_unknown":
            return _("We couldn't find this code. Please check the letters and try again.")
        case "code_used":
            return _("This code has already been used to vote.")
        case "no_pot":
            return _(
                "This code cannot vote for any idea in this round. Please ask the council for help."
            )
        case "unknown_remedy" | "duplicate":
            return _("One of your choices is not on this ballot. Please check your choices.")
        case "empty":
            return _("Please choose at least one idea.")
        case "too_many":
            return ngettext(
                "You can choose only %(num)d idea. You have chosen %(n)d.",
                "You can choose up to %(num)d ideas. You have chosen %(n)d.",
                p["max"],
                n=p["n"],
            )
        case "too_few":
            return ngettext(
                "Please choose at least %(num)d idea. You have chosen %(n)d.",
                "Please choose at least %(num)d ideas. You have chosen %(n)d.",
                p["min"],
                n=p["n"],
            )
        case "over_budget":
            return _(
                "Your choices cost %(spent)s, but there is only %(budget)s. "
                "Please take something off.",
                spent=money(p["spent"], currency),
                budget=money(p["budget"], currency),
            )
        case "under_min_spend":
            return _(
                "Please spend at least %(minimum)s. So far you have spent %(spent)s.",
                minimum=money(p["minimum"], currency),
                spent=money(p["spent"], currency),
            )
        case "same_typist":
            return _("You have already typed this sheet. Someone else must type it a second time.")
        case "sheet_counted":
            return _("This sheet number has been typed in and counted already. Check the number.")
        case "sheet_mismatch":
            return _(
                "The two typings of this sheet did not agree. "
                "An organiser must clear them before it is typed again."
            )
    return _("Something is wrong with this ballot. Please check your choices.")
