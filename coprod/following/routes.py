"""Routes: follow a thing (anyone), and stop following with one click from any message."""

from flask import abort, flash, redirect, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from coprod.extensions import csrf, db, limiter
from coprod.following import bp, sending
from coprod.following import operations as following
from coprod.following.forms import FollowForm
from coprod.propose.forms import EmptyForm


@bp.get("/follow/<any(idea, remedy, theme, round):kind>/<int:target_id>")
def follow_page(kind: str, target_id: int):
    """The "tell me what happens" form. The pages of the things followed link here, so that
    reading them needs no session (the form's token does)."""
    thing = following.target(kind, target_id)
    if thing is None:
        abort(404)
    form = FollowForm(formdata=None, lang=str(get_locale()))
    back = following.local_page(kind, thing)
    return render_template("following/follow.html", form=form, back=back)


@bp.post("/follow/<any(idea, remedy, theme, round):kind>/<int:target_id>")
@limiter.limit("20 per hour")
def follow(kind: str, target_id: int):
    thing = following.target(kind, target_id)
    if thing is None:
        abort(404)
    form = FollowForm()
    back = following.local_page(kind, thing)
    if not form.validate_on_submit():
        return render_template("following/follow.html", form=form, back=back), 400
    if not sending.can_send(form.channel):
        flash(
            _("We cannot send text messages. Please give an email address.")
            if form.channel == sending.SMS
            else _("We cannot send messages at the moment. Please try again later."),
            "error",
        )
        return redirect(back)
    following.follow(kind, target_id, form.channel, form.address.data, form.lang.data)
    db.session.commit()
    flash(_("Thank you! We will tell you what happens. Each message has a link to stop them."))
    return redirect(back)


@bp.route("/unfollow/<token>", methods=["GET", "POST"])
@csrf.exempt  # the token in the address is the credential; mail programs post it (RFC 8058)
@limiter.limit("30 per hour", methods=["POST"])
def unfollow(token: str):
    found = following.by_token(token) if 0 < len(token) <= 64 else None
    if request.method == "POST":
        if found is not None:
            following.unfollow(token)
            db.session.commit()
        return render_template("following/unfollowed.html"), 200
    if found is None:
        return render_template("following/unfollowed.html", gone=True), 404
    return render_template("following/unfollow.html", form=EmptyForm(), token=token)
