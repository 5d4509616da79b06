"""Keeping search documents up to date (called by the receivers `registry.register` connects)."""

from html import unescape
from html.parser import HTMLParser

from django.contrib.postgres.search import SearchVector
from django.db import connection

from . import registry
from .highlight import strip_sentinels
from .models import Document

# The text search configuration: English stemming ("walked" finds "walking"). The app's one
# language is English; a second language would store the configuration per document.
CONFIG = "english"
VECTOR = SearchVector("title", weight="A", config=CONFIG) + SearchVector("body", weight="B", config=CONFIG)

_BLOCKS = {"p", "br", "li", "blockquote", "pre", "h3", "h4", "h5", "h6", "hr", "ul", "ol"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self.parts.append("\n")


def plain_text(html):
    """The words of sanitised HTML, paragraphs kept as line breaks, no markup."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    lines = (" ".join(line.split()) for line in unescape("".join(parser.parts)).splitlines())
    return strip_sentinels("\n".join(line for line in lines if line))


def document_for(kind, obj):
    title, html = kind.text(obj)
    return Document(
        kind=kind.key,
        object_id=obj.pk,
        author_id=getattr(obj, f"{kind.author_field}_id"),
        created=getattr(obj, kind.created_field),
        title=strip_sentinels(" ".join((title or "").split())),
        body=plain_text(html),
        **kind.keys(obj).as_fields(),
    )


UPDATED_FIELDS = ["author", "created", "title", "body", "owner_id", "thread_id", "cohort_id", "task"]


def _upsert(documents):
    Document.objects.bulk_create(
        documents, update_conflicts=True, unique_fields=["kind", "object_id"], update_fields=UPDATED_FIELDS
    )


def refresh_vectors(documents):
    if connection.vendor == "postgresql":
        documents.update(vector=VECTOR)


KEY_FIELDS = ("owner_id", "thread_id", "cohort_id", "task")


def update(kind, obj, rekey=True):
    """Write (insert or replace) the document of one piece of writing: one upsert, and on
    PostgreSQL one update of its vector. When its keys changed (sharing, a new task), the
    documents whose keys follow this one's (the notes on an entry) are written again too; `rekey`
    false skips the check (new writing has none)."""
    document = document_for(kind, obj)
    mine = Document.objects.filter(kind=kind.key, object_id=obj.pk)
    before = mine.values_list(*KEY_FIELDS).first() if rekey else None
    _upsert([document])
    refresh_vectors(mine)
    if rekey and before != tuple(getattr(document, name) for name in KEY_FIELDS):
        for key, queryset in kind.rekey(obj):
            update_many(registry.get(key), queryset)


def update_many(kind, queryset):
    """Write the documents of these objects of one kind (a handful: the notes on an entry)."""
    if kind.select_related:
        queryset = queryset.select_related(*kind.select_related)
    objs = list(queryset)
    if objs:
        _upsert([document_for(kind, obj) for obj in objs])
        refresh_vectors(Document.objects.filter(kind=kind.key, object_id__in=[obj.pk for obj in objs]))


def remove(kind, pk):
    Document.objects.filter(kind=kind.key, object_id=pk).delete()


def rebuild(kinds, batch=500):
    """Index everything of these kinds again, and drop documents whose writing is gone."""
    total = 0
    for kind in kinds:
        model = kind.model_class
        Document.objects.filter(kind=kind.key).exclude(
            object_id__in=model._default_manager.values("pk")
        ).delete()
        queryset = model._default_manager.order_by("pk")
        if kind.select_related:
            queryset = queryset.select_related(*kind.select_related)
        # Keyset batches (pk > the last one seen), not OFFSET: an offset makes PostgreSQL walk past
        # every earlier row again for each batch, so a million entries would take hours.
        last = None
        while True:
            objs = list((queryset if last is None else queryset.filter(pk__gt=last))[:batch])
            if not objs:
                break
            _upsert([document_for(kind, obj) for obj in objs])
            total += len(objs)
            last = objs[-1].pk
        refresh_vectors(Document.objects.filter(kind=kind.key))
    return total
