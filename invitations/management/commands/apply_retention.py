from django.core.management.base import BaseCommand

from calls.services.retention import anonymise_answers
from events.services.retention import apply_retention
from feedback.services.retention import apply_feedback_retention
from invitations.services.retention import anonymise_invitations
from personaldata.services import purge_expired_links


class Command(BaseCommand):
    help = (
        "Delete dietary/assistance needs, and anonymise participants, invitations, answers to "
        "calls for input, survey invitations and answers, and sent emails whose retention period has passed, and the access log's old records (also run daily by "
        "Celery beat)."
    )

    def handle(self, *args, **options):
        # Feedback first: it removes the respondents' names from free texts, which the
        # events' retention then takes from the registrations.
        feedback = apply_feedback_retention()
        result = apply_retention()
        invitations = anonymise_invitations()
        calls = anonymise_answers()
        links = purge_expired_links()
        self.stdout.write(
            "Special needs deleted: %d; registrations anonymised: %d; invitations anonymised: %d; "
            "API idempotency records deleted: %d; access log records deleted: %d"
            % (
                result.special_needs_deleted,
                result.anonymised,
                invitations,
                result.idempotency_records_deleted,
                result.access_records_deleted,
            )
        )
        self.stdout.write(
            "Answers to calls for input anonymised: %d (attachments deleted: %d); "
            "invitations to answer anonymised: %d"
            % (calls.answers_anonymised, calls.attachments_deleted, calls.invitations_anonymised)
        )
        self.stdout.write(
            "Survey invitations anonymised: %d; survey answers unlinked from the participant: %d"
            % (feedback.invitations_anonymised, feedback.responses_unlinked)
        )
        self.stdout.write("Expired links to personal data deleted: %d" % links)
