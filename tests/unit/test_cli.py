"""`flask users create`, `flask regions load`, `flask demo seed`, `flask search reindex`."""

from extensions import db
from models.business import Business, Person
from models.cooperative import Cooperative
from models.user import User
from services.users import authenticate


def test_users_create_reads_password_from_env_and_never_echoes_it(runner, monkeypatch):
    monkeypatch.setenv("NEW_PASSWORD", "very-secret-pass-77")
    result = runner.invoke(
        args=[
            "users",
            "create",
            "lurah",
            "--role",
            "officer",
            "--kecamatan",
            "Gambir",
            "--password-env",
            "NEW_PASSWORD",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "very-secret-pass-77" not in result.output
    user = authenticate(db.session, "lurah", "very-secret-pass-77")
    assert user.role == "officer" and user.kecamatan.name == "Gambir"


def test_users_create_prompts_for_password_hidden(runner):
    result = runner.invoke(
        args=["users", "create", "redaksi", "--role", "editor"], input="prompted-pass-123\nprompted-pass-123\n"
    )
    assert result.exit_code == 0, result.output
    assert "prompted-pass-123" not in result.output
    assert authenticate(db.session, "redaksi", "prompted-pass-123") is not None


def test_users_create_rejects_weak_password_and_duplicates(runner, monkeypatch):
    monkeypatch.setenv("PW", "short")
    result = runner.invoke(args=["users", "create", "x", "--role", "editor", "--password-env", "PW"])
    assert result.exit_code != 0 and "minimal 12 karakter" in result.output
    monkeypatch.setenv("PW", "long-enough-password")
    assert runner.invoke(args=["users", "create", "x", "--role", "editor", "--password-env", "PW"]).exit_code == 0
    again = runner.invoke(args=["users", "create", "X", "--role", "editor", "--password-env", "PW"])
    assert again.exit_code != 0 and "sudah dipakai" in again.output
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_users_create_refuses_unknown_kecamatan(runner, monkeypatch):
    monkeypatch.setenv("PW", "long-enough-password")
    result = runner.invoke(
        args=["users", "create", "y", "--role", "officer", "--kecamatan", "Atlantis", "--password-env", "PW"]
    )
    assert result.exit_code != 0 and "no kecamatan named 'Atlantis'" in result.output


def test_demo_seed_is_deterministic_for_a_seed(runner):
    result = runner.invoke(args=["demo", "seed", "--businesses", "30", "--cooperatives", "5", "--seed", "42"])
    assert result.exit_code == 0, result.output
    first = db.session.scalars(db.select(Business.name).order_by(Business.id)).all()
    niks = db.session.scalars(db.select(Person.nik)).all()
    assert len(first) == 30
    assert db.session.scalar(db.select(db.func.count()).select_from(Cooperative)) == 5
    assert all(len(nik) == 16 and nik.isdigit() for nik in niks)
    db.session.execute(db.delete(Business))
    db.session.execute(db.delete(Person))
    db.session.commit()
    runner.invoke(args=["demo", "seed", "--businesses", "30", "--cooperatives", "0", "--seed", "42"])
    assert db.session.scalars(db.select(Business.name).order_by(Business.id)).all() == first


def test_demo_seed_spreads_over_regions(runner):
    runner.invoke(args=["demo", "seed", "--businesses", "200", "--cooperatives", "0"])
    kelurahan = db.session.scalar(db.select(db.func.count(db.distinct(Business.kelurahan_id))))
    assert kelurahan > 50


def test_demo_seed_if_empty_keeps_existing_data(runner):
    runner.invoke(args=["demo", "seed", "--businesses", "5", "--cooperatives", "1"])
    result = runner.invoke(args=["demo", "seed", "--businesses", "50", "--if-empty"])
    assert "skipped" in result.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Business)) == 5


def test_search_reindex_reports_count(runner, app):
    runner.invoke(args=["demo", "seed", "--businesses", "8", "--cooperatives", "2"])
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0 and "Indexed 10 records." in result.output


def test_demo_accounts_are_printed_with_passwords_that_work_and_stay_the_same(runner, app, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    (tmp_path / "instance").mkdir()
    first = runner.invoke(args=["demo", "accounts"])
    assert first.exit_code == 0, first.output
    line = next(row for row in first.output.splitlines() if "user: admin" in row)
    password = line.split("password:")[1].strip()
    assert authenticate(db.session, "admin", password).role == "superadmin"
    assert runner.invoke(args=["demo", "accounts"]).output == first.output


def test_demo_accounts_of_another_database_are_not_printed(runner, app, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    (tmp_path / "instance").mkdir()
    first = runner.invoke(args=["demo", "accounts"]).output
    password = next(row for row in first.splitlines() if "user: admin" in row).split("password:")[1].strip()
    # Another database served from the same instance folder must not show this one's passwords.
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    assert password not in runner.invoke(args=["demo", "accounts"]).output
