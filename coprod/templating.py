"""What every template can use: the locale, its direction, money and dates in its format."""

from datetime import date, datetime
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal
from flask import Flask, g, request, url_for
from flask_babel import get_locale, get_translations, to_user_timezone
from jinja2 import pass_context
from markupsafe import Markup, escape

from coprod import i18n, words
from coprod.easyread.pages import has_easy_read
from coprod.models import Localized
from coprod.operations.council import current
from coprod.operations.glossary import glossary_terms
from coprod.operations.phase import waiting_to_count
from coprod.plain import link_terms

# Where a locale's own numbering system is not Latin (CLDR's default), show its digits.
ZERO = {"beng": "\u09e6", "arab": "\u0660", "arabext": "\u06f0", "guru": "\u0a66", "deva": "\u0966"}


# The site serves British councils: English dates and numbers follow British English
# ("7 December 2026", never the United States' "December 7, 2026").
REGION = {"en": "en_GB"}
# A pound is "£" to every reader here; CLDR gives Arabic "UK£" and Polish or Romanian "GBP".
SYMBOL = {"GBP": "£"}
# First-strong isolate … pop directional isolate: an amount is one unit inside any sentence,
# so a right-to-left sentence cannot pull its symbol to the other side ("10,000£"). Plain
# characters, not <bdi>, so the same amount works in a flash message, an email or a CSV.
FSI, PDI = "\u2068", "\u2069"


def formats() -> Locale:
    """The locale whose number, money and date formats the reader gets."""
    locale = get_locale()
    region = REGION.get(str(locale))
    return Locale.parse(region) if region else locale


def digits(text: str, locale=None) -> str:
    """Write the digits of `text` in the reader's own numbering system (Bengali, say)."""
    zero = ZERO.get((locale or get_locale()).default_numbering_system)
    if zero is None:
        return text
    return text.translate({ord("0") + i: chr(ord(zero) + i) for i in range(10)})


def money(amount: int | float, currency: str = "GBP") -> str:
    """Money in the reader's locale, digits and pound sign, without pennies when there are
    none, isolated so that it reads as one unit in any sentence."""
    locale = formats()
    pattern = locale.currency_formats["standard"].pattern
    if float(amount).is_integer():
        # Drop the decimals from the locale's own pattern rather than hard-code a layout.
        pattern = pattern.replace(".00", "")
    if currency in SYMBOL:
        # Keep the locale's place for the symbol (before or after), with the expected symbol.
        pattern = pattern.replace("¤", f"'{SYMBOL[currency]}'")
    text = format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)
    return FSI + digits(text, locale) + PDI


def number(value: int | float) -> str:
    """A number in the reader's locale and digits."""
    locale = formats()
    return digits(format_decimal(value, locale=locale), locale)


def day(value: date | None, form: str = "long") -> str:
    """A date in the order and digits of the reader's language ('' for none)."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value).date()
    locale = formats()
    return digits(format_date(value, form, locale=locale), locale)


def clock(value: datetime) -> str:
    """A time of day in the reader's format and digits, in the site's time zone."""
    locale = formats()
    return digits(format_time(to_user_timezone(value), "short", locale=locale), locale)


def _own_digits(rv: str, variables: dict) -> str:
    """Whole numbers put into a sentence, in the reader's digits: a Bengali sentence with a
    count and an amount then uses one set of digits, not two."""
    for name, value in list(variables.items()):
        if isinstance(value, int) and not isinstance(value, bool):
            rv = rv.replace(f"%({name})d", f"%({name})s")
            variables[name] = digits(str(value))
    return rv % variables


@pass_context
def _gettext(context, string: str, /, **variables) -> str:
    rv = get_translations().ugettext(string)
    return _own_digits(Markup(rv) if context.eval_ctx.autoescape else rv, variables)


@pass_context
def _ngettext(context, singular: str, plural: str, num: int, /, **variables) -> str:
    variables.setdefault("num", num)
    rv = get_translations().ungettext(singular, plural, num)
    return _own_digits(Markup(rv) if context.eval_ctx.autoescape else rv, variables)


def _path_without_lang() -> str:
    # The language switcher sends people back here; a `lang` in the link would override them.
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + ("?" + urlencode(args) if args else "")


def language_links() -> list[tuple[str, str, str, str]]:
    """Each language's code, own name, BCP 47 tag, and link that comes back to this page.

    Called by the page's header only, so emails, letters and fragments do not build them.
    The way back (`?next=`, as long as the address, 10,000 characters for a hostile one) is
    encoded once, as Werkzeug's `url_for` encodes a query, not once for each language.
    """
    back = "?" + urlencode({"next": _path_without_lang()}, safe="!$'()*,/:;?@")
    return [
        (
            code,
            i18n.native_name(code),
            i18n.html_lang(code),
            url_for("public.choose_language", code=code) + back,
        )
        for code in i18n.languages()
    ]


def isolate(text: str | None) -> Markup:
    """Typed text (a name) inside a sentence, in <bdi>: a right-to-left name, or a stray
    direction mark in it, then cannot reorder the words around it."""
    return Markup("<bdi>{}</bdi>").format(text or "")


def gloss(text: Localized | str | None) -> Markup:
    """Escape a text and mark up each glossary word with a link and its plain explanation.

    The explanation follows the word in a tooltip that shows on focus or hover and is tied to
    it with aria-describedby, so touch, keyboard and screen-reader users all reach it.
    """
    if not text:
        return Markup("")
    lang = text.lang if isinstance(text, Localized) else str(get_locale())
    reader = str(get_locale())
    # Plain words in the reader's language, else one they also read (Simplified Chinese for
    # Traditional), else the text's. The terms are looked up once per request.
    reads = (*i18n.readable(reader), lang)
    cached = g.setdefault("glossary_terms", {})
    if (lang, reader) not in cached:
        cached[lang, reader] = {t.key: t for t in glossary_terms(set(reads))}
    terms = cached[lang, reader]
    out = []
    for segment, key in link_terms(str(text), terms.values(), lang):
        if key is None:
            out.append(escape(segment))
            continue
        term = terms[key]
        tip = next((term.plain[code] for code in reads if term.plain.get(code)), "")
        detail = next((term.explanation[code] for code in reads if term.explanation.get(code)), "")
        g.tip_count = g.get("tip_count", 0) + 1
        tip_id = f"tip-{g.tip_count}"
        out.append(
            Markup(
                '<a class="term" href="{href}" aria-describedby="{id}">{word}</a>'
                '<span class="tip" role="tooltip" id="{id}">{tip}{sep}{detail}</span>'
            ).format(
                href=url_for("public.glossary", _anchor=key),
                id=tip_id,
                word=segment,
                tip=tip,
                sep=" — " if tip and detail else "",
                detail=detail,
            )
        )
    return Markup("").join(out)


def council():
    """The council's settings, read once per request (the header, footer and pages use them)."""
    if "council" not in g:
        g.council = current()
    return g.council


def init_app(app: Flask) -> None:
    """Register the context processor and filters (flask-babel installs gettext itself)."""

    @app.context_processor
    def locale_context() -> dict:
        code = str(get_locale())
        current_path = _path_without_lang()
        return {
            "lang": code,
            "html_lang": i18n.html_lang(code),
            "text_dir": i18n.direction(code),
            "font_css": i18n.font(code),
            "current_path": current_path,
            "easy_read_path": (
                "/easy-read" + request.path if has_easy_read(request.endpoint) else None
            ),
        }

    from coprod import pots  # it reads the models, which read this module's neighbours

    app.jinja_env.globals.update(
        pot_name=pots.name,
        text_direction=i18n.direction,
        bcp47=i18n.html_lang,
        native_name=i18n.native_name,
        words=words,
        council=council,
        language_links=language_links,
        waiting_to_count=waiting_to_count,
    )
    # flask-babel's gettext and ngettext for templates, with numbers in the reader's digits.
    app.jinja_env.globals.update(gettext=_gettext, _=_gettext, ngettext=_ngettext)
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["gloss"] = gloss
    app.jinja_env.filters["isolate"] = isolate
