"""What each kind of citizen page says in Easy Read: lines of (picture, words).

The words are the site's own, translated like every other string; the pictures are the
symbols in `static/easyread.svg`. Every line must pass the plain-language checker in every
language (tests/test_easyread.py).
"""

from collections.abc import Callable, Mapping
from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from coprod.extensions import db
from coprod.lookups import round_or_404, with_texts
from coprod.models import Phase, Remedy, RemedyStatus, Round

# The symbols drawn in static/easyread.svg.
PICTURES = (
    "people",
    "money",
    "idea",
    "vote",
    "talk",
    "letter",
    "star",
    "results",
    "book",
    "help",
    "lock",
    "receipt",
    "tick",
    "home",
    "bin",
)

Line = tuple[str, Any]

ABOUT_THE_SITE: list[Line] = [
    ("home", _l("This site is for people who live here.")),
    ("money", _l("The council has money for your area.")),
    ("idea", _l("Local groups have ideas to spend it.")),
    ("vote", _l("You choose the ideas you like best.")),
    ("talk", _l("The council tells you what it will do.")),
]
TAKING_PART: list[Line] = [
    ("letter", _l("You get a code in a letter.")),
    ("vote", _l("Type the code. Then choose the ideas you like.")),
    ("tick", _l("Check your choices and send them.")),
    ("receipt", _l("Keep the number you get at the end. It shows we counted your vote.")),
]
PAGES: dict[str, list[Line]] = {
    "public.home": ABOUT_THE_SITE,
    "public.how_it_works": ABOUT_THE_SITE + TAKING_PART,
    "public.glossary": [
        ("book", _l("This page says what hard words mean.")),
        ("help", _l("Ask us if a word is hard.")),
    ],
    "public.help_page": [
        ("help", _l("We can help you.")),
        ("talk", _l("You can phone us or write to us.")),
    ],
    "public.contact": [
        ("help", _l("We can help you.")),
        ("talk", _l("You can phone us or write to us.")),
    ],
    "public.accessibility": [
        ("people", _l("We want everyone to be able to use this site.")),
        ("talk", _l("Tell us if something is hard to use.")),
    ],
    "public.privacy": [
        ("lock", _l("We keep your vote secret.")),
        ("lock", _l("We never put your name with your vote.")),
        ("bin", _l("We delete your email when we do not need it.")),
    ],
    "ideas.index": [
        ("idea", _l("You can send an idea at any time.")),
        ("people", _l("If many people back an idea, the council must answer.")),
    ],
    "participate.enter_code": TAKING_PART,
    "participate.ballot": TAKING_PART,
    "participate.review": TAKING_PART,
    "participate.receipt": TAKING_PART,
    "conversation.talk": [
        ("talk", _l("Read what people say.")),
        ("tick", _l("Say if you agree or not.")),
    ],
}
PHASE_LINES: dict[Phase, Line] = {
    Phase.PROPOSING: ("idea", _l("Groups are sending ideas now.")),
    Phase.RATING: ("star", _l("You can give the ideas marks now.")),
    Phase.VOTING: ("vote", _l("You can vote now.")),
}
COUNTED: Line = ("results", _l("The votes have been counted."))


def _round(slug: str, **_args: Any) -> dict[str, Any]:
    rnd = round_or_404(slug, options=(with_texts(Round.content),))
    lines = [PHASE_LINES.get(rnd.phase, COUNTED)]
    lines.append(("money", _("There is %(money)s to share.", money=_money(rnd.budget, rnd))))
    if rnd.phase == Phase.VOTING:
        lines += TAKING_PART
    return {"round": rnd, "lines": lines}


def _remedy(slug: str, remedy_id: int, **_args: Any) -> dict[str, Any]:
    rnd = round_or_404(slug, options=(with_texts(Round.content),))
    remedy = db.session.get(Remedy, remedy_id, options=[with_texts(Remedy.content)])
    if remedy is None or remedy.round_id != rnd.id or remedy.status != RemedyStatus.PUBLISHED:
        abort(404)
    lines = [
        ("idea", _l("A local group had this idea.")),
        ("money", _("It costs %(money)s.", money=_money(remedy.cost, rnd))),
    ]
    return {"round": rnd, "remedy": remedy, "lines": lines}


def _results(slug: str, **args: Any) -> dict[str, Any]:
    found = _round(slug)
    found["lines"] = [COUNTED, ("money", _l("The ideas with the most support get the money."))]
    return found


def _money(amount: int, rnd: Round) -> str:
    from coprod.templating import money

    return money(amount, rnd.currency)


BUILT: dict[str, Callable[..., dict[str, Any]]] = {
    "public.round_page": _round,
    "public.remedy_page": _remedy,
    "results.results": _results,
}


def has_easy_read(endpoint: str | None) -> bool:
    """Tell whether a page has an Easy Read version."""
    return endpoint in PAGES or endpoint in BUILT


def easy_read(endpoint: str, args: Mapping[str, Any]) -> dict[str, Any]:
    """The lines (and the round or remedy, if any) of one page's Easy Read version."""
    if endpoint in BUILT:
        return BUILT[endpoint](**args)
    return {"lines": PAGES[endpoint]}
