"""A SIP2 server on a free loopback port, a kiosk account, and a client that talks to it."""

import threading

import pytest

from selfcheck.models import Kiosk
from selfcheck.sip2_client import SipClient
from selfcheck.sip2_server import SipServer
from tests.circulation.conftest import lending_term

KIOSK_PASSWORD = "kiosk-pass-1"


@pytest.fixture
def kiosk(db):
    kiosk = Kiosk(name="一楼自助机", description="一楼大厅")
    kiosk.set_password(KIOSK_PASSWORD)
    kiosk.save()
    return kiosk


@pytest.fixture
def term(db):
    return lending_term()


@pytest.fixture
def sip_server(transactional_db):
    server = SipServer(("127.0.0.1", 0), institution="SX", max_message=16 * 1024, idle_timeout=20)
    # Tracked handler threads, so server_close() waits for each to close its database connection:
    # a connection left open keeps the test database from being dropped at the end of the run.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def connect(sip_server):
    clients = []

    def _connect(**options) -> SipClient:
        client = SipClient(*sip_server.server_address[:2], **options)
        clients.append(client)
        return client

    yield _connect
    for client in clients:
        client.close()


@pytest.fixture
def machine(connect, kiosk):
    """A self-service machine logged in."""
    client = connect()
    assert client.login(kiosk.name, KIOSK_PASSWORD).fixed["ok"] == "1"
    return client
