"""Plain words for the domain's states, in one place, translated where they are shown."""

from flask_babel import lazy_gettext as _l

from coprod.models import BallotType, Decision, Phase, RemedyStatus

PHASE = {
    # i18n: the state of a round, shown as a badge. Keep it short and friendly.
    Phase.DRAFT: _l("Being prepared"),
    Phase.PROPOSING: _l("Send us your ideas"),
    Phase.RATING: _l("Tell us what matters"),
    Phase.VOTING: _l("Voting is open"),
    Phase.COUNTED: _l("Votes counted"),
    Phase.RESPONDING: _l("Waiting for the council's answers"),
    Phase.CLOSED: _l("Finished"),
}

PHASE_HELP = {
    Phase.DRAFT: _l("The organisers are getting this round ready."),
    Phase.PROPOSING: _l("Community groups are writing their ideas to fix local problems."),
    Phase.RATING: _l(
        "Say how much each problem holds you back, and how much each idea would help."
    ),
    Phase.VOTING: _l("Use your voter code to share out the money between the ideas you like."),
    Phase.COUNTED: _l("The votes have been counted. See which ideas get the money, and why."),
    Phase.RESPONDING: _l("The council must answer the top priorities in public, by a set date."),
    Phase.CLOSED: _l("This round is over. The answers and results stay here for everyone."),
}

BALLOT_TYPE = {
    BallotType.KNAPSACK: _l("Share out the budget"),
    BallotType.APPROVAL: _l("Pick the ideas you like"),
}

REMEDY_STATUS = {
    RemedyStatus.DRAFT: _l("Draft"),
    RemedyStatus.SUBMITTED: _l("Waiting for a check"),
    RemedyStatus.CHANGES_REQUESTED: _l("Changes asked for"),
    RemedyStatus.PUBLISHED: _l("Published"),
    RemedyStatus.REJECTED: _l("Not accepted"),
    RemedyStatus.WITHDRAWN: _l("Taken back"),
}

DECISION = {
    Decision.YES: _l("Yes, we will do it"),
    Decision.PARTLY: _l("We will do part of it"),
    Decision.NOT_NOW: _l("Not now"),
    Decision.NO: _l("No"),
}

SCORE = {
    # i18n: a five-point answer to "how much does this hold you back / would this help?"
    1: _l("Not at all"),
    2: _l("A little"),
    3: _l("Quite a lot"),
    4: _l("A lot"),
    5: _l("Very much"),
}
