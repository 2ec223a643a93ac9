"""THE pagination helper: page numbers to show and the URL of each, keeping the other query arguments."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from blueprints.links import url_with_query


@dataclass(frozen=True)
class Pagination:
    page: int
    per_page: int
    total: int
    page_arg: str = "halaman"

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: first, last and a few around the current one; None marks a gap."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        shown: list[int | None] = []
        for number in numbers:
            if shown and number - shown[-1] > 1:
                shown.append(None)
            shown.append(number)
        return shown

    def url(self, page: int) -> str:
        return url_with_query(**{self.page_arg: page if page > 1 else None})


def page_number(value: str | None) -> int:
    """A page number from the query string; anything that is not a positive number means page 1."""
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1
