"""Printable letters: one page per voter code, with a QR code that fills the code in."""

import base64

import segno
from flask import current_app, render_template
from flask_babel import force_locale

from coprod.models import Round
from coprod.operations.council import current


def code_url(rnd: Round, code: str) -> str:
    """The address a letter's QR code opens: the round's code page with the code filled in."""
    return f"{current_app.config['PUBLIC_URL']}/rounds/{rnd.slug}/take-part?code={code}"


def render_letters(rnd: Round, codes: list[str], lang: str, *, area: str | None = None) -> str:
    """One HTML document, one printed page per code, in the letter's language; `area`: the
    area whose pot the codes vote in, said on each letter."""
    letters = [
        {
            "code": c,
            "url": code_url(rnd, c),
            "qr": segno.make(code_url(rnd, c), error="m").svg_inline(scale=4, title=c),
        }
        for c in codes
    ]
    council = current()
    # A printed letter is a file of its own: the logo goes inside it, not as a link.
    logo = (
        f"data:{council.logo_mimetype};base64,{base64.b64encode(council.logo).decode()}"
        if council.logo_mimetype and council.logo
        else None
    )
    with current_app.test_request_context(), force_locale(lang):
        return render_template(
            "participate/letters.html",
            round=rnd,
            letters=letters,
            letter_lang=lang,
            area=area,
            council_name=council.name,
            logo=logo,
        )
