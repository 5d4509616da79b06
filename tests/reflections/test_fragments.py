"""Cached fragments of the entry page (reflections.fragments, issue 7): a second visit renders
the entry and its notes from the cache, and nothing a reader should see is ever held back — new
notes, edits, resolved notes, forms with errors, or their own CSRF token."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reflections import flows
from reflections.models import Annotation, Reply
from tests.reflections.conftest import PASSAGE, add_note

pytestmark = pytest.mark.django_db


def annotated(page):
    """The cached part of the entry page, its CSRF tokens (new in every response) blanked."""
    html = page.content.decode()
    html = html[html.index('<div class="annotated') : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)


def note_queries(captured):
    return [q["sql"] for q in captured if "reflections_annotation" in q["sql"] and "SELECT" in q["sql"]]


@pytest.fixture
def url(shared_entry):
    return f"/entries/{shared_entry.pk}/"


@pytest.mark.parametrize("persona", ["author", "peer", "supervisor"])
def test_a_second_visit_takes_the_notes_from_the_cache(request, client_for, shared_entry, url, persona, peer):
    add_note(shared_entry, peer, PASSAGE, "This stayed with me.")
    client = client_for(request.getfixturevalue(persona))
    first = client.get(url)
    client.get(url)  # what was new on the first visit is not new now
    with CaptureQueriesContext(connection) as again:
        second = client.get(url)

    def plain(html):  # the first visit marks the note new, later ones do not
        return html.replace(" is-unread", "").replace('<span class="unread-dot">New</span>', "")

    assert plain(annotated(second)) == plain(annotated(first))
    assert "This stayed with me." in annotated(second)
    # Only the check for new notes touches the notes (peers); the notes and replies are not read.
    assert len(note_queries(again.captured_queries)) == (1 if persona != "supervisor" else 0)


def test_a_new_note_shows_marked_new_then_plainly(client_for, shared_entry, url, author, peer):
    client = client_for(author)
    client.get(url)
    client.get(url)  # cached
    add_note(shared_entry, peer, PASSAGE, "Could we start Thursday from here?")
    page = annotated(client.get(url))
    assert "Could we start Thursday from here?" in page
    assert "is-unread" in page and ">New<" in page
    again = annotated(client.get(url))
    assert "Could we start Thursday from here?" in again and "is-unread" not in again


@pytest.mark.parametrize(
    "change",
    ["edit the entry", "edit the note", "resolve the note", "reply", "delete the note", "rename"],
)
def test_every_change_shows_on_the_next_visit(client_for, shared_entry, url, author, peer, change):
    note = add_note(shared_entry, peer, PASSAGE, "What made it possible?")
    client = client_for(author)
    client.get(url)
    before = annotated(client.get(url))
    if change == "edit the entry":
        shared_entry.body += "\n\nLater I asked her about the courgettes again."
        shared_entry.save()
        expected = "courgettes again"
    elif change == "edit the note":
        note.body = "What made it possible, do you think?"
        note.save()
        expected = "do you think?"
    elif change == "resolve the note":
        flows.toggle_resolved(note, author)
        expected = "Reopen"
    elif change == "reply":
        Reply.objects.create(annotation=note, author=author, body="The tea, and time.")
        expected = "The tea, and time."
    elif change == "delete the note":
        Annotation.objects.get(pk=note.pk).delete()
        expected = "Add a note on the whole entry"
    else:
        peer.display_name = "Sam L."
        peer.save()
        expected = "Sam L."
    after = annotated(client.get(url))
    assert after != before
    assert expected in after
    if change == "delete the note":
        assert "What made it possible?" not in after


def test_each_response_carries_its_own_working_csrf_token(shared_entry, url, peer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(peer)
    tokens = []
    for _ in range(2):
        page = client.get(url).content.decode()
        assert "csrfTokenOfThisResponse" not in page
        tokens.append(
            re.search(r'id="note-form".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S)[1]
        )
    assert tokens[0] != tokens[1]  # masked afresh, never the cached one
    response = client.post(
        f"/entries/{shared_entry.pk}/notes/",
        {"csrfmiddlewaretoken": tokens[1], "body": "Thank you for writing this down.", "task": ""},
    )
    assert response.status_code == 302
    assert Annotation.objects.filter(body="Thank you for writing this down.").exists()


def test_a_note_refused_keeps_its_text_and_is_never_cached(client_for, shared_entry, url, peer):
    client = client_for(peer)
    client.get(url)
    refused = client.post(f"/entries/{shared_entry.pk}/notes/", {"body": "", "task": "not-a-task"})
    assert refused.status_code == 400
    assert "errorlist" in annotated(refused)
    assert "errorlist" not in annotated(client.get(url))


def test_a_reply_refused_keeps_its_text_and_is_never_cached(client_for, shared_entry, url, author, peer):
    note = add_note(shared_entry, peer, PASSAGE, "What made it possible?")
    client = client_for(author)
    client.get(url)
    refused = client.post(f"/notes/{note.pk}/replies/", {"body": " "})
    assert refused.status_code == 400
    assert '<details class="reply-box" open>' in annotated(refused)
    assert 'reply-box" open' not in annotated(client.get(url))


def test_readers_of_one_thread_never_share_a_fragment(
    client_for, shared_entry, url, author, peer, supervisor
):
    add_note(shared_entry, peer, PASSAGE, "What made it possible?")
    for person in (author, peer):
        client_for(person).get(url)
    page = annotated(client_for(supervisor).get(url))
    assert 'id="note-form"' not in page  # the peers' cached forms are theirs
    assert "Mark resolved" not in page


def test_a_private_entry_is_read_afresh_by_its_author(client_for, private_entry, author):
    client = client_for(author)
    client.get(f"/entries/{private_entry.pk}/")
    private_entry.body += "\n\nA second thought."
    private_entry.save()
    assert "A second thought." in annotated(client.get(f"/entries/{private_entry.pk}/"))
