"""manage.py sip2_server: serve self-service machines (自助借还机) over SIP2."""

import logging
import signal

from django.core.management.base import BaseCommand

from selfcheck.sip2_server import IDLE_TIMEOUT, MAX_MESSAGE, SipServer


def _interrupt(signum, frame):
    raise KeyboardInterrupt


class Command(BaseCommand):
    help = "Serve SIP2 (3M Standard Interchange Protocol 2.00) to self-service machines."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface)")
        parser.add_argument("--port", type=int, default=6001)
        parser.add_argument("--institution", default="", help="institution id (AO) sent in responses")
        parser.add_argument("--max-message", type=int, default=MAX_MESSAGE, help="largest message in bytes")
        parser.add_argument(
            "--idle-timeout", type=int, default=IDLE_TIMEOUT, help="seconds before an idle client is dropped"
        )

    def handle(self, *args, host, port, institution, max_message, idle_timeout, **options):
        # -v 1 (the default) logs each connection and login; -v 0 only warnings and errors.
        logging.getLogger("selfcheck.sip2").setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
        server = SipServer((host, port), institution=institution, max_message=max_message, idle_timeout=idle_timeout)
        # systemd stops the service with SIGTERM: leave serve_forever() as on Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
        self.stdout.write(f"SIP2 server listening on {host}:{server.server_address[1]}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            self.stdout.write("SIP2 server stopped")
