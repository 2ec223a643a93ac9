"""Templates ask the authorization policy (`can("…")`), never compare role names themselves."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ROLE_CHECK = re.compile(r"\.role\s*(==|!=|in\b|not in\b)|has_role\(")


def test_no_template_compares_role_names():
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in TEMPLATES.rglob("*.html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if ROLE_CHECK.search(line)
    ]
    assert offenders == [], "use can('<action>') from services/authorization.py"
