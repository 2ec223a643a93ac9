"""The load mix of bench/bench_load.py: public visitors and officers, nine to one.

Needs BALAI_LOAD_TARGETS: the targets.json bench_load writes beside its database (business ids, permit
tokens, kecamatan, businesses an officer may issue for, officer accounts). Run through bench_load, or:
    BALAI_LOAD_TARGETS=bench/out/load-300000/targets.json .venv/bin/locust -f bench/locustfile.py --host URL
Requests are named by route, not by URL, so the statistics are per route.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import threading
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.search_bench import QUERY_MIX  # noqa: E402 - after the path is set

TARGETS = json.loads(Path(os.environ["BALAI_LOAD_TARGETS"]).read_text())
_issuable = list(TARGETS["issuable"])
_issuable_lock = threading.Lock()
_officer_numbers = iter(range(10**6))


def _csrf(text: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text) or re.search(
        r'name="csrf-token" content="([^"]+)"', text
    )
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


class _Client(HttpUser):
    abstract = True

    def on_start(self):
        # In production a reverse proxy opens a new connection to gunicorn for each request (nginx's default);
        # reusing one would also race gunicorn's 2-second keep-alive close and report resets no browser sees.
        self.client.headers["Connection"] = "close"


class PublicVisitor(_Client):
    """Someone looking a business up, a bank checking a certificate, a journalist reading the figures."""

    weight = 9
    wait_time = between(0.5, 2.0)

    @task(10)
    def home(self):
        self.client.get("/", name="/")

    @task(20)
    def search(self):
        query, _kind = random.choice(QUERY_MIX)
        region_id, place = random.choice(TARGETS["kecamatan"])
        self.client.get("/cari?" + query.format(kec=region_id, place=place), name="/cari")

    @task(15)
    def business(self):
        self.client.get(f"/usaha/{random.choice(TARGETS['business_ids'])}", name="/usaha/<id>")

    @task(15)
    def verify(self):
        self.client.get(f"/verify/{random.choice(TARGETS['tokens'])}", name="/verify/<token>")

    @task(5)
    def figures(self):
        self.client.get("/angka", name="/angka")

    @task(3)
    def open_data(self):
        self.client.get("/data-terbuka", name="/data-terbuka")


class Officer(_Client):
    """An officer at the desk: the dashboard, the business list, now and then a permit issued."""

    weight = 1
    wait_time = between(2.0, 5.0)

    def on_start(self):
        super().on_start()
        username = TARGETS["officers"][next(_officer_numbers) % len(TARGETS["officers"])]
        page = self.client.get("/masuk/", name="/masuk/")
        self.client.post(
            "/masuk/",
            data={"username": username, "password": TARGETS["password"], "csrf_token": _csrf(page.text)},
            name="/masuk/ (POST)",
        )
        self.token = _csrf(self.client.get("/kantor/usaha/", name="/kantor/usaha/").text)

    @task(4)
    def dashboard(self):
        self.client.get("/kantor/", name="/kantor/")

    @task(4)
    def business_list(self):
        self.client.get(f"/kantor/usaha/?halaman={random.randint(1, 20)}", name="/kantor/usaha/")

    @task(1)
    def issue(self):
        with _issuable_lock:
            if not _issuable:
                return
            business_id = _issuable.pop()
        with self.client.post(
            f"/kantor/usaha/{business_id}/izin",
            data={"csrf_token": self.token},
            name="/kantor/usaha/<id>/izin (POST)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 303:
                response.failure(f"status {response.status_code}")
                return
        with self.client.get(
            f"/kantor/usaha/{business_id}", name="/kantor/usaha/<id> (after issuing)", catch_response=True
        ) as page:
            if "diterbitkan." not in page.text:
                page.failure("no permit issued: " + " ".join(re.findall(r'role="alert"[^>]*>([^<]+)', page.text)))
