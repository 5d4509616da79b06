"""Leaving: “Delete my account” asks for the password again, says plainly what goes and what
stays, then deletes the person's writing and sessions — and nothing in any table still refers to
them."""

from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts import erasure
from accounts import export as exports
from accounts.models import Membership, Role, User
from reflections.models import Entry, PeerPair
from search.models import Document
from search.query import search
from tests.search.world import NOTE_MARKER, PASSWORD, PEER_MARKER, PRIVATE_MARKER

pytestmark = pytest.mark.django_db

DELETE = reverse("accounts:delete")


def references_to(user_pk):
    """Every row of every table (auto-created many-to-many tables too) with a foreign key or
    one-to-one key pointing at this user, found by walking the app registry."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not (field.concrete and isinstance(field, models.ForeignKey)):
                continue
            if field.related_model is not User:
                continue
            count = model._base_manager.filter(**{field.attname: user_pk}).count()
            if count:
                found.append(f"{model._meta.label}.{field.name}: {count}")
    return found


def signed_in_with_password(user):
    """A client that signed in through the form, as a person does (allauth records it)."""
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def reauthenticated(client):
    """Give the password again (allauth's reauthentication), as the delete page will ask."""
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


# --- The page ---------------------------------------------------------------------------------------


def test_the_page_says_what_goes_and_what_stays(client_for, journal):
    response = client_for(journal.author).get(DELETE)

    assert response.status_code == 200
    text = response.text
    assert "2 reflections" in text and "1 reply to a note" in text
    assert "1 note or reply that someone else wrote on your reflections" in text
    assert "Your co-reflection thread with Sam Lindqvist closes." in text
    assert "Their own reflections stay theirs" in text
    assert reverse("accounts:export") in text
    assert "We will ask for your password again" in text


def test_the_only_supervisor_is_warned(client_for, journal):
    response = client_for(journal.supervisor).get(DELETE)

    assert "You are the only supervisor of Riverside Peer Respite." in response.text
    assert "1 review note" in response.text


def test_the_box_must_be_ticked(client_for, journal):
    client = reauthenticated(signed_in_with_password(journal.author))

    response = client.post(DELETE, {})

    assert response.status_code == 400
    assert "Tick the box to confirm" in response.text
    assert User.objects.filter(pk=journal.author.pk).exists()


# --- Re-authentication ----------------------------------------------------------------------------------


def test_deleting_asks_for_the_password_again(client_for, journal):
    client = signed_in_with_password(journal.author)  # signing in is not giving it *again*

    response = client.post(DELETE, {"confirm": "on"})

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_reauthenticate")
    assert User.objects.filter(pk=journal.author.pk).exists()


def test_after_the_password_the_deletion_goes_ahead(client_for, journal):
    author_pk = journal.author.pk
    client = client_for(journal.author)
    to_password = client.post(DELETE, {"confirm": "on"})

    response = client.post(to_password["Location"], {"password": PASSWORD})

    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login")
    assert not User.objects.filter(pk=author_pk).exists()


def test_a_wrong_password_deletes_nothing(client_for, journal):
    client = client_for(journal.author)
    to_password = client.post(DELETE, {"confirm": "on"})

    response = client.post(to_password["Location"], {"password": "not-my-password-at-all"})

    assert response.status_code == 200
    assert User.objects.filter(pk=journal.author.pk).exists()


# --- What is deleted, what stays -------------------------------------------------------------------------


@pytest.fixture
def deleted(journal, django_capture_on_commit_callbacks):
    """Maya signs in (a session of hers on another device), makes an export, then deletes her
    account through the page, password given."""
    journal.author_pk = journal.author.pk
    other_device = signed_in_with_password(journal.author)
    other_device.get(reverse("accounts:profile"))
    journal.export, _queued = exports.start(journal.author)
    journal.export_file = journal.export.file.name
    client = reauthenticated(signed_in_with_password(journal.author))
    with django_capture_on_commit_callbacks(execute=True):  # the files go once the rows have
        response = client.post(DELETE, {"confirm": "on"})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_login"), response["Location"]
    journal.client, journal.other_device = client, other_device
    return journal


def test_no_row_in_any_table_still_refers_to_the_person(deleted):
    assert not User.objects.filter(pk=deleted.author_pk).exists()
    assert references_to(deleted.author_pk) == []


def test_the_walk_over_foreign_keys_would_notice_a_leftover(journal):
    # (The check above is only as good as this walk: it must see the person's rows before.)
    found = references_to(journal.author.pk)

    assert any(line.startswith("reflections.Entry.author") for line in found)
    assert any(line.startswith("notifications.Notification.recipient") for line in found)
    assert any(line.startswith("search.Document.author") for line in found)


def test_their_writing_is_gone_from_search_and_the_index(deleted):
    assert not Document.objects.filter(body__contains=PRIVATE_MARKER).exists()
    assert not Entry.objects.filter(pk__in=[deleted.shared.pk, deleted.private.pk]).exists()
    prepared = search(deleted.peer, "marigold")
    found = {(hit.kind.key, hit.obj.pk) for hit in prepared.hits(prepared.documents[:50])}
    assert found == {("entry", deleted.peer_entry.pk)}


def test_their_peers_own_writing_stays_and_becomes_private_again(deleted):
    entry = Entry.objects.get(pk=deleted.peer_entry.pk)

    assert PEER_MARKER in entry.body
    assert entry.pair is None and entry.shared is None
    assert not PeerPair.objects.filter(pk=deleted.pair.pk).exists()
    # Sam's note answered Maya's entry, which is gone: it goes with it, as the page said.
    assert not Document.objects.filter(body__contains=NOTE_MARKER).exists()


def test_every_session_ends(deleted):
    assert deleted.other_device.get(reverse("accounts:profile")).status_code == 302
    assert deleted.client.get(reverse("accounts:profile")).status_code == 302
    for session in Session.objects.all():
        assert session.get_decoded().get("_auth_user_id") != str(deleted.author_pk)


def test_their_exports_are_deleted_with_the_files(deleted):
    assert not default_storage.exists(deleted.export_file)


def test_the_goodbye_is_kind(deleted):
    response = deleted.client.get(reverse("account_login"))

    assert "Your account and everything you wrote are deleted." in response.text


def test_a_supervisor_can_leave_without_taking_the_teams_threads(journal):
    supervisor_pk = journal.supervisor.pk
    erasure.erase(journal.supervisor)

    assert Entry.objects.filter(pk=journal.shared.pk, pair=journal.pair).exists()
    assert not Membership.objects.filter(role=Role.SUPERVISOR, team=journal.team).exists()
    assert references_to(supervisor_pk) == []
