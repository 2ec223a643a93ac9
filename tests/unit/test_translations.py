"""Every user-facing string has an English translation; the catalogue is in step with the code."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("app.py", "cli.py", "blueprints", "models", "services", "templates")
CATALOGUE = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"


def _catalogue():
    with CATALOGUE.open("rb") as handle:
        return read_po(handle)


def _forms(message) -> tuple[str, ...]:
    """Every translated form of a message: one, or each plural form."""
    return message.string if isinstance(message.string, tuple | list) else (message.string,)


def test_every_message_is_translated_to_english():
    """Empty, blank or fuzzy English fails, for every plural form too (an empty plural once printed "hasil")."""
    untranslated = [
        m.id for m in _catalogue() if m.id and (m.fuzzy or not all(form and form.strip() for form in _forms(m)))
    ]
    assert untranslated == []


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    template = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(template),
            "--no-location",
            *SOURCES,
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with template.open("rb") as handle:
        in_code = {m.id for m in read_po(handle) if m.id}
    in_catalogue = {m.id for m in _catalogue() if m.id}
    assert sorted(in_code - in_catalogue) == [], "run `make extract-messages` and translate"
