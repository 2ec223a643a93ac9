"""One page of a list: the rows asked for and what a pager needs (total, page count, neighbours)."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Page:
    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: first, last and a few around the current one; None marks a gap."""
        wanted = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        shown: list[int | None] = []
        for number in sorted(n for n in wanted if 1 <= n <= self.pages):
            if shown and number - (shown[-1] or 0) > 1:
                shown.append(None)
            shown.append(number)
        return shown


def paginate(session: Session, query: Select, page: int, per_page: int, rows: bool = False) -> Page:
    """Records (or whole rows, when the query selects several columns and `rows`) `per_page` at a time;
    a page past the end is simply empty (never an error)."""
    page = max(1, page)
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    limited = query.limit(per_page).offset((page - 1) * per_page)
    items = list(session.execute(limited).all() if rows else session.scalars(limited))
    return Page(items=items, page=page, per_page=per_page, total=total)
