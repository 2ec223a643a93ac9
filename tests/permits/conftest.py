import pytest


@pytest.fixture
def app_config(app_config, tmp_path):
    """Permit tests sign with a demo key of their own, never the developer's instance/ one."""
    app_config["SIGNING_DEMO_DIR"] = str(tmp_path / "signing")
    return app_config
