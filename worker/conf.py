"""Worker tunables (the outbox, the inbound mailbox). Defaults live here; a settings module may override any of them by name.

config/settings.py sets none of them, so production runs on these defaults; the integration
tests start their worker with tests/integration/worker_settings.py, which shortens the delays.
"""

from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    # Rows per send task: one SMTP connection, one claim query per batch.
    "OUTBOX_BATCH_SIZE": 25,
    # Temporary failures: delay = min(cap, base * 2 ** (attempts - 1)), then a random share of
    # it (between half and all of it). The cap stays far below the Redis visibility_timeout
    # (3 h in config/settings.py): an ETA task that waits longer than that is delivered twice.
    "OUTBOX_RETRY_BASE_SECONDS": 30.0,
    "OUTBOX_RETRY_CAP_SECONDS": 15 * 60.0,
    # Attempts in all, the first one included; 12 covers about two hours of SMTP outage.
    "OUTBOX_MAX_ATTEMPTS": 12,
    # A row left in "sending" this long has lost its worker; it may be claimed again.
    # Must exceed the longest real SMTP transaction (EMAIL_TIMEOUT per command).
    "OUTBOX_SENDING_TIMEOUT_SECONDS": 10 * 60.0,
    # A queued or due row that no task has taken this long is enqueued again by the sweep.
    "OUTBOX_QUEUED_GRACE_SECONDS": 2 * 60.0,
    # Rows written for composing (the registration receipts) are not enqueued one by one: the
    # first commit in this window enqueues one task that runs when the window closes and sends
    # every queued row (worker.services.nudge_delivery). Adds at most this much latency.
    "OUTBOX_COALESCE_SECONDS": 0.25,
    # Upper bound on rows one sweep run enqueues.
    "OUTBOX_SWEEP_LIMIT": 5000,
    # After a publish hung until its socket timeouts, a process publishes nothing for this
    # long (the rows are committed; the sweep enqueues them). A hung Redis otherwise cost
    # every request those timeouts (worker.services.enqueue_delivery).
    "OUTBOX_BROKER_REST_SECONDS": 5.0,
}


def outbox_setting(name: str) -> Any:
    return getattr(settings, name, DEFAULTS[name])


# The inbound mailbox (worker/mailbox.py). INBOUND_MAIL_URL and INBOUND_MAIL_POLL_SECONDS are
# read from the environment in config/settings.py; these are tunables.
DEFAULTS.update(
    {
        # Larger messages go to the Failed folder unread (RFC822.SIZE as the server says it).
        "INBOUND_MAIL_MAX_BYTES": 10 * 1024 * 1024,
        # Messages one poll reads at most; the next poll goes on.
        "INBOUND_MAIL_BATCH": 500,
        "INBOUND_MAIL_PROCESSED_FOLDER": "Processed",
        "INBOUND_MAIL_FAILED_FOLDER": "Failed",
        # Per IMAP command.
        "INBOUND_MAIL_TIMEOUT_SECONDS": 30,
        # The Redis lock that keeps two beats from polling at once, renewed after every message
        # (worker.mailbox): a poll killed mid-batch keeps the next one away only this long.
        "INBOUND_MAIL_LOCK_SECONDS": 120,
    }
)
