"""The search page: the box in the header, the filters, results with highlighted passages."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from reflections.models import Entry, Task
from supervision.models import ReviewNote
from tests.search.world import HARBOUR_MARKER, PRIVATE_MARKER, note

pytestmark = pytest.mark.django_db

URL = reverse("search:results")


def hits_html(response):
    """The results list only (the page repeats the query itself in its title and form)."""
    text = response.text
    if '<ol class="hits">' not in text:
        return ""
    return text.split('<ol class="hits">', 1)[1].split("</ol>", 1)[0]


def test_every_page_has_a_search_box(client_for, author):
    response = client_for(author).get(reverse("accounts:profile"))

    assert 'role="search"' in response.text and f'action="{URL}"' in response.text
    assert '<label for="site-search-q" class="visually-hidden">' in response.text


def test_the_empty_page_invites_a_search(client_for, author):
    response = client_for(author).get(URL)

    assert response.status_code == 200
    assert "Type a word or a phrase" in response.text


def test_results_show_the_passage_with_the_match_marked(client_for, journal):
    response = client_for(journal.author).get(URL, {"q": "kettle"})

    assert response.status_code == 200
    assert "1 result for “kettle”" in response.text
    assert "<mark>kettle</mark>" in response.text.lower() or "<mark>Kettle</mark>" in response.text
    assert reverse("reflections:entry-detail", args=[journal.shared.pk]) in response.text
    assert "Co-reflection thread of Maya Okafor &amp; Sam Lindqvist" in response.text


def test_results_name_each_kind_of_writing(client_for, journal):
    response = client_for(journal.author).get(URL, {"q": "marigold"})

    assert "7 results" in response.text
    for label in (
        "Reflection",
        "Note",
        "Reply",
        "Review note",
        "Reply to a review note",
        "Private — only you",
    ):
        assert label in response.text


@pytest.mark.parametrize("persona", ["peer", "supervisor", "other_supervisor", "stranger"])
def test_the_page_never_shows_someone_elses_private_entry(client_for, journal, persona, request):
    client = client_for(request.getfixturevalue(persona))

    for query in (PRIVATE_MARKER, "marigold", "night", "ward window"):
        response = client.get(URL, {"q": query})
        assert PRIVATE_MARKER not in hits_html(response)
        assert "Not ready to share" not in response.text and "ward window" not in hits_html(response)
    assert hits_html(client.get(URL, {"q": PRIVATE_MARKER})) == ""


def test_the_page_never_shows_another_teams_writing(client_for, journal):
    for query in (HARBOUR_MARKER, "keys", "marigold"):
        response = client_for(journal.supervisor).get(URL, {"q": query})
        assert HARBOUR_MARKER not in hits_html(response)
        assert "Keys to the quiet room" not in response.text


def test_filters_are_offered_from_what_the_person_may_read(client_for, journal):
    response = client_for(journal.author).get(URL, {"q": "marigold"})
    threads = response.text.split('name="thread"', 1)[1].split("</select>", 1)[0]
    people = response.text.split('name="author"', 1)[1].split("</select>", 1)[0]

    assert (
        f'<option value="{journal.pair.pk}">Maya Okafor &amp; Sam Lindqvist — Riverside Peer Respite'
        in threads
    )
    assert f'<option value="{journal.other_pair.pk}">' not in threads
    assert f'<option value="{journal.supervisor.pk}">Rosa Delgado</option>' in people
    assert "Kofi" not in response.text


def test_a_thread_the_person_may_not_read_is_refused_plainly(client_for, journal):
    response = client_for(journal.author).get(URL, {"q": "keys", "thread": journal.other_pair.pk})

    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert HARBOUR_MARKER not in response.text


def test_dates_the_wrong_way_round_are_explained(client_for, journal):
    response = client_for(journal.author).get(
        URL, {"q": "marigold", "since": "2026-05-01", "until": "2026-04-01"}
    )

    assert response.status_code == 400
    assert "Choose a date on or after the “from” date." in response.text


def test_filters_narrow_and_can_be_cleared(client_for, journal):
    client = client_for(journal.author)

    response = client.get(URL, {"q": "marigold", "task": Task.WORLDVIEW, "order": "newest"})

    assert "1 result" in response.text and "Not ready to share" in response.text
    assert "Clear the filters" in response.text


def test_nothing_found_is_said_kindly(client_for, journal):
    response = client_for(journal.author).get(URL, {"q": "zeppelin"})

    assert "0 results" in response.text
    assert "Nothing matches those words yet" in response.text


def test_hostile_text_in_a_query_is_escaped(client_for, journal):
    response = client_for(journal.author).get(URL, {"q": '"><script>alert(1)</script>'})

    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)" in response.text


def test_results_page_through(client_for, author, journal):
    for n in range(25):
        Entry.objects.create(author=author, task=Task.CONNECTION, body=f"Lantern {n}", week=journal.week)
    client = client_for(author)

    first = client.get(URL, {"q": "lantern"})
    second = client.get(URL, {"q": "lantern", "page": 2})

    assert "25 results" in first.text and "Page 1 of 2" in first.text
    assert second.text.count('class="hit card"') == 5
    assert "page=1" in second.text and "q=lantern" in second.text


@pytest.mark.parametrize(
    ("asked", "shown", "hits"),
    [
        ("3", "Page 3 of 3", 5),  # the last page
        ("9", "Page 3 of 3", 5),  # past the end: the last page, as Django's paginator gives it
        ("0", "Page 3 of 3", 5),  # below the first: the same
        ("99999999999999999999", "Page 3 of 3", 5),  # beyond what a database's OFFSET holds
        ("two", "Page 1 of 3", 20),  # not a number: the first
        ("", "Page 1 of 3", 20),
    ],
)
def test_any_page_number_gives_a_page_with_the_whole_count(client_for, author, journal, asked, shown, hits):
    for n in range(45):
        Entry.objects.create(author=author, task=Task.CONNECTION, body=f"Lantern {n}", week=journal.week)

    response = client_for(author).get(URL, {"q": "lantern", "page": asked})

    assert response.status_code == 200
    assert "45 results" in response.text and shown in response.text
    assert response.text.count('class="hit card"') == hits


def test_a_page_past_the_end_with_no_match_at_all_says_so(client_for, journal):
    response = client_for(journal.author).get(URL, {"q": "lighthouse", "page": "4"})

    assert response.status_code == 200
    assert "0 results" in response.text and 'class="hit card"' not in response.text


# --- Query counts -------------------------------------------------------------------------------

# The results page: the session and the user (activity was recorded by the first request, and is
# not again within the minute); the threads for the filter (their ids are also the thread scope of
# the search); the people for the filter: whose writing the person may read, from the keys'
# indexes, then those people (two cheap queries, where one asking both read every readable
# document's row: search.query.readable_authors; the second is not asked of someone who reads
# only their own writing); the navigation's roles and
# unread count, looked up first, as they tell whether to ask for the cohorts the person trains
# (the other scope: not asked of this peer worker, who trains none); the page of documents with
# the number of matches (one statement: Search.page); their highlights; one fetch per kind of
# writing on the page (here three: entries, notes, review notes).
QUERIES_SEARCH_PAGE = 11


def _grow(journal, count):
    """`count` entries with the word, and (newest, so on the first page) a note and a review note."""
    author, week = journal.author, journal.week
    for n in range(count):
        Entry.objects.create(author=author, task=Task.CONNECTION, body=f"A lantern, number {n}.", week=week)
    note(journal.shared, journal.peer, "The lantern again.")
    ReviewNote.objects.create(
        pair=journal.pair, week=week, author=journal.supervisor, body="Lanterns, both of you."
    )


@pytest.mark.parametrize("count", [1, 40])
def test_the_results_page_takes_the_same_queries_for_few_and_many_results(
    client_for, journal, count, django_assert_num_queries
):
    _grow(journal, count)
    client = client_for(journal.author)
    client.get(URL)  # the first request records the session's activity

    with django_assert_num_queries(QUERIES_SEARCH_PAGE):
        response = client.get(URL, {"q": "lantern", "order": "newest"})

    assert response.status_code == 200
    assert f"{count + 2} results" in response.text
    assert 'class="badge">Note<' in response.text and 'class="badge">Review note<' in response.text


def test_a_search_that_matches_nothing_stops_at_its_page(client_for, journal, django_assert_num_queries):
    client = client_for(journal.author)
    client.get(URL)  # the first request records the session's activity

    # No highlights and no writing to fetch (three kinds above), and no count of its own.
    with django_assert_num_queries(QUERIES_SEARCH_PAGE - 4):
        response = client.get(URL, {"q": "lighthouse"})

    assert "0 results" in response.text


def test_search_time_zone_labels(client_for, journal):
    journal.private.created = dt.datetime(2026, 3, 1, 23, 30, tzinfo=dt.UTC)
    journal.private.save()
    journal.author.time_zone = "Pacific/Auckland"
    journal.author.save(update_fields=["time_zone"])

    response = client_for(journal.author).get(URL, {"q": "ward"})

    # Dates show in the person's own zone: in Auckland it was already 2 March.
    assert "2 Mar 2026" in response.text


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # a connection of its own: no statement prepared before
def test_search_is_planned_for_the_words_while_other_pages_reuse_their_plans(client_for, journal):
    """A prepared statement's generic plan cannot know how many documents the words match, so
    search never prepares the statements that match words; its other statements and the pages
    around it do (ips_journal.settings)."""
    client = client_for(journal.author)
    connection.close()
    for words in ["marigold", "kettle", "marigold", "marigold"]:
        response = client.get(URL, {"q": words})
        assert response.status_code == 200
        assert response.context["hits"]
    assert not [sql for sql in prepared_statements() if "@@" in sql]  # matching the words
    assert not [sql for sql in prepared_statements() if "ts_headline" in sql]  # highlighting them
    # The search page's own access queries: the threads to filter by, the writing of the results.
    assert [sql for sql in prepared_statements() if "reflections_peerpair" in sql]
    assert [sql for sql in prepared_statements() if sql.startswith('SELECT "reflections_entry"')]
    assert connection.connection.prepare_threshold == 2  # restored after each search

    for _ in range(3):
        client.get(reverse("reflections:dashboard"))
    assert [sql for sql in prepared_statements() if "reflections_entry" in sql]
