"""The profile page: the name peers see and the time zone weeks are counted in."""

import pytest
from django.urls import reverse

PROFILE = reverse("accounts:profile")


def test_it_shows_my_name_time_zone_and_roles(client_for, author, supervisor, other_team):
    response = client_for(author).get(PROFILE)

    assert response.status_code == 200
    assert 'value="Maya Okafor"' in response.text
    assert '<option value="Europe/London" selected>' in response.text
    assert "Riverside Peer Respite</strong> — Peer worker" in response.text
    assert "Harbour Street Peer Centre" not in response.text


def test_it_saves_display_name_and_time_zone(client_for, author):
    response = client_for(author).post(
        PROFILE, {"display_name": "  Maya O.  ", "time_zone": "America/Toronto"}, follow=True
    )

    author.refresh_from_db()
    assert (author.display_name, author.time_zone) == ("Maya O.", "America/Toronto")
    assert response.redirect_chain == [(PROFILE, 302)]
    assert "Your profile is saved." in response.text


@pytest.mark.parametrize("name", ["", "    "])
def test_it_refuses_a_blank_name_and_keeps_the_rest(client_for, author, name):
    response = client_for(author).post(PROFILE, {"display_name": name, "time_zone": "Europe/Lisbon"})

    assert response.status_code == 200
    assert "Please give a name your peers will recognise." in response.text
    assert '<option value="Europe/Lisbon" selected>' in response.text
    author.refresh_from_db()
    assert (author.display_name, author.time_zone) == ("Maya Okafor", "Europe/London")


def test_it_refuses_a_name_too_long_and_keeps_it(client_for, author):
    long_name = "Maya " + "Okafor-" * 12

    response = client_for(author).post(PROFILE, {"display_name": long_name, "time_zone": "Europe/London"})

    assert "Ensure this value has at most 80 characters" in response.text
    assert f'value="{long_name}"' in response.text
    author.refresh_from_db()
    assert author.display_name == "Maya Okafor"


@pytest.mark.parametrize("time_zone", ["Mars/Olympus_Mons", "", "GMT+25"])
def test_it_refuses_an_unknown_time_zone(client_for, author, time_zone):
    response = client_for(author).post(PROFILE, {"display_name": "Maya O.", "time_zone": time_zone})

    assert response.status_code == 200
    assert 'class="errorlist' in response.text
    assert 'value="Maya O."' in response.text
    author.refresh_from_db()
    assert (author.display_name, author.time_zone) == ("Maya Okafor", "Europe/London")


def test_it_changes_only_my_own_profile(client_for, author, peer):
    client_for(author).post(PROFILE, {"display_name": "Maya O.", "time_zone": "Asia/Tokyo"})

    peer.refresh_from_db()
    assert (peer.display_name, peer.time_zone) == ("Sam Lindqvist", "Europe/London")
