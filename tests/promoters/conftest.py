from tests.staff_fixtures import *  # noqa: F403  (shared page fixtures)
