"""The activity status of a cooperative, derived from its confirmed RAT reports and never stored.

`activity_status` computes it for one loaded cooperative; `status_expression` computes the same rule in SQL
for counts and filters over many. Both use `status_for_gap`, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import Select, case, extract, func, literal, select

from models.cooperative import ACTIVE, AT_RISK, DORMANT, RAT_CONFIRMED, Cooperative, RatReport
from services import clock


@dataclass(frozen=True)
class StatusRules:
    """Years without a confirmed RAT after which a cooperative counts as dormant, then at risk."""

    dormant_after: int
    at_risk_after: int


def status_rules() -> StatusRules:
    """The thresholds from configuration (COOP_DORMANT_AFTER_YEARS, COOP_AT_RISK_AFTER_YEARS)."""
    config = current_app.config
    return StatusRules(
        dormant_after=config["COOP_DORMANT_AFTER_YEARS"], at_risk_after=config["COOP_AT_RISK_AFTER_YEARS"]
    )


def last_closed_financial_year(today: date) -> int:
    """Financial years follow the calendar year: on any day of 2026 the last closed year is 2025."""
    return today.year - 1


def status_for_gap(years_without_rat: int | None, rules: StatusRules) -> str:
    """active / dormant / at_risk from the number of closed years since the last RAT (None: never, no founding)."""
    if years_without_rat is None or years_without_rat >= rules.at_risk_after:
        return AT_RISK
    if years_without_rat >= rules.dormant_after:
        return DORMANT
    return ACTIVE


@dataclass(frozen=True)
class ActivityStatus:
    status: str
    last_rat_year: int | None
    years_without_rat: int | None


def years_without_rat(last_rat_year: int | None, founding_date: date | None, today: date) -> int | None:
    """Closed financial years since the last confirmed RAT; a cooperative that never held one counts from
    the year before its founding (a cooperative founded this year is not yet late)."""
    if last_rat_year is not None:
        baseline = last_rat_year
    elif founding_date is not None:
        baseline = founding_date.year - 1
    else:
        return None
    return last_closed_financial_year(today) - baseline


def activity_status(cooperative: Cooperative, today: date | None = None, rules: StatusRules | None = None):
    """The activity status of one cooperative from its confirmed RAT reports. THE function views use."""
    today = today or clock.today()
    rules = rules or status_rules()
    confirmed = [r.financial_year for r in cooperative.rat_reports if r.status == RAT_CONFIRMED]
    last = max(confirmed) if confirmed else None
    gap = years_without_rat(last, cooperative.founding_date, today)
    return ActivityStatus(status_for_gap(gap, rules), last, gap)


def _last_rat_subquery():
    return (
        select(RatReport.cooperative_id, func.max(RatReport.financial_year).label("last_rat_year"))
        .where(RatReport.status == RAT_CONFIRMED)
        .group_by(RatReport.cooperative_id)
        .subquery("last_rat")
    )


def status_expression(today: date, rules: StatusRules | None = None):
    """(status column, last RAT year column, subquery to outer-join on cooperative.id): the same rule in SQL."""
    rules = rules or status_rules()
    last_rat = _last_rat_subquery()
    baseline = func.coalesce(last_rat.c.last_rat_year, extract("year", Cooperative.founding_date) - 1)
    gap = literal(last_closed_financial_year(today)) - baseline
    status = case(
        (baseline.is_(None), AT_RISK),
        (gap >= rules.at_risk_after, AT_RISK),
        (gap >= rules.dormant_after, DORMANT),
        else_=ACTIVE,
    )
    return status, last_rat.c.last_rat_year, last_rat


def cooperatives_with_status(today: date, rules: StatusRules | None = None) -> Select:
    """SELECT Cooperative, activity_status, last_rat_year; add filters with .where(...)."""
    status, last_year, last_rat = status_expression(today, rules)
    return (
        select(Cooperative, status.label("activity_status"), last_year.label("last_rat_year"))
        .outerjoin(last_rat, last_rat.c.cooperative_id == Cooperative.id)
        .order_by(Cooperative.name, Cooperative.id)
    )
