"""Routes for panels: organisers draw one from files; anyone reads how it was drawn."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from coprod import jobs
from coprod.accounts import role_required
from coprod.extensions import db
from coprod.models import PanelDraw, Role
from coprod.panels import bp
from coprod.panels.forms import DrawForm
from coprod.panels.messages import draw_problems
from coprod.panels.messages import refused as reason
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
            reason=reason(refused),
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
                    drawn = jobs.panel_or_queue(
                        form.name.data.strip(),
                        volunteers,
                        quotas,
                        form.size.data,
                        form.seed.data,
                        actor=current_user,
                    )
                except FileRefused as refused:
                    _refused(form.volunteers, refused)
                except panel.DrawFailed as failed:
                    form.quotas.errors.append(_cannot(failed.problems))
                else:
                    db.session.commit()
                    if isinstance(drawn, int):  # a job draws it: the organiser waits
                        return redirect(url_for("panels.waiting", queued=drawn))
                    flash(_("The panel is drawn."))
                    return redirect(url_for("panels.result", draw_id=drawn.id))
    draws = db.session.scalars(select(PanelDraw).order_by(PanelDraw.id.desc())).all()
    status = 400 if form.errors else 200
    return render_template("panels/index.html", form=form, draws=draws), status


def _cannot(problems: list) -> str:
    return _("No panel can meet these quotas: %(reason)s", reason=draw_problems(problems))


@bp.get("/staff/panels/drawing/<int:queued>")
@role_required(*ORGANISERS)
def waiting(queued: int):
    """A big draw runs as a job: this page says so, and shows the panel once it is drawn."""
    state = jobs.panel_waiting(queued)
    if state is None:
        abort(404)
    if state[0] == "drawn":
        flash(_("The panel is drawn."))
        return redirect(url_for("panels.result", draw_id=state[1]))
    failed = _cannot(state[1]) if state[0] == "failed" else None  # type: ignore[arg-type]
    return render_template("panels/waiting.html", queued=queued, failed=failed)


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
