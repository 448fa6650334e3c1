"""Two first sign-ins of one subject at the same moment (a double click on the provider's
page) end with one account and one identity, and both requests signed in: never a 500."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.utils import timezone

from partners.models import OrganiserIdentity
from partners.services import sign_in
from partners.services.sign_in import ProviderSignInOutcome, sign_in_with_provider

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        message = "this race needs PostgreSQL (SQLite lets one writer in at a time)"
        if os.environ.get("PARTNERSKAP_REQUIRE_INTEGRATION") == "1":
            pytest.fail(message)
        pytest.skip(message)


def test_two_first_sign_ins_of_one_subject_at_once_make_one_account(monkeypatch):
    # Both requests pass the "no identity yet" check before either makes the account.
    both_looked = threading.Barrier(2, timeout=30)
    make_account = sign_in._new_account

    def after_both_looked(**kwargs):
        both_looked.wait()
        return make_account(**kwargs)

    monkeypatch.setattr(sign_in, "_new_account", after_both_looked)

    def one_sign_in():
        try:
            return sign_in_with_provider(
                issuer="https://login.example.org",
                subject="subject-1",
                email="kari@vestfoldfylke.example.org",
                name="Kari Nordmann",
                roles=["partnerskap-arrangor"],
                organiser_role="partnerskap-arrangor",
                now=timezone.now(),
            )
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [f.result(timeout=60) for f in [pool.submit(one_sign_in) for _ in range(2)]]

    assert sorted(r.outcome for r in results) == sorted(
        [ProviderSignInOutcome.CREATED, ProviderSignInOutcome.SIGNED_IN]
    )
    assert results[0].user.pk == results[1].user.pk
    assert get_user_model().objects.count() == 1
    assert OrganiserIdentity.objects.count() == 1
