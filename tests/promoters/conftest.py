from tests.smtp import closing_clients, inbox, mail_config, smtp_server  # noqa: F401
from tests.staff_fixtures import *  # noqa: F403  (shared page fixtures)
