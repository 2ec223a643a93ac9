"""Words shown for cooperative codes, in the reader's language."""

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {"active": _l("Aktif"), "dormant": _l("Tidak aktif"), "at_risk": _l("Berisiko")}
KIND_LABELS = {
    "simpan_pinjam": _l("Simpan pinjam"),
    "konsumen": _l("Konsumen"),
    "produsen": _l("Produsen"),
    "pemasaran": _l("Pemasaran"),
    "jasa": _l("Jasa"),
}
LEVEL_LABELS = {"primer": _l("Primer"), "sekunder": _l("Sekunder")}
RAT_STATUS_LABELS = {"pending": _l("Menunggu konfirmasi"), "confirmed": _l("Dikonfirmasi"), "rejected": _l("Ditolak")}
