"""People who log in: superadmins, officers, editors and cooperative accounts."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.region import Region

SUPERADMIN = "superadmin"
OFFICER = "officer"
EDITOR = "editor"
COOPERATIVE = "cooperative"
ROLES = (SUPERADMIN, OFFICER, EDITOR, COOPERATIVE)


class User(UserMixin, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), index=True)
    # An officer limited to one kecamatan sees only its records; None means the whole municipality.
    kecamatan_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    cooperative_id: Mapped[int | None] = mapped_column(ForeignKey("cooperative.id"))
    is_active_account: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on password change so that sessions and remember cookies of the old password die.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    kecamatan: Mapped[Region | None] = relationship()

    @property
    def is_active(self) -> bool:
        return self.is_active_account

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        return self.role in roles
