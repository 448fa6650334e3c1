"""The demo's calls, the list and archive at /innspill/, and open calls on the home and
network pages."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.demo import OPEN_SLUG, SOURCE_SLUG, seed_calls
from calls.models import Answer, Call
from tests.factories import CallFactory


@pytest.fixture
def demo_calls(demo):
    seed_calls()
    return Call.objects.get(slug=SOURCE_SLUG), Call.objects.get(slug=OPEN_SLUG)


def test_the_source_texts_call_is_in_the_archive(client, demo_calls):
    source, open_call = demo_calls
    client.cookies["django_language"] = "nb"
    page = client.get("/innspill/").content.decode()
    assert page.index(open_call.title) < page.index("Tidligere innspillsrunder")
    assert page.index("Tidligere innspillsrunder") < page.index(source.title)
    assert "Fristen var <time" in page and "27. desember 2023</time>" in page
    detail = client.get(source.get_absolute_url()).content.decode()
    assert "Tom Omnes Lia" in detail and "Fristen er ute" in detail
    published = Answer.objects.filter(call=source, published=True)
    assert published.count() == 3 and Answer.objects.filter(call=source).count() == 5
    for answer in Answer.objects.filter(call=source):
        shown = answer.texts.first().text in detail
        assert shown == answer.published, answer.name


def test_the_seed_changes_nothing_the_second_time(demo_calls):
    before = (Call.objects.count(), Answer.objects.count())
    seed_calls()
    assert (Call.objects.count(), Answer.objects.count()) == before


def test_seed_demo_builds_the_calls(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert Call.objects.filter(slug=SOURCE_SLUG, host__slug="telemark").exists()
    assert Call.objects.get(slug=OPEN_SLUG).is_open(timezone.now())


def test_home_and_network_pages_list_open_calls(client, demo_calls):
    source, open_call = demo_calls
    home = client.get("/").content.decode()
    assert open_call.title in home and source.title not in home
    network = client.get(open_call.network.get_absolute_url()).content.decode()
    assert open_call.title in network
    other = CallFactory(title="Et annet nettverks innspill")
    assert other.title not in client.get(open_call.network.get_absolute_url()).content.decode()


def test_drafts_and_future_calls_are_not_on_the_home_page(client, db):
    CallFactory(title="Utkastet", status=Call.Status.DRAFT)
    CallFactory(title="Kommer senere", opens_at=timezone.now() + dt.timedelta(days=1))
    home = client.get("/").content.decode()
    assert "Utkastet" not in home and "Kommer senere" not in home
    assert client.get("/innspill/%s/" % Call.objects.get(title="Utkastet").slug).status_code == 404


def test_the_list_costs_the_same_queries_for_one_and_many(client, db, django_assert_num_queries):
    CallFactory()
    client.get("/innspill/")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/innspill/")
    for _ in range(5):
        CallFactory(
            closes_at=timezone.now() - dt.timedelta(days=1),
            opens_at=timezone.now() - dt.timedelta(days=9),
        )
    with django_assert_num_queries(len(one.captured_queries)):
        client.get("/innspill/")


@pytest.mark.parametrize(("language", "label"), [("nb", "Innspill"), ("nn", "Innspel")])
def test_every_page_links_the_calls_from_the_main_menu(client, db, language, label):
    client.cookies["django_language"] = language
    html = client.get("/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    menu = html.split('<nav aria-label="', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/innspill/">%s</a>' % label in menu
    listing = client.get("/innspill/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert '<a href="/innspill/" aria-current="page">%s</a>' % label in listing
