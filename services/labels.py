"""The words shown for codes and the masks of personal data: one of each, for pages, documents and the API.

Pages reach them through the template helpers registered once for the whole app
(`blueprints/formatting.register`): `masked_nik`, `coop_kind_labels`, `role_labels`, … Rupiah amounts
and dates are in `services/formatting.py`.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from models.business import CLOSED, OPERATING
from models.cooperative import ACTIVE, AT_RISK, DORMANT
from models.permit import EXPIRED, REVOKED, SUPERSEDED, VALID
from models.user import COOPERATIVE, EDITOR, OFFICER, SUPERADMIN


def mask_nik(nik: str | None) -> str:
    """3171••••••••0003: enough to tell people apart in a list or the audit log, not enough to be a NIK.

    THE mask of a NIK (owners, founders; pages through the `masked_nik` filter, audit snapshots)."""
    if not nik:
        return ""
    if len(nik) < 8:
        return "•" * len(nik)
    return nik[:4] + "•" * (len(nik) - 8) + nik[-4:]


def mask_name(full_name: str | None) -> str:
    """'Siti Rahayu' -> 'S*** R*****': each word's first letter, enough to confirm with the person in
    front of you, no more."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in (full_name or "").split())


# Businesses and their permits, in the reader's language (pages).
BUSINESS_STATUS_LABELS = {OPERATING: _l("Beroperasi"), CLOSED: _l("Tutup")}
PERMIT_STATUS_LABELS = {
    VALID: _l("Berlaku"),
    EXPIRED: _l("Kedaluwarsa"),
    REVOKED: _l("Dicabut"),
    SUPERSEDED: _l("Digantikan"),
}
# A business's permit standing as the directory shows it (a superseded permit is never its standing).
PERMIT_STANDING_LABELS = {
    VALID: _l("Izin berlaku"),
    EXPIRED: _l("Izin kedaluwarsa"),
    REVOKED: _l("Izin dicabut"),
    "none": _l("Belum berizin"),
}

# Cooperatives, in the reader's language (pages).
# The activity status: one wording for the dashboard, the list and the public figures.
ACTIVITY_STATUS_LABELS = {ACTIVE: _l("Aktif"), DORMANT: _l("Tidak aktif"), AT_RISK: _l("Berisiko")}
COOPERATIVE_KIND_LABELS = {
    "simpan_pinjam": _l("Simpan pinjam"),
    "konsumen": _l("Konsumen"),
    "produsen": _l("Produsen"),
    "pemasaran": _l("Pemasaran"),
    "jasa": _l("Jasa"),
}
COOPERATIVE_LEVEL_LABELS = {"primer": _l("Primer"), "sekunder": _l("Sekunder")}
RAT_STATUS_LABELS = {"pending": _l("Menunggu konfirmasi"), "confirmed": _l("Dikonfirmasi"), "rejected": _l("Ditolak")}

# A business's legal form and premises: the form's choices, and (in Indonesian, `in_indonesian`) the certificate.
LEGAL_FORM_LABELS = {
    "perseorangan": _l("Perseorangan"),
    "ud": _l("Usaha Dagang (UD)"),
    "cv": _l("Persekutuan Komanditer (CV)"),
    "firma": _l("Firma"),
    "pt_perorangan": _l("PT Perorangan"),
}
PREMISES_LABELS = {
    "milik_sendiri": _l("Milik sendiri"),
    "sewa": _l("Sewa"),
    "pinjam_pakai": _l("Pinjam pakai"),
    "lainnya": _l("Lainnya"),
}


def in_indonesian(labels: dict, code: str | None, default: str | None) -> str | None:
    """The label of `code` as a legal document prints it, in Indonesian whatever the reader's language;
    `default` for a code without a label."""
    if code not in labels:
        return default
    with force_locale("id"):
        return str(labels[code])


# Accounts.
STAFF_ROLE_LABELS = (
    (OFFICER, _l("Petugas")),
    (EDITOR, _l("Editor konten")),
    (SUPERADMIN, _l("Superadmin")),
)
ROLE_LABELS = {**dict(STAFF_ROLE_LABELS), COOPERATIVE: _l("Akun koperasi")}

# Legal documents are in Indonesian whatever the reader's language: the words they print.
MINISTRY_ACT_LABELS = {"persetujuan": "Persetujuan", "pemberitahuan": "Penerimaan pemberitahuan"}
