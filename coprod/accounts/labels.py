"""The names of staff roles, in the reader's language."""

from flask_babel import lazy_gettext as _l

from coprod.models import Role

ROLE = {
    Role.ORGANISER: _l("Organiser"),
    Role.MODERATOR: _l("Moderator"),
    # i18n: a member of the council's staff who answers the people's priorities.
    Role.COMMISSIONER: _l("Council officer"),
    Role.COUNCILLOR: _l("Councillor"),
    Role.MEMBER: _l("Group member"),
}
