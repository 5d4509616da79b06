"""Demo co-reflection: two pairs, eight weeks, all four tasks, notes, replies, an edit that
orphans a note, and private entries. Written to read like real practice."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from . import flows
from .anchoring import quote_at, rendered_text
from .forms import AnnotationForm
from .models import Annotation, Draft, Entry, PeerPair, Reply, Task
from .weeks import current_week

REFLECTIONS = [
    (
        Task.CONNECTION,
        "The kettle conversation",
        "Tuesday evening D. and I ended up making tea together for almost an hour. I noticed I stopped "
        "watching the clock once she started talking about her allotment.\n\n"
        "The moment I felt most connected was when she laughed at my terrible attempt at growing courgettes. "
        "Something loosened between us right then.\n\n"
        "Then I asked about her week at home and she went quiet. I think I moved too fast from the allotment "
        "to *how are things really* — it sounded like an assessment.",
    ),
    (
        Task.WORLDVIEW,
        "Whose words?",
        'In handover someone described R. as "resistant". I caught myself carrying that word into my first '
        "conversation with him.\n\n"
        "When I asked what the last few days had been like, he said nobody had asked him what he wanted since "
        "he arrived. Resistant looked very different from his side: he was saying no to being decided for.\n\n"
        "> What happened, rather than what's wrong.\n\n"
        "I want to notice the words I inherit from the system before they shape what I hear.",
    ),
    (
        Task.MUTUALITY,
        "Learning from J.",
        "J. showed me how she plans her week around the bus timetable. I had never thought about how much of "
        "her energy goes on that.\n\n"
        "I told her I'd learned something, and she looked surprised — I don't think people tell her that often.\n\n"
        "Where power showed up: I was holding the keys to the quiet room. We talked about it openly and agreed "
        "she'd ask when she needed it, without having to explain why.",
    ),
    (
        Task.MOVING_TOWARDS,
        "Towards, not away",
        "Most of our talk this week was about what T. wants to stop: the late nights, the arguments with his "
        "brother.\n\n"
        "Near the end I asked what he'd like more of. He said *mornings* — he used to love early walks by the "
        "river.\n\n"
        "We agreed to each try one small new thing before Thursday: he'll walk to the bridge, I'll try a "
        "morning without my phone.",
    ),
    (
        Task.CONNECTION,
        "Naming the disconnect",
        "I could feel us losing each other halfway through Wednesday's conversation. I said, \"I'm sensing "
        "we've lost each other a bit — is that how it feels to you?\"\n\n"
        "It was awkward to say. She said yes, she felt I was waiting for her to finish so I could give advice. "
        "She was right.\n\n"
        "Reconnecting looked like me putting the leaflet down and asking what had happened that morning.",
    ),
    (
        Task.WORLDVIEW,
        "The tip of the iceberg",
        "I assumed the new guest didn't want company because he ate alone in his room.\n\n"
        "When I asked, he said the dining room reminded him of a ward he'd stayed on. Nothing to do with us, "
        "everything to do with what had happened to him.\n\n"
        "I'm noticing how quickly I fill in the rest of the iceberg with my own story.",
    ),
    (
        Task.MUTUALITY,
        "Staying peer",
        "I noticed myself slipping into the *more recovered* position when L. talked about sleep. I started "
        "listing what worked for me.\n\n"
        "She was polite but I could see her switch off. Afterwards I asked what she'd found herself. She had "
        "a whole approach I'd never heard of.\n\n"
        "My need to be useful was louder than my curiosity.",
    ),
    (
        Task.MOVING_TOWARDS,
        "Small steps for the garden group",
        "The Friday garden group is growing. Three people came who haven't joined anything before.\n\n"
        "We talked about what the group is moving towards: a place where anyone can turn up without having to "
        "explain themselves.\n\n"
        "Hope showed up when M. brought seeds from her own garden to share.",
    ),
]

NOTES = [
    ("an hour", "An hour of tea is its own kind of connection. What made it easy to stay?"),
    ("it sounded like an assessment", "I do this too. Did she say anything that told you it felt that way?"),
    ("being decided for", 'This landed with me. I\'ve been on the other side of "resistant".'),
    ("the keys to the quiet room", "I like that you named it together rather than just handing them over."),
    ("*mornings*", "Mornings! I'd love to hear how the bridge walk went."),
]

REPLIES = [
    "Thank you — I'll bring this to Thursday.",
    "Yes. I think what made it easy was that neither of us had an agenda.",
    'She did, actually: she said "you sound like my care coordinator". We both laughed, but it stung.',
    "It went well — I'll tell you properly on Thursday.",
]
WHOLE_ENTRY_NOTES = [
    "Reading this, I recognised so much of my own week. Can we start Thursday here?",
    "Thank you for writing this so honestly. It makes me want to look at my own part in last week.",
]


def _author_and_other(pair, index):
    return (pair.inviter, pair.invitee) if index % 2 == 0 else (pair.invitee, pair.inviter)


def _note(entry, author, passage, body, created):
    text = rendered_text(entry.body_html)
    start = text.find(passage.strip("*")) if passage else -1
    data = {"body": body, "task": ""}
    if start != -1:
        quote = quote_at(text, start, start + len(passage.strip("*")))
        data.update(
            exact=quote.exact, prefix=quote.prefix, suffix=quote.suffix, start=quote.start, end=quote.end
        )
    form = AnnotationForm(data)
    assert form.is_valid(), form.errors
    note = flows.annotate(entry, author, form)
    Annotation.objects.filter(pk=note.pk).update(created=created, updated=created)
    return note


@transaction.atomic
def seed_reflections(team, people):
    """Idempotent: does nothing if the demo pairs already have entries."""
    maya, sam, jordan, priya = (people[n] for n in ["maya", "sam", "jordan", "priya"])
    if Entry.objects.filter(author__in=[maya, sam, jordan, priya]).exists():
        return
    now = timezone.now()
    this_week = current_week(maya)
    pairs = []
    for inviter, invitee in [(maya, sam), (jordan, priya)]:
        pair = PeerPair.objects.create(
            team=team,
            inviter=inviter,
            invitee=invitee,
            status=PeerPair.Status.ACTIVE,
            created=now - dt.timedelta(weeks=9),
            responded=now - dt.timedelta(weeks=9) + dt.timedelta(hours=5),
            message="Would you like to co-reflect on Thursdays?",
        )
        pairs.append(pair)

    for pair_index, pair in enumerate(pairs):
        for weeks_ago in range(8, 0, -1):
            week = this_week - dt.timedelta(weeks=weeks_ago)
            for person_index in range(2):
                author, other = _author_and_other(pair, person_index)
                task, title, body = REFLECTIONS[
                    (weeks_ago * 2 + person_index + pair_index * 3) % len(REFLECTIONS)
                ]
                written = timezone.make_aware(
                    dt.datetime.combine(week + dt.timedelta(days=3 + person_index), dt.time(18, 30))
                )
                entry = Entry.objects.create(
                    author=author,
                    task=task,
                    title=title,
                    body=body,
                    week=week,
                    created=written,
                    updated=written,
                )
                flows.share_entry(entry, pair)
                Entry.objects.filter(pk=entry.pk).update(shared=written)
                text = rendered_text(entry.body_html)
                matching = [(p, b) for p, b in NOTES if p.strip("*") in text]
                if matching:
                    passage, note_body = matching[0]
                    note = _note(entry, other, passage, note_body, written + dt.timedelta(days=1))
                    if weeks_ago % 2 == 0:
                        Reply(annotation=note, author=author, body=REPLIES[weeks_ago % len(REPLIES)]).save()
                    if weeks_ago >= 6:
                        flows.toggle_resolved(note, author)
                elif weeks_ago % 3 == 0:
                    _note(entry, other, "", WHOLE_ENTRY_NOTES[person_index], written + dt.timedelta(days=1))
                flows.mark_seen(other, [entry])

    # An edit that moves one note's passage away: the note is kept, marked orphaned, with its quote.
    maya_latest = Entry.objects.filter(author=maya, pair=pairs[0]).order_by("-week").first()
    orphan_target = _note(
        maya_latest,
        sam,
        maya_latest.body.split("\n\n")[0][:40],
        "This opening stayed with me.",
        now - dt.timedelta(days=2),
    )
    flows.edit_entry(
        maya_latest.pk,
        maya,
        {
            "body": "(Rewritten after our Thursday talk.)\n\n"
            + "\n\n".join(maya_latest.body.split("\n\n")[1:])
        },
        None,
    )
    orphan_target.refresh_from_db()

    # This week: something shared, something still private, an unfinished draft.
    entry = Entry.objects.create(
        author=sam,
        task=Task.CONNECTION,
        title="Back from leave",
        week=this_week,
        body="First shift back after two weeks away. I noticed how much I'd missed the "
        "small talk in the kitchen — it's where most of our connection happens.",
    )
    flows.share_entry(entry, pairs[0])
    Entry.objects.create(
        author=maya,
        task=Task.WORLDVIEW,
        title="Something I'm not ready to share",
        week=this_week,
        body="Private for now: a conversation stirred up my own story about hospital, "
        "and I want to sit with it before talking it through.",
    )
    Draft.objects.update_or_create(
        author=maya,
        key="demo-draft",
        defaults={
            "task": Task.MOVING_TOWARDS,
            "title": "What we're moving towards",
            "week": this_week,
            "body": "Thinking about Thursday: what would it look like if the house meeting started with what "
            "people want more of?",
        },
    )
