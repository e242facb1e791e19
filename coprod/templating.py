"""What every template can use: the locale, its direction, money and dates in its format."""

from datetime import date
from urllib.parse import urlencode

from babel.numbers import format_currency, format_decimal
from flask import Flask, g, request, url_for
from flask_babel import format_date, get_locale
from markupsafe import Markup, escape

from coprod import i18n, words
from coprod.models import Localized
from coprod.operations.council import current
from coprod.operations.glossary import glossary_terms
from coprod.operations.phase import waiting_to_count
from coprod.plain import link_terms

# Where a locale's own numbering system is not Latin (CLDR's default), show its digits.
ZERO = {"beng": "\u09e6", "arab": "\u0660", "arabext": "\u06f0", "guru": "\u0a66", "deva": "\u0966"}


def digits(text: str, locale=None) -> str:
    """Write the digits of `text` in the reader's own numbering system (Bengali, say)."""
    zero = ZERO.get((locale or get_locale()).default_numbering_system)
    if zero is None:
        return text
    return text.translate({ord("0") + i: chr(ord(zero) + i) for i in range(10)})


def money(amount: int | float, currency: str = "GBP") -> str:
    """Format money in the reader's locale and digits, without pennies when there are none."""
    locale = get_locale()
    pattern = locale.currency_formats["standard"].pattern
    if float(amount).is_integer():
        # Drop the decimals from the locale's own pattern rather than hard-code a layout.
        pattern = pattern.replace(".00", "")
    return digits(
        format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False),
        locale,
    )


def number(value: int | float) -> str:
    """A number in the reader's locale and digits."""
    return digits(format_decimal(value, locale=get_locale()))


def day(value: date | None, form: str = "long") -> str:
    """Format a date in the reader's locale and digits ('' for none)."""
    return digits(format_date(value, form)) if value else ""


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
    # The terms in the text's language and the reader's, looked up once per request.
    cached = g.setdefault("glossary_terms", {})
    if (lang, reader) not in cached:
        cached[lang, reader] = {t.key: t for t in glossary_terms({lang, reader})}
    terms = cached[lang, reader]
    out = []
    for segment, key in link_terms(str(text), terms.values(), lang):
        if key is None:
            out.append(escape(segment))
            continue
        term = terms[key]
        tip = term.plain.get(reader) or term.plain.get(lang) or ""
        detail = term.explanation.get(reader) or term.explanation.get(lang) or ""
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
            "current_path": current_path,
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
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["gloss"] = gloss
    app.jinja_env.filters["isolate"] = isolate
