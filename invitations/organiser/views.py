"""The organiser's invitation pages: events, send-outs, reminders, group messages, people."""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import DataAccess, Event, Registration
from events.selectors.organiser import organised_events
from events.services.access_log import record_data_access
from partners.forms import NewOrganisationsForm
from partners.import_previews import forget_import, keep_import, kept_import
from partners.models import Network, OrganisationMembership, Person
from partners.permissions import organiser_required
from partners.selectors import organised_networks
from partners.services import ImportReport, ImportSource, import_people

from ..exports import invitations_xlsx
from ..models import EventReminderSettings, Invitation, SendOut
from ..selectors import (
    event_invitations,
    event_overview,
    person_history,
    selected_people,
    sendout_progress,
)
from ..services.errors import InvitationError
from ..services.group_messages import create_group_message
from ..services.reminders import update_reminder_settings
from ..services.sendouts import (
    NewPeopleRefused,
    create_sendout_with_new_people,
    preview_invitation,
    schedule_sendout,
)
from .forms import GroupMessageForm, ReminderSettingsForm, ScheduleForm, SendOutForm

PAGE_SIZE = 100


def _event_for(request: HttpRequest, event_id: int) -> Event:
    """An event the organiser may see; any other is a 404, never a hint that it exists."""
    return get_object_or_404(
        organised_events(request.user).select_related("network", "host"), pk=event_id
    )


def _organiser(request: HttpRequest) -> User:
    """The signed-in organiser (organiser_required lets no one else in)."""
    assert isinstance(request.user, User)
    return request.user


def _sendout_for(request: HttpRequest, pk: int) -> SendOut:
    return get_object_or_404(
        SendOut.objects.select_related("event", "event__network", "created_by").filter(
            event__in=organised_events(request.user)
        ),
        pk=pk,
    )


@organiser_required
def event_list(request: HttpRequest) -> HttpResponse:
    events = (
        organised_events(request.user)
        .filter(ends_at__gt=timezone.now() - dt.timedelta(days=30))
        .select_related("network")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count(
                "invitations",
                filter=~Q(invitations__state=Invitation.State.PENDING),
                distinct=True,
            ),
        )
        .order_by("starts_at", "pk")
    )
    return render(request, "invitations/organiser/event_list.html", {"events": events})


@organiser_required
def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_for(request, event_id)
    state = request.GET.get("svar", "")
    invitations = event_invitations(event).select_related("person")
    if state in Invitation.State.values:
        invitations = invitations.filter(state=state)
    try:
        page = min(max(int(request.GET.get("side", "1")), 1), 100_000)
    except ValueError:
        page = 1
    shown = list(invitations[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    reminder_settings = EventReminderSettings.objects.filter(event=event).first()
    context = {
        "event": event,
        "overview": event_overview(event),
        "invitations": shown[:PAGE_SIZE],
        "page": page,
        "has_next": len(shown) > PAGE_SIZE,
        "state_filter": state,
        "states": Invitation.State.choices,
        "sendouts": SendOut.objects.filter(event=event).select_related("created_by"),
        "reminder_form": ReminderSettingsForm(
            instance=reminder_settings or EventReminderSettings(event=event)
        ),
        "message_form": GroupMessageForm(),
    }
    return render(request, "invitations/organiser/event_detail.html", context)


def _selection_from(form: SendOutForm) -> dict[str, Any]:
    data = form.cleaned_data
    roles = [(n.pk, OrganisationMembership.Role.MEMBER) for n in data["member_organisations_of"]]
    roles += [
        (n.pk, OrganisationMembership.Role.OBSERVER) for n in data["observer_organisations_of"]
    ]
    return {
        "network_ids": [n.pk for n in data["networks"]],
        "organisation_ids": [o.pk for o in data["organisations"]],
        "organisation_roles": roles,
        "person_emails": data["people"],
    }


def _new_organisations_key(event: Event) -> str:
    return "sendout-new-organisations:%d" % event.pk


def _ask_for_sectors(
    request: HttpRequest,
    event: Event,
    report: ImportReport,
    *,
    post: dict[str, list[str]],
    sources: list[ImportSource],
    form: NewOrganisationsForm | None = None,
    token: str | None = None,
) -> HttpResponse:
    """The new people name organisations the registry lacks: keep the whole submission (the
    choices, the pasted list and the file) on the server, and ask for a sector for each."""
    names = [o.name for o in report.new_organisations]
    if token is None:
        token = keep_import(
            request.session, _new_organisations_key(event), sources=sources, names=names, post=post
        )
    form = form or NewOrganisationsForm(names=names)
    return render(
        request,
        "invitations/organiser/sendout_new_organisations.html",
        {
            "event": event,
            "report": report,
            "token": token,
            "form": form,
            "new_organisations": form.rows_of(report),
        },
        status=422 if form.errors else 200,
    )


def _submitted(post: Any) -> dict[str, list[str]]:
    return {key: post.getlist(key) for key in post if key != "csrfmiddlewaretoken"}


def _create_sendout(
    request: HttpRequest,
    event: Event,
    form: SendOutForm,
    sources: list[ImportSource],
    new_organisations: dict[str, str] | None = None,
) -> tuple[SendOut | None, ImportReport | None]:
    """Create the draft, or put the refusal on the form; returns (send-out or None, report)."""
    try:
        return create_sendout_with_new_people(
            event=event,
            created_by=_organiser(request),
            new_people=sources,
            new_organisations=new_organisations,
            message=form.cleaned_data["message"],
            **_selection_from(form),
        )
    except NewPeopleRefused as error:
        if not error.report.only_organisations_to_confirm:
            form.add_error(None, error.message)
        return None, error.report
    except InvitationError as error:
        form.add_error(None, error.message)
        return None, None


@organiser_required
def sendout_create(request: HttpRequest, event_id: int) -> HttpResponse:
    """Choose who to invite. Pasted and uploaded new people are imported together; if they name
    organisations the registry lacks, a confirmation page asks for their sectors first."""
    event = _event_for(request, event_id)
    networks = organised_networks(request.user)
    if request.method == "POST" and "confirm_organisations" in request.POST:
        return _confirm_sendout_organisations(request, event, networks)
    form = SendOutForm(request.POST or None, request.FILES or None, networks=networks)
    import_report = None
    if request.method == "POST" and form.is_valid():
        sources = form.csv_sources()
        sendout, import_report = _create_sendout(request, event, form, sources)
        if sendout is not None:
            return redirect("invitations_organiser:sendout", sendout_id=sendout.pk)
        if import_report is not None and not form.errors:
            return _ask_for_sectors(
                request, event, import_report, post=_submitted(request.POST), sources=sources
            )
    return render(
        request,
        "invitations/organiser/sendout_form.html",
        {"event": event, "form": form, "import_report": import_report},
    )


def _confirm_sendout_organisations(
    request: HttpRequest, event: Event, networks: QuerySet[Network]
) -> HttpResponse:
    kept = kept_import(
        request.session,
        _new_organisations_key(event),
        request.POST.get("confirm_organisations"),
    )
    if kept is None or "post" not in kept.extra:
        messages.error(
            request, _("This confirmation is no longer available. Fill in the form again.")
        )
        return redirect("invitations_organiser:sendout_create", event_id=event.pk)
    post = QueryDict(mutable=True)
    for key, values in kept.extra["post"].items():
        post.setlist(key, values)
    form = SendOutForm(post, networks=networks)
    sources = kept.sources
    sectors = NewOrganisationsForm(request.POST, names=kept.names)
    import_report = None
    if form.is_valid() and not sectors.is_valid() and event.network is not None:
        import_report = import_people(network=event.network, sources=sources, dry_run=True)
        return _ask_for_sectors(
            request,
            event,
            import_report,
            post=kept.extra["post"],
            sources=sources,
            form=sectors,
            token=kept.token,
        )
    if form.is_valid():
        # Sectors unchosen here only when the event has no network now: the service says so.
        chosen = sectors.sectors() if sectors.is_valid() else None
        sendout, import_report = _create_sendout(
            request, event, form, sources, new_organisations=chosen
        )
        if sendout is not None:
            forget_import(request.session, _new_organisations_key(event))
            return redirect("invitations_organiser:sendout", sendout_id=sendout.pk)
        if import_report is not None and not form.errors:
            # The registry changed meanwhile: ask again for what is new now.
            return _ask_for_sectors(
                request, event, import_report, post=kept.extra["post"], sources=sources
            )
    return render(
        request,
        "invitations/organiser/sendout_form.html",
        {"event": event, "form": form, "import_report": import_report},
    )


@organiser_required
def sendout_detail(request: HttpRequest, sendout_id: int) -> HttpResponse:
    sendout = _sendout_for(request, sendout_id)
    context: dict[str, Any] = {
        "sendout": sendout,
        "event": sendout.event,
        "progress": sendout_progress(sendout),
    }
    if sendout.state == SendOut.State.DRAFT:
        people = selected_people(sendout.selection)
        sample: Person | None = None
        person_id = request.GET.get("person", "")
        if person_id.isdigit():
            sample = people.filter(pk=int(person_id)).first()
        sample = sample or people.order_by("name", "pk").first()
        context.update(
            estimated=people.count(),
            sample=sample,
            previews=preview_invitation(sendout=sendout, person=sample),
            schedule_form=ScheduleForm(),
        )
    return render(request, "invitations/organiser/sendout_detail.html", context)


@organiser_required
def sendout_schedule(request: HttpRequest, sendout_id: int) -> HttpResponse:
    sendout = _sendout_for(request, sendout_id)  # scope first: another network's organiser gets 404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ScheduleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid time."))
        return redirect("invitations_organiser:sendout", sendout_id=sendout.pk)
    send_at = form.cleaned_data["send_at"] if "schedule" in request.POST else None
    if "schedule" in request.POST and send_at is None:
        messages.error(request, _("Choose when to send."))
        return redirect("invitations_organiser:sendout", sendout_id=sendout.pk)
    try:
        schedule_sendout(sendout_id=sendout.pk, send_at=send_at)
    except InvitationError as error:
        messages.error(request, str(error.message))
    return redirect("invitations_organiser:sendout", sendout_id=sendout.pk)


@organiser_required
def event_export(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_for(request, event_id)
    record_data_access(request=request, kind=DataAccess.Kind.INVITATIONS_EXPORTED, event=event)
    response = HttpResponse(
        invitations_xlsx(event=event),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="invitasjoner-%s.xlsx"' % event.pk
    return response


@organiser_required
def event_reminders(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_for(request, event_id)  # scope first: another network's organiser gets 404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ReminderSettingsForm(request.POST)
    if form.is_valid():
        update_reminder_settings(event=event, **form.cleaned_data)
        messages.success(request, _("The reminder settings are saved."))
    else:
        messages.error(request, _("Choose a number of days, or leave the field empty."))
    return redirect("invitations_organiser:event", event_id=event.pk)


@organiser_required
def event_message(request: HttpRequest, event_id: int) -> HttpResponse:
    event = _event_for(request, event_id)
    form = GroupMessageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            create_group_message(event=event, created_by=_organiser(request), **form.cleaned_data)
        except InvitationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The message is on its way."))
            return redirect("invitations_organiser:event", event_id=event.pk)
    return render(
        request, "invitations/organiser/message_form.html", {"event": event, "form": form}
    )


@organiser_required
def person_detail(request: HttpRequest, event_id: int, person_id: int) -> HttpResponse:
    event = _event_for(request, event_id)
    person = get_object_or_404(Person.objects.select_related("organisation"), pk=person_id)
    events = organised_events(request.user)
    if not (
        Invitation.objects.filter(event=event, person=person).exists()
        or Registration.objects.filter(event=event, person=person).exists()
    ):
        raise Http404
    history = person_history(person, events=events)
    titles = dict(events.values_list("pk", "title"))
    for message in history["messages"]:
        message.event_title = titles.get(message.event_ref, "")
    return render(
        request,
        "invitations/organiser/person_detail.html",
        {"event": event, "person": person, **history},
    )
