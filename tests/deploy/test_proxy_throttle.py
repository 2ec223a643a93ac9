"""Behind nginx, each client has its own login throttle: nginx sets X-Forwarded-For from the real peer,
TRUSTED_PROXIES makes the app believe it (ProxyFix), and a client talking to gunicorn directly cannot
pick someone else's address. Two clients use the loopback addresses 127.0.0.2 and 127.0.0.3.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.deploy.test_gunicorn_postgres import BIN, ROOT, flask, wait_until_listening
from tests.e2e.harness import free_port
from tests.support import require

PASSWORD = "pohon mangga berbuah lebat"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _nginx_conf(workdir: Path, port: int, upstream: str) -> Path:
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (workdir / sub).mkdir(parents=True, exist_ok=True)
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf = workdir / "nginx.conf"
    conf.write_text(
        f"""{user}daemon off;
worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log {workdir}/access.log;
  client_body_temp_path {workdir}/body;
  proxy_temp_path {workdir}/proxy;
  fastcgi_temp_path {workdir}/fastcgi;
  uwsgi_temp_path {workdir}/uwsgi;
  scgi_temp_path {workdir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass {upstream};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
    }}
  }}
}}
"""
    )
    return conf


@contextmanager
def one_worker_gunicorn(env: dict, log_path: Path):
    """gunicorn with one worker, so the in-memory rate-limit store is the whole server's."""
    command = [str(BIN / "gunicorn"), "-w", "1", "-b", "127.0.0.1:0", "--no-control-socket", "app:create_app()"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def nginx(workdir: Path, upstream: str):
    port = free_port()
    conf = _nginx_conf(workdir, port, upstream)
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(workdir)], stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/healthz")
                break
            except OSError:
                if process.poll() is not None:
                    pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=15)


class Client:
    """A browser-like client with its own loopback source address, cookies and CSRF token."""

    def __init__(self, port: int, source: str):
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(self.source, 0))
        all_headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), **(headers or {})}
        data = None
        if body is not None:
            data = urlencode(body)
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        connection.close()
        return response.status, text

    def login(self, username: str, password: str, headers: dict | None = None) -> int:
        _status, page = self.request("GET", "/masuk/")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        status, _ = self.request(
            "POST", "/masuk/", {"csrf_token": token, "username": username, "password": password}, headers
        )
        return status


def test_two_clients_behind_nginx_have_two_buckets(tmp_path):
    require(os.path.exists(NGINX), "nginx (Debian package nginx-light or nginx)")
    database = tmp_path / "balai.sqlite3"
    env = {key: value for key, value in os.environ.items() if key not in ("FLASK_DEBUG", "BALAI_ENV")}
    env.update(
        FLASK_APP="app",
        DATABASE_URL=f"sqlite:///{database}",
        SECRET_KEY=secrets.token_hex(32),
        SEARCH_INDEX_DIR=str(tmp_path / "search_index"),
        TRUSTED_PROXIES="127.0.0.1",
        LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes",
        LOGIN_LIMIT_PER_IP="100 per 15 minutes",
        LOGIN_SLOWDOWN_PER_ACCOUNT="100 per 15 minutes",
        CHOSEN_PASSWORD=PASSWORD,
    )
    assert flask(env, "db", "upgrade").returncode == 0
    created = flask(env, "users", "create", "target", "--role", "officer", "--password-env", "CHOSEN_PASSWORD")
    assert created.returncode == 0, created.stderr

    log_path = tmp_path / "gunicorn.log"
    with one_worker_gunicorn(env, log_path) as process:
        upstream = wait_until_listening(process, log_path)
        with nginx(tmp_path / "nginx", upstream) as port:
            attacker, owner = Client(port, "127.0.0.2"), Client(port, "127.0.0.3")
            assert [attacker.login("target", "tebakan-salah-123") for _ in range(3)] == [401, 401, 401]
            assert attacker.login("target", PASSWORD) == 429  # this client is blocked for this account ...
            assert owner.login("target", "salah-ketik-sekali") == 401  # ... the owner is not
            assert owner.login("target", PASSWORD) == 303

            # Talking to gunicorn directly, a client cannot claim another's address.
            gunicorn_port = int(upstream.rsplit(":", 1)[1])
            forger = Client(gunicorn_port, "127.0.0.4")
            forged = {"X-Forwarded-For": "127.0.0.3"}
            assert [forger.login("target", "tebakan-salah-123", forged) for _ in range(4)] == [401, 401, 401, 429]
            assert Client(port, "127.0.0.3").login("target", PASSWORD) == 303

    with sqlite3.connect(database) as connection:
        logins = connection.execute("SELECT ip_address FROM audit_event WHERE action = 'user.login'")
        audited = [row[0] for row in logins]
        sessions = [row[0] for row in connection.execute("SELECT ip_address FROM user_session")]
    assert audited == ["127.0.0.3", "127.0.0.3"] and sessions == ["127.0.0.3", "127.0.0.3"]
    assert "Traceback" not in log_path.read_text()
