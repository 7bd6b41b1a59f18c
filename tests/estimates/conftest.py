from tests.pledges.conftest import app_config, deliver, pledge_body  # noqa: F401
