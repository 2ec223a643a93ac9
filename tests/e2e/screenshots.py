"""`make screenshots`: full-page PNGs of the main screens for the README, taken in Debian Chromium.

    python -m tests.e2e.screenshots docs

Builds the same site as the browser tests (fresh SQLite database from the migrations, demo data,
index, demo accounts), serves it with gunicorn on a free local port and writes one PNG per entry of SCREENS into
docs/. Exits non-zero if any screen fails.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.e2e.harness import CHROMIUM_LAUNCH_ARGS, GunicornSite, log_in, start_gunicorn
from tests.support import chromium_available

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@dataclass(frozen=True)
class Screen:
    name: str
    path: str
    viewport: dict
    role: str | None = None  # log in as this role first


SCREENS = (
    Screen("home", "/", DESKTOP),
    Screen("login", "/masuk/", DESKTOP),
    Screen("admin-dashboard", "/kantor/", DESKTOP, role="superadmin"),
    Screen("home-mobile", "/", PHONE),
    Screen("search", "/cari?q=warung", DESKTOP),
    Screen("search-mobile", "/cari?q=warung", PHONE),
    Screen("figures", "/angka", DESKTOP),
    Screen("verify", "/verify/", DESKTOP),
    Screen("backoffice-businesses", "/kantor/usaha/", DESKTOP, role="superadmin"),
    Screen("cooperatives-dashboard", "/kantor/koperasi/dasbor", DESKTOP, role="superadmin"),
)


def take(browser, server: GunicornSite, screen: Screen, out_dir: Path) -> Path:
    context = browser.new_context(viewport=screen.viewport, device_scale_factor=1, reduced_motion="reduce")
    try:
        page = context.new_page()
        if screen.role:
            log_in(page, server, screen.role)
        response = page.goto(server.page_url(screen.path))
        if response is None or response.status != 200:
            raise RuntimeError(f"{screen.path} answered {response.status if response else 'nothing'}")
        page.wait_for_load_state("networkidle")
        target = out_dir / f"{screen.name}.png"
        page.screenshot(path=str(target), full_page=True, animations="disabled", caret="hide")
        return target
    finally:
        context.close()


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    out_dir = Path(argv[0] if argv else "docs")
    if not chromium_available():
        print(f"screenshots: Chromium not found at {CHROMIUM_LAUNCH_ARGS['executable_path']}", file=sys.stderr)
        return 1
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="balai-screenshots-") as workdir:
        server = start_gunicorn(Path(workdir))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**CHROMIUM_LAUNCH_ARGS)
                try:
                    for screen in SCREENS:
                        print(f"screenshots: {take(browser, server, screen, out_dir)}")
                finally:
                    browser.close()
        except Exception as exc:
            print(f"screenshots: failed: {exc}", file=sys.stderr)
            return 1
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
