"""The benchmark's yardstick page (bench.reference): served only by bench.settings, signed-in
people only, and it lists the signer's own entries — never anyone else's."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from bench import settings as bench_settings
from reflections.models import Entry, Task

pytestmark = pytest.mark.django_db

BENCH = override_settings(ROOT_URLCONF="bench.reference", TEMPLATES=bench_settings.TEMPLATES)


def write(person, title):
    return Entry.objects.create(
        author=person,
        task=Task.CONNECTION,
        title=title,
        body="We talked on the bus.",
        week=dt.date(2026, 11, 16),
    )


def test_the_app_does_not_serve_it(client_for, author):
    with pytest.raises(NoReverseMatch):
        reverse("bench-bare-list")
    assert client_for(author).get("/bench/bare-list/").status_code == 404


@BENCH
def test_anonymous_people_are_sent_to_sign_in(client):
    response = client.get("/bench/bare-list/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@BENCH
def test_it_lists_the_signed_in_persons_own_entries_only(client_for, author, peer, stranger):
    write(author, "Sitting with the quiet after group")
    write(peer, "When I wanted to fix it for Dee")
    page = client_for(author).get("/bench/bare-list/")
    assert page.status_code == 200
    assert "Sitting with the quiet after group" in page.text
    assert "When I wanted to fix it for Dee" not in page.text
    assert "Sitting with the quiet after group" not in client_for(stranger).get("/bench/bare-list/").text
    # The rest of the app is served as usual under the benchmark's settings.
    assert client_for(author).get("/").status_code == 200
