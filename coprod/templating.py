"""What every template can use: the locale, its direction, money and dates in its format."""

from datetime import date
from urllib.parse import urlencode

from babel.numbers import format_currency
from flask import Flask, request
from flask_babel import format_date, get_locale

from coprod import i18n, words


def money(amount: int | float, currency: str = "GBP") -> str:
    """Format money in the reader's locale, without pennies when there are none."""
    locale = get_locale()
    digits = 0 if float(amount).is_integer() else 2
    pattern = locale.currency_formats["standard"].pattern
    # Drop the decimals from the locale's own pattern rather than hard-code a layout.
    pattern = pattern.replace(".00", "") if digits == 0 else pattern
    return format_currency(amount, currency, format=pattern, locale=locale, currency_digits=False)


def day(value: date | None, form: str = "long") -> str:
    """Format a date in the reader's locale ('' for none)."""
    return format_date(value, form) if value else ""


def _path_without_lang() -> str:
    # The language switcher sends people back here; a `lang` in the link would override them.
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return request.path + ("?" + urlencode(args) if args else "")


def init_app(app: Flask) -> None:
    """Register the context processor and filters."""

    @app.context_processor
    def locale_context() -> dict:
        code = str(get_locale())
        return {
            "lang": code,
            "html_lang": i18n.html_lang(code),
            "text_dir": i18n.direction(code),
            "languages": [(c, i18n.native_name(c), i18n.html_lang(c)) for c in i18n.languages()],
            "current_path": _path_without_lang(),
        }

    app.jinja_env.globals.update(
        text_direction=i18n.direction,
        bcp47=i18n.html_lang,
        native_name=i18n.native_name,
        words=words,
    )
    app.jinja_env.filters["money"] = money
    app.jinja_env.filters["day"] = day
