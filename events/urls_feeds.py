from django.urls import path

from . import feeds

app_name = "feeds"
urlpatterns = [
    path("arrangement/<int:pk>.ics", feeds.event_calendar, name="event"),
    path("nettverk/<slug:slug>.ics", feeds.network_calendar, name="network"),
    path("person/<str:token>.ics", feeds.personal_calendar, name="person"),
]
