"""Reasons chosen from a list: codes with fixed labels that the public and officers read (English in the
catalogue).

A free-text revocation reason shown on /verify and in the API once published a NIK and a phone number
typed into it. The public sees only the label of a code; what the officer wants to add goes into an
internal note that stays in the back office.
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
