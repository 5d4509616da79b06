"""“Export my data” (everything the person wrote, nothing anyone else wrote) and the printable
thread."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from accounts import export as exports
from accounts.models import DataExport
from notifications.models import Notification, Verb
from reflections import flows
from reflections.forms import AnnotationForm
from supervision.models import ReadRecord
from tests.search.world import HARBOUR_MARKER, NOTE_MARKER, PEER_MARKER, PRIVATE_MARKER, note

pytestmark = pytest.mark.django_db

EXPORT = reverse("accounts:export")


def download(client, export):
    response = client.get(reverse("accounts:export-download", args=[export.pk]))
    assert response.status_code == 200, response.status_code
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def all_text(archive):
    return "\n".join(archive.read(name).decode() for name in archive.namelist())


def front_matter(markdown):
    head = markdown.split("---\n", 2)[1]
    return {key: json.loads(value) for key, value in (line.split(": ", 1) for line in head.splitlines())}


@pytest.fixture
def maya_wrote_more(journal):
    """Maya edits her private entry (a revision), notes a passage of her own shared entry, and
    writes a note on Sam's entry."""
    author = journal.author
    flows.edit_entry(
        journal.private.pk,
        author,
        {"body": journal.private.body + "\n\nLater: it eased.", "title": journal.private.title},
        journal.private.version,
    )
    passage = "Something loosened between us right then."
    from reflections.anchoring import quote_at, rendered_text

    text = rendered_text(journal.shared.body_html)
    start = text.index(passage)
    quote = quote_at(text, start, start + len(passage))
    form = AnnotationForm(
        {
            "body": "This is where it turned.",
            "exact": quote.exact,
            "prefix": quote.prefix,
            "suffix": quote.suffix,
            "start": quote.start,
            "end": quote.end,
        }
    )
    assert form.is_valid(), form.errors
    journal.own_note = flows.annotate(journal.shared, author, form)
    journal.note_on_peer = note(journal.peer_entry, author, "The bus timetable as a map of a week.")
    return journal


def test_the_export_holds_everything_i_wrote(client_for, maya_wrote_more):
    journal = maya_wrote_more
    client = client_for(journal.author)

    response = client.post(EXPORT)

    assert response.status_code == 302
    export = DataExport.objects.get(user=journal.author)
    assert export.status == DataExport.Status.READY
    archive = download(client, export)
    assert sorted(archive.namelist()) == sorted(
        [
            "README.md",
            "data.json",
            "schema.json",
            f"entries/{journal.shared.week}-connection-{journal.shared.pk}.md",
            f"entries/{journal.private.week}-worldview-{journal.private.pk}.md",
        ]
    )
    data = json.loads(archive.read("data.json"))
    assert data["format"] == "ips-journal-export" and data["version"] == 1
    assert data["person"]["email"] == journal.author.email
    writing = data["writing"]
    assert {e["id"] for e in writing["entry"]} == {journal.shared.pk, journal.private.pk}
    private = next(e for e in writing["entry"] if e["id"] == journal.private.pk)
    assert private["shared"] is None and private["version"] == 2
    assert [r["version"] for r in private["revisions"]] == [1] and PRIVATE_MARKER in private["revisions"][0][
        "body"
    ]
    shared = next(e for e in writing["entry"] if e["id"] == journal.shared.pk)
    assert shared["shared"]["where"] == "thread" and shared["shared"]["with"] == "Sam Lindqvist"
    notes = {n["id"]: n for n in writing["annotation"]}
    assert set(notes) == {journal.own_note.pk, journal.note_on_peer.pk}
    assert notes[journal.own_note.pk]["quote"] == "Something loosened between us right then."
    # The passage of Sam's entry is Sam's writing: the note travels without it.
    assert (
        notes[journal.note_on_peer.pk]["quote"] is None
        and notes[journal.note_on_peer.pk]["on_own_entry"] is False
    )
    assert [r["id"] for r in writing["reply"]] == [journal.reply.pk]
    assert writing["review_note"] == [] and writing["review_reply"] == []


def test_the_export_holds_nothing_anyone_else_wrote(client_for, maya_wrote_more):
    client = client_for(maya_wrote_more.author)
    client.post(EXPORT)

    text = all_text(download(client, DataExport.objects.get()))

    assert PRIVATE_MARKER in text
    for theirs in (
        PEER_MARKER,
        NOTE_MARKER,
        HARBOUR_MARKER,
        "Bus timetables",
        "A marigold week for you both",
        "Tea helped, and marigolds",
        "J. plans her week",
    ):
        assert theirs not in text


def test_a_peers_export_never_holds_my_private_entry(client_for, journal):
    client = client_for(journal.peer)
    client.post(EXPORT)

    text = all_text(download(client, DataExport.objects.get()))

    assert PRIVATE_MARKER not in text and "Not ready to share" not in text
    assert PEER_MARKER in text and NOTE_MARKER in text


def test_a_supervisors_export_holds_their_review_notes(client_for, journal):
    client = client_for(journal.supervisor)
    client.post(EXPORT)

    data = json.loads(download(client, DataExport.objects.get()).read("data.json"))

    assert [n["id"] for n in data["writing"]["review_note"]] == [journal.review_note.pk]
    assert data["writing"]["entry"] == []


def test_each_entry_is_a_markdown_file_with_front_matter(maya_wrote_more):
    data = exports.collect(maya_wrote_more.author)
    by_id = {e["id"]: e for e in data["writing"]["entry"]}

    shared = exports.entry_markdown(by_id[maya_wrote_more.shared.pk])
    private = exports.entry_markdown(by_id[maya_wrote_more.private.pk])

    meta = front_matter(shared)
    assert meta["title"] == "The kettle conversation" and meta["task"] == "Connection"
    assert meta["week"] == maya_wrote_more.week.isoformat() and meta["version"] == 1
    assert meta["shared"] == "Co-reflection thread with Sam Lindqvist (Riverside Peer Respite)"
    assert "# The kettle conversation\n\nWe made tea by the allotment." in shared
    assert front_matter(private)["shared"] == "Private"
    assert private.rstrip().endswith("Later: it eased.")


def test_front_matter_survives_quotes_and_colons_in_a_title(author):
    entry = {
        "id": 1,
        "title": 'She said: "no" — and\nmeant it',
        "task": "worldview",
        "week": "2026-03-02",
        "created": "2026-03-04T10:00:00+00:00",
        "updated": "2026-03-04T10:00:00+00:00",
        "version": 1,
        "shared": None,
        "body": "---\nnot front matter\n---",
    }

    meta = front_matter(exports.entry_markdown(entry))

    assert meta["title"] == 'She said: "no" — and\nmeant it'


def test_data_json_follows_its_schema(maya_wrote_more):
    data = exports.collect(maya_wrote_more.author)
    schema = json.loads(exports.SCHEMA.read_text())

    assert set(schema["required"]) <= set(data)
    for kind, items in data["writing"].items():
        definition = schema["$defs"].get(kind, schema["$defs"]["writing"])
        for item in items:
            assert set(definition["required"]) <= set(item), kind
            assert set(item) <= set(definition["properties"]), kind


def test_a_large_export_is_built_in_the_background_and_the_person_is_told(
    client_for, journal, monkeypatch, settings
):
    settings.SITE_URL = "https://journal.example.org"
    monkeypatch.setattr(exports, "INLINE_LIMIT", 2)
    client = client_for(journal.author)

    response = client.post(EXPORT, follow=True)

    assert "being prepared in the background" in response.text
    export = DataExport.objects.get()
    assert export.status == DataExport.Status.READY  # the immediate backend ran the task
    notice = Notification.objects.get(recipient=journal.author, verb=Verb.EXPORT_READY)
    assert notice.url == EXPORT
    [email] = [m for m in mail.outbox if m.to == [journal.author.email]]
    assert email.subject == "[IPS Journal] Your data export is ready"
    assert "https://journal.example.org/account/export/" in email.body
    assert PRIVATE_MARKER not in email.body and "marigold" not in email.body
    assert download(client, export).namelist()


def test_an_export_that_fails_says_so(client_for, journal, monkeypatch):
    monkeypatch.setattr(exports, "INLINE_LIMIT", 0)

    def broken(export):
        raise RuntimeError("disk full")

    monkeypatch.setattr(exports, "build", broken)
    client = client_for(journal.author)

    client.post(EXPORT)

    assert DataExport.objects.get().status == DataExport.Status.FAILED
    assert "Could not be prepared" in client.get(EXPORT).text


def test_one_export_at_a_time(client_for, author):
    DataExport.objects.create(user=author)
    client = client_for(author)

    response = client.post(EXPORT, follow=True)

    assert "still being prepared" in response.text
    assert DataExport.objects.count() == 1


def test_only_its_owner_downloads_an_export(client_for, journal):
    export, _queued = exports.start(journal.author)

    for other in (journal.peer, journal.supervisor, journal.other_supervisor):
        assert client_for(other).get(reverse("accounts:export-download", args=[export.pk])).status_code == 404


def test_an_expired_export_is_gone(client_for, journal):
    export, _queued = exports.start(journal.author)
    name = export.file.name
    assert default_storage.exists(name)
    DataExport.objects.filter(pk=export.pk).update(expires=timezone.now() - timedelta(minutes=1))

    assert (
        client_for(journal.author).get(reverse("accounts:export-download", args=[export.pk])).status_code
        == 404
    )
    assert exports.prune_expired_exports() == 1
    assert not DataExport.objects.exists() and not default_storage.exists(name)


def test_the_export_page_lists_recent_exports(client_for, journal):
    exports.start(journal.author)

    response = client_for(journal.author).get(EXPORT)

    assert "Download" in response.text and "available until" in response.text
    assert "Only your own writing is included." in response.text


# --- The printable thread ---------------------------------------------------------------------------


def test_the_printable_thread_holds_both_peers_writing_with_notes(client_for, journal):
    response = client_for(journal.peer).get(reverse("reflections:thread-export", args=[journal.pair.pk]))

    assert response.status_code == 200
    text = response.text
    # Oldest week first: Sam's entry (last week) before Maya's (this week).
    assert text.index("Bus timetables") < text.index("The kettle conversation")
    assert NOTE_MARKER in text and "It was the marigold that made us both laugh." in text
    assert PRIVATE_MARKER not in text and HARBOUR_MARKER not in text
    assert "data-print hidden" in text and "js/print.js" in text
    assert "Who can read this:" in text


def test_the_printable_thread_records_the_read(client_for, journal):
    client_for(journal.peer).get(reverse("reflections:thread-export", args=[journal.pair.pk]))

    assert ReadRecord.objects.filter(reader=journal.peer, pair=journal.pair, week=journal.week).exists()


def test_the_printable_thread_is_for_the_peers_only(client_for, journal, stranger):
    url = reverse("reflections:thread-export", args=[journal.pair.pk])

    assert client_for(journal.supervisor).get(url).status_code == 403
    assert client_for(journal.other_supervisor).get(url).status_code == 404
    assert client_for(stranger).get(url).status_code == 404


def test_the_printable_thread_takes_the_same_queries_however_long(client_for, journal):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reflections.models import Entry, Task

    client = client_for(journal.peer)
    url = reverse("reflections:thread-export", args=[journal.pair.pk])
    client.get(url)
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        counts.append(len(captured))
        for n in range(5):
            entry = Entry.objects.create(
                author=journal.author, task=Task.MUTUALITY, body=f"Week {n}", week=journal.week
            )
            flows.share_entry(entry, journal.pair)
            note(entry, journal.peer, f"A note on week {n}.")
    assert counts[0] == counts[1], counts


def test_the_thread_page_offers_its_peers_the_printable_copy(client_for, journal):
    url = reverse("reflections:thread-export", args=[journal.pair.pk])
    thread = reverse("reflections:thread-detail", args=[journal.pair.pk])

    assert url in client_for(journal.peer).get(thread).text
    assert url not in client_for(journal.supervisor).get(thread).text
