"""One date format everywhere (events/dates.py): what a reader sees in each language."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import translation

from events import dates

OSLO = ZoneInfo("Europe/Oslo")


def oslo(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=OSLO)


SAME_DAY = SimpleNamespace(starts_at=oslo(2027, 1, 20, 10), ends_at=oslo(2027, 1, 20, 15))
CROSS_DAY = SimpleNamespace(starts_at=oslo(2027, 1, 20, 10), ends_at=oslo(2027, 1, 21, 15, 30))
TUESDAY = SimpleNamespace(starts_at=oslo(2027, 1, 19, 10), ends_at=oslo(2027, 1, 19, 15))
ALL_DAY = SimpleNamespace(all_day=True, starts_at=oslo(2026, 12, 11), ends_at=oslo(2026, 12, 12))
ALL_DAYS = SimpleNamespace(all_day=True, starts_at=oslo(2026, 12, 11), ends_at=oslo(2026, 12, 14))


@pytest.mark.parametrize(
    ("language", "obj", "expected"),
    [
        ("nb", SAME_DAY, "onsdag 20. januar 2027 kl. 10.00–15.00"),
        ("nn", SAME_DAY, "onsdag 20. januar 2027 kl. 10.00–15.00"),
        ("en", SAME_DAY, "Wednesday 20 January 2027, 10:00–15:00"),
        ("nb", CROSS_DAY, "onsdag 20. januar 2027 kl. 10.00 – torsdag 21. januar 2027 kl. 15.30"),
        ("nn", CROSS_DAY, "onsdag 20. januar 2027 kl. 10.00 – torsdag 21. januar 2027 kl. 15.30"),
        ("en", CROSS_DAY, "Wednesday 20 January 2027, 10:00 – Thursday 21 January 2027, 15:30"),
        ("nb", ALL_DAY, "fredag 11. desember 2026"),
        ("nn", ALL_DAYS, "fredag 11. desember 2026 – søndag 13. desember 2026"),
        ("nn", TUESDAY, "tysdag 19. januar 2027 kl. 10.00–15.00"),
        ("nb", TUESDAY, "tirsdag 19. januar 2027 kl. 10.00–15.00"),
        ("nb", ALL_DAYS, "fredag 11. desember 2026 – søndag 13. desember 2026"),
        ("en", ALL_DAYS, "Friday 11 December 2026 – Sunday 13 December 2026"),
    ],
)
def test_event_time_reads_the_same_in_python_and_templates(language, obj, expected):
    with translation.override(language):
        assert dates.format_when(obj) == expected
        rendered = Template("{% load dates %}{% when obj %}").render(Context({"obj": obj}))
        assert rendered == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", ["fredag 11. desember 2026 kl. 09.05", "11. desember 2026 kl. 09.05", "09.05"]),
        ("nn", ["fredag 11. desember 2026 kl. 09.05", "11. desember 2026 kl. 09.05", "09.05"]),
        ("en", ["Friday 11 December 2026, 09:05", "11 December 2026, 09:05", "09:05"]),
    ],
)
def test_filters_write_month_names_in_lower_case_and_no_abbreviations(language, expected):
    # 08:05 UTC is 09:05 in Oslo in winter.
    moment = dt.datetime(2026, 12, 11, 8, 5, tzinfo=dt.UTC)
    template = Template(
        "{% load dates %}{{ m|local_datetime }}|{{ m|local_datetime:'compact' }}|{{ m|local_time }}"
    )
    with translation.override(language):
        assert template.render(Context({"m": moment})).split("|") == expected


def test_filters_render_nothing_for_an_empty_value():
    template = Template("{% load dates %}[{{ m|local_datetime }}{{ m|local_date }}]")
    assert template.render(Context({"m": None})) == "[]"


def test_summer_time_is_shown_as_oslo_time():
    start = dt.datetime(2027, 6, 3, 7, 0, tzinfo=dt.UTC)  # 09:00 in Oslo (CEST)
    session = SimpleNamespace(starts_at=start, ends_at=start + dt.timedelta(minutes=90))
    with translation.override("nb"):
        assert dates.format_hours(session) == "09.00–10.30"
