from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from . import (
            emails,  # noqa: F401  (registers the outbox composers)
            personal_data,  # noqa: F401  (registers the personal data provider)
        )

        # The event's revision and this process's copies of public events (events.signals).
        from .signals import connect

        connect()
