"""Reason codes chosen from a list, with the label the public and officers read (English in the catalogue)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Why a visited business cannot get an IUMK.
NOT_ELIGIBLE_REASONS: dict[str, object] = {
    "bukan_usaha_mikro": _l("Bukan usaha mikro atau kecil"),
    "sudah_berizin": _l("Sudah memiliki izin usaha"),
    "berhenti_usaha": _l("Usaha sudah berhenti"),
    "lokasi_terlarang": _l("Lokasi usaha tidak diizinkan"),
    "di_luar_wilayah": _l("Di luar wilayah kota"),
    "pemilik_menolak": _l("Pemilik tidak bersedia"),
}

# Why a permit could not be handed over on a delivery run.
DELIVERY_FAILURE_REASONS: dict[str, object] = {
    "alamat_tidak_ditemukan": _l("Alamat tidak ditemukan"),
    "penerima_tidak_ada": _l("Pemilik atau wakilnya tidak ada di tempat"),
    "usaha_tutup": _l("Tempat usaha tutup"),
    "ditolak": _l("Penerima menolak"),
    "cuaca_kendaraan": _l("Cuaca atau kendaraan"),
}


def label(reasons: dict[str, object], code: str | None) -> str:
    """The label of `code` in `reasons` ('' for none; the code itself if unknown, never an error)."""
    if not code:
        return ""
    return str(reasons.get(code, code))
