"""Public routes under /innspill/ (the organisers' routes are the organiser app's)."""

from django.urls import path, register_converter

from . import opt_out, views


class CallIdConverter:
    """Primary keys: digits that fit a bigint, so an absurd number is a 404 and never a 500."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(CallIdConverter, "call_id")

app_name = "calls"
urlpatterns = [
    path("", views.call_list, name="list"),
    path("invitasjon/<str:token>/", views.invited, name="invited"),
    path("invitasjon/<str:token>/avmeld/", opt_out.opt_out, name="opt_out"),
    path("avmelding/<str:token>/angre/", opt_out.opt_out_undo, name="opt_out_undo"),
    path("svar/<str:token>/", views.answer_detail, name="answer"),
    path("svar/<str:token>/endre/", views.answer_change, name="answer_change"),
    path("svar/<str:token>/trekk/", views.answer_withdraw, name="answer_withdraw"),
    path(
        "svar/<str:token>/vedlegg/<call_id:pk>/", views.answer_attachment, name="answer_attachment"
    ),
    path("<slug:slug>/", views.call_detail, name="detail"),
    path(
        "<slug:slug>/svar/<call_id:answer_id>/vedlegg/<call_id:pk>/",
        views.call_attachment,
        name="call_attachment",
    ),
]
