"""Routes: suggest a better wording (anyone); review suggestions (organisers)."""

from typing import cast

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import String, select

from coprod.accounts import role_required
from coprod.admin.forms import EmptyForm
from coprod.extensions import db, limiter
from coprod.links import local_path
from coprod.models import Role, TranslationSuggestion
from coprod.operations import suggestions
from coprod.translate import bp
from coprod.translate.catalogue import as_seen, page_strings
from coprod.translate.forms import SuggestionForm

# The longest page a suggestion remembers (the column's size).
PAGE_MAX = cast(String, TranslationSuggestion.__table__.c.page.type).length  # String(300)


def _local(path: str | None) -> str:
    """A page of this site to go back to (no longer than we store), or the home page."""
    return local_path(path, PAGE_MAX) or "/"


@bp.route("/suggest-translation", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])
def suggest():
    lang = str(get_locale())
    template = request.args.get("template", "")
    strings = page_strings(current_app.config["TRANSLATIONS_DIR"], template or None)
    form = SuggestionForm(page=_local(request.args.get("page")))
    # Each choice shows the words as the reader sees them now, in their language.
    form.msgid.choices = [(s, as_seen(_(s))) for s in strings]
    if form.validate_on_submit():
        suggestions.suggest(lang, form.msgid.data, form.suggestion.data, _local(form.page.data))
        db.session.commit()
        flash(_("Thank you! An organiser will look at your suggestion."))
        return redirect(_local(form.page.data))
    return render_template("translate/suggest.html", form=form)


@bp.get("/staff/translations")
@role_required(Role.ORGANISER)
def review():
    waiting = db.session.scalars(
        select(TranslationSuggestion)
        .where(TranslationSuggestion.status == "new")
        .order_by(TranslationSuggestion.lang, TranslationSuggestion.id)
    ).all()
    return render_template("translate/review.html", suggestions=waiting, button=EmptyForm())


@bp.post("/staff/translations/<int:suggestion_id>/<any(accepted, declined):verdict>")
@role_required(Role.ORGANISER)
def decide(suggestion_id: int, verdict: str):
    suggestion = db.session.get(TranslationSuggestion, suggestion_id)
    if suggestion is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        try:
            suggestions.decide(suggestion, verdict, actor=current_user)
        except suggestions.WordingDoesNotFit:
            flash(
                _(
                    "This wording cannot be used: it leaves out or adds a part the site fills "
                    "in, like a name, a number or a link."
                ),
                "error",
            )
            return redirect(url_for("translate.review"))
        db.session.commit()
        flash(_("Saved. An accepted wording shows on the site at once."))
    return redirect(url_for("translate.review"))
