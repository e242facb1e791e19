"""Routes for workshop mode: upload who is coming, get table lists to print."""

from flask import render_template
from flask_babel import gettext as _

from coprod.accounts import role_required
from coprod.models import Role
from coprod.seating import tables
from coprod.seating.files import FileRefused
from coprod.workshop import bp
from coprod.workshop.forms import SeatingForm

ORGANISERS = (Role.ORGANISER, Role.MODERATOR)


@bp.route("/", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def seating():
    """Nothing is stored: the seats are worked out from the file and shown to print."""
    form = SeatingForm()
    if form.validate_on_submit():
        try:
            typed = (form.typed.data or "").strip()
            text = typed or form.file.data.read().decode("utf-8-sig")
            people = tables.read_attendees(text)
            plan = tables.seat(people, form.tables.data, form.sessions.data)
        except UnicodeDecodeError:
            form.file.errors.append(_("This file is not plain text (UTF-8)."))
        except FileRefused as refused:
            (form.typed if typed else form.file).errors.append(
                _(
                    "This file has a mistake on line %(line)s: %(reason)s",
                    line=refused.line,
                    reason=refused.reason,
                )
            )
        except tables.SeatingFailed as failed:
            (form.typed if typed else form.file).errors.append(
                _("These people cannot be seated: %(reason)s", reason=str(failed))
            )
        else:
            return render_template("workshop/tables.html", plan=plan, people=people)
    status = 400 if form.errors else 200
    return render_template("workshop/seating.html", form=form), status
