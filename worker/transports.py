"""How a rendered message leaves: one reused SMTP connection per process, or a Django backend."""

from __future__ import annotations

import re
import smtplib
import ssl
import threading

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


class DeliveryError(Exception):
    """A delivery attempt failed with `answer` (the SMTP reply or the connection error)."""

    def __init__(self, answer: str, *, temporary: bool, unreachable: bool = False) -> None:
        super().__init__(answer)
        self.answer = answer
        self.temporary = temporary
        # The server could not be reached at all: the rest of the batch fails the same way.
        self.unreachable = unreachable


def _answer(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}".strip()


def _classify(code: int, text: bytes | str) -> DeliveryError:
    # 5xx is permanent; 4xx and anything unexpected is worth another try.
    return DeliveryError(_answer(code, text), temporary=not 500 <= code < 600)


class SMTPTransport:
    """One SMTP connection per worker process (per thread), reused across tasks and batches."""

    def __init__(self) -> None:
        self._local = threading.local()

    @staticmethod
    def _config() -> tuple:
        return (
            settings.EMAIL_HOST,
            int(settings.EMAIL_PORT),
            settings.EMAIL_HOST_USER,
            settings.EMAIL_HOST_PASSWORD,
            bool(settings.EMAIL_USE_TLS),
            bool(getattr(settings, "EMAIL_USE_SSL", False)),
            settings.EMAIL_TIMEOUT,
        )

    def _connect(self, config: tuple) -> smtplib.SMTP:
        from django.core.mail.utils import DNS_NAME

        host, port, user, password, use_tls, use_ssl, timeout = config
        context = ssl.create_default_context()
        try:
            if use_ssl:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, local_hostname=DNS_NAME.get_fqdn(), timeout=timeout, context=context
                )
            else:
                conn = smtplib.SMTP(host, port, local_hostname=DNS_NAME.get_fqdn(), timeout=timeout)
            conn.ehlo()
            if use_tls:
                conn.starttls(context=context)
                conn.ehlo()
            if user:
                conn.login(user, password)
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(
                "connecting to %s:%s: %s" % (host, port, _answer(exc.smtp_code, exc.smtp_error)),
                temporary=True,
                unreachable=True,
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(
                "connecting to %s:%s: %s" % (host, port, exc or type(exc).__name__),
                temporary=True,
                unreachable=True,
            ) from exc
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def send(self, *, sender: str, recipient: str, data: bytes) -> str:
        """Send one message; return the server's final answer or raise DeliveryError."""
        config = self._config()
        if getattr(self._local, "config", None) != config:
            self.close()
            self._local.config = config
        for _ in range(2):
            conn = getattr(self._local, "conn", None)
            reused = conn is not None
            if conn is None:
                conn = self._local.conn = self._connect(config)
            body_sent = False
            try:
                code, text = conn.mail(sender)
                if code != 250:
                    raise _classify(code, text)
                code, text = conn.rcpt(recipient)
                if code not in (250, 251):
                    raise _classify(code, text)
                conn.putcmd("data")
                code, text = conn.getreply()
                if code != 354:
                    raise _classify(code, text)
                body_sent = True
                conn.send(_dot_stuffed(data))
                code, text = conn.getreply()
                if code != 250:
                    raise _classify(code, text)
                return _answer(code, text)
            except DeliveryError as exc:
                if not exc.answer.startswith("421"):
                    self._reset()
                    raise
                self._drop()  # the server is closing this connection
                if body_sent or not reused:
                    raise
                # An idle connection the server had timed out with a 421; nothing was sent yet.
            except (OSError, smtplib.SMTPException) as exc:
                self._drop()
                if body_sent:
                    # The server may or may not have taken the message: see worker.delivery.
                    raise DeliveryError(
                        "connection lost after the message was sent; the server may have "
                        "accepted it: %s" % (exc or type(exc).__name__),
                        temporary=True,
                    ) from exc
                if not reused:
                    raise DeliveryError(
                        "connection lost: %s" % (exc or type(exc).__name__), temporary=True
                    ) from exc
                # A reused connection the server had closed while idle; nothing was sent yet.
        raise AssertionError("unreachable")  # pragma: no cover

    def _reset(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            return
        try:
            conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()


def _dot_stuffed(data: bytes) -> bytes:
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


class _Prebuilt(EmailMessage):
    """Hands our rendered bytes to a Django backend (file, console, locmem) unchanged."""

    def __init__(self, *, data: bytes, sender: str, recipient: str) -> None:
        super().__init__(from_email=sender, to=[recipient])
        self._data = data

    def message(self):  # type: ignore[override]
        import email

        return email.message_from_bytes(self._data)


class DjangoBackendTransport:
    """Development and unit tests: EMAIL_URL file:, console: or locmem:."""

    def close(self) -> None:
        pass

    def send(self, *, sender: str, recipient: str, data: bytes) -> str:
        try:
            sent = get_connection().send_messages(
                [_Prebuilt(data=data, sender=sender, recipient=recipient)]
            )
        except Exception as exc:
            raise DeliveryError("%s: %s" % (settings.EMAIL_BACKEND, exc), temporary=True) from exc
        if not sent:
            raise DeliveryError("%s sent nothing" % settings.EMAIL_BACKEND, temporary=True)
        return "250 accepted by %s" % settings.EMAIL_BACKEND


_smtp = SMTPTransport()
_django = DjangoBackendTransport()


def get_transport() -> SMTPTransport | DjangoBackendTransport:
    return _smtp if settings.EMAIL_BACKEND == SMTP_BACKEND else _django


def close_connections() -> None:
    _smtp.close()
