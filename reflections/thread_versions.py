"""Give a thread a new PeerPair.thread_version whenever what it shows changes.

Cached fragments of a thread (reflections.fragments) are keyed by its version, so a change must
set a new one in the same transaction: a reader who sees the new version then also sees the new
data, and a fragment rendered from older data is left under a key nobody asks for again. A new
version is random rather than the next number: after a database is restored from a backup, a
counter would count again through numbers whose fragments showed writing the restore took back;
a random version is only ever met again with the data it was given to. Saves and
deletes reach here through signals (connected in ReflectionsConfig.ready); the few bulk updates
that skip signals call bump_threads() themselves.

When writing a thread showed is deleted, changed or leaves it (made private again), the thread's
renderings are also deleted from the cache once the change commits (reflections.fragments), so
no copy of the old writing stays there until it expires. New writing only adds, so its
renderings are left to expire: that is the common case, and it costs nothing more."""

import secrets

from django.db.models.signals import post_delete, post_save, pre_save

from .fragments import forget_threads_on_commit


def new_version():
    return secrets.randbits(62)


# A save that changes these fields changes writing that readers may have seen rendered.
WRITING_FIELDS = frozenset({"body", "body_html", "title", "task"})


def bump_threads(pairs, *, forget=False):
    """A new version for these threads: pair ids, or a queryset of them (one UPDATE).
    `forget`: writing they showed was deleted or changed; their renderings go too."""
    from .models import PeerPair

    if isinstance(pairs, (list, set, tuple)):
        pairs = {pk for pk in pairs if pk is not None}
        if not pairs:
            return
    threads = PeerPair.objects.filter(pk__in=pairs)
    threads.update(thread_version=new_version())
    if forget:
        forget_threads_on_commit(pairs if isinstance(pairs, set) else threads.values_list("pk", flat=True))


def _changes_writing(signal, created=False, update_fields=None, **_):
    """Deleted, or saved again with its text (not new, not only resolved or shared)."""
    if signal is post_delete:
        return True
    return not created and (update_fields is None or bool(WRITING_FIELDS & set(update_fields)))


def _entry_pairs(entry_ids):
    from .models import Entry

    return Entry.objects.filter(pk__in=entry_ids, pair__isnull=False).values("pair_id")


def _entry_loaded(sender, instance, raw=False, **kwargs):
    if not raw and not instance._state.adding and not hasattr(instance, "loaded_pair_id"):
        # Loaded without its pair (deferred) or built by hand: ask which thread it is in now.
        instance.loaded_pair_id = (
            sender.objects.filter(pk=instance.pk).values_list("pair_id", flat=True).first()
        )


def _entry_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    was_in = getattr(instance, "loaded_pair_id", None)
    # Edited while shared, or made private again: what its thread showed has changed.
    changed = was_in is not None and (was_in != instance.pair_id or _changes_writing(**kwargs))
    bump_threads([instance.pair_id, was_in], forget=changed)
    instance.loaded_pair_id = instance.pair_id


def _entry_deleted(sender, instance, **kwargs):
    bump_threads([instance.pair_id], forget=True)


def _pair_deleted(sender, instance, **kwargs):
    """A thread deleted with one of its peers' accounts: its renderings go with it."""
    forget_threads_on_commit([instance.pk])


def _pair_saved(sender, instance, created=False, raw=False, **kwargs):
    """A pair's own changes (accepted, ended) show in its thread and on the team page."""
    if not raw and not created:
        bump_threads([instance.pk])


def _by_pair(sender, instance, raw=False, **kwargs):
    """Review notes: the pair is on the row."""
    if not raw:
        bump_threads([instance.pair_id], forget=_changes_writing(**kwargs))


def _week_reviewed(sender, instance, raw=False, **kwargs):
    """A week marked reviewed, or no longer: shown in the thread, but no one's writing."""
    if not raw:
        bump_threads([instance.pair_id])


def _by_entry(sender, instance, raw=False, **kwargs):
    """Notes: through their entry."""
    if not raw:
        bump_threads(_entry_pairs([instance.entry_id]), forget=_changes_writing(**kwargs))


def _by_note(sender, instance, raw=False, **kwargs):
    """Replies to notes: through the note's entry."""
    from .models import Annotation

    if not raw:
        notes = Annotation.objects.filter(pk=instance.annotation_id).values("entry_id")
        bump_threads(_entry_pairs(notes), forget=_changes_writing(**kwargs))


def _by_review_note(sender, instance, raw=False, **kwargs):
    from supervision.models import ReviewNote

    if not raw:
        notes = ReviewNote.objects.filter(pk=instance.note_id).values("pair_id")
        bump_threads(notes, forget=_changes_writing(**kwargs))


def _team_readers_changed(sender, instance, created=False, raw=False, **kwargs):
    """Who can read a thread — its team's supervisors, and the team by name — shows on its pages
    and is kept with their fragments: a membership or the team changing gives every thread of
    the team a new version. (Rare, and one UPDATE.)"""
    from accounts.models import Team

    from .models import PeerPair

    is_team = isinstance(instance, Team)
    if not raw and not (is_team and created):  # a new team has no threads yet
        team_id = instance.pk if is_team else instance.team_id
        bump_threads(PeerPair.objects.filter(team_id=team_id).values("pk"))


NAME_FIELDS = {"display_name", "email"}


def _person_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    """A new name shows in every thread the person writes in or reviews."""
    from accounts.models import Membership

    from .models import PeerPair

    if raw or created or (update_fields is not None and not NAME_FIELDS & set(update_fields)):
        return
    teams = Membership.objects.filter(user=instance).values("team_id")
    mine = PeerPair.objects.filter(inviter=instance) | PeerPair.objects.filter(invitee=instance)
    # Reviews stay in a thread after their author leaves its team.
    reviewed = (
        PeerPair.objects.filter(review_notes__author=instance)
        | PeerPair.objects.filter(review_notes__replies__author=instance)
        | PeerPair.objects.filter(week_reviews__supervisor=instance)
    )
    threads = mine.values("pk") | PeerPair.objects.filter(team__in=teams).values("pk") | reviewed.values("pk")
    bump_threads(threads)


def connect():
    from django.contrib.auth import get_user_model

    from accounts.models import Membership, Team
    from supervision.models import ReviewNote, ReviewReply, WeekReview

    from .models import Annotation, Entry, PeerPair, Reply

    post_save.connect(_pair_saved, sender=PeerPair, dispatch_uid="thread_version_pair")
    post_delete.connect(_pair_deleted, sender=PeerPair, dispatch_uid="thread_version_pair_delete")
    pre_save.connect(_entry_loaded, sender=Entry, dispatch_uid="thread_version_entry_pre")
    post_save.connect(_entry_saved, sender=Entry, dispatch_uid="thread_version_entry")
    post_delete.connect(_entry_deleted, sender=Entry, dispatch_uid="thread_version_entry_delete")
    receivers = [
        (Annotation, _by_entry),
        (Reply, _by_note),
        (ReviewNote, _by_pair),
        (WeekReview, _week_reviewed),
    ]
    receivers.append((ReviewReply, _by_review_note))
    for model, receiver in receivers:
        uid = f"thread_version_{model._meta.label_lower}"
        post_save.connect(receiver, sender=model, dispatch_uid=uid)
        post_delete.connect(receiver, sender=model, dispatch_uid=f"{uid}_delete")
    post_save.connect(_person_saved, sender=get_user_model(), dispatch_uid="thread_version_person")
    post_save.connect(_team_readers_changed, sender=Team, dispatch_uid="thread_version_team")
    post_save.connect(_team_readers_changed, sender=Membership, dispatch_uid="thread_version_membership")
    post_delete.connect(
        _team_readers_changed, sender=Membership, dispatch_uid="thread_version_membership_delete"
    )
