"""The base of every form: what a person types is cleaned the same way everywhere."""

from flask_wtf import FlaskForm

# Characters no one types on purpose and that some databases refuse (PostgreSQL: NUL).
_INVISIBLE = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


def _clean(value):
    return value.translate(_INVISIBLE) if isinstance(value, str) else value


def cleaned(text: str) -> str:
    """Typed text as every form keeps it, for the few boxes a view reads itself."""
    return text.translate(_INVISIBLE)


class Form(FlaskForm):
    """A FlaskForm (with its CSRF token) whose text fields drop control characters."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            filters = [_clean, *unbound_field.kwargs.get("filters", ())]
            return unbound_field.bind(form=form, filters=filters, **options)
