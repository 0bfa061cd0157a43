"""The SIP2 TCP server: one thread per connected machine, each with its own database connection.

Robustness, message by message: a message longer than MAX_MESSAGE bytes (a runaway or hostile
client) closes that connection; a half message waits for its CR until the idle timeout; an
unreadable message gets the protocol's refusal; a database error (the database restarting) drops
this thread's connection so the next message reconnects, and the machine gets a refusal it can
retry. Nothing a client sends takes the server or the other connections down.
"""

import logging
import socketserver

from django.db import close_old_connections, connection
from django.db.utils import DatabaseError, InterfaceError
from django.utils.translation import gettext as _

from selfcheck.sip2 import ChecksumError, Message, SipError, decode, encode
from selfcheck.sip2_session import Session, refusal

log = logging.getLogger("selfcheck.sip2")

MAX_MESSAGE = 16 * 1024  # bytes; real SIP2 messages are well under 2 KB
IDLE_TIMEOUT = 15 * 60  # seconds without a byte before the connection is closed
MAX_BAD_IN_A_ROW = 5  # unreadable messages in a row before giving up on a client


class SipHandler(socketserver.BaseRequestHandler):
    def setup(self) -> None:
        self.request.settimeout(self.server.idle_timeout)
        self.session = Session(institution=self.server.institution)
        self.peer = "%s:%s" % self.client_address[:2]
        log.info("sip2 connection from %s", self.peer)

    def handle(self) -> None:
        buffer, bad = b"", 0
        try:
            while True:
                end = buffer.find(b"\r")
                if end < 0:
                    if len(buffer) > self.server.max_message:
                        log.warning("sip2 %s: message over %s bytes, closing", self.peer, self.server.max_message)
                        return
                    chunk = self.request.recv(65536)
                    if not chunk:
                        return  # the machine hung up (perhaps in the middle of a message)
                    buffer += chunk
                    continue
                frame, buffer = buffer[:end], buffer[end + 1 :].lstrip(b"\n")
                if len(frame) > self.server.max_message:
                    log.warning("sip2 %s: message over %s bytes, closing", self.peer, self.server.max_message)
                    return
                if not frame.strip():
                    continue
                response, ok = self.respond(frame)
                bad = 0 if ok else bad + 1
                self.request.sendall(encode(response, self.session.encoding))
                if bad >= MAX_BAD_IN_A_ROW:
                    log.warning("sip2 %s: too many unreadable messages, closing", self.peer)
                    return
        except TimeoutError:
            log.info("sip2 %s: idle, closing", self.peer)
        except OSError as error:  # reset by peer, broken pipe
            log.info("sip2 %s: connection lost (%s)", self.peer, error)

    def respond(self, frame: bytes) -> tuple[Message, bool]:
        """The response to one frame, and whether the frame was readable."""
        try:
            request = self.decode(frame)
        except ChecksumError:
            return Message("96"), False
        except SipError as error:
            log.info("sip2 %s: unreadable message (%s)", self.peer, error)
            return refusal(error.code, _("报文格式错误，请重试或联系图书管理员。")), False
        try:
            close_old_connections()
            for attempt in (1, 2):
                try:
                    return self.session.handle(request), True
                except (DatabaseError, InterfaceError):
                    # The database restarted or dropped this thread's connection: drop it so the
                    # next query opens a new one, and try once more (the failed transaction rolled
                    # back, so nothing was half done). If the database is still away, a refusal.
                    log.warning("sip2 %s: database error (attempt %s)", self.peer, attempt, exc_info=True)
                    connection.close()
            return refusal(request.code, _("系统暂时不可用，请稍后再试。"), request), True
        except Exception:
            log.exception("sip2 %s: error handling %s", self.peer, request.code)
            connection.close()
            return refusal(request.code, _("系统出错，请到服务台办理。"), request), True

    def decode(self, frame: bytes) -> Message:
        """Before the login the kiosk's encoding is unknown: a login name in Chinese may come in
        UTF-8 or in GB18030 (which is rarely valid UTF-8), so try both."""
        try:
            return decode(frame, self.session.encoding)
        except ChecksumError:
            raise
        except SipError:
            if self.session.kiosk is not None:
                raise
            return decode(frame, "gb18030")

    def finish(self) -> None:
        try:
            connection.close()
        except DatabaseError:
            pass  # the database went away with the connection: nothing left to close
        log.info("sip2 %s: closed", self.peer)


class SipServer(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, address, *, institution: str = "", max_message: int = MAX_MESSAGE, idle_timeout=IDLE_TIMEOUT):
        self.institution = institution
        self.max_message = max_message
        self.idle_timeout = idle_timeout
        super().__init__(address, SipHandler)
