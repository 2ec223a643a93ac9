"""The one permission check for views: `allowed(action)` asks services/authorization.py, the one policy."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from services import authorization


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


def allowed(action: str):
    """Allow the view to users whose role may perform `action` (services.authorization.ACTIONS); scope and
    ownership are then checked by the service that loads the record (404 for someone else's)."""
    return roles_required(*authorization.roles_for(action))
