"""Cooperatives, one module per responsibility; this package's names are the API the rest of Balai uses.

- status: the activity status derived from confirmed RAT reports (in Python and in SQL, one rule)
- access: who sees which cooperative
- rules: the named rules a record must meet
- records: registering and editing a record, checked and audited
- rat: RAT reports, recorded, submitted, confirmed or turned down
- dashboard: counts, the overdue list and the searchable list of the back office
"""

from services.cooperatives.access import cooperative_for_account, cooperative_for_officer, scope_query
from services.cooperatives.dashboard import (
    overdue_cooperatives,
    search_cooperatives,
    status_counts_by_kecamatan,
    status_totals,
)
from services.cooperatives.rat import (
    MinutesUpload,
    RatError,
    RatInput,
    attach_minutes,
    check_minutes,
    check_rat_rules,
    confirm_rat_report,
    minutes_max_bytes,
    minutes_pdf,
    pending_rat_count,
    pending_rat_reports,
    rat_report_for_user,
    record_minutes_download,
    record_rat_report,
    reject_rat_report,
    submit_rat_report,
)
from services.cooperatives.records import (
    SCALAR_FIELDS,
    CooperativeInput,
    FounderInput,
    MemberInput,
    OfficialInput,
    audit_snapshot,
    kampungs_by_name,
    save_cooperative,
)
from services.cooperatives.rules import (
    MIN_PRIMER_FOUNDERS,
    MIN_SEKUNDER_MEMBERS,
    CooperativeRuleError,
    check_cooperative_rules,
)
from services.cooperatives.status import (
    ActivityStatus,
    StatusRules,
    activity_status,
    cooperatives_with_status,
    last_closed_financial_year,
    status_expression,
    status_for_gap,
    status_rules,
    years_without_rat,
)
from services.labels import ACTIVITY_STATUS_LABELS

__all__ = [
    "ACTIVITY_STATUS_LABELS",
    "MinutesUpload",
    "attach_minutes",
    "check_minutes",
    "minutes_max_bytes",
    "minutes_pdf",
    "pending_rat_count",
    "pending_rat_reports",
    "rat_report_for_user",
    "record_minutes_download",
    "status_totals",
    "SCALAR_FIELDS",
    "MIN_PRIMER_FOUNDERS",
    "MIN_SEKUNDER_MEMBERS",
    "ActivityStatus",
    "CooperativeInput",
    "CooperativeRuleError",
    "FounderInput",
    "MemberInput",
    "OfficialInput",
    "RatError",
    "RatInput",
    "StatusRules",
    "activity_status",
    "audit_snapshot",
    "check_cooperative_rules",
    "check_rat_rules",
    "confirm_rat_report",
    "cooperative_for_account",
    "cooperative_for_officer",
    "cooperatives_with_status",
    "kampungs_by_name",
    "last_closed_financial_year",
    "overdue_cooperatives",
    "record_rat_report",
    "reject_rat_report",
    "save_cooperative",
    "scope_query",
    "search_cooperatives",
    "status_counts_by_kecamatan",
    "status_expression",
    "status_for_gap",
    "status_rules",
    "submit_rat_report",
    "years_without_rat",
]
