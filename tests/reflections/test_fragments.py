"""Cached fragments of the entry page (reflections.fragments, issue 7): a second visit renders
the entry and its notes from the cache, and nothing a reader should see is ever held back — new
notes, edits, resolved notes, forms with errors, or their own CSRF token."""

import re
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from reflections import flows
from reflections.models import Annotation, Entry, Reply, Task
from reflections.weeks import current_week
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
    # Nothing can be new without a new thread version, so the notes are not even looked at.
    assert note_queries(again.captured_queries) == []


def test_a_visit_that_marks_the_entry_seen_stores_nothing(client_for, shared_entry, url, peer, monkeypatch):
    """The first visit shows the notes marked new; once seen they are not new, under the same
    key: that rendering must not be stored."""
    from django.core.cache import caches

    stored = []
    cache = caches["fragments"]
    original = cache.set
    monkeypatch.setattr(
        cache, "set", lambda key, *args, **kw: stored.append(key) or original(key, *args, **kw)
    )
    client = client_for(peer)
    client.get(url)  # Sam opens Maya's entry for the first time: it is new to him
    assert stored == []
    client.get(url)  # nothing new now: stored
    client.get(url)
    assert len(stored) == 1


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


@contextmanager
def written_while_marking_seen(monkeypatch, write):
    """`write` runs after the page has read what it shows and before it marks it seen."""
    real_mark_seen = flows.mark_seen

    def meanwhile(*args, **kwargs):
        write()
        return real_mark_seen(*args, **kwargs)

    monkeypatch.setattr(flows, "mark_seen", meanwhile)
    yield
    monkeypatch.setattr(flows, "mark_seen", real_mark_seen)


def test_a_note_written_while_the_page_renders_stays_new(
    client_for, shared_entry, url, author, peer, monkeypatch
):
    """The page marks what it showed as seen as of before it read the notes: Sam's note, saved
    between the page's reading and its marking, was not on the page, so it is new next time."""
    add_note(shared_entry, peer, PASSAGE, "Could we start Thursday from here?")
    client = client_for(author)

    def sam_writes():
        add_note(shared_entry, peer, "", "And what did the silence mean to you?")

    with written_while_marking_seen(monkeypatch, sam_writes):
        first = annotated(client.get(url))
    assert "Could we start Thursday" in first and "what did the silence mean" not in first
    again = annotated(client.get(url))
    assert again.count('class="unread-dot"') == 1
    assert re.search(r'is-unread"[^>]*>(?:(?!</li>).)*what did the silence mean', again, re.S)


def test_a_note_written_while_the_thread_renders_stays_new(client_for, author, peer, pair, monkeypatch):
    """Sam's new entry is marked seen by the thread page that showed it; his note on it, saved
    while the page rendered, was not counted there, so the card counts it as new next time."""
    sams = Entry.objects.create(
        author=peer, task=Task.CONNECTION, body="Our Thursday walk.", week=current_week(peer), pair=pair
    )
    client = client_for(author)
    with written_while_marking_seen(
        monkeypatch, lambda: add_note(sams, peer, "", "I left out how tired I was.")
    ):
        assert "Our Thursday walk." in client.get(f"/threads/{pair.pk}/").content.decode()
    page = client.get(f"/threads/{pair.pk}/")
    card = page.context["weeks"][0]["columns"][1]["entries"][0]
    assert (card.pk, card.unread_notes) == (sams.pk, 1)
    assert "1 new note" in page.content.decode()


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
        assert not re.search(r"csrf[0-9a-f]{32}", page)  # no placeholder left
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


# The thread page -------------------------------------------------------------------------------
def weeks_part(page):
    """The cached part of the thread page, its CSRF tokens blanked."""
    html = page.content.decode()
    html = html[html.index('<form method="get" class="filters"') : html.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)


@pytest.fixture
def thread(pair):
    return f"/threads/{pair.pk}/"


# On a cached visit: the session, the user, the pair, recording the read, who read my writing
# (peers only) and the navigation — not the weeks, entries, reviews or who can read (kept with
# the fragment).
# The thread page's query for the entries of the weeks on screen: only a rendering asks it.
RENDERS_THE_WEEKS = '"week" IN (SELECT DISTINCT "U0"."week"'
THREAD_HITS = {"author": 6, "peer": 6, "supervisor": 5}


@pytest.mark.parametrize("persona", list(THREAD_HITS))
def test_a_second_visit_to_a_thread_takes_its_weeks_from_the_cache(
    request, client_for, django_assert_max_num_queries, shared_entry, thread, persona, supervisor
):
    client = client_for(request.getfixturevalue(persona))
    client.get(thread)  # the entry is new to Sam on his first visit: shown once, not stored
    first = client.get(thread)
    with django_assert_max_num_queries(THREAD_HITS[persona]) as again:
        second = client.get(thread)
    assert RENDERS_THE_WEEKS not in " ".join(q["sql"] for q in again.captured_queries)
    assert "The kettle conversation" in weeks_part(second)
    assert weeks_part(second) == weeks_part(first)


def test_a_new_entry_shows_marked_new_then_plainly(client_for, author, peer, pair, thread):
    client = client_for(author)
    client.get(thread)
    client.get(thread)  # cached
    Entry.objects.create(
        author=peer,
        pair=pair,
        task=Task.MUTUALITY,
        title="What J. taught me",
        body="The bus timetable.",
        week=current_week(peer),
    )
    page = weeks_part(client.get(thread))
    assert "What J. taught me" in page and ">New<" in page
    again = weeks_part(client.get(thread))
    assert "What J. taught me" in again and ">New<" not in again


def test_new_notes_stay_marked_on_the_thread_until_the_entry_is_opened(
    client_for, shared_entry, thread, author, peer
):
    client = client_for(author)
    client.get(thread)
    add_note(shared_entry, peer, PASSAGE, "Could we start Thursday from here?")
    for _ in range(2):
        assert "1 new note" in weeks_part(client.get(thread))
    client.get(f"/entries/{shared_entry.pk}/")
    assert "new note" not in weeks_part(client.get(thread))


def test_a_refused_review_note_comes_back_as_typed_and_is_never_cached(
    client_for, supervisor, shared_entry, thread
):
    client = client_for(supervisor)
    client.get(thread)
    week = shared_entry.week.isoformat()
    response = client.post(f"/threads/{shared_entry.pair_id}/weeks/{week}/notes/", {"body": "   "})
    assert response.status_code == 302
    page = weeks_part(client.get(response["Location"]))
    assert '<details class="reply-box" open>' in page
    assert '<details class="reply-box" open>' not in weeks_part(client.get(thread))


def test_a_supervisors_cached_forms_carry_a_working_token(shared_entry, supervisor, thread):
    client = Client(enforce_csrf_checks=True)
    client.force_login(supervisor)
    client.get(thread)
    page = client.get(thread).content.decode()
    week = shared_entry.week.isoformat()
    action = f"/threads/{shared_entry.pair_id}/weeks/{week}/notes/"
    token = re.search(rf'action="{action}".*?name="csrfmiddlewaretoken" value="([^"]+)"', page, re.S)[1]
    response = client.post(action, {"csrfmiddlewaretoken": token, "body": "Thank you both for this week."})
    assert response.status_code == 302
    assert "Thank you both for this week." in weeks_part(client.get(thread))


def test_the_task_filter_and_older_weeks_are_fragments_of_their_own(client_for, shared_entry, thread, author):
    client = client_for(author)
    client.get(thread)
    assert "The kettle conversation" in weeks_part(client.get(thread))
    assert "The kettle conversation" not in weeks_part(client.get(f"{thread}?task=worldview"))
    before = shared_entry.week.isoformat()
    assert "The kettle conversation" not in weeks_part(client.get(f"{thread}?before={before}"))
    assert "The kettle conversation" in weeks_part(client.get(f"{thread}?task=connection"))


def test_no_writing_can_have_a_readers_token_put_into_it(client_for, shared_entry, url, author, peer):
    """The placeholder for each response's CSRF token is new with every rendering: text that
    looks like one is shown as written, never swapped for the reader's token."""
    lure = "[the notes](https://elsewhere.example/?t=csrfTokenOfThisResponse) csrf0123456789abcdef0123456789abcdef"
    add_note(shared_entry, peer, PASSAGE, lure)
    client = client_for(author)
    client.get(url)
    for _ in range(2):  # rendered, then from the cache
        page = client.get(url).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        assert "https://elsewhere.example/?t=csrfTokenOfThisResponse" in page
        assert "csrf0123456789abcdef0123456789abcdef" in page
        assert f"t={token}" not in page


def test_a_peer_reading_leaves_the_other_readers_pages_cached(
    client_for, shared_entry, url, thread, supervisor, peer
):
    """Sam opening Maya's entry for the first time changes what is new to him only: Rosa's
    cached entry and thread pages are not rendered again."""
    rosa = client_for(supervisor)
    for page in (url, thread):
        rosa.get(page)
        rosa.get(page)

    client_for(peer).get(url)  # new to Sam: he sees it now

    with CaptureQueriesContext(connection) as again:
        entry_page = rosa.get(url)
        thread_page = rosa.get(thread)
    sql = " ".join(q["sql"] for q in again.captured_queries)
    assert note_queries(again.captured_queries) == []
    assert RENDERS_THE_WEEKS not in sql
    assert "The kettle conversation" in weeks_part(thread_page)
    assert entry_page.status_code == 200


def test_opening_an_entry_clears_its_new_notes_on_the_readers_cached_thread(
    client_for, shared_entry, thread, author, peer
):
    """The thread page Maya has cached shows Sam's note as new; once she opens the entry, her
    next visit to the thread is rendered afresh — without the mark."""
    client = client_for(author)
    add_note(shared_entry, peer, PASSAGE, "Could we start Thursday from here?")
    client.get(thread)
    assert "1 new note" in weeks_part(client.get(thread))  # from the cache

    client.get(f"/entries/{shared_entry.pk}/")

    with CaptureQueriesContext(connection) as again:
        page = weeks_part(client.get(thread))
    assert "new note" not in page
    assert RENDERS_THE_WEEKS in " ".join(q["sql"] for q in again.captured_queries)


# The dashboard's count of what is new in each thread (flows.unread_counts) --------------------
def counts_unread(captured):
    """Whether the request counted what is new in the database (flows.unread_by_pair)."""
    return any("UNION ALL" in q["sql"] for q in captured)


def dashboard_visit(client):
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/")
    return page.context["threads"][0].unread, counts_unread(queries.captured_queries)


def test_the_dashboard_counts_what_is_new_once_until_something_changes(client_for, author, peer, pair):
    """Counting reads the thread's whole history, so a count is kept for the reader under the
    thread's version and their own seen version: it is counted again only after one changes."""
    maya = client_for(author)
    week = current_week(peer)
    first = Entry.objects.create(
        author=peer, task=Task.WORLDVIEW, body="What I brought from the night shift.", week=week, pair=pair
    )
    assert dashboard_visit(maya) == (1, True)
    assert dashboard_visit(maya) == (1, False)  # kept

    Entry.objects.create(  # new writing: a new thread version
        author=peer, task=Task.MUTUALITY, body="How we split the Thursday group.", week=week, pair=pair
    )
    assert dashboard_visit(maya) == (2, True)
    add_note(first, peer, body="Coming back to this: I left out my part in it.")
    assert dashboard_visit(maya) == (3, True)

    client_for(peer).get(f"/threads/{pair.pk}/")  # Sam's reading changes nothing for Maya
    assert dashboard_visit(maya) == (3, False)


def test_seeing_entries_on_the_thread_page_updates_the_kept_count(client_for, author, peer, pair):
    """The thread page marks the new entries it shows as seen (not their notes): the kept count
    is not shown again — the reader's seen version changed — and the entry page clears the rest."""
    maya = client_for(author)
    week = current_week(peer)
    first = Entry.objects.create(
        author=peer, task=Task.WORLDVIEW, body="What I brought from the night shift.", week=week, pair=pair
    )
    add_note(first, peer, body="Coming back to this: I left out my part in it.")
    Entry.objects.create(
        author=peer, task=Task.MUTUALITY, body="How we split the Thursday group.", week=week, pair=pair
    )
    assert dashboard_visit(maya) == (3, True)

    maya.get(f"/threads/{pair.pk}/")
    assert dashboard_visit(maya) == (2, True)  # the entry with a note and its note stay new
    maya.get(f"/entries/{first.pk}/")
    assert dashboard_visit(maya) == (0, True)
    assert dashboard_visit(maya) == (0, False)


def test_without_the_cache_the_dashboard_counts_on_every_visit(settings, client_for, author, peer, pair):
    settings.FRAGMENT_CACHE_SECONDS = 0
    Entry.objects.create(
        author=peer,
        task=Task.WORLDVIEW,
        body="What I brought from the night shift.",
        week=current_week(peer),
        pair=pair,
    )
    maya = client_for(author)
    assert dashboard_visit(maya) == (1, True)
    assert dashboard_visit(maya) == (1, True)


# The query for the supervisors that "who can read this" names (reflections.access.supervisors_of).
ASKS_WHO_SUPERVISES = '"accounts_membership"."team_id" ='


def who_can_read(page):
    return re.search(r'<aside class="who-can-read".*?</aside>', page.content.decode(), re.S).group()


@pytest.mark.parametrize("page", ["entry", "thread"])
def test_who_can_read_is_kept_with_the_fragment_and_follows_the_team_at_once(
    client_for, shared_entry, pair, author, supervisor, team, page
):
    """ "Who can read this" is never stale: the team's supervisors are kept with the cached
    fragment, and a supervisor joining or leaving, or the team's new name, gives the thread a
    new version."""
    from accounts import flows as accounts_flows
    from accounts.models import Membership, Role
    from tests.conftest import make_person

    url = f"/entries/{shared_entry.pk}/" if page == "entry" else f"/threads/{pair.pk}/"
    maya = client_for(author)
    maya.get(url)
    maya.get(url)
    with CaptureQueriesContext(connection) as cached:
        readers = who_can_read(maya.get(url))
    assert "Rosa Delgado (supervisor of Riverside Peer Respite)" in readers
    assert not [q for q in cached.captured_queries if ASKS_WHO_SUPERVISES in q["sql"]]

    priya = make_person("priya.natarajan@riverside.example.org", "Priya Natarajan")
    joined = Membership.objects.create(team=team, user=priya, role=Role.SUPERVISOR)
    readers = who_can_read(maya.get(url))
    assert "Priya Natarajan, Rosa Delgado (supervisors of Riverside Peer Respite)" in readers

    accounts_flows.remove_membership(Membership.objects.get(user=supervisor, team=team))
    readers = who_can_read(maya.get(url))
    assert "Rosa Delgado" not in readers
    assert "Priya Natarajan (supervisor of Riverside Peer Respite)" in readers

    Membership.objects.create(team=team, user=supervisor, role=Role.SUPERVISOR)
    accounts_flows.change_role(joined, Role.PEER)
    assert "Rosa Delgado (supervisor of Riverside Peer Respite)" in who_can_read(maya.get(url))

    team.name = "Riverside Recovery Collective"
    team.save()
    assert "Rosa Delgado (supervisor of Riverside Recovery Collective)" in who_can_read(maya.get(url))


def test_a_supervisor_sees_themself_named_in_who_can_read(client_for, shared_entry, pair, supervisor):
    rosa = client_for(supervisor)
    for url in (f"/entries/{shared_entry.pk}/", f"/threads/{pair.pk}/"):
        for _visit in range(3):  # rendered, then from the cache
            assert "Rosa Delgado (you) (supervisor of" in who_can_read(rosa.get(url))


@pytest.mark.parametrize("page", ["entry", "thread"])
def test_who_can_read_follows_a_supervisors_new_name_and_erased_account(
    client_for, shared_entry, pair, author, supervisor, team, page
):
    from accounts import erasure
    from accounts.models import Membership, Role
    from tests.conftest import make_person

    priya = make_person("priya.natarajan@riverside.example.org", "Priya Natarajan")
    Membership.objects.create(team=team, user=priya, role=Role.SUPERVISOR)
    url = f"/entries/{shared_entry.pk}/" if page == "entry" else f"/threads/{pair.pk}/"
    maya = client_for(author)
    for _visit in range(2):
        assert "Priya Natarajan, Rosa Delgado (supervisors of" in who_can_read(maya.get(url))

    supervisor.display_name = "Rosa Delgado-Byrne"
    supervisor.save()
    assert "Priya Natarajan, Rosa Delgado-Byrne (supervisors of" in who_can_read(maya.get(url))

    erasure.erase(priya)  # her memberships go with her account
    readers = who_can_read(maya.get(url))
    assert "Priya" not in readers
    assert "Rosa Delgado-Byrne (supervisor of Riverside Peer Respite)" in readers
