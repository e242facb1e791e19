"""Co-produced translations: citizens suggest better wordings; organisers review them."""

from flask import Blueprint, before_render_template, g

bp = Blueprint("translate", __name__)


def _remember_template(sender, template, context, **extra) -> None:
    # The first page template of a request tells "suggest a better translation" which
    # strings this page shows. Error pages are left out: they have their own strings.
    g.setdefault("page_template", template.name)


before_render_template.connect(_remember_template)

from coprod.translate import routes  # noqa: E402,F401
