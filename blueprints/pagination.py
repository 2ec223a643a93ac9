"""THE pagination helper for pages: which page a request asks for, and the URL of another page.

Every list pages through `services.paging.Page` and shows it with the `pagination` macro of
templates/components/pagination.html. The page is always `?halaman=`; the older `?page=` and `?hal=`
still work (links shared before keep working), and links are always written with `halaman`.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask, request

from blueprints.links import url_with_query

PAGE_ARG = "halaman"
OLD_PAGE_ARGS = ("page", "hal")
MAX_PAGE = 100_000  # far past any real list; a larger number would only overflow the query's OFFSET


def page_number(args: Mapping[str, str] | None = None) -> int:
    """The page a query string asks for; anything that is not a positive number means page 1, anything
    past MAX_PAGE means MAX_PAGE (an empty page, not an overflow)."""
    args = request.args if args is None else args
    value = next((args.get(name) for name in (PAGE_ARG, *OLD_PAGE_ARGS) if args.get(name)), None)
    try:
        return min(MAX_PAGE, max(1, int(value or 1)))
    except ValueError:
        return 1


def page_url(number: int) -> str:
    """This page's URL at page `number`, keeping every other query argument (page 1 has no argument)."""
    changes: dict[str, int | None] = {name: None for name in OLD_PAGE_ARGS}
    changes[PAGE_ARG] = number if number > 1 else None
    return url_with_query(**changes)


def register(app: Flask) -> None:
    app.add_template_global(page_url, "page_url")
