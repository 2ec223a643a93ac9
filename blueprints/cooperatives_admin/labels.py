"""Words shown for cooperative codes, in the reader's language."""

from flask_babel import lazy_gettext as _l

from services.cooperatives import ACTIVITY_STATUS_LABELS

STATUS_LABELS = ACTIVITY_STATUS_LABELS  # one wording for the dashboard and the public figures
KIND_LABELS = {
    "simpan_pinjam": _l("Simpan pinjam"),
    "konsumen": _l("Konsumen"),
    "produsen": _l("Produsen"),
    "pemasaran": _l("Pemasaran"),
    "jasa": _l("Jasa"),
}
LEVEL_LABELS = {"primer": _l("Primer"), "sekunder": _l("Sekunder")}
RAT_STATUS_LABELS = {"pending": _l("Menunggu konfirmasi"), "confirmed": _l("Dikonfirmasi"), "rejected": _l("Ditolak")}
