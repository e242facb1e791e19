"""Routes for panels: organisers draw one from files; anyone reads how it was drawn."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coprod.accounts import role_required
from coprod.extensions import db
from coprod.models import PanelDraw, Role
from coprod.operations import panels
from coprod.panels import bp
from coprod.panels.forms import DrawForm
from coprod.seating import panel
from coprod.seating.files import FileRefused

ORGANISERS = (Role.ORGANISER,)


def _text(field) -> str | None:
    try:
        return field.data.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        field.errors.append(_("This file is not plain text (UTF-8)."))
        return None


def _refused(field, refused: FileRefused) -> None:
    field.errors.append(
        _(
            "This file has a mistake on line %(line)s: %(reason)s",
            line=refused.line,
            reason=refused.reason,
        )
    )


@bp.route("/staff/panels", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def index():
    form = DrawForm()
    if form.validate_on_submit():
        quotas_text, volunteers_text = _text(form.quotas), _text(form.volunteers)
        if quotas_text is not None and volunteers_text is not None:
            try:
                quotas = panel.read_quotas(quotas_text)
            except FileRefused as refused:
                _refused(form.quotas, refused)
            else:
                try:
                    volunteers = panel.read_volunteers(volunteers_text, list(quotas))
                    result = panel.draw(volunteers, quotas, form.size.data, form.seed.data)
                except FileRefused as refused:
                    _refused(form.volunteers, refused)
                except panel.DrawFailed as failed:
                    form.quotas.errors.append(
                        _("No panel can meet these quotas: %(reason)s", reason=str(failed))
                    )
                else:
                    draw = panels.record_draw(
                        form.name.data.strip(), result, len(volunteers), current_user
                    )
                    db.session.commit()
                    flash(_("The panel is drawn."))
                    return redirect(url_for("panels.result", draw_id=draw.id))
    draws = db.session.scalars(select(PanelDraw).order_by(PanelDraw.id.desc())).all()
    status = 400 if form.errors else 200
    return render_template("panels/index.html", form=form, draws=draws), status


def _draw(draw_id: int) -> PanelDraw:
    draw = db.session.get(PanelDraw, draw_id)
    if draw is None:
        abort(404)
    return draw


@bp.get("/staff/panels/<int:draw_id>")
@role_required(*ORGANISERS)
def result(draw_id: int):
    return render_template("panels/result.html", draw=_draw(draw_id), staff=True)


@bp.get("/panels/<int:draw_id>")
def public(draw_id: int):
    """How the panel was drawn, in plain words, naming nobody."""
    return render_template("panels/result.html", draw=_draw(draw_id), staff=False)
