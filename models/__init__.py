"""All models, imported here so that Alembic and the app see every table."""

from models.audit import AuditEvent
from models.base import Base
from models.batch import BatchJob
from models.business import Business, BusinessKbli, Person
from models.content import MediaFile, NewsPost, Page, Revision, SlugRedirect
from models.cooperative import (
    Cooperative,
    CooperativeFounder,
    CooperativeInvitation,
    CooperativeOfficial,
    DeedAmendment,
    FoundingDeed,
    Kampung,
    MemberCooperative,
    NotarialCopy,
    RatReport,
)
from models.imports import ImportedFile, ImportMapping
from models.kbli import KbliCode, KbliRelease, KbliSection
from models.official import Official
from models.outreach import Delivery, DeliveryRun, OutreachRequest
from models.permit import Permit, PermitCounter, PermitReservation
from models.region import Region
from models.search import SearchDocument, SearchOutbox, SearchWord
from models.signature import SignedDocument
from models.user import PasswordLink, RecoveryCode, User, UserSession

__all__ = [
    "AuditEvent",
    "Base",
    "BatchJob",
    "Business",
    "BusinessKbli",
    "Cooperative",
    "CooperativeFounder",
    "CooperativeInvitation",
    "CooperativeOfficial",
    "DeedAmendment",
    "Delivery",
    "DeliveryRun",
    "FoundingDeed",
    "ImportMapping",
    "ImportedFile",
    "Kampung",
    "MemberCooperative",
    "RatReport",
    "KbliCode",
    "KbliRelease",
    "KbliSection",
    "MediaFile",
    "NewsPost",
    "NotarialCopy",
    "Official",
    "OutreachRequest",
    "Page",
    "Permit",
    "PermitCounter",
    "PermitReservation",
    "Person",
    "Region",
    "Revision",
    "SlugRedirect",
    "SearchDocument",
    "SearchOutbox",
    "SearchWord",
    "SignedDocument",
    "User",
    "UserSession",
    "PasswordLink",
    "RecoveryCode",
]
