"""What the public may know of a cooperative."""

from __future__ import annotations

from datetime import date

from models.cooperative import Cooperative
from services.cooperatives.status import activity_status


def public_cooperative_view(cooperative: Cooperative, today: date | None = None) -> dict:
    """What the public directory may show of a cooperative: never founders or any personal data."""
    status = activity_status(cooperative, today)
    kelurahan = cooperative.kelurahan
    return {
        "id": cooperative.id,
        "name": cooperative.name,
        "kind": cooperative.kind,
        "level": cooperative.level,
        "kampungs": [k.name for k in cooperative.kampungs],
        "kelurahan": kelurahan.name if kelurahan else None,
        "kecamatan": kelurahan.parent.name if kelurahan and kelurahan.parent else None,
        "seat_address": cooperative.seat_address,
        "founding_date": cooperative.founding_date,
        "deed_number": cooperative.deed_number,
        "deed_date": cooperative.deed_date,
        "notary_name": cooperative.notary_name,
        "legal_entity_number": cooperative.legal_entity_number,
        "legal_entity_date": cooperative.legal_entity_date,
        "nib": cooperative.nib,
        "nomor_induk_koperasi": cooperative.nomor_induk_koperasi,
        "business_fields": cooperative.business_fields,
        "member_count": cooperative.member_count,
        "status": status.status,
        "last_rat_year": status.last_rat_year,
    }
