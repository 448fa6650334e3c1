"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives and misbehaves on cue.

Used by the `smtp_server` fixture (tests/integration/conftest.py) and by unit tests that want
real SMTP (tests/worker). Runs in a thread of the test process; safe to read from the test.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass
class ReceivedMail:
    """One message the server accepted (answered 250 to)."""

    raw: bytes
    mail_from: str
    rcpt_tos: list[str]
    received_at: float
    _parsed: EmailMessage | None = field(default=None, repr=False)

    @property
    def message(self) -> EmailMessage:
        """Parsed with the modern email policy (`get_body`, `iter_attachments`, ...)."""
        if self._parsed is None:
            self._parsed = message_from_bytes(self.raw, policy=policy.default)  # type: ignore[assignment]
        return self._parsed  # type: ignore[return-value]

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class Fault:
    code: int
    text: str
    remaining: int | None = None  # messages left to refuse; None = until `until`
    until: float | None = None  # time.monotonic() deadline

    def active(self) -> bool:
        if self.remaining is not None:
            return self.remaining > 0
        return self.until is not None and time.monotonic() < self.until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SMTPSink:
    """Collects messages; programmable faults:

    fail_next(n, code=451)        answer `code` at the end of DATA for the next n messages
    fail_for(seconds, code=421)   the same for every message during a time window
    reject_recipient(addr, 550)   refuse RCPT TO for one address (every time)
    hold() / release()            park every new transaction at RCPT TO (client waits for the
                                  answer) until release(); wait_held(n) waits for n parked.
                                  Use it to freeze senders mid-transaction, e.g. before a kill.
    """

    def __init__(self, host: str = "127.0.0.1", port: int | None = None) -> None:
        # aiosmtpd logs every command at INFO; at thousands of messages that is the bottleneck.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        self.host = host
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._messages: list[ReceivedMail] = []
        self._fault: Fault | None = None
        self._rejected_rcpt: dict[str, tuple[int, str]] = {}
        self.refusals: list[tuple[str, int]] = []  # (recipient or message id, code) answered
        self.connections = 0
        self._transports: list[asyncio.BaseTransport] = []
        self._hold = False
        self._held = 0
        self._controller = Controller(
            _Handler(self),
            hostname=host,
            port=self.port,
            server_hostname="sink.localhost",
            ready_timeout=10,
        )

    # Lifecycle -------------------------------------------------------------------------------
    def start(self) -> SMTPSink:
        self._controller.start()
        return self

    def stop(self) -> None:
        self.release()
        self._controller.stop()

    @property
    def url(self) -> str:
        """For EMAIL_URL."""
        return f"smtp://{self.host}:{self.port}"

    # What arrived ----------------------------------------------------------------------------
    @property
    def messages(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self._messages)

    def count(self) -> int:
        with self._lock:
            return len(self._messages)

    def message_ids(self) -> Counter[str]:
        """Message-ID -> times received (read from the raw header, cheap for thousands)."""
        counter: Counter[str] = Counter()
        for mail in self.messages:
            counter[_raw_header(mail.raw, b"message-id")] += 1
        return counter

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()
            self.refusals.clear()

    # Faults ----------------------------------------------------------------------------------
    def fail_next(self, n: int, code: int = 451, text: str = "4.3.0 Try again later") -> None:
        self._fault = Fault(code=code, text=text, remaining=n)

    def fail_for(self, seconds: float, code: int = 421, text: str = "4.3.2 Going away") -> None:
        self._fault = Fault(code=code, text=text, until=time.monotonic() + seconds)

    def reject_recipient(
        self, address: str, code: int = 550, text: str = "5.1.1 No such user"
    ) -> None:
        self._rejected_rcpt[address.lower()] = (code, text)

    def clear_faults(self) -> None:
        self._fault = None
        self._rejected_rcpt.clear()

    def drop_connections(self) -> None:
        """Close every client connection from the server side, as an idle timeout would."""
        loop = self._controller.loop
        for transport in self._transports:
            loop.call_soon_threadsafe(transport.close)
        self._transports.clear()

    def hold(self) -> None:
        self._hold = True

    def release(self) -> None:
        self._hold = False

    @property
    def held(self) -> int:
        return self._held

    def wait_held(self, n: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self._held < n:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self._held} of {n} transactions held after {timeout}s")
            time.sleep(0.01)

    # Called from the server thread -------------------------------------------------------------
    def _take_fault(self) -> Fault | None:
        fault = self._fault
        if fault is None or not fault.active():
            return None
        if fault.remaining is not None:
            fault.remaining -= 1
        return fault

    def _record(self, mail: ReceivedMail) -> None:
        with self._lock:
            self._messages.append(mail)


def _raw_header(raw: bytes, name: bytes) -> str:
    head = raw.split(b"\r\n\r\n", 1)[0]
    for line in head.split(b"\r\n"):
        key, _, value = line.partition(b":")
        if key.strip().lower() == name:
            return value.strip().decode("ascii", "replace")
    return ""


class _Handler:
    def __init__(self, sink: SMTPSink) -> None:
        self.sink = sink

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        self._greeted(server)
        return responses

    async def handle_HELO(self, server, session, envelope, hostname):
        session.host_name = hostname
        self._greeted(server)
        return "250 sink.localhost"

    def _greeted(self, server) -> None:
        self.sink.connections += 1
        self.sink._transports.append(server.transport)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        sink = self.sink
        if sink._hold:
            sink._held += 1
            try:
                while sink._hold:
                    await asyncio.sleep(0.01)
            finally:
                sink._held -= 1
        rejected = sink._rejected_rcpt.get(address.lower())
        if rejected:
            sink.refusals.append((address, rejected[0]))
            return "%d %s" % rejected
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        fault = self.sink._take_fault()
        if fault is not None:
            self.sink.refusals.append((_raw_header(raw, b"message-id"), fault.code))
            return "%d %s" % (fault.code, fault.text)
        self.sink._record(
            ReceivedMail(
                raw=raw,
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                received_at=time.monotonic(),
            )
        )
        return "250 2.0.0 Ok: queued"
