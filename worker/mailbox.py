"""The one place that reads the inbound mailbox (IMAP): each message handled exactly once.

A poll reads the folder INBOUND_MAIL_URL names. For each message, in one transaction: an
InboundMessage row (folder, UIDVALIDITY, UID, Message-ID) and whatever the registered handlers
(worker.handlers) write. Only after the commit is the message moved, to the Processed folder,
or to the Failed folder when it is too large, cannot be parsed or a handler raised (the reason
is in the row). A poller killed between the commit and the move finds the row on the next poll
and only moves the message. Nothing here sends mail, and bad mail never stops a poll.
"""

import logging
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from email import policy
from email.errors import MessageDefect, MissingHeaderBodySeparatorDefect
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.db import transaction
from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from . import handlers, oauth
from .conf import outbox_setting
from .models import InboundMessage

logger = logging.getLogger(__name__)

SCHEMES = {"imap": 143, "imaps": 993}
_FETCH_HEADER = "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"
_CHUNK = 100  # UIDs per FETCH of sizes and Message-IDs


class Unparseable(Exception):  # noqa: N818 (a kind of message, not a program error)
    """The bytes are not an email message."""


@dataclass(frozen=True)
class Mailbox:
    """Where INBOUND_MAIL_URL points: imap://user:password@host:port/INBOX (imaps: TLS from the
    start; imap with ?starttls=1: STARTTLS before the login). With client credentials
    (INBOUND_MAIL_OAUTH_TOKEN_URL) or a service account (INBOUND_MAIL_OAUTH_SERVICE_ACCOUNT_FILE,
    the token in the URL user's name), worker/oauth.py, the login is XOAUTH2 as the URL's user,
    and the URL's password, if any, is not used."""

    host: str
    port: int
    username: str
    password: str = field(repr=False)
    folder: str = "INBOX"
    tls: bool = False
    starttls: bool = False
    client_credentials: oauth.Credentials | None = None  # either grant's

    @classmethod
    def from_url(cls, url: str) -> "Mailbox":
        parts = urlsplit(url)
        if parts.scheme not in SCHEMES:
            raise ValueError("INBOUND_MAIL_URL must start with imap:// or imaps://")
        if not parts.hostname or not parts.username:
            raise ValueError("INBOUND_MAIL_URL needs a user and a host")
        username = unquote(parts.username)
        return cls(
            host=parts.hostname,
            port=parts.port or SCHEMES[parts.scheme],
            username=username,
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            tls=parts.scheme == "imaps",
            starttls="starttls=1" in parts.query.split("&"),
            # KeyFileError (a ValueError): the poll fails and says so, as for a bad URL.
            client_credentials=oauth.credentials_from_settings(username),
        )

    def connect(self) -> IMAPClient:
        context = ssl.create_default_context()
        client = IMAPClient(
            self.host,
            self.port,
            ssl=self.tls,
            ssl_context=context if self.tls else None,
            timeout=float(outbox_setting("INBOUND_MAIL_TIMEOUT_SECONDS")),
        )
        try:
            if self.starttls:
                client.starttls(context)
            self.login(client)
        except BaseException:
            client.shutdown()
            raise
        # INTERNALDATE as aware datetimes (imapclient makes them naive local time by default).
        client.normalise_times = False
        return client

    def login(self, client: IMAPClient) -> None:
        """LOGIN with the password, or XOAUTH2 with a token (LoginError when there is none)."""
        credentials = self.client_credentials
        if credentials is None:
            client.login(self.username, self.password)
            return
        timeout = float(outbox_setting("INBOUND_MAIL_TIMEOUT_SECONDS"))
        for attempt in (1, 2):
            try:
                token = oauth.access_token(credentials, timeout=timeout)
            except oauth.TokenError as exc:  # to the poller, a failed login like a bad password
                raise LoginError(f"no OAuth token for the mailbox: {exc}") from exc
            try:
                client.oauth2_login(self.username, token.value)
                return
            except LoginError:
                oauth.forget_token(credentials)
                if token.fresh or attempt == 2:
                    raise
                # A kept token refused before its time (expired early, or revoked): the next
                # round fetches a new one and tries it once on this connection.


@dataclass
class PollResult:
    handled: int = 0  # recorded now as handled (the handlers ran)
    failed: int = 0  # recorded now as failed
    moved_again: int = 0  # recorded by an earlier poll that did not get to move them
    not_moved: int = 0  # a move the server refused; the next poll moves them

    @property
    def seen(self) -> int:
        return self.handled + self.failed + self.moved_again


def parse(raw: bytes) -> EmailMessage:
    """The message, or Unparseable: no header at all, or no blank line after the headers."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
        defects: list[MessageDefect] = list(message.defects)
        if not message.keys() or any(
            isinstance(defect, MissingHeaderBodySeparatorDefect) for defect in defects
        ):
            raise Unparseable("no header, or no blank line after the headers")
        for _name, value in message.items():  # the policy parses header values when read
            str(value)
    except Unparseable:
        raise
    except Exception as exc:
        raise Unparseable(f"{type(exc).__name__}: {exc}") from exc
    assert isinstance(message, EmailMessage)
    return message


def _message_id(header: bytes) -> str:
    try:
        value = BytesParser(policy=policy.default).parsebytes(header, headersonly=True)
        return str(value.get("Message-ID", "")).strip()[:255]
    except Exception:
        return ""


class _Poll:
    def __init__(self, client: IMAPClient, mailbox: Mailbox, uidvalidity: int) -> None:
        self.client = client
        self.mailbox = mailbox
        self.uidvalidity = uidvalidity
        self.processed = outbox_setting("INBOUND_MAIL_PROCESSED_FOLDER")
        self.failed = outbox_setting("INBOUND_MAIL_FAILED_FOLDER")
        self.max_bytes = int(outbox_setting("INBOUND_MAIL_MAX_BYTES"))
        self.result = PollResult()

    def key(self, uid: int) -> dict[str, Any]:
        return {"folder": self.mailbox.folder, "uidvalidity": self.uidvalidity, "uid": uid}

    def recorded(self, uid: int, message_id: str) -> InboundMessage | None:
        found = InboundMessage.objects.filter(**self.key(uid)).first()
        if found is None and message_id:
            # The server renumbered the folder (a new UIDVALIDITY): the same message again.
            found = (
                InboundMessage.objects.filter(folder=self.mailbox.folder, message_id=message_id)
                .exclude(uidvalidity=self.uidvalidity)
                .first()
            )
        return found

    def one(self, uid: int, meta: dict[bytes, Any]) -> None:
        # The key as the server echoes it (some quote the field name).
        header = next((v for k, v in meta.items() if k.startswith(b"BODY[HEADER")), b"")
        message_id = _message_id(header or b"")
        row = {
            **self.key(uid),
            "message_id": message_id,
            "size": int(meta.get(b"RFC822.SIZE") or 0),
            "received_at": meta.get(b"INTERNALDATE")
            if isinstance(meta.get(b"INTERNALDATE"), datetime)
            else None,
        }
        earlier = self.recorded(uid, message_id)
        if earlier is not None:
            self.result.moved_again += 1
            self.move(uid, earlier.state)
            return
        if row["size"] > self.max_bytes:
            self.fail(uid, row, f"too large: {row['size']} bytes (limit {self.max_bytes})")
            return
        raw = self.client.fetch([uid], ["BODY.PEEK[]"]).get(uid, {}).get(b"BODY[]")
        if raw is None:
            return  # gone since the search (another client moved it)
        try:
            message = parse(raw)
        except Unparseable as exc:
            self.fail(uid, row, f"cannot be parsed: {exc}")
            return
        try:
            with transaction.atomic():
                # First, so that a second poller's INSERT waits for this one and then fails.
                record = InboundMessage.objects.create(**row, state=InboundMessage.State.HANDLED)
                record.outcome = handlers.handle(message)
                record.save(update_fields=["outcome"])
        except Exception as exc:
            if self.recorded(uid, message_id) is not None:
                return  # another poller recorded it meanwhile; it moves it
            logger.exception("inbound message %s (UID %s): a handler failed", message_id, uid)
            self.fail(uid, row, f"handler failed: {type(exc).__name__}: {exc}")
            return
        self.result.handled += 1
        self.move(uid, InboundMessage.State.HANDLED)

    def fail(self, uid: int, row: dict[str, Any], reason: str) -> None:
        logger.warning("inbound message %s (UID %s) failed: %s", row["message_id"], uid, reason)
        try:
            InboundMessage.objects.create(
                **row, state=InboundMessage.State.FAILED, outcome=reason[:2000]
            )
        except Exception:
            if self.recorded(uid, row["message_id"]) is None:
                raise
            return
        self.result.failed += 1
        self.move(uid, InboundMessage.State.FAILED)

    def move(self, uid: int, state: str) -> None:
        target = self.processed if state == InboundMessage.State.HANDLED else self.failed
        try:
            if self.client.has_capability("MOVE"):
                self.client.move([uid], target)
            else:
                self.client.copy([uid], target)
                self.client.delete_messages([uid])
                if self.client.has_capability("UIDPLUS"):
                    self.client.uid_expunge([uid])
                else:
                    self.client.expunge()
        except IMAPClientError as exc:
            self.result.not_moved += 1
            logger.warning("inbound message UID %s not moved to %s: %s", uid, target, exc)


def poll(
    url: str | None = None,
    limit: int | None = None,
    keep_alive: Callable[[], None] | None = None,
) -> PollResult:
    """Read up to `limit` messages (INBOUND_MAIL_BATCH) from the mailbox once; `keep_alive`
    is called after each message (the beat's lock is renewed by it)."""
    mailbox = Mailbox.from_url(url or settings.INBOUND_MAIL_URL)
    limit = limit or int(outbox_setting("INBOUND_MAIL_BATCH"))
    client = mailbox.connect()
    try:
        for name in (
            outbox_setting("INBOUND_MAIL_PROCESSED_FOLDER"),
            outbox_setting("INBOUND_MAIL_FAILED_FOLDER"),
        ):
            if not client.folder_exists(name):
                client.create_folder(name)
        selected = client.select_folder(mailbox.folder)
        run = _Poll(client, mailbox, int(selected[b"UIDVALIDITY"]))
        uids = sorted(client.search(["NOT", "DELETED"]))[:limit]
        for start in range(0, len(uids), _CHUNK):
            chunk = uids[start : start + _CHUNK]
            metas = client.fetch(chunk, ["RFC822.SIZE", "INTERNALDATE", _FETCH_HEADER])
            for uid in chunk:
                if uid in metas:
                    run.one(uid, metas[uid])
                if keep_alive is not None:
                    keep_alive()
        return run.result
    finally:
        try:
            client.logout()
        except Exception:
            client.shutdown()


def _renewer(lock: Any) -> Callable[[], None] | None:
    """Renews the lock's time while the poll works: the lock is short (a poll killed by a
    SIGKILL keeps the next one away only that long), a long poll still holds it throughout."""
    if lock is None:
        return None

    def renew() -> None:
        try:
            lock.reacquire()
        except Exception as exc:  # lost (expired) or Redis gone: the poll goes on regardless
            logger.info("mailbox lock not renewed: %s", exc)

    return renew


def poll_once_locked() -> PollResult | None:
    """The beat task's poll: None when no mailbox is set, another poll holds the lock, Redis
    cannot be reached (this round is skipped) or the mailbox cannot be read (logged)."""
    if not settings.INBOUND_MAIL_URL:
        return None
    lock = None
    if settings.REDIS_URL:  # without Redis (the embedded broker) there is one beat, no lock
        import redis

        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=1.0, socket_timeout=2.0
        )
        lock = client.lock(
            "partnerskap:poll-mailbox",
            timeout=float(outbox_setting("INBOUND_MAIL_LOCK_SECONDS")),
            blocking=False,
        )
        try:
            if not lock.acquire():
                logger.info("mailbox poll skipped: another poll holds the lock")
                return None
        except redis.RedisError as exc:
            logger.warning("mailbox poll skipped: Redis cannot be reached (%s)", exc)
            return None
    try:
        result = poll(keep_alive=_renewer(lock))
        logger.info("mailbox polled: %s", result)
        return result
    except (OSError, IMAPClientError, ValueError) as exc:  # the server, or the URL
        logger.warning("mailbox poll failed: %s", exc)
        return None
    except Exception:  # e.g. the database went away: the next round tries again
        logger.exception("mailbox poll failed")
        return None
    finally:
        if lock is not None:
            try:
                lock.release()
            except Exception as exc:  # expired meanwhile, or Redis gone: it expires on its own
                logger.info("mailbox lock not released: %s", exc)
