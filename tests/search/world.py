"""A small journal to search, notify about, export and delete: Maya (author) and Sam (peer) of
Riverside co-reflect, supervised by Rosa; Kofi and Hana co-reflect at Harbour Street, supervised
by Dev. "marigold" appears in every kind of writing, so one query finds them all; each marker
appears in exactly one place."""

import datetime as dt
from types import SimpleNamespace

from accounts.demo import ensure_person
from accounts.models import Membership, Role
from notifications import flows as notices
from reflections import flows
from reflections.forms import AnnotationForm
from reflections.models import Entry, PeerPair, Reply, Task
from reflections.weeks import current_week
from supervision.models import ReviewNote, ReviewReply

PASSWORD = "tidal-lantern-4821"
PRIVATE_MARKER = "QUINCE-PRIVATE-4417"  # only in Maya's private entry
PEER_MARKER = "HAZEL-SAM-5120"  # only in Sam's own shared entry
NOTE_MARKER = "BRAMBLE-NOTE-3388"  # only in Sam's note on Maya's entry
HARBOUR_MARKER = "HARBOUR-ONLY-2291"  # only in Hana's entry at Harbour Street


def note(entry, author, body, task=""):
    form = AnnotationForm({"body": body, "task": task})
    assert form.is_valid(), form.errors
    return flows.annotate(entry, author, form)


def reply(annotation, author, body):
    made = Reply.objects.create(annotation=annotation, author=author, body=body)
    notices.reply_written(made)
    return made


def review_note(pair, week, author, body):
    made = ReviewNote.objects.create(pair=pair, week=week, author=author, body=body)
    notices.review_note_written(made)
    return made


def entry(author, task, title, body, week, pair=None):
    made = Entry.objects.create(author=author, task=task, title=title, body=body, week=week)
    if pair is not None:
        flows.share_entry(made, pair)
    return made


def build(*, team, other_team, author, peer, supervisor, other_supervisor):
    w = SimpleNamespace(
        team=team,
        other_team=other_team,
        author=author,
        peer=peer,
        supervisor=supervisor,
        other_supervisor=other_supervisor,
    )
    week = current_week(author)
    w.week = week
    w.pair = PeerPair.objects.create(team=team, inviter=author, invitee=peer, status=PeerPair.Status.ACTIVE)
    w.shared = entry(
        author,
        Task.CONNECTION,
        "The kettle conversation",
        "We made tea by the allotment. The marigold by the shed started it all.\n\n"
        "Something loosened between us right then.",
        week,
        w.pair,
    )
    w.private = entry(
        author,
        Task.WORLDVIEW,
        "Not ready to share",
        f"{PRIVATE_MARKER} The night shift stirred my own story. A marigold on the ward window.",
        week,
    )
    w.peer_entry = entry(
        peer,
        Task.MUTUALITY,
        "Bus timetables",
        f"{PEER_MARKER} J. plans her week around the bus timetable; she brought me a marigold.",
        week - dt.timedelta(weeks=1),
        w.pair,
    )
    w.note = note(w.shared, peer, f"{NOTE_MARKER} The marigold moment stayed with me.", task=Task.MUTUALITY)
    w.reply = reply(w.note, author, "It was the marigold that made us both laugh.")
    w.review_note = review_note(w.pair, week, supervisor, "A marigold week for you both. What helped?")
    w.review_reply = ReviewReply.objects.create(
        note=w.review_note, author=peer, body="Tea helped, and marigolds."
    )
    notices.review_reply_written(w.review_reply)

    kofi = ensure_person("kofi.boateng@harbourstreet.example.org", "Kofi Boateng", password=PASSWORD)
    hana = ensure_person("hana.kobayashi@harbourstreet.example.org", "Hana Kobayashi", password=PASSWORD)
    Membership.objects.create(team=other_team, user=kofi, role=Role.PEER)
    Membership.objects.create(team=other_team, user=hana, role=Role.PEER)
    w.kofi, w.hana = kofi, hana
    w.other_pair = PeerPair.objects.create(
        team=other_team, inviter=kofi, invitee=hana, status=PeerPair.Status.ACTIVE
    )
    w.other_entry = entry(
        hana,
        Task.MUTUALITY,
        "Keys to the quiet room",
        f"{HARBOUR_MARKER} I was holding the keys, and a marigold in my pocket.",
        week,
        w.other_pair,
    )
    return w
