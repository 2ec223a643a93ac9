import pytest


@pytest.fixture
def app_config(app_config, tmp_path):
    """Permit tests sign with a demo key of their own and keep batch files in their own directory."""
    app_config["SIGNING_DEMO_DIR"] = str(tmp_path / "signing")
    app_config["BATCH_DIR"] = str(tmp_path / "batches")
    return app_config
