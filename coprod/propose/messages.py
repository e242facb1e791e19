"""Why a change to a proposal was refused, in plain words for the person who tried."""

from flask_babel import lazy_gettext as _l

PROBLEM = {
    "group_waiting": _l(
        "Your group is waiting for a moderator to approve it. You can write and save drafts "
        "now, and send them once your group is approved."
    ),
    "not_proposing": _l("This round is not taking new ideas now."),
    "no_group": _l("Your account is not part of a community group, so you can't write ideas."),
    "not_editable": _l("This idea can't be changed now. It may be waiting for a check."),
    "over_budget": _l("You asked for more money than the whole round has."),
    "not_waiting": _l("This idea is not waiting for this decision any more."),
    "rules_frozen": _l("Voting has started, so the list of ideas can't change now."),
    "not_published": _l("Only ideas that everyone can see can be translated or reported."),
    "same_language": _l("The idea was written in this language. Please choose another one."),
}
