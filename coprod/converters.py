"""URL converters that refuse, as "not found", values no row can have.

Werkzeug's own converters pass any run of digits and any text to a view. A number beyond
the id columns' range (PostgreSQL's `integer`: signed 32 bits) or text with a NUL byte
(which PostgreSQL will not take as text) then reached the database and came back as a
500. Refused here, every route gets a 404 for them, today's and tomorrow's.
"""

from flask import Flask
from werkzeug.routing import IntegerConverter, Map, UnicodeConverter, ValidationError

LARGEST_ID = 2**31 - 1  # ids are `Integer` columns: PostgreSQL's int4, SQLite's int64


class IdConverter(IntegerConverter):
    """`<int:...>`: a whole number from 0 up to the largest id a row can have."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = LARGEST_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class TextConverter(UnicodeConverter):
    """`<name>` and `<string:name>`: one path segment with no NUL, at most 300 characters.

    300 is well beyond any slug (80), language code or signed token the site makes.
    """

    def __init__(
        self, map: Map, minlength: int = 1, maxlength: int | None = 300, length: int | None = None
    ) -> None:
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)

    def to_python(self, value: str) -> str:
        if "\x00" in value:
            raise ValidationError()
        return value


def init_app(app: Flask) -> None:
    """Use these for every rule; call before any blueprint is registered."""
    app.url_map.converters.update(default=TextConverter, string=TextConverter, int=IdConverter)
