"""One JSON log line per request: method, route, status, duration, user id, request id; no personal data."""

import json
import logging
import sys

from blueprints.request_log import REQUEST_LOGGER, JsonLines


def _request_lines(caplog):
    """The request lines as the app's handler writes them (its filter stamped each record's request id)."""
    formatter = JsonLines()
    return [json.loads(formatter.format(record)) for record in caplog.records if record.name == REQUEST_LOGGER]


def test_each_request_gives_one_line_that_matches_its_response(client, caplog):
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    response = client.get("/cari?q=3171014503850001", headers={"X-Request-ID": "abcdef0123456789"})
    lines = _request_lines(caplog)
    assert len(lines) == 1
    line = lines[0]
    assert (line["method"], line["route"], line["status"], line["user_id"]) == ("GET", "/cari", 200, None)
    assert line["request_id"] == response.headers["X-Request-ID"] == "abcdef0123456789"
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert "3171014503850001" not in caplog.text and "3171014503850001" not in json.dumps(lines)


def test_the_line_names_the_user_and_the_route_rule_not_the_path(client, auth, caplog):
    officer = auth.login_as("officer")
    caplog.set_level(logging.INFO, logger=REQUEST_LOGGER)
    response = client.get("/kantor/usaha/424242")
    line = _request_lines(caplog)[-1]
    assert line["route"] == "/kantor/usaha/<int:business_id>" and line["status"] == response.status_code == 404
    assert line["user_id"] == officer.id
    assert line["request_id"] == response.headers["X-Request-ID"]


def _record(name: str, level: int) -> logging.LogRecord:
    try:
        raise ValueError("no issuer matching the certificate")
    except ValueError:
        return logging.LogRecord(name, level, __file__, 1, "Validation error", None, sys.exc_info())


def test_a_signature_pyhanko_cannot_trust_is_logged_without_a_traceback():
    formatter = JsonLines()
    warning = json.loads(formatter.format(_record("pyhanko.sign.validation.generic_cms", logging.WARNING)))
    assert warning["message"] == "Validation error" and "exception" not in warning
    error = json.loads(formatter.format(_record("pyhanko.sign.validation.generic_cms", logging.ERROR)))
    assert "Traceback" in error["exception"]
    ours = json.loads(formatter.format(_record("balai.documents", logging.WARNING)))
    assert "ValueError: no issuer matching the certificate" in ours["exception"]
