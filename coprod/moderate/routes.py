"""Routes for moderators and organisers: the queue, decisions, reports, translation checks."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from coprod import i18n
from coprod.accounts import groups, role_required
from coprod.conversation import operations as conversations
from coprod.extensions import db
from coprod.ideas import operations as ideas
from coprod.models import Group, Remedy, RemedyReport, RemedyStatus, Role
from coprod.moderate import bp
from coprod.moderate.forms import ChangesForm, RejectForm, ReviewForm
from coprod.operations import proposals
from coprod.operations.proposals import ProposalError
from coprod.propose.forms import EmptyForm
from coprod.propose.messages import PROBLEM

MODERATORS = (Role.MODERATOR, Role.ORGANISER)

HISTORY = {
    # i18n: a dated step in a proposed idea's public history.
    "remedy_submitted": _l("Sent by the group for a check"),
    "remedy_changes_requested": _l("A moderator asked for changes"),
    "remedy_published": _l("Checked and published"),
}


@bp.app_template_global()
def remedy_history(remedy: Remedy) -> list[tuple]:
    """(when, what) for each public decision on a remedy, oldest first."""
    return [(event.at, HISTORY[event.action]) for event in proposals.history(remedy)]


def _remedy(remedy_id: int) -> Remedy:
    remedy = db.session.get(Remedy, remedy_id)
    if remedy is None or remedy.status == RemedyStatus.DRAFT:
        abort(404)
    return remedy


@bp.get("/")
@role_required(*MODERATORS)
def queue():
    return render_template(
        "moderate/queue.html",
        waiting=proposals.waiting_for_check(),
        reports=proposals.open_reports(),
        translations=proposals.translations_to_check(),
        groups=groups.waiting_groups(),
        statements=conversations.waiting(),
        ideas=ideas.waiting_for_check(),
        idea_translations=ideas.unchecked_translations(),
        button=EmptyForm(),
    )


@bp.post("/groups/<int:group_id>/approve")
@role_required(*MODERATORS)
def approve_group(group_id: int):
    group = db.session.get(Group, group_id)
    if group is None:
        abort(404)
    if EmptyForm().validate_on_submit() and not group.approved:
        groups.approve(group, actor=current_user)
        db.session.commit()
        flash(_("%(name)s can now send ideas.", name=group.name))
    return redirect(url_for("moderate.queue"))


def _remedy_page(remedy: Remedy, status: int = 200, **forms):
    unchecked = sorted(
        {t.lang for t in remedy.content.texts if not t.reviewed and t.body}
        - {remedy.content.original_lang}
    )
    page = render_template(
        "moderate/remedy.html",
        remedy=remedy,
        round=remedy.round,
        reports=proposals.open_reports(remedy),
        unchecked=unchecked,
        button=EmptyForm(),
        changes=forms.get("changes") or ChangesForm(formdata=None),
        rejection=forms.get("rejection") or RejectForm(formdata=None),
        review=ReviewForm(formdata=None),
        language_name=i18n.native_name,
    )
    return page, status


@bp.get("/remedies/<int:remedy_id>")
@role_required(*MODERATORS)
def remedy(remedy_id: int):
    return _remedy_page(_remedy(remedy_id))


def _done(remedy: Remedy, decide, message: str):
    try:
        decide()
    except ProposalError as refused:
        flash(PROBLEM[refused.code], "error")
        return redirect(url_for("moderate.remedy", remedy_id=remedy.id))
    db.session.commit()
    flash(message)
    return redirect(url_for("moderate.queue"))


@bp.post("/remedies/<int:remedy_id>/publish")
@role_required(*MODERATORS)
def publish(remedy_id: int):
    found = _remedy(remedy_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("moderate.remedy", remedy_id=remedy_id))
    return _done(
        found,
        lambda: proposals.publish(found, current_user),
        _("The idea is published. Everyone can see it now."),
    )


@bp.post("/remedies/<int:remedy_id>/ask-for-changes")
@role_required(*MODERATORS)
def ask_for_changes(remedy_id: int):
    found = _remedy(remedy_id)
    form = ChangesForm()
    if not form.validate_on_submit():
        return _remedy_page(found, 400, changes=form)
    return _done(
        found,
        lambda: proposals.ask_for_changes(found, current_user, form.message.data),
        _("The group will see your message and can change their idea."),
    )


@bp.post("/remedies/<int:remedy_id>/reject")
@role_required(*MODERATORS)
def reject(remedy_id: int):
    found = _remedy(remedy_id)
    form = RejectForm()
    if not form.validate_on_submit():
        return _remedy_page(found, 400, rejection=form)
    return _done(
        found,
        lambda: proposals.reject(found, current_user, form.reason.data),
        _("The idea is not accepted. The group will see your reason."),
    )


@bp.post("/remedies/<int:remedy_id>/review-translation")
@role_required(*MODERATORS)
def review_translation(remedy_id: int):
    found = _remedy(remedy_id)
    form = ReviewForm()
    if form.validate_on_submit() and form.lang.data in i18n.languages():
        proposals.review_translation(found, form.lang.data, current_user)
        db.session.commit()
        flash(
            _(
                "The translation into %(language)s is marked as checked.",
                language=i18n.native_name(form.lang.data),
            )
        )
    return redirect(url_for("moderate.remedy", remedy_id=remedy_id))


@bp.post("/reports/<int:report_id>/resolve")
@role_required(*MODERATORS)
def resolve_report(report_id: int):
    found = db.session.get(RemedyReport, report_id)
    if found is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        proposals.resolve_report(found, current_user)
        db.session.commit()
        flash(_("The report is marked as dealt with."))
    return redirect(url_for("moderate.queue"))
