"""Who may see or change what: one policy of role × scope × owner, asked by views, services and templates.

- An action names the roles that may perform it (`can`); views check it with `blueprints.permissions`,
  templates with the `can()` global, so no role string lives anywhere else.
- Scope: an officer may be limited to one kecamatan; records outside it do not exist for them (404).
- Persons are shared: one NIK may own businesses in several kecamatans. An officer sees and changes a
  person's personal data only when every business of that person is in their scope; otherwise they may
  link the person by a NIK they already hold, but see a masked name, and changes go through an officer
  whose scope covers all of that person's businesses.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.business import Business, Person
from models.region import Region
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN, User

STAFF = (SUPERADMIN, OFFICER)
BACK_OFFICE = (SUPERADMIN, OFFICER, EDITOR)
CONTENT = (SUPERADMIN, EDITOR)

# Each action and the roles that may perform it (within their scope).
ACTIONS: dict[str, tuple[str, ...]] = {
    "dashboard.view": BACK_OFFICE,
    "business.manage": STAFF,
    "permit.manage": STAFF,
    "cooperative.manage": STAFF,
    "outreach.manage": STAFF,
    "content.edit": CONTENT,
    "content.purge": (SUPERADMIN,),
    "audit.view": (SUPERADMIN,),
    "users.manage": (SUPERADMIN,),
    "portal.use": (COOPERATIVE,),
}


def roles_for(action: str) -> tuple[str, ...]:
    """The roles allowed to perform `action`; an unknown action is a programming error, never 'allowed'."""
    return ACTIONS[action]


def can(user: User | None, action: str) -> bool:
    """True when `user` (logged in and active) may perform `action` somewhere in their scope."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role in roles_for(action)


def kecamatan_scope(user: User) -> int | None:
    """The kecamatan an officer is limited to (None: the whole municipality)."""
    return user.kecamatan_id if user.role == OFFICER else None


def covers_kelurahan(session: Session, user: User, kelurahan_id: int | None) -> bool:
    """Whether a record in `kelurahan_id` is inside `user`'s scope."""
    scope = kecamatan_scope(user)
    if scope is None:
        return True
    if kelurahan_id is None:
        return False
    return session.scalar(select(Region.parent_id).where(Region.id == kelurahan_id)) == scope


def may_manage_person(session: Session, user: User, person: Person | None) -> bool:
    """Whether `user` may see and change `person`'s personal data: every business of the person is in scope."""
    if person is None or person.id is None:
        return True
    scope = kecamatan_scope(user)
    if scope is None:
        return user.role in STAFF
    outside = session.scalar(
        select(Business.id)
        .join(Region, Business.kelurahan_id == Region.id)
        .where(Business.owner_id == person.id, Region.parent_id != scope)
        .limit(1)
    )
    return outside is None
