"""Settings for the Celery worker the integration tests start: production settings with the
outbox's delays shortened, and the sweep every second (DATABASE_URL, REDIS_URL and EMAIL_URL
come from the fixture's environment as usual)."""

import os

from config import settings as _production
from config.settings import *  # noqa: F403

OUTBOX_RETRY_BASE_SECONDS = 0.4
OUTBOX_RETRY_CAP_SECONDS = 1.5
OUTBOX_SENDING_TIMEOUT_SECONDS = 4.0
OUTBOX_QUEUED_GRACE_SECONDS = 3.0
CELERY_BEAT_SCHEDULE = {
    "sweep-outbox": {
        "task": "worker.sweep_outbox",
        "schedule": 1.0,
        "options": {"queue": "default", "expires": 5},
    },
}
# The mailbox tests (test_mailbox_answers.py) start the worker with INBOUND_MAIL_URL: its beat
# polls the mailbox as production's does, every INBOUND_MAIL_POLL_SECONDS of that environment.
# The beat applies, every second, the calendar answers a killed worker left (production: a
# minute).
if INBOUND_MAIL_URL:  # noqa: F405
    CELERY_BEAT_SCHEDULE["poll-mailbox"] = {
        "task": "worker.poll_mailbox",
        "schedule": INBOUND_MAIL_POLL_SECONDS,  # noqa: F405
        "options": {"queue": "default", "expires": INBOUND_MAIL_POLL_SECONDS},  # noqa: F405
    }
    for _name, _entry in _production.CELERY_BEAT_SCHEDULE.items():
        if _entry["task"] == "invitations.apply_pending_replies":
            CELERY_BEAT_SCHEDULE[_name] = {**_entry, "schedule": 1.0, "options": {"expires": 5}}
# The feedback tests (test_feedback_survey.py) ask for the beat's survey task every second.
if os.environ.get("FEEDBACK_BEAT_SECONDS"):
    CELERY_BEAT_SCHEDULE["feedback-send-surveys"] = {
        "task": "feedback.send_due_surveys",
        "schedule": float(os.environ["FEEDBACK_BEAT_SECONDS"]),
        "options": {"expires": 5},
    }
