"""The bare app's one route: POST a registration as JSON, one INSERT, 201 with its id."""

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.urls import path

TABLE = "bench_bare_registration"

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS bench_bare_registration (
    id bigserial PRIMARY KEY,
    name varchar(200) NOT NULL,
    email varchar(254) NOT NULL,
    organisation varchar(200) NOT NULL,
    title varchar(200) NOT NULL,
    language varchar(5) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX IF NOT EXISTS bench_bare_registration_email
    ON bench_bare_registration (lower(email));
"""

INSERT = (
    "INSERT INTO bench_bare_registration (name, email, organisation, title, language) "
    "VALUES (%s, %s, %s, %s, %s) RETURNING id"
)


def register(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return HttpResponse("ready")  # the bench waits for this before it starts
    data = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            INSERT,
            [
                str(data["name"])[:200],
                str(data["email"])[:254],
                str(data.get("organisation", ""))[:200],
                str(data.get("title", ""))[:200],
                str(data.get("language", "nb"))[:5],
            ],
        )
        (pk,) = cursor.fetchone()
    return HttpResponse(json.dumps({"id": pk}), status=201, content_type="application/json")


urlpatterns = [path("registrations", register)]
