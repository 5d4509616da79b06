"""A private entry is its author's alone: its text appears in no response to anyone else — not a
page, a list, an error page, a supervisor's view, nor the Django admin.

Maya has a private entry, an entry she shared and then made private again (after Sam had read
it), and an autosaved draft, all carrying a marker string. Every page is fetched as every other
persona and searched for the marker; the same pages fetched as Maya prove the search can find it.
"""

import pytest
from django.test import Client
from django.urls import reverse

from reflections import flows
from reflections.models import Draft, Entry, Task
from reflections.weeks import current_week
from tests.conftest import make_person
from tests.reflections.conftest import PRIVATE_MARKER, add_note

OTHERS = ["peer", "supervisor", "other_supervisor", "stranger", "trainer", "trainee", "anonymous", "staff"]


@pytest.fixture
def staff(db):
    user = make_person("ngozi.adeyemi@ipsjournal.example.org", "Ngozi Adeyemi")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


@pytest.fixture
def world(author, peer, pair, team, shared_entry, private_entry):
    # Shared, read by Sam, then made private again: Sam must lose it completely.
    unshared = Entry.objects.create(
        author=author,
        task=Task.MUTUALITY,
        title=f"Power and the keys {PRIVATE_MARKER}",
        body=f"{PRIVATE_MARKER} Where power showed up: I was holding the keys to the quiet room.",
        week=current_week(author),
    )
    flows.share_entry(unshared, pair)
    sam = Client()
    sam.force_login(peer)
    assert sam.get(reverse("reflections:entry-detail", args=[unshared.pk])).status_code == 200
    assert sam.get(reverse("reflections:thread-detail", args=[pair.pk])).status_code == 200
    flows.unshare_entry(unshared)
    draft = Draft.objects.create(
        author=author,
        key="tab-1",
        task=Task.MOVING_TOWARDS,
        title=f"Mornings {PRIVATE_MARKER}",
        body=f"{PRIVATE_MARKER} What would it look like if the house meeting started with hopes?",
    )
    add_note(shared_entry, peer, "", "Thank you for this.")
    return {
        "pair": pair,
        "team": team,
        "shared": shared_entry,
        "private": private_entry,
        "unshared": unshared,
        "draft": draft,
    }


def pages(w):
    """Every page that shows reflections, with the world's objects in it."""
    private, unshared = w["private"], w["unshared"]
    urls = [
        reverse("reflections:dashboard"),
        reverse("reflections:pair-list"),
        reverse("reflections:thread-detail", args=[w["pair"].pk]),
        reverse("reflections:thread-detail", args=[w["pair"].pk]) + "?task=worldview",
        reverse("reflections:entry-list"),
        reverse("reflections:entry-list") + f"?task=worldview&week={private.week.isoformat()}",
        reverse("reflections:entry-detail", args=[w["shared"].pk]),
        reverse("reflections:entry-create") + f"?draft={w['draft'].pk}",
        reverse("reflections:entry-create") + "?resume=1",
        reverse("supervision:review-home"),
        reverse("supervision:team-detail", args=[w["team"].pk]),
    ]
    for entry in [private, unshared]:
        for name in ["entry-detail", "entry-edit", "entry-revisions", "entry-delete"]:
            urls.append(reverse(f"reflections:{name}", args=[entry.pk]))
    urls.append(reverse("admin:supervision_readrecord_changelist"))  # Sam's reads of `unshared`
    for entry in [private, unshared]:
        urls += [
            reverse("admin:reflections_entry_changelist"),
            reverse("admin:reflections_entry_changelist") + "?q=hospital",
            reverse("admin:reflections_entry_change", args=[entry.pk]),
            reverse("admin:reflections_entry_history", args=[entry.pk]),
            reverse("admin:reflections_entry_delete", args=[entry.pk]),
        ]
    return urls


def posts(w):
    """Requests that act on an entry: refused, and the refusal must not echo the entry."""
    private = w["private"]
    return [
        (reverse("reflections:annotation-create", args=[private.pk]), {"body": "Hello"}),
        (reverse("reflections:entry-share", args=[private.pk]), {"pair": w["pair"].pk}),
        (reverse("reflections:entry-unshare", args=[private.pk]), {}),
        (reverse("reflections:entry-edit", args=[private.pk]), {"body": "Mine now", "version": 1}),
        (reverse("reflections:draft-save"), {"draft_key": "x", "entry": private.pk, "body": "x"}),
        (reverse("reflections:draft-delete", args=[w["draft"].pk]), {}),
    ]


def fetch(client, url, data=None):
    response = client.post(url, data, follow=True) if data is not None else client.get(url, follow=True)
    return response.content.decode(errors="replace")


@pytest.mark.parametrize("persona", OTHERS)
def test_private_writing_appears_in_no_response_to_anyone_else(request, client_for, world, persona):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = client_for(user)
    leaks = [url for url in pages(world) if PRIVATE_MARKER in fetch(client, url)]
    leaks += [url for url, data in posts(world) if PRIVATE_MARKER in fetch(client, url, data)]
    assert leaks == []


def test_the_author_does_see_her_private_writing(client_for, author, world):
    """The control: the search above would find the marker if it were there."""
    client = client_for(author)
    for name, entry in [("entry-detail", world["private"]), ("entry-detail", world["unshared"])]:
        assert PRIVATE_MARKER in fetch(client, reverse(f"reflections:{name}", args=[entry.pk]))
    assert PRIVATE_MARKER in fetch(client, reverse("reflections:entry-list"))
    assert PRIVATE_MARKER in fetch(
        client, reverse("reflections:entry-create") + f"?draft={world['draft'].pk}"
    )


@pytest.mark.parametrize("persona", ["peer", "supervisor", "other_supervisor", "stranger", "trainee"])
def test_private_entries_are_not_found_rather_than_forbidden(request, client_for, world, persona):
    client = client_for(request.getfixturevalue(persona))
    for entry in [world["private"], world["unshared"]]:
        for name in ["entry-detail", "entry-edit", "entry-revisions", "entry-delete"]:
            assert client.get(reverse(f"reflections:{name}", args=[entry.pk])).status_code == 404


def test_nothing_was_changed_by_the_refused_requests(client_for, peer, world):
    client = client_for(peer)
    for url, data in posts(world):
        client.post(url, data)
    world["private"].refresh_from_db()
    assert world["private"].body.startswith(PRIVATE_MARKER)
    assert world["private"].pair is None
    assert Draft.objects.filter(pk=world["draft"].pk).exists()
    assert not Draft.objects.filter(author=peer).exists()


def test_the_admin_lists_entries_without_their_text(client_for, staff, world):
    html = fetch(client_for(staff), reverse("admin:reflections_entry_changelist"))
    assert "Maya Okafor" in html  # who and when
    assert PRIVATE_MARKER not in html
    assert "kettle" not in html.lower()  # not even a shared entry's title or text
