"""With Redis as the rate-limit store (several gunicorn workers or servers), the login throttle is shared.

Redis DB 15 may be shared by parallel test runs on one machine: this test uses its own user name and
client address, and deletes exactly the keys it made.
"""

from __future__ import annotations

import random
import uuid

import pytest
import redis

from app import create_app
from extensions import db
from models.user import OFFICER
from tests.support import REDIS_URL, TEST_PASSWORD, CsrfClient, redis_available, require


@pytest.fixture
def redis_store():
    require(redis_available(), f"Redis at {REDIS_URL}")
    store = redis.Redis.from_url(REDIS_URL)
    made: list[str] = []
    yield store, made
    for pattern in made:
        for key in store.scan_iter(match=pattern):
            store.delete(key)
    store.close()


@pytest.fixture
def app_config(app_config):
    app_config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    return app_config


def _client(app, address: str):
    app.test_client_class = CsrfClient
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_login_throttle_per_account_lives_in_redis(app, app_config, auth, redis_store):
    store, made = redis_store
    username = f"redis-{uuid.uuid4().hex[:10]}"
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    made.extend([f"*{username}*", f"*{address}*"])
    auth.create(OFFICER, username=username)
    client = _client(app, address)

    def attempt(http, password):
        return http.post("/masuk/", data={"username": username, "password": password})

    for _ in range(5):
        assert attempt(client, "wrong-password-x").status_code == 401
    blocked = attempt(client, TEST_PASSWORD)
    assert blocked.status_code == 429
    assert "Terlalu banyak permintaan" in blocked.get_data(as_text=True)

    keys = [key.decode() for key in store.scan_iter(match=f"*login-account:{username}*")]
    assert keys, "no per-account throttle key in Redis"
    assert any(address in key.decode() for key in store.scan_iter(match=f"*{address}*"))

    # Another worker (a second app on the same Redis) sees the same throttle.
    other_worker = create_app(dict(app_config))
    try:
        assert attempt(_client(other_worker, address), TEST_PASSWORD).status_code == 429
    finally:
        with other_worker.app_context():
            db.engine.dispose()
