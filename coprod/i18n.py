"""Languages and locale selection.

The supported languages are English plus every catalogue in `translations/`, so adding a
language is one command (`flask translate init xx`) and one catalogue.
"""

from functools import cache, cached_property
from pathlib import Path
from typing import Any

import flask_babel
from babel import Locale
from babel.support import NullTranslations, Translations
from flask import current_app, g, has_app_context, request

DEFAULT = "en"
COOKIE = "lang"


@cache
def _languages(translations: str) -> tuple[str, ...]:
    found = sorted(p.name for p in Path(translations).iterdir() if (p / "LC_MESSAGES").is_dir())
    return (DEFAULT, *[code for code in found if code != DEFAULT])


def languages() -> tuple[str, ...]:
    """Return the language codes the site serves, English first."""
    return _languages(current_app.config["TRANSLATIONS_DIR"])


@cache
def native_name(code: str) -> str:
    """Name a language in its own script, e.g. 'اردو' for Urdu."""
    name = Locale.parse(code).display_name or code
    return name[:1].upper() + name[1:]


@cache
def direction(code: str) -> str:
    """Return 'rtl' or 'ltr' for a language code."""
    return Locale.parse(code).text_direction


def html_lang(code: str) -> str:
    """Turn a catalogue code (zh_Hans) into a BCP 47 tag (zh-Hans) for `lang`."""
    return code.replace("_", "-")


@cache
def _tags(supported: tuple[str, ...]) -> tuple[dict[str, str], list[str]]:
    # Worked out once: every request, the health check included, chooses a locale.
    tags = {html_lang(code): code for code in supported}
    return tags, list(tags) + list(supported)


def select_locale() -> str:
    """Locale order: a link's `?lang=`, then the person's saved choice, then the browser."""
    supported = languages()
    for explicit in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if explicit in supported:
            return explicit
    tags, offered = _tags(supported)
    best = request.accept_languages.best_match(offered)
    if best:
        return tags.get(best, best)
    # Accept-Language often names a region (ur-PK) or a script we file differently.
    for tag, _quality in request.accept_languages:
        base = tag.replace("-", "_").split("_")[0].lower()
        for code in supported:
            if code.split("_")[0] == base:
                return code
    return DEFAULT


class LiveDomain(flask_babel.Domain):
    """The compiled catalogues, with the wordings organisers accepted on top of them.

    Compiled catalogues cannot change while the site runs, so an accepted wording is read
    from the database: once per language per request (or command), when a string is
    first translated, and kept only until the request ends.
    """

    def get_translations(self) -> NullTranslations:
        compiled = super().get_translations()
        if not has_app_context():
            return compiled
        from coprod.operations.suggestions import accepted_wordings

        lang = str(flask_babel.get_locale())
        layers = g.setdefault("accepted_wordings", {})
        if lang not in layers:
            layers[lang] = compiled
            wordings: dict[tuple[str, Any] | str, str] = dict(accepted_wordings(lang).items())
            if wordings:
                layer = Translations()
                layer._catalog = wordings  # gettext's own table: msgid -> wording
                layer.add_fallback(compiled)  # strings nobody changed, and plurals
                layers[lang] = layer
        return layers[lang]


class Babel(flask_babel.Babel):
    """Flask-Babel, translating through `LiveDomain`."""

    @cached_property
    def domain_instance(self) -> LiveDomain:
        return LiveDomain(domain=self.domain)
