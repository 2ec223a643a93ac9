"""TRUSTED_PROXIES: believe X-Forwarded-For/-Proto only from the reverse proxies named there.

Werkzeug's ProxyFix takes the last hop from X-Forwarded-For; it is applied only when the direct peer is
one of the trusted proxies, so a client that talks to the app directly cannot pick its own address for
rate limits, logs and the audit log.
"""

from __future__ import annotations

import ipaddress

from werkzeug.middleware.proxy_fix import ProxyFix


def parse_trusted_proxies(value: str) -> tuple:
    """'127.0.0.1, 10.0.0.0/8' -> networks; ValueError names an entry that is not an address or network."""
    networks = []
    for entry in (value or "").replace(";", ",").split(","):
        entry = entry.strip()
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                raise ValueError(f"TRUSTED_PROXIES: '{entry}' is not an IP address or network") from None
    return tuple(networks)


class TrustedProxyFix:
    def __init__(self, app, networks: tuple):
        self.app = app
        self.fixed = ProxyFix(app, x_for=1, x_proto=1)
        self.networks = networks

    def _trusted(self, address: str | None) -> bool:
        try:
            peer = ipaddress.ip_address(address or "")
        except ValueError:
            return False
        return any(peer in network for network in self.networks)

    def __call__(self, environ, start_response):
        if self._trusted(environ.get("REMOTE_ADDR")):
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)
