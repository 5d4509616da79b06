"""Kinds of writing: the one list that search, the personal export, notifications and account
deletion read from.

A `Kind` describes one model of writing (entries, notes, replies, review notes, and — registered by
its own app — the training journal's feedback):

- `readable(user)`: everything of this kind the person may read. Always built on the owning app's
  authorization querysets (`Entry.objects.visible_to`, `PeerPair.objects.threads_for`, …): search
  and notifications never decide visibility themselves.
- `authored(user)`: what the person wrote (the export; what deleting the account removes).
- `keys(obj)`: who may read it, in the terms search keeps on each document (`Keys`: the person
  whose own journal it is, the thread, the training cohort whose trainers read it) and its task
  for the task filter. They must describe exactly what `readable()` allows:
  tests/search/test_keys.py checks the two agree for every person and kind. Search counts and
  pages through documents by these keys (an indexed lookup, whatever the size of the data) and
  then fetches each result through `readable()` again.
- `rekey(obj)`: the other writing whose keys follow this object's (the notes on an entry follow
  the entry's thread and task), as [(kind key, queryset)], re-keyed when this object changes.
- `present(obj, user)`: a title, a link, a task and where it lives, for a result or a notification.
- `export(obj)`: the JSON object for the personal export (see accounts/export_schema.json).

How another app adds its writing (the training app, say), in its AppConfig.ready():

    from search.registry import Kind, Presented, register

    register(Kind(
        key="training_feedback",
        model="training.Feedback",
        label=_("Trainer feedback"),
        count_label=lambda n: ngettext("%(n)s piece of feedback", "%(n)s pieces of feedback", n),
        readable=lambda user: Feedback.objects.filter(entry__in=TrainingEntry.objects.visible_to(user)),
        present=lambda obj, user: Presented(title=..., url=obj.entry.url_for(user), task=...),
        export=lambda obj: {"id": obj.pk, "entry_id": obj.entry_id, "body": obj.body, ...},
        keys=lambda obj: Keys(owner=..., cohort=..., task=obj.entry.entry.task),
        select_related=("entry__entry", "entry__day"),
    ))

and, for a new way of reading (the trainers of a cohort), a scope: `register_scope("cohort",
lambda user: <ids of the cohorts the person trains>)`.

Registering connects post_save/post_delete receivers that keep the kind's search `Document` up
to date. That is upkeep of an index, not product logic, so a receiver is the right tool: every
save — from a flow, a view, the admin or a shell — reaches the index without each caller having
to remember it. (`bulk_create` and `update()` skip receivers: run `manage.py rebuild_search_index`
after loading data that way.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet
from django.db.models.signals import post_delete, post_save

_KINDS: dict[str, Kind] = {}
_SCOPES: dict[str, Callable[[Any], Any]] = {}


@dataclass(frozen=True)
class Keys:
    """Who may read one piece of writing, and its task, as kept on its search document.

    Someone may read it when they are its `owner` (their own journal, private writing included),
    or may read its `thread` (the peers, the team's supervisors), or train its `cohort` (writing
    shared with the trainers). All None: nobody finds it (a note on an entry made private)."""

    owner: int | None = None
    thread: int | None = None
    cohort: int | None = None
    task: str = ""

    def as_fields(self):
        return {"owner_id": self.owner, "thread_id": self.thread, "cohort_id": self.cohort, "task": self.task}


@dataclass(frozen=True)
class Presented:
    """How one piece of writing is shown in a list: plain strings, escaped by the templates."""

    title: str
    url: str
    task: str = ""  # shown as its badge (`{% task_badge %}`)
    where: str = ""


def _default_text(obj):
    return getattr(obj, "title", ""), obj.body_html


@dataclass(frozen=True, eq=False)
class Kind:
    key: str
    model: str
    label: Any
    count_label: Callable[[int], str]
    readable: Callable[[Any], QuerySet]
    present: Callable[[Model, Any], Presented]
    export: Callable[[Model], dict]
    keys: Callable[[Model], Keys]
    # (title, sanitised HTML) of the writing; the index keeps its plain text.
    text: Callable[[Model], tuple[str, str]] = _default_text
    # Writing whose keys follow this object's: (kind key, queryset) pairs, re-keyed when it changes.
    rekey: Callable[[Model], list[tuple[str, QuerySet]]] = lambda obj: []
    # What `keys`, `text` and `present` read, fetched with the objects.
    select_related: tuple[str, ...] = ()
    # Related objects the export reads (an entry's revisions).
    prefetch: tuple[str, ...] = ()
    author_field: str = "author"
    created_field: str = "created"
    # A save that touches none of these (resolving a note, say) leaves the index alone; list the
    # fields `keys` reads too (an entry's thread and task).
    index_fields: frozenset[str] = frozenset({"title", "body", "author", "created"})
    # The order of this kind's objects in the export.
    export_order: tuple[str, ...] = ("created", "pk")

    @property
    def model_class(self) -> type[Model]:
        return apps.get_model(self.model)

    def authored(self, user) -> QuerySet:
        return self.model_class._default_manager.filter(**{self.author_field: user})


def register(kind: Kind) -> Kind:
    """Add a kind of writing and start keeping its search documents up to date."""
    from . import index

    if kind.key in _KINDS and _KINDS[kind.key] is not kind:
        raise ValueError(f"A kind of writing named {kind.key!r} is already registered.")
    _KINDS[kind.key] = kind
    model = kind.model_class

    def saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
        if raw:  # loaddata: rebuild the index afterwards
            return
        if update_fields is not None and not set(update_fields) & kind.index_fields:
            return
        index.update(kind, instance, rekey=not created)

    def deleted(sender, instance, **kwargs):
        index.remove(kind, instance.pk)

    post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"search-index-{kind.key}")
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=f"search-unindex-{kind.key}")
    return kind


def register_scope(name: str, ids: Callable[[Any], Any]) -> None:
    """A way of reading besides one's own journal: `ids(user)` are the values of the documents'
    `<name>_id` the person may read (the threads they read; the cohorts they train)."""
    _SCOPES[name] = ids


def scopes() -> dict[str, Callable[[Any], Any]]:
    return dict(_SCOPES)


def kinds() -> list[Kind]:
    return list(_KINDS.values())


def get(key: str) -> Kind | None:
    return _KINDS.get(key)


def kind_of(obj) -> Kind | None:
    """The kind a model instance belongs to (None: not writing)."""
    label = obj._meta.label
    return next((kind for kind in _KINDS.values() if kind.model == label), None)
