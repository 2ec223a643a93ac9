"""All models, imported here so that Alembic and the app see every table."""

from models.audit import AuditEvent
from models.base import Base
from models.business import Business, Person
from models.cooperative import Cooperative
from models.kbli import KbliCode, KbliSection
from models.region import Region
from models.search import SearchDocument, SearchOutbox, SearchWord
from models.user import User

__all__ = [
    "AuditEvent",
    "Base",
    "Business",
    "Cooperative",
    "KbliCode",
    "KbliSection",
    "Person",
    "Region",
    "SearchDocument",
    "SearchOutbox",
    "SearchWord",
    "User",
]
