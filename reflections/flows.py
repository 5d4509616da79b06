"""Workflows that touch several models: pairing, saving with revisions, sharing, annotating."""

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications import flows as notices

from .anchoring import locate, quote_at, rendered_text
from .models import Annotation, Draft, Entry, EntryView, PeerPair, Reply, Revision, ThreadSeen
from .thread_versions import new_version


# Pairs ---------------------------------------------------------------------------------------
def invite_pair(inviter, membership, message=""):
    invitee = membership.user
    open_pair = PeerPair.objects.for_member(inviter).filter(
        Q(inviter=invitee) | Q(invitee=invitee),
        status__in=[PeerPair.Status.PENDING, PeerPair.Status.ACTIVE],
    )
    if open_pair.exists():
        raise ValidationError(
            _("You and %(name)s already have a pair or an open invitation.") % {"name": invitee.name}
        )
    try:
        with transaction.atomic():
            return PeerPair.objects.create(
                team=membership.team, inviter=inviter, invitee=invitee, message=message
            )
    except IntegrityError:  # the other person invited at the same moment
        raise ValidationError(
            _("You and %(name)s already have a pair or an open invitation.") % {"name": invitee.name}
        ) from None


def respond_to_pair(pair, accept):
    pair.status = PeerPair.Status.ACTIVE if accept else PeerPair.Status.DECLINED
    pair.responded = timezone.now()
    pair.save(update_fields=["status", "responded"])


def end_pair(pair, user):
    pair.status = PeerPair.Status.ENDED
    pair.ended = timezone.now()
    pair.ended_by = user
    pair.save(update_fields=["status", "ended", "ended_by"])


# Entries -------------------------------------------------------------------------------------
class EditConflict(Exception):
    """The entry changed since the writer opened it: nothing was saved."""

    def __init__(self, current):
        self.current = current


def create_entry(author, data, draft_key=""):
    with transaction.atomic():
        entry = Entry.objects.create(author=author, **data)
        if draft_key:
            Draft.objects.filter(author=author, key=draft_key).delete()
    return entry


def edit_entry(entry_id, author, data, base_version, draft_key=""):
    """Apply an edit made on version `base_version`. Keeps the previous text as a revision and
    re-anchors notes. Raises EditConflict when someone (another tab) saved in between."""
    with transaction.atomic():
        entry = Entry.objects.select_for_update().get(pk=entry_id, author=author)
        if base_version is not None and base_version != entry.version:
            raise EditConflict(entry)
        unchanged = all(getattr(entry, field) == value for field, value in data.items())
        if not unchanged:
            Revision.objects.create(
                entry=entry,
                version=entry.version,
                task=entry.task,
                title=entry.title,
                body=entry.body,
                created=entry.updated,
            )
            for field, value in data.items():
                setattr(entry, field, value)
            entry.version += 1
            entry.updated = timezone.now()
            entry.save()
            reanchor(entry)
        if draft_key:
            Draft.objects.filter(author=author, key=draft_key).delete()
    return entry


def reanchor(entry):
    """After an edit, move each passage note to its quote, or mark it orphaned — never attach
    it to a different passage."""
    text = rendered_text(entry.body_html)
    changed = []
    for note in entry.annotations.exclude(exact=""):
        found = locate(text, note.exact, note.prefix, note.suffix, note.start)
        if found is None:
            if not note.orphaned:
                note.orphaned = True
                changed.append(note)
            continue
        quote = quote_at(text, *found)
        new = {"start": quote.start, "end": quote.end, "prefix": quote.prefix, "suffix": quote.suffix}
        if note.orphaned or any(getattr(note, k) != v for k, v in new.items()):
            for key, value in new.items():
                setattr(note, key, value)
            note.orphaned = False
            changed.append(note)
    Annotation.objects.bulk_update(changed, ["start", "end", "prefix", "suffix", "orphaned"])


def share_entry(entry, pair):
    # Moving a shared entry to another thread would take it (and the peer's notes on it) away
    # from that peer and show the notes to someone else: unshare first, while that is allowed.
    if entry.is_shared:
        raise ValidationError(
            _("This entry is already shared. Make it private again before sharing it elsewhere.")
        )
    entry.pair = pair
    entry.shared = timezone.now()
    entry.save(update_fields=["pair", "shared"])
    notices.entry_shared(entry)


def _others_wrote():
    """Whether anyone but the entry's author (the outer query's entry) wrote a note on it or a
    reply to one of its notes."""
    others = ~Q(author=OuterRef("author"))
    return Exists(Annotation.objects.filter(others, entry=OuterRef("pk"))) | Exists(
        Reply.objects.filter(others, annotation__entry=OuterRef("pk"))
    )


def can_unshare(entry):
    """Unsharing is possible until the peer has annotated the entry (a note, or a reply to one
    of the author's own notes): after that, unsharing would take the peer's writing from them."""
    return entry.is_shared and not Entry.objects.filter(_others_wrote(), pk=entry.pk).exists()


def unshare_entry(entry):
    if not entry.is_shared:
        raise ValidationError(_("This entry is already private: only you can read it."))
    if not can_unshare(entry):
        raise ValidationError(_("Your peer has already written notes on this entry, so it stays shared."))
    entry.pair = None
    entry.shared = None
    entry.save(update_fields=["pair", "shared"])


def save_draft(author, key, data):
    draft, _created = Draft.objects.update_or_create(
        author=author, key=key, defaults={**data, "updated": timezone.now()}
    )
    return draft


# Annotations ---------------------------------------------------------------------------------
def annotate(entry, author, form):
    """Save a note from AnnotationForm. A passage is checked against the entry's current text
    (the page may be out of date); if it moved, it is found again by its quote."""
    note = form.save(commit=False)
    note.entry = entry
    note.author = author
    if note.exact:
        text = rendered_text(entry.body_html)
        found = locate(text, note.exact, note.prefix, note.suffix, note.start)
        if found is None:
            raise ValidationError(
                _("That passage has changed since the page was loaded. Reload the entry and select it again.")
            )
        quote = quote_at(text, *found)
        note.start, note.end, note.prefix, note.suffix = quote.start, quote.end, quote.prefix, quote.suffix
    else:
        note.exact = note.prefix = note.suffix = ""
        note.start = note.end = None
    note.save()
    notices.note_written(note)
    return note


def toggle_resolved(note, user):
    if note.resolved:
        note.resolved, note.resolved_by = None, None
    else:
        note.resolved, note.resolved_by = timezone.now(), user
    note.save(update_fields=["resolved", "resolved_by"])


# Unread --------------------------------------------------------------------------------------
def mark_seen(user, entries, as_of=None):
    """Record that the user has seen these entries as they were at `as_of` (one upsert per entry,
    in one query). Pages pass the time from before they read what they show: writing that
    arrives while the page renders was not shown, so it must stay new (default: now). Left
    open: writing stamped just before `as_of` whose transaction commits after the page's read
    (a window of one write's transaction); and two of the same person's pages finishing out of
    order may store the earlier time — both err towards showing something as new once more.

    What is new to someone is part of what their own pages of the thread show, so it gives them
    a new ThreadSeen version of those threads (one more upsert): what was cached while these were
    new — a thread page, the dashboard's count of what is new (unread_counts) — is not shown to
    them again, and every other reader's cached pages stay."""
    if not entries:
        return
    now = as_of or timezone.now()
    # One transaction: what was seen never changes without a new version (the cached counts).
    # Inside a caller's transaction no savepoint is needed: an error here fails the caller too.
    with transaction.atomic(savepoint=False):
        EntryView.objects.bulk_create(
            [EntryView(user=user, entry=entry, seen=now) for entry in entries],
            update_conflicts=True,
            unique_fields=["user", "entry"],
            update_fields=["seen"],
        )
        pair_ids = {entry.pair_id for entry in entries} - {None}
        if pair_ids:
            ThreadSeen.objects.bulk_create(
                [ThreadSeen(user=user, pair_id=pair_id, version=new_version()) for pair_id in pair_ids],
                update_conflicts=True,
                unique_fields=["user", "pair"],
                update_fields=["version"],
            )


def views_by(user, entry="pk"):
    """The user's view record of the entry the outer query names by `entry`; `.values("seen")[:1]`
    of it is when they last saw that entry, Exists() of it whether they ever opened it."""
    return EntryView.objects.filter(user=user, entry=OuterRef(entry))


def notes_state(entry, user):
    """What the entry page must know before it shows a peer the notes, in one query: when they
    last saw the entry, the newest note by someone else, and whether anyone but the author wrote
    a note or reply (then the author can no longer unshare it)."""
    notes = Annotation.objects.filter(entry=OuterRef("pk")).exclude(author=user)
    return (
        Entry.objects.filter(pk=entry.pk)
        .annotate(
            seen=Subquery(views_by(user).values("seen")[:1]),
            newest_other=Subquery(notes.order_by("-created").values("created")[:1]),
            others_wrote=_others_wrote(),
        )
        .values("seen", "newest_other", "others_wrote")
        .get()
    )


def unread_by_pair(user, pair_ids):
    """{pair id: how many entries and notes by others the user has not seen} for these threads,
    counted by the database in one query: entries never opened, and notes (also on the user's own
    entries) written since the user last saw their entry. Threads with nothing new are left out."""
    if not pair_ids:
        return {}
    new_entries = (
        Entry.objects.filter(pair_id__in=pair_ids)
        .exclude(author=user)
        .exclude(Exists(views_by(user)))
        .order_by()
        .values("pair_id")
        .annotate(n=Count("pk"))
        .values_list("pair_id", "n")
    )
    note_seen = views_by(user, entry="entry_id").values("seen")[:1]
    new_notes = (
        Annotation.objects.filter(entry__pair_id__in=pair_ids)
        .exclude(author=user)
        .annotate(entry_seen=Subquery(note_seen))
        .filter(Q(entry_seen__isnull=True) | Q(created__gt=F("entry_seen")))
        .order_by()
        .values("entry__pair_id")
        .annotate(n=Count("pk"))
        .values_list("entry__pair_id", "n")
    )
    unread = {}
    for pair_id, count in new_entries.union(new_notes, all=True).order_by():
        unread[pair_id] = unread.get(pair_id, 0) + count
    return unread


def unread_counts(user, pairs):
    """unread_by_pair for pairs fetched `with_seen_version(user)`, each pair's count cached under
    its thread version and the user's seen version — what is new to someone changes only with
    one of the two (new writing; mark_seen) — so the database counts a thread's years of history
    again only after a change."""
    keys = {
        pair.pk: f"unread:{user.pk}:{pair.pk}:{pair.thread_version}:{pair.seen_version}" for pair in pairs
    }
    cache, seconds = caches["fragments"], settings.FRAGMENT_CACHE_SECONDS
    found = cache.get_many(keys.values()) if seconds and keys else {}
    counts = {pk: found[key] for pk, key in keys.items() if key in found}
    missing = [pk for pk in keys if pk not in counts]
    if missing:
        counted = unread_by_pair(user, missing)
        fresh = {pk: counted.get(pk, 0) for pk in missing}
        counts.update(fresh)
        if seconds:
            cache.set_many({keys[pk]: n for pk, n in fresh.items()}, seconds)
    return counts


def with_unread(entries, user):
    """Annotate a queryset of entries with `is_unread` and `unread_notes` for the user."""
    seen = views_by(user).values("seen")[:1]
    return entries.annotate(
        seen_at=Subquery(seen),
        is_unread=ExpressionWrapper(
            ~Q(author=user) & ~Exists(views_by(user)),
            output_field=BooleanField(),
        ),
        unread_notes=Count(
            "annotations",
            filter=~Q(annotations__author=user)
            & (Q(seen_at__isnull=True) | Q(annotations__created__gt=Subquery(seen))),
            distinct=True,
        ),
    )
