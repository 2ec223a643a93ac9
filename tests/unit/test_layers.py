"""The layers hold: no query and no transaction in blueprints/ (data comes from services/, which commit or
roll back themselves), and models import neither services nor blueprints."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _dotted(node: ast.AST) -> str:
    """`db.session.get` for the expression db.session.get (empty when it is not a plain dotted name)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    parts.append(node.id)
    return ".".join(reversed(parts))


def layer_violations(source: str) -> list[str]:
    """What in this module of blueprints/ is a query or a transaction (with its line)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            found.append(f"{node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Import) and any(alias.name.split(".")[0] == "sqlalchemy" for alias in node.names):
            found.append(f"{node.lineno}: imports sqlalchemy")
        elif isinstance(node, ast.Attribute):
            name = _dotted(node)
            if (
                isinstance(node.value, ast.Name)
                and name.startswith("db.")
                and name != "db.session"
                or _dotted(node.value) == "db.session"
            ):
                found.append(f"{node.lineno}: uses {name}")
            elif node.attr in ("query", "commit", "rollback", "execute", "scalars"):
                found.append(f"{node.lineno}: uses .{node.attr}")
    return found


def test_no_query_or_transaction_in_blueprints():
    problems = {}
    for path in sorted((ROOT / "blueprints").rglob("*.py")):
        found = layer_violations(path.read_text(encoding="utf-8"))
        if found:
            problems[str(path.relative_to(ROOT))] = found
    assert problems == {}


def test_the_check_sees_queries_and_transactions():
    source = """
from sqlalchemy import select
rows = db.session.scalars(db.select(Permit)).all()
permit = db.session.get(Permit, 1)
page = db.paginate(query)
db.session.commit()
Permit.query.all()
"""
    found = " ".join(layer_violations(source))
    for word in ("sqlalchemy", "db.select", "db.session.scalars", "db.session.get", "db.paginate", "commit", "query"):
        assert word in found


def test_passing_the_session_to_a_service_is_allowed():
    assert layer_violations("from extensions import db\nrows = registry.get_business(db.session, user, 1)\n") == []


def test_models_import_neither_services_nor_blueprints():
    problems = []
    for path in sorted((ROOT / "models").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            modules = []
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            problems += [f"{path.name}: {m}" for m in modules if m.split(".")[0] in ("services", "blueprints")]
    assert problems == []


def _recorded_actions(source: str) -> list[str]:
    """The action names literally written in `record(session, actor, action, …)` calls."""
    names = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if called != "record":
            continue
        argument = (
            node.args[2] if len(node.args) >= 3 else next((k.value for k in node.keywords if k.arg == "action"), None)
        )
        if argument is not None:
            names += [c.value for c in ast.walk(argument) if isinstance(c, ast.Constant) and isinstance(c.value, str)]
    return names


def test_every_audit_action_comes_from_the_one_enumeration():
    from services.audit import AuditAction

    unknown = {}
    for folder in ("services", "blueprints"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            names = [
                name for name in _recorded_actions(path.read_text(encoding="utf-8")) if name not in set(AuditAction)
            ]
            if names:
                unknown[str(path.relative_to(ROOT))] = names
    assert unknown == {}


def test_the_action_check_sees_an_unlisted_name():
    assert _recorded_actions('record(db.session, user, "made_up", "permit", 1)') == ["made_up"]
    from services.audit import AuditAction

    assert "made_up" not in set(AuditAction)
