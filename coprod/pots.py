"""A round's pots as people read them: their names and the order they are shown in.

A round without pots has none here: it is one pot, its own budget, as it always was.
"""

from flask_babel import gettext as _

from coprod.models import Pot, Round


def name(pot: Pot) -> str:
    """An area's pot is called by the area; the whole-place pot by the name the setup gives it."""
    if pot.area is not None:
        return pot.area.name
    return _("The whole place")


def names(rnd: Round) -> dict[str, str]:
    """Pot id (as the rules write it, a string) -> its name."""
    return {str(p.id): name(p) for p in rnd.pots}


def in_order(rnd: Round) -> list[Pot]:
    """The round's pots, the whole-place pot first, then the areas' by name."""
    return sorted(rnd.pots, key=lambda p: (p.area is not None, p.area.name if p.area else ""))
