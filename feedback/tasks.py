"""Celery tasks of the feedback app: thin wrappers around services."""

from celery import shared_task

from .services import sending


@shared_task(name="feedback.send_due_surveys")
def send_due_surveys() -> dict[str, int]:
    """Every 5 minutes: surveys whose event ended their hours ago, then the reminders due."""
    return {
        "invited": sending.send_due_surveys(),
        "reminded": sending.send_survey_reminders(),
    }
