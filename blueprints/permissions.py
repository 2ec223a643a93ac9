"""The one permission check: a decorator naming the roles a view allows."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def roles_required(*roles: str):
    """Allow the view only to logged-in users having one of `roles` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
