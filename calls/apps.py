from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = _("Calls for input")

    def ready(self) -> None:
        from . import personal_data  # noqa: F401  (registers the personal data provider)
