"""What every template can use: the locale, its direction, money and dates in its format."""

import secrets
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from urllib.parse import urlencode

from babel.numbers import format_currency, format_decimal
from flask import Flask, current_app, g, get_flashed_messages, render_template, request, url_for
from flask_babel import format_date, get_locale, get_translations
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from jinja2 import nodes, pass_context
from jinja2.ext import Extension
from markupsafe import Markup, escape

from coprod import i18n, words
from coprod.models import Localized
from coprod.operations.glossary import glossary_terms
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
    return _money(amount, currency, get_locale())


@lru_cache(maxsize=4096, typed=True)
def _money(amount: int | float, currency: str, locale) -> str:
    # Remembered: a ballot page shows the same few sums on every load, and Babel's
    # formatting is slow. The result depends on these three arguments only.
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


def _language_links(back_to: str) -> tuple[tuple[str, str, str, str], ...]:
    """Each language's code, own name, BCP 47 tag, and link that comes back to this page."""
    return _links_back(request.script_root, back_to, i18n.languages())


@lru_cache(maxsize=1024)
def _links_back(
    script_root: str, back_to: str, codes: tuple[str, ...]
) -> tuple[tuple[str, str, str, str], ...]:
    # One link built in full gives the query (`next=...`), which is the same for every language.
    query = url_for("public.choose_language", code=codes[0], next=back_to).partition("?")[2]
    return tuple(
        (c, i18n.native_name(c), i18n.html_lang(c), f"{_language_path(script_root, c)}?{query}")
        for c in codes
    )


@lru_cache(maxsize=256)
def _language_path(script_root: str, code: str) -> str:
    return url_for("public.choose_language", code=code)


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
    if "glossary_terms" not in g:
        g.glossary_terms = {t.key: t for t in glossary_terms()}
    terms = g.glossary_terms
    out = []
    for segment, key in link_terms(str(text), terms.values(), lang):
        if key is None:
            out.append(escape(segment))
            continue
        term = terms[key]
        reader = str(get_locale())
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


def _catalogue(context):
    """The translations for this page, looked up once per render rather than once per string.

    flask-babel picks them (locale, forced locale and all) on the first string of a render;
    the locale cannot change in the middle of rendering one template.
    """
    found = getattr(context.eval_ctx, "coprod_translations", None)
    if found is None:
        found = context.eval_ctx.coprod_translations = get_translations()
    return found


def _format(context, text: str, variables: dict) -> str:
    # As Jinja's own "new style" gettext does: escape-aware, always a format string ("%%"
    # is "%"). Most strings have no "%" at all, and formatting them would change nothing.
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables if variables or "%" in text else text


@pass_context
def _gettext(context, string: str, **variables) -> str:
    return _format(context, _catalogue(context).ugettext(string), variables)


@pass_context
def _ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("num", num)
    return _format(context, _catalogue(context).ungettext(singular, plural, num), variables)


@pass_context
def _pgettext(context, msgctxt: str, string: str, **variables) -> str:
    variables.setdefault("context", msgctxt)
    return _format(context, _catalogue(context).upgettext(msgctxt, string), variables)


@pass_context
def _npgettext(context, msgctxt: str, singular: str, plural: str, num: int, **variables) -> str:
    variables.setdefault("context", msgctxt)
    variables.setdefault("num", num)
    translated = _catalogue(context).unpgettext(msgctxt, singular, plural, num)
    return _format(context, translated, variables)


class Remember(Extension):
    """`{% remember key, ... %}...{% endremember %}`: render a block once per key, then reuse it.

    For the parts of a page that depend only on their keys (the site's header and footer
    depend on the language and the address): every page a voter sees has them, and they
    were a tenth of a ballot's work. The keys must name everything the block shows. At
    most `SIZE` blocks are kept per app; then all are forgotten and made again.
    """

    tags = {"remember"}
    SIZE = 4096

    def __init__(self, environment) -> None:
        super().__init__(environment)
        environment.extend(remembered={})

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endremember",), drop_needle=True)
        call = self.call_method("_recall", [nodes.Tuple(keys, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _recall(self, key: tuple, caller) -> str:
        return _kept(self.environment.remembered, key, caller, self.SIZE)


def _kept(store: dict, key, make: Callable[[], str], size: int) -> str:
    """`store[key]`, made by `make` the first time; at most `size` kept, then all forgotten."""
    if (found := store.get(key)) is None:
        if len(store) >= size:
            store.clear()
        found = store[key] = make()
    return found


# Where a shared page will hold each visitor's own value; random, so no text can fake one.
_HOLE = f"hole-{secrets.token_hex(8)}-"
SHARED_PAGES = 512  # at most, per store; then all are forgotten and made again


def shared_page(
    template: str, store: dict | None = None, holes: dict | None = None, **context
) -> str:
    """`render_template` for a page that is the same for every visitor but for a few values.

    The page is made once per language and address, with a hole for the visitor's CSRF token
    and for each of `holes` (values the template shows with `{{ }}`, in text or a quoted
    attribute); each visitor gets a copy with their own values, escaped. The code page and
    the receipt were a fifth of a ballot's work, and are the same for every voter.

    Someone signed in, or with a message waiting, gets the page made afresh: it shows their
    name or the message. So does an address with a query, which the language links repeat.
    `store` keeps the pages: it must be dropped when anything else the page shows changes,
    as a round's copy is (`participate.copies`); the default is for pages that never change.
    """
    holes = holes or {}
    if current_user.is_authenticated or get_flashed_messages() or request.args:
        return render_template(template, **context, **holes)
    if store is None:
        store = current_app.extensions["shared_pages"]
    key = (template, str(get_locale()), request.path)
    page = _kept(store, key, lambda: _with_holes(template, holes, context), SHARED_PAGES)
    for name, value in holes.items():
        page = page.replace(f"{_HOLE}{name}.", escape(value))
    return page.replace(_HOLE + "csrf_token.", generate_csrf())


def _with_holes(template: str, holes: dict, context: dict) -> str:
    """A shared page, with a mark in each hole and wherever the CSRF token goes."""
    # Flask-WTF keeps the request's token in g.csrf_token and hands out that one.
    token = g.pop("csrf_token", None)
    g.csrf_token = _HOLE + "csrf_token."
    try:
        marked = {name: f"{_HOLE}{name}." for name in holes}
        page = render_template(template, **context, **marked)
    finally:
        g.pop("csrf_token")
        if token is not None:
            g.csrf_token = token
    if token is not None and token in page:
        # A form made before the page took this visitor's token: every visitor would get it.
        raise RuntimeError(f"{template} shows a token made before it: use csrf_token()")
    return page


def init_app(app: Flask) -> None:
    """Register the context processor, filters and the templates' gettext."""

    @app.context_processor
    def locale_context() -> dict:
        code = str(get_locale())
        current_path = _path_without_lang()
        return {
            "lang": code,
            "html_lang": i18n.html_lang(code),
            "text_dir": i18n.direction(code),
            "languages": _language_links(current_path),
            "current_path": current_path,
        }

    app.jinja_env.add_extension(Remember)
    app.extensions["shared_pages"] = {}
    app.jinja_env.globals.update(
        text_direction=i18n.direction,
        bcp47=i18n.html_lang,
        native_name=i18n.native_name,
        words=words,
    )
    # The same catalogues as flask-babel's own template callables, found once per page, and
    # one call per string: Jinja's `_` would look `gettext` up and wrap it in another call,
    # and a page has dozens of strings.
    app.jinja_env.newstyle_gettext = True
    app.jinja_env.globals.update(
        _=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext, npgettext=_npgettext
    )
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["day"] = day
    app.jinja_env.filters["number"] = number
    app.jinja_env.filters["gloss"] = gloss
    app.jinja_env.filters["isolate"] = isolate
