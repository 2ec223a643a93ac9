"""Every export that carries names writes formula-looking cells as plain text (OWASP's CSV injection rule)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from extensions import db
from models.user import OFFICER
from services import spreadsheets
from services.search import rebuild_index
from tests.coop_factory import founders, make_cooperative
from tests.factories import make_business

FORMULAS = ['=HYPERLINK("http://contoh.invalid","klik")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd", "-2+3+cmd|x"]


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["OPENDATA_DIR"] = str(tmp_path / "opendata")
    return app_config


def _cells(text: str) -> list[str]:
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return [cell for row in csv.reader(io.StringIO("\n".join(lines))) for cell in row]


def _assert_neutralised(cells: list[str], names: list[str]) -> None:
    for name in names:
        assert name not in cells, f"{name!r} written as a live formula"
        assert "'" + name in cells


@pytest.mark.parametrize("value", [*FORMULAS, "\tTAB", "\rCR"])
def test_a_formula_looking_cell_gets_a_quote_in_front(value):
    assert spreadsheets.neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Warung Bu Sri", "", None, 1500000, -3, "Toko 1+1"])
def test_ordinary_cells_are_left_alone(value):
    assert spreadsheets.neutralise(value) == value


def test_search_csv_and_open_data_neutralise_names(client, runner):
    rebuild_index(db.session)
    for formula in FORMULAS:
        make_business(f"{formula} warung")
    cells = _cells(client.get("/cari/unduh.csv?q=warung").get_data(as_text=True))
    _assert_neutralised(cells, [f"{formula} warung" for formula in FORMULAS])

    assert runner.invoke(args=["opendata", "export"]).exit_code == 0
    cells = _cells(client.get("/data-terbuka/registri-usaha-koperasi.csv").get_data(as_text=True))
    _assert_neutralised(cells, [f"{formula} warung" for formula in FORMULAS])


def test_cooperative_dashboard_csv_and_xlsx_neutralise_names(auth, client):
    auth.login_as(OFFICER)
    name = '=HYPERLINK("http://contoh.invalid","Koperasi")'
    make_cooperative(name=name, founding_date=date(2010, 1, 1), founders=founders(9, "317209"))
    cells = _cells(client.get("/kantor/koperasi/dasbor.csv").get_data(as_text=True))
    _assert_neutralised(cells, [name])

    response = client.get("/kantor/koperasi/dasbor.xlsx")
    assert response.status_code == 200 and response.mimetype == spreadsheets.XLSX_MIMETYPE
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert "'" + name in values and name not in values
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
