import pytest


@pytest.fixture
def app_config(app_config, tmp_path):
    app_config["SIGNING_DEMO_DIR"] = str(tmp_path / "signing")
    app_config["IMPORT_DIR"] = str(tmp_path / "imports")
    return app_config
