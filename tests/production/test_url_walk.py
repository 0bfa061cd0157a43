"""Every URL pattern, as every role, GET and POST, under the production settings (see conftest.py).

No request may answer 500; a role the access table (tests/access_table.py ACCESS) does not allow must be
refused (403, or sent to log in) and its request must change no row.
"""

import pytest

from tests import urlwalk

from .conftest import WALK_COUNTS

ROUTES = urlwalk.routes()


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_every_role_gets_what_the_access_table_says(route, walk_data, walk_clients):
    problems = urlwalk.walk_route(route, walk_data, walk_clients, WALK_COUNTS)
    assert not problems, "\n".join(problems)
