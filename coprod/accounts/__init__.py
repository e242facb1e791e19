"""Signing in and out for group members and staff, and the role check for staff routes."""

from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user

from coprod.extensions import db, login
from coprod.models import Role, User

bp = Blueprint("accounts", __name__)


@login.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def role_required(*roles: Role):
    """Let only signed-in users with one of `roles` through; others get 401 or 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # read by the test that walks every staff route
        return wrapped

    return decorator


from coprod.accounts import routes  # noqa: E402,F401
