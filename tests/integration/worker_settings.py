"""Settings for the Celery worker the integration tests start: production settings with the
outbox's delays shortened, and the sweep every second (DATABASE_URL, REDIS_URL and EMAIL_URL
come from the fixture's environment as usual)."""

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
