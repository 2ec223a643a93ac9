"""Services own their transactions: they commit their work, and roll it back when they refuse or fail."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate, ParamSpec, TypeVar, cast

from sqlalchemy import CursorResult, Result
from sqlalchemy.orm import Session

P = ParamSpec("P")
R = TypeVar("R")


def owns_transaction(func: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """The service commits its own work; on any error it rolls back before the error reaches the caller.

    So a view that shows a refusal (RegistryError, ContentError, ...) never holds a half-written record.
    """

    @wraps(func)
    def wrapper(session: Session, *args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(session, *args, **kwargs)
        except BaseException:
            session.rollback()
            raise

    return wrapper


def discard(session: Session) -> None:
    """Drop whatever a failed request left in the session, so that the error page can still read."""
    session.rollback()


def changed_rows(result: Result) -> int:
    """How many rows an UPDATE or DELETE changed (its result is a CursorResult, which counts them)."""
    return cast(CursorResult, result).rowcount
