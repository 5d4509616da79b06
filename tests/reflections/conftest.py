"""Co-reflection fixtures: Maya (author) and Sam (peer) of Riverside Peer Respite in an active
pair, one shared and one private entry, and quick builders for long histories.

The builders use bulk_create (and render the Markdown themselves, since bulk_create skips
`save()`), so a test can have fifty weeks of history or thirty notes in a handful of queries.
"""

import datetime as dt

import pytest
from django.utils import timezone

from reflections import flows
from reflections.anchoring import quote_at, rendered_text, utf16_offset
from reflections.forms import AnnotationForm, sign_author
from reflections.models import Annotation, Entry, PeerPair, Reply, Task
from reflections.rendering import render_markdown
from reflections.weeks import current_week

# Appears only in Maya's private entry: no response to anyone else may contain it.
PRIVATE_MARKER = "PRIVATE-MARKER-7f3a9c"

SHARED_BODY = (
    "On Tuesday D. and I made tea together for almost an hour. I noticed I stopped watching "
    "the clock once she started talking about her allotment.\n\n"
    "The moment I felt most connected was when she laughed at my attempt at growing courgettes. "
    "Something loosened between us right then.\n\n"
    "Then I asked about her week at home and she went quiet. I think I moved too fast from the "
    "allotment to how things really were, and it sounded like an assessment."
)
PASSAGE = "Something loosened between us right then."

PRIVATE_BODY = (
    f"{PRIVATE_MARKER} A conversation on the night shift stirred up my own story about "
    "hospital. I want to sit with how it coloured what I heard before I talk it through."
)

# Reflections for long histories, one per task, in the voice of the people who write them.
HISTORY = {
    Task.CONNECTION: "I noticed the moment we lost each other and said so out loud. It was awkward, "
    "and it brought us back.",
    Task.WORLDVIEW: 'Handover called R. "resistant". From his side he was saying no to being decided '
    "for, and I want to notice the words I inherit.",
    Task.MUTUALITY: "J. taught me how she plans her week around the bus timetable, and I told her I "
    "had learned something from her.",
    Task.MOVING_TOWARDS: "We talked less about what T. wants to stop and more about mornings by the "
    "river, which he wants more of.",
}
NOTE_BODIES = [
    "This stayed with me. What do you think made it possible?",
    "I recognise this from my own week with the house meeting.",
    "Could we start Thursday from here?",
]


@pytest.fixture
def pair(author, peer, team):
    """Maya invited Sam; Sam accepted three weeks ago."""
    accepted = timezone.now() - dt.timedelta(weeks=3)
    return PeerPair.objects.create(
        team=team,
        inviter=author,
        invitee=peer,
        status=PeerPair.Status.ACTIVE,
        message="Would you like to co-reflect on Thursdays?",
        created=accepted - dt.timedelta(hours=5),
        responded=accepted,
    )


@pytest.fixture
def shared_entry(author, pair):
    entry = Entry.objects.create(
        author=author,
        task=Task.CONNECTION,
        title="The kettle conversation",
        body=SHARED_BODY,
        week=current_week(author),
    )
    flows.share_entry(entry, pair)
    return entry


@pytest.fixture
def private_entry(author):
    return Entry.objects.create(
        author=author,
        task=Task.WORLDVIEW,
        title=f"Not ready to share {PRIVATE_MARKER}",
        body=PRIVATE_BODY,
        week=current_week(author),
    )


@pytest.fixture
def author_token(author):
    return sign_author(author)


def selectors(entry, passage, occurrence=0):
    """The form fields the page script sends for `passage` (its n-th occurrence) in the entry."""
    text = rendered_text(entry.body_html)
    index = -1
    for _ in range(occurrence + 1):
        index = text.index(passage, index + 1)
    start = utf16_offset(text, index)
    quote = quote_at(text, start, utf16_offset(text, index + len(passage)))
    return {
        "exact": quote.exact,
        "prefix": quote.prefix,
        "suffix": quote.suffix,
        "start": quote.start,
        "end": quote.end,
    }


def add_note(entry, author, passage="", body="This stayed with me.", **extra):
    """A note through the real flow (as the view saves it)."""
    data = {"body": body, "task": extra.pop("task", "")}
    if passage:
        data.update(selectors(entry, passage))
    form = AnnotationForm(data)
    assert form.is_valid(), form.errors
    return flows.annotate(entry, author, form)


def build_history(pair, weeks, *, newest=None, notes_per_entry=0):
    """`weeks` weeks of shared reflections in the pair's thread, one entry per peer per week
    (newest first from `newest`, default this week), optionally with notes by the other peer."""
    newest = newest or current_week(pair.inviter)
    people = [pair.inviter, pair.invitee]
    tasks = list(Task)
    entries = []
    for n in range(weeks):
        week = newest - dt.timedelta(weeks=n)
        for i, person in enumerate(people):
            task = tasks[(n + i) % 4]
            body = HISTORY[task]
            written = timezone.make_aware(
                dt.datetime.combine(week + dt.timedelta(days=2 + i), dt.time(18, 30))
            )
            entries.append(
                Entry(
                    author=person,
                    task=task,
                    title=f"{task.label}, week {week.isocalendar().week}",
                    body=body,
                    body_html=render_markdown(body),
                    week=week,
                    pair=pair,
                    shared=written,
                    created=written,
                    updated=written,
                )
            )
    entries = Entry.objects.bulk_create(entries)
    if notes_per_entry:
        for entry in entries:
            other = pair.invitee if entry.author_id == pair.inviter_id else pair.inviter
            build_notes(entry, other, notes_per_entry)
    return entries


def build_notes(entry, author, count, *, replies=0, replier=None):
    """`count` notes by `author` on the entry — passages cycling through its sentences, every
    third one on the whole entry — each with `replies` replies by `replier`."""
    text = rendered_text(entry.body_html)
    sentences = [s for s in text.replace("\n", " ").split(". ") if len(s) > 10]
    # After the entry was written, but never in the future (unread markers compare times).
    now = timezone.now()
    notes = []
    for n in range(count):
        fields = {}
        if n % 3 != 2:
            passage = sentences[n % len(sentences)]
            index = text.index(passage)
            quote = quote_at(text, utf16_offset(text, index), utf16_offset(text, index + len(passage)))
            fields = {
                "exact": quote.exact,
                "prefix": quote.prefix,
                "suffix": quote.suffix,
                "start": quote.start,
                "end": quote.end,
            }
        body = NOTE_BODIES[n % len(NOTE_BODIES)]
        created = min(entry.created + dt.timedelta(hours=n + 1), now - dt.timedelta(seconds=count - n))
        notes.append(
            Annotation(
                entry=entry,
                author=author,
                body=body,
                body_html=render_markdown(body),
                task=list(Task)[n % 4] if n % 2 else "",
                created=created,
                updated=created,
                **fields,
            )
        )
    notes = Annotation.objects.bulk_create(notes)
    if replies:
        replier = replier or entry.author
        body = "Yes — and I noticed how much I wanted to fix it."
        Reply.objects.bulk_create(
            Reply(annotation=note, author=replier, body=body, body_html=render_markdown(body))
            for note in notes
            for _ in range(replies)
        )
    return notes
