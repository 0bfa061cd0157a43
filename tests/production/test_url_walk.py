"""Every URL pattern, as every role, GET and POST, under the production settings (see conftest.py).

No request may answer 500; a role the access table (tests/urlwalk.py ACCESS) does not allow must be
refused (403, or sent to log in) and its request must change no row.
"""

import pytest

from tests import urlwalk

from .conftest import WALK_COUNTS

ROUTES = urlwalk.routes()


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_every_role_gets_what_the_access_table_says(route, walk_data, walk_clients):
    url = urlwalk.fill(route, walk_data)
    problems = []
    for method in ("get", "post"):
        allowed = urlwalk.allowed_roles(route, method)
        body = urlwalk.post_data(route, walk_data) if method == "post" else {}
        for role in urlwalk.ROLES:
            client = walk_clients[role]
            before = urlwalk.db_writes()
            response = urlwalk.send(client, method, url, body)
            WALK_COUNTS["requests"] += 1
            if response.status_code >= 500:
                WALK_COUNTS["errors"] += 1
                problems.append(f"{method.upper()} {url} as {role}: {response.status_code}")
            elif role not in allowed:
                if not urlwalk.is_refusal(response, role):
                    problems.append(f"{method.upper()} {url} as {role}: {response.status_code}, expected a refusal")
                changed = urlwalk.changed_tables(before, urlwalk.db_writes())
                if changed:
                    problems.append(f"{method.upper()} {url} as {role}: refused but wrote {changed}")
            elif urlwalk.must_not_refuse(route) and urlwalk.is_refusal(response, role):
                problems.append(f"{method.upper()} {url} as {role}: refused, but the access table allows it")
    assert not problems, "\n".join(problems)
