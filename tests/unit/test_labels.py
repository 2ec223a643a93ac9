"""One word per code and one mask per kind of personal data (services/labels.py), reachable from every
template, macros included, through the helpers the app registers once."""

from __future__ import annotations

from flask import render_template_string

from services import labels


def test_masks():
    assert labels.mask_nik("3171014503850003") == "3171••••••••0003"
    assert labels.mask_nik("12345") == "•••••" and labels.mask_nik(None) == ""
    assert labels.mask_name("  Siti   Rahayu ") == "S*** R*****" and labels.mask_name(None) == ""


def test_every_template_reaches_the_labels_and_masks_outside_any_blueprint(app):
    source = (
        '{% from "components/status.html" import permit_status %}'
        "{{ nik | masked_nik }}|{{ business_status_labels['closed'] }}|{{ permit_status('revoked') }}|"
        "{{ coop_kind_labels['simpan_pinjam'] }}|{{ role_labels['officer'] }}|"
        "{{ audit_action_label('issue', 'permit') }}"
    )
    with app.test_request_context("/"):
        text = render_template_string(source, nik="3171014503850003")
    assert text == (
        '3171••••••••0003|Tutup|<span class="badge badge-revoked">Dicabut</span>|Simpan pinjam|Petugas|Izin diterbitkan'
    )


def test_the_certificate_prints_legal_form_and_premises_in_indonesian_whatever_the_readers_language(app):
    from flask_babel import force_locale

    with app.test_request_context("/"), force_locale("en"):
        assert str(labels.LEGAL_FORM_LABELS["ud"]) != "Usaha Dagang (UD)"  # the form speaks English
        assert labels.in_indonesian(labels.LEGAL_FORM_LABELS, "ud", "ud") == "Usaha Dagang (UD)"
        assert labels.in_indonesian(labels.PREMISES_LABELS, "sewa", "-") == "Sewa"
        assert labels.in_indonesian(labels.PREMISES_LABELS, "", "-") == "-"
