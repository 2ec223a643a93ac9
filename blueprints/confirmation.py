"""Confirming a consequential act (delete, re-issue, restore, revoke, reject): the one helper every view uses.

The texts of each act are written once, here or in the blueprint, as a function registered under a name.
The form that triggers the act carries them as data attributes (`confirm_attrs` in components/confirm.html);
with JavaScript, static/js/confirm.js shows them in a modal <dialog> and submits with the confirmation
field; without it, the view receives the POST without that field and answers with a confirmation page
that repeats the POST with it. Either way the act only happens on a POST that says it was confirmed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import request
from markupsafe import Markup

from blueprints.rendering import render

CONFIRM_FIELD = "konfirmasi"
_texts: dict[str, Callable[..., Confirmation]] = {}


@dataclass(frozen=True)
class Confirmation:
    """What the officer is asked: the question, the consequence in plain words, the two buttons."""

    title: str
    consequence: str
    confirm_label: str
    cancel_url: str
    cancel_label: str = ""
    danger: bool = True


def confirmation(name: str):
    """Register the function that words the confirmation of act `name` for one object."""

    def register(function: Callable[..., Confirmation]):
        _texts[name] = function
        return function

    return register


def confirmation_for(name: str, *args, **kwargs) -> Confirmation:
    return _texts[name](*args, **kwargs)


def confirm_attrs(name: str, *args, **kwargs) -> Markup:
    """The data attributes a <form> carries so that confirm.js can ask before it is sent."""
    asked = confirmation_for(name, *args, **kwargs)
    from flask_babel import gettext as _

    pairs = {
        "data-confirm-title": asked.title,
        "data-confirm-consequence": asked.consequence,
        "data-confirm-label": asked.confirm_label,
        "data-confirm-cancel": asked.cancel_label or _("Batal"),
        "data-confirm-danger": "1" if asked.danger else "0",
    }
    return Markup(" ").join(Markup('{}="{}"').format(key, value) for key, value in pairs.items())


def is_confirmed() -> bool:
    return request.form.get(CONFIRM_FIELD) == "1"


def ask(name: str, *args, **kwargs):
    """None when this POST is confirmed; else the confirmation page (the no-JavaScript step) to return."""
    if is_confirmed():
        return None
    asked = confirmation_for(name, *args, **kwargs)
    fields = [
        (key, value)
        for key, values in request.form.lists()
        for value in values
        if key not in ("csrf_token", CONFIRM_FIELD)
    ]
    response = render("components/confirm_page.html", asked=asked, fields=fields, action=request.path)
    response.headers["Cache-Control"] = "no-store"  # it repeats what was typed (a signing passphrase, say)
    return response


def register_template_helpers(app) -> None:
    app.add_template_global(confirm_attrs, "confirm_attrs")
    app.add_template_global(CONFIRM_FIELD, "CONFIRM_FIELD")
