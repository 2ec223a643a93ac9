"""Reasons the public may read: codes with fixed labels, chosen from a list.

A free-text reason shown on /verify and in the API once published a NIK and a phone number typed into
it. The public sees only the label of a code; what the officer wants to add goes into an internal note
that stays in the back office.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REVOCATION_REASONS = {
    "permintaan_pemilik": _l("Atas permintaan pemilik usaha"),
    "usaha_tutup": _l("Usaha tidak beroperasi lagi"),
    "pindah_wilayah": _l("Usaha pindah ke luar wilayah"),
    "data_tidak_benar": _l("Data permohonan tidak benar"),
    "melanggar_ketentuan": _l("Melanggar ketentuan perizinan"),
    "beralih_ke_nib": _l("Digantikan oleh NIB dari sistem OSS"),
    "lainnya": _l("Alasan lain yang dicatat dinas"),
}


def revocation_label(code: str | None) -> str | None:
    """The public wording of a revocation reason code (None for no code)."""
    if code is None:
        return None
    return str(REVOCATION_REASONS.get(code, REVOCATION_REASONS["lainnya"]))


def revocation_choices() -> list[tuple[str, object]]:
    return list(REVOCATION_REASONS.items())
