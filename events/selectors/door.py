"""Reads for the conference day: who gets a badge, the door list, each session's participants
and its check-ins. Each is a fixed number of queries, however many people."""

import unicodedata

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from ..models import BadgePrint, Event, Registration, Session, SessionCheckIn, SessionChoice

# Æ, ø and å after z, in that order ("{", "|" and "}" follow "z" in ASCII); the Sámi đ, ŋ and
# ŧ, which have no decomposition, each after its base letter.
_OWN_LETTERS = str.maketrans({"æ": "{", "ø": "|", "å": "}", "đ": "d{", "ŋ": "n{", "ŧ": "t{"})


def alphabetical_key(name: str) -> str:
    """A name's place in Norwegian alphabetical order: case and accents aside (Č with C, á
    with a), æ, ø and å last, đ after d."""
    lowered = name.casefold().translate(_OWN_LETTERS)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _alphabetical(registrations: QuerySet[Registration]) -> list[Registration]:
    return sorted(registrations, key=lambda r: (alphabetical_key(r.name), r.pk))


def confirmed(event: Event) -> QuerySet[Registration]:
    return Registration.objects.filter(
        event=event, status=Registration.Status.CONFIRMED
    ).select_related("organisation")


def unprinted(event: Event) -> QuerySet[Registration]:
    """The confirmed participants no earlier print held (registered or confirmed since,
    whatever their registration date)."""
    printed = BadgePrint.registrations.through.objects.filter(
        registration=OuterRef("pk"), badgeprint__event=event
    )
    return confirmed(event).exclude(Exists(printed))


def badge_registrations(event: Event, *, since_last_print: bool) -> list[Registration]:
    """The confirmed participants, alphabetical; `since_last_print`: only the `unprinted`."""
    return _alphabetical(unprinted(event) if since_last_print else confirmed(event))


def last_badge_print(event: Event) -> BadgePrint | None:
    return (
        BadgePrint.objects.filter(event=event)
        .annotate(badge_count=Count("registrations"))
        .order_by("-printed_at", "-id")
        .first()
    )


def door_list(event: Event) -> list[Registration]:
    """Everyone confirmed, alphabetical: the door list."""
    return _alphabetical(confirmed(event))


def signup_sessions(event: Event) -> QuerySet[Session]:
    """The event's sessions with their own sign-up, with how many chose and checked in."""
    active = Q(choices__registration__status=Registration.Status.CONFIRMED)
    return (
        Session.objects.filter(event=event, requires_signup=True)
        .annotate(
            participant_count=Count("choices", filter=active),
            checked_in_count=Count("choices", filter=active & Q(choices__check_in__isnull=False)),
        )
        .order_by("starts_at", "id")
    )


def get_signup_session(event: Event, session_id: int) -> Session | None:
    return signup_sessions(event).filter(pk=session_id).first()


def session_participants(session: Session) -> list[Registration]:
    """The confirmed participants who chose the session, alphabetical; each with
    `session_check_in` (the SessionCheckIn or None)."""
    registrations = Registration.objects.filter(
        status=Registration.Status.CONFIRMED, session_choices__session=session
    ).select_related("organisation")
    registrations = registrations.prefetch_related(
        Prefetch(
            "session_choices",
            queryset=SessionChoice.objects.filter(session=session).select_related("check_in"),
            to_attr="this_session",
        )
    )
    people = _alphabetical(registrations)
    for registration in people:
        choice = registration.this_session[0]  # type: ignore[attr-defined]
        try:
            registration.session_check_in = choice.check_in  # type: ignore[attr-defined]
        except SessionCheckIn.DoesNotExist:
            registration.session_check_in = None  # type: ignore[attr-defined]
    return people
