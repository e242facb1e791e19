"""Languages and locale selection.

The supported languages are English plus every catalogue in `translations/`, so adding a
language is one command (`flask translate init xx`) and one catalogue.
"""

from functools import cache, cached_property
from pathlib import Path
from typing import Any

import flask_babel
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.support import NullTranslations, Translations
from flask import current_app, g, has_app_context, request
from sqlalchemy.exc import SQLAlchemyError

DEFAULT = "en"
COOKIE = "lang"


@cache
def _languages(translations: str) -> tuple[str, ...]:
    found = sorted(p.name for p in Path(translations).iterdir() if (p / "LC_MESSAGES").is_dir())
    return (DEFAULT, *[code for code in found if code != DEFAULT])


def languages() -> tuple[str, ...]:
    """Return the language codes the site serves, English first."""
    return _languages(current_app.config["TRANSLATIONS_DIR"])


# Babel names Shahmukhi "Arabic" and leaves Gurmukhi unnamed, so the two Punjabis would not
# be told apart in the picker; each is named here by its script, as its readers call it.
NAMES = {
    "pa": "ਪੰਜਾਬੀ (ਗੁਰਮੁਖੀ)",
    "pa_Arab": "پنجابی (شاہ مکھی)",
    "zh_Hans": "中文（简体）",
    "zh_Hant": "中文（繁體）",
}

# The web fonts a language's pages load (coprod/static/fonts/NAME.css, made by tools/fonts.py):
# phones without the script's font would show empty boxes. Urdu readers, and Punjabi readers
# of Shahmukhi, expect Nastaliq; Arabic readers, Naskh.
FONTS = {
    "ur": "nastaliq",
    "pa_Arab": "nastaliq",
    "ar": "naskh",
    "bn": "bengali",
    "pa": "gurmukhi",
    "zh_Hans": "hans",
    "zh_Hant": "hant",
}

# What a reader of one language can also read, for content not written in theirs (shown with
# a note that it is not their language). Traditional and Simplified Chinese readers mostly
# read each other's script. Punjabi readers of Shahmukhi learnt to read in Urdu at school;
# Gurmukhi is a script they do not read, and the other way round.
ALSO_READ = {"zh_Hant": ("zh_Hans",), "zh_Hans": ("zh_Hant",), "pa_Arab": ("ur",)}

# Browsers list many languages in Accept-Language; the first few are all anyone means.
_MAX_TAGS = 8


@cache
def native_name(code: str) -> str:
    """Name a language in its own script, e.g. 'اردو' for Urdu."""
    if code in NAMES:
        return NAMES[code]
    name = Locale.parse(code).display_name or code
    return name[:1].upper() + name[1:]


@cache
def direction(code: str) -> str:
    """Return 'rtl' or 'ltr' for a language code."""
    return Locale.parse(code).text_direction


def html_lang(code: str) -> str:
    """Turn a catalogue code (zh_Hans) into a BCP 47 tag (zh-Hans) for `lang`."""
    return code.replace("_", "-")


def font(code: str) -> str | None:
    """The name of the font stylesheet pages in `code` load, or None for none."""
    return FONTS.get(code)


def readable(code: str) -> tuple[str, ...]:
    """The languages a reader of `code` reads, theirs first (see ALSO_READ)."""
    return (code, *ALSO_READ.get(code, ()))


def _language_and_script(tag: str, sep: str = "_") -> tuple[str, str] | None:
    """A language tag's language and script, the script filled in from CLDR when the tag has
    none: zh-TW and zh-HK are Traditional Chinese (Hant), zh and zh-SG Simplified (Hans),
    pa-PK Punjabi in Shahmukhi (Arab), pa and pa-IN in Gurmukhi (Guru). None if Babel does not
    know the tag."""
    try:
        locale = Locale.parse(tag, sep=sep)
    except (ValueError, TypeError, UnknownLocaleError):
        return None
    script = locale.script
    if not script:
        likely = get_global("likely_subtags").get(locale.language, "")
        script = Locale.parse(likely).script if likely else None
    # Cantonese speakers (yue-HK) read written Chinese, in Traditional characters.
    language = "zh" if locale.language == "yue" else locale.language
    return language, script or ""


@cache
def _by_language_and_script(supported: tuple[str, ...]) -> dict[tuple[str, str], str]:
    # Worked out once: every request, the health check included, chooses a locale.
    found: dict[tuple[str, str], str] = {}
    for code in supported:
        if key := _language_and_script(code):
            found.setdefault(key, code)
    return found


def negotiate(accepted: list[str], supported: tuple[str, ...]) -> str | None:
    """The served language that best fits the browser's languages, best first.

    A tag matches the catalogue of its language in its script (zh-HK: zh_Hant, pa-PK: pa_Arab,
    ur-PK: ur, cy-GB: cy). When no tag does, the first tag whose language is served in another
    script gets that: Simplified Chinese suits a Traditional reader better than English.
    """
    wanted = [key for tag in accepted[:_MAX_TAGS] if (key := _language_and_script(tag, "-"))]
    served = _by_language_and_script(supported)
    for key in wanted:
        if key in served:
            return served[key]
    for language, _script in wanted:
        for (served_language, _), code in served.items():
            if served_language == language:
                return code
    return None


def select_locale() -> str:
    """Locale order: a link's `?lang=`, then the person's saved choice, then the browser."""
    supported = languages()
    for explicit in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if explicit in supported:
            return explicit
    accepted = [tag.replace("_", "-") for tag, quality in request.accept_languages if quality > 0]
    return negotiate(accepted, supported) or DEFAULT


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
            try:
                wordings: dict[tuple[str, Any] | str, str] = dict(accepted_wordings(lang).items())
            except SQLAlchemyError:
                # The database is away (or this request's transaction has failed): the page
                # that says so is still written, in the catalogues' own words.
                return compiled
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
