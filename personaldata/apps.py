from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PersonalDataConfig(AppConfig):
    name = "personaldata"
    verbose_name = _("Personal data")

    def ready(self) -> None:
        from . import outbox  # noqa: F401  (registers the outbox's provider, after the apps')
