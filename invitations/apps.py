from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvitationsConfig(AppConfig):
    name = "invitations"
    verbose_name = _("Invitations")

    def ready(self) -> None:
        from worker.handlers import register_inbound_handler

        from . import personal_data  # noqa: F401  (registers the personal data provider)
        from .services.inbound import handle_inbound

        # Calendar answers, bounces and replies from the mailbox (worker/mailbox.py).
        register_inbound_handler(handle_inbound)
