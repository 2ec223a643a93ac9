"""Schemathesis against the published OpenAPI document: every operation (the listings, the records, the
verification by token, by SHA-256 and by file) with generated input; no 5xx, ever. Bounded by examples."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from extensions import db
from services.search import rebuild_index
from tests.permits.helpers import add_business, add_official, any_kelurahan, issue


def _world(app) -> None:
    app.config["RATELIMIT_ENABLED"] = False
    kelurahan = any_kelurahan()
    add_official(kelurahan)
    issue(app, add_business(kelurahan, name="Warung Skema"))
    rebuild_index(db.session)


def test_no_api_operation_answers_a_server_error(app):
    _world(app)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    paths = {operation.path for operation in operations}
    assert {"/verify/{token}", "/verify/sha256/{digest}", "/verify/file", "/businesses"} <= paths, paths
    failures = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        def call(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        call()
    assert failures == []
