"""Demo pages and news for the public site, in Indonesian, with the figures from the source articles.

Idempotent: an item whose slug already exists is left alone, so `flask demo seed` can run again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.content import NewsPost, Page
from services.content import PAGE, PUBLISH, ContentInput, save

PROGRAM_PAGES = (
    (
        "jakpreneur",
        "Jakpreneur",
        "Program pendampingan wirausaha kota: dari pendaftaran sampai permodalan, dalam tujuh tahap.",
        """Jakpreneur membantu warga memulai dan mengembangkan usaha mikro. Sekitar **287.000 anggota**
sudah bergabung, dengan pusat pendampingan di **seluruh 44 kecamatan**.

## Tahap "7P"

| Tahap | Isi |
|---|---|
| Pendaftaran | Satu-satunya tahap wajib: daftar sebagai anggota. |
| Pelatihan | Kelas usaha, keuangan, dan pemasaran. |
| Pendampingan | Pendamping di pusat kecamatan. |
| Perizinan | Bantuan mengurus IUMK dan NIB. |
| Pemasaran | Bazar, pameran, dan toko daring. |
| Pelaporan keuangan | Pembukuan sederhana. |
| Permodalan | Akses kredit usaha. |

Daftar di kantor kelurahan atau pusat pendampingan kecamatan terdekat.""",
        10,
    ),
    (
        "antar-jemput-izin",
        "Layanan Antar Jemput Izin (AJIB) dan kemudahan IUMK",
        "Izin usaha mikro yang dipermudah, diantar dan dijemput petugas bermotor.",
        """Pada 2020 penerbitan Izin Usaha Mikro dan Kecil (IUMK) dipermudah. Dari 6 Juli sampai
8 September 2020 terbit **43.950 IUMK** melalui proses yang dipermudah, dibandingkan **6.952**
selama Januari sampai 6 Juli 2020 dengan cara biasa.

Dokumen diantar dan dijemput oleh **layanan antar jemput izin bermotor (AJIB)**. Sepanjang 2020
terbit **50.902 IUMK** dengan omzet tercatat **Rp369 miliar**, dan sampai Oktober 2021 jumlahnya
mencapai **147.759**.

## Persyaratan

- Formulir permohonan (nama, NIK, telepon, alamat, kegiatan usaha, sarana usaha, modal)
- Surat pengantar RT/RW
- Salinan KTP dan Kartu Keluarga
- Dua pas foto 4×6""",
        20,
    ),
    (
        "kredit-usaha-pemula",
        "Kredit untuk usaha pemula",
        "Akses permodalan bagi usaha mikro yang baru mulai, lewat tahap Permodalan Jakpreneur.",
        """Usaha mikro yang sudah memiliki IUMK dapat mengajukan kredit usaha dengan pendampingan.

1. Pastikan usaha Anda terdaftar dan memiliki IUMK.
2. Ikuti pelatihan pembukuan sederhana (tahap *Pelaporan keuangan*).
3. Ajukan permodalan melalui pendamping di kecamatan Anda.

Sertifikat IUMK dapat diperiksa keasliannya oleh bank melalui kode QR.""",
        30,
    ),
    (
        "jumat-beli-lokal",
        "Jumat Beli Lokal",
        "Setiap Jumat, belanja di usaha mikro dan koperasi di sekitar Anda.",
        """Gerakan **Jumat Beli Lokal** mengajak warga, kantor pemerintah, dan swasta berbelanja
di warung, kedai, dan koperasi konsumen setempat setiap hari Jumat.

Cari usaha berizin terdekat di direktori, lalu periksa sertifikatnya lewat kode QR.""",
        40,
    ),
)

NEWS_POSTS = (
    (
        "koperasi-konsumen-kampung-prioritas",
        "Akta pendirian koperasi konsumen diserahkan di 21 kampung prioritas",
        "Koperasi konsumen berdiri di 21 kampung prioritas di 10 kecamatan, termasuk Kampung Akuarium.",
        """Akta pendirian koperasi konsumen diserahkan di **21 kampung prioritas** yang tersebar di
**10 kecamatan**. Di antaranya *Koperasi Konsumen Akuarium Bangkit Mandiri* (Kampung Akuarium),
*Kumir Pinangsia Sejahtera* (Kampung Kumir), dan *Komunitas Anak Kali Ciliwung* yang melayani
Kampung Lodan, Tongkol dan Kerapu sekaligus.

Satu koperasi dapat melayani beberapa kampung.""",
        datetime(2026, 10, 5, 3, 0, tzinfo=UTC),
    ),
    (
        "rekor-iumk-2020",
        "50.902 izin usaha mikro terbit sepanjang 2020",
        "Kemudahan IUMK dan layanan antar jemput izin mendorong rekor penerbitan izin.",
        """Sepanjang 2020 terbit **50.902 IUMK** dengan omzet tercatat **Rp369 miliar**. Sebanyak
43.950 di antaranya terbit dalam dua bulan, 6 Juli sampai 8 September, berkat proses yang
dipermudah dan layanan antar jemput izin bermotor (AJIB).

Pada puncaknya petugas mencetak sekitar **700 sertifikat sehari**, dicetak per kelompok untuk
setiap putaran pengantaran.""",
        datetime(2026, 10, 20, 3, 0, tzinfo=UTC),
    ),
    (
        "rat-koperasi-tahunan",
        "Koperasi diingatkan melaporkan Rapat Anggota Tahunan",
        "Koperasi yang melaporkan RAT tetap berstatus aktif; dua tahun tanpa RAT berisiko sanksi.",
        """Koperasi wajib menyelenggarakan Rapat Anggota Tahunan (RAT) sekurang-kurangnya sekali
setahun dan melaporkannya. Koperasi yang tidak melaporkan RAT selama satu tahun tercatat
**tidak aktif**, dan dua tahun tanpa RAT **berisiko** dikenai sanksi sampai pembubaran.

Di Bekasi, dari sekitar 600 koperasi hanya sekitar separuh yang masih beroperasi.""",
        datetime(2026, 11, 2, 3, 0, tzinfo=UTC),
    ),
    (
        "jakpreneur-287-ribu-anggota",
        "Jakpreneur kini beranggotakan sekitar 287.000 wirausaha",
        "Pusat pendampingan Jakpreneur hadir di seluruh 44 kecamatan.",
        """Program Jakpreneur kini beranggotakan sekitar **287.000 wirausaha**, didampingi di pusat
pendampingan di seluruh **44 kecamatan**. Hanya tahap pendaftaran yang wajib; tahap lain
mengikuti kebutuhan usaha.""",
        datetime(2026, 11, 16, 3, 0, tzinfo=UTC),
    ),
)


def seed_content(session: Session) -> int:
    """Create the demo programme pages and news posts that are missing; returns how many were made."""
    made = 0
    parent = session.scalar(select(Page).where(Page.slug == "program"))
    if parent is None:
        data = ContentInput(
            title="Program",
            slug="program",
            body="Program pemerintah kota untuk usaha mikro dan koperasi.",
            summary="Program untuk usaha mikro dan koperasi.",
            menu_order=10,
            show_in_menu=True,
            note="Demo",
        )
        parent = save(session, PAGE, None, data, None, PUBLISH)
        made += 1
    for slug, title, summary, body, order in PROGRAM_PAGES:
        if session.scalar(select(Page.id).where(Page.slug == slug)) is None:
            data = ContentInput(
                title=title, slug=slug, body=body, summary=summary, menu_order=order, parent_id=parent.id, note="Demo"
            )
            save(session, PAGE, None, data, None, PUBLISH)
            made += 1
    for slug, title, summary, body, published in NEWS_POSTS:
        if session.scalar(select(NewsPost.id).where(NewsPost.slug == slug)) is None:
            data = ContentInput(title=title, slug=slug, body=body, summary=summary, publish_at=published, note="Demo")
            post = save(session, "news", None, data, None, PUBLISH, now=published)
            post.published_at = published
            session.commit()
            made += 1
    return made
