"""Plain words for the council's pages that `coprod.words` does not have yet."""

from flask_babel import lazy_gettext as _l

from coprod.models import Channel, Role

CHANNEL = {
    Channel.ONLINE.value: _l("Online"),
    Channel.PAPER.value: _l("On paper"),
    # i18n: ballots sent in by a partner organisation's own website or app.
    Channel.API.value: _l("Through a partner's app"),
}

STATUS = {
    # i18n: what has happened since the council's decision, shown on a timeline.
    "planned": _l("Planned"),
    "started": _l("Started"),
    "done": _l("Done"),
    "stopped": _l("Stopped"),
}

ROLE = {
    Role.COUNCILLOR: _l("Councillor"),
    Role.COMMISSIONER: _l("Commissioner"),
    Role.ORGANISER: _l("Organiser"),
}

KIND = {
    # i18n: a priority is either a problem people rated or an idea to fix one.
    "barrier": _l("Problem"),
    "remedy": _l("Idea"),
}
