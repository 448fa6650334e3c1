from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Event, Registration


def event_list(request: HttpRequest) -> HttpResponse:
    events = Event.objects.filter(status=Event.Status.PUBLISHED).select_related("network", "host")
    return render(request, "events/event_list.html", {"events": events})


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_object_or_404(Event.objects.exclude(status=Event.Status.DRAFT), pk=pk)
    return render(request, "events/event_detail.html", {"event": event})


def manage_registration(request: HttpRequest, token: str) -> HttpResponse:
    registration = get_object_or_404(Registration.objects.select_related("event"), token=token)
    return render(request, "events/manage.html", {"registration": registration})
