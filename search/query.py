"""Searching everything a person may read: the documents of every kind of writing, narrowed to
what `Kind.readable(user)` allows, matched and ranked by the database's backend."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, Window
from django.utils import timezone
from django.utils.safestring import SafeString

from . import registry
from .backends import backend, parse, planned_for_the_words
from .models import Document
from .registry import Kind, Presented

RELEVANCE, NEWEST = "relevance", "newest"
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Filters:
    task: str = ""
    thread: int | None = None
    author: int | None = None
    since: date | None = None  # written on or after (the person's own calendar day)
    until: date | None = None  # written on or before

    def bounds(self):
        """The date range as aware datetimes in the current (the person's) time zone."""
        zone = timezone.get_current_timezone()
        start = datetime.combine(self.since, time.min, zone) if self.since else None
        end = datetime.combine(self.until + timedelta(days=1), time.min, zone) if self.until else None
        return start, end


@dataclass
class Hit:
    kind: Kind
    obj: object
    shown: Presented
    author: object
    created: datetime
    title: SafeString
    fragment: SafeString
    rank: float = 0.0


@dataclass
class Search:
    """A prepared search: `documents` is a lazy queryset (count it, slice it), `hits(page)` turns
    one page of it into results to show."""

    user: object
    text: str
    terms: list = field(default_factory=list)
    documents: object = None

    @property
    def is_empty(self):
        return not self.terms

    def page(self, number, per_page):
        """One page of the matching documents, as Django's `Paginator.get_page` gives it, with
        the number of matches counted in the same statement (COUNT(*) OVER ()): the count and
        the page each matched and ranked all of the reader's writing, so asking twice did it
        twice (at a million entries, 12 ms each for a supervisor of 30 pairs). Only a page past
        the last asks for the count on its own, as the paginator would (no orphans, an empty first
        page allowed: the paginator's defaults, which the search page uses)."""
        paginator = Paginator(self.documents, per_page)
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 1
        rows = []
        # Past any real page (and past what OFFSET can hold): left to the paginator's count.
        if 1 <= wanted <= MAX_PAGE:
            first = (wanted - 1) * per_page
            with planned_for_the_words():
                rows = list(self.documents.annotate(matches=Window(Count("pk")))[first : first + per_page])
        if rows or wanted == 1:
            paginator.count = rows[0].matches if rows else 0
            return Page(rows, wanted, paginator)
        with planned_for_the_words():
            return paginator.get_page(number)

    def hits(self, page_documents):
        """Results for one page of documents: one query for the highlights, then one per kind of
        writing on the page (fetched again through `readable()`, so a result is never shown
        from the index alone)."""
        with planned_for_the_words():
            page = list(page_documents)
            if not page:
                return []
            marks = backend().highlight(Document.objects.filter(pk__in=[d.pk for d in page]), self.terms)
        wanted = {}
        for doc in page:
            wanted.setdefault(doc.kind, []).append(doc.object_id)
        objects = {}
        for key, ids in wanted.items():
            kind = registry.get(key)
            if kind is None:
                continue
            queryset = kind.readable(self.user).filter(pk__in=ids)
            if kind.select_related:
                queryset = queryset.select_related(*kind.select_related)
            objects.update({(key, obj.pk): obj for obj in queryset})
        results = []
        for doc in page:
            obj = objects.get((doc.kind, doc.object_id))
            if obj is None:
                continue
            kind = registry.get(doc.kind)
            title, fragment = marks.get(doc.pk, ("", ""))
            results.append(
                Hit(
                    kind=kind,
                    obj=obj,
                    shown=kind.present(obj, self.user),
                    author=getattr(obj, kind.author_field),
                    created=doc.created,
                    title=title,
                    fragment=fragment,
                    rank=doc.rank,
                )
            )
        return results


def scopes_for(user, known=None):
    """{scope: ids} of what the person reads besides their own journal (the threads they read,
    the cohorts they train). `known`: ids the caller has fetched already (the search page's
    threads), so they are not asked for twice."""
    known = known or {}
    return {
        name: list(known[name] if name in known else ids_of(user))
        for name, ids_of in registry.scopes().items()
    }


def readable_documents(user, filters=Filters(), scopes=None):
    """Documents of everything the user may read, narrowed by the filters.

    By the documents' keys (search.registry.Keys): their own journal, the threads they read, the
    cohorts they train. The ids of each scope are fetched first (`scopes_for`), so the database
    narrows by index (owner, thread and cohort are indexed) and never walks all writing to find
    what is readable."""
    if not user.is_authenticated:
        return Document.objects.none()
    allowed = Q()
    for key in _reader_keys(user, scopes):
        allowed |= key
    documents = Document.objects.filter(allowed)
    if filters.task:
        documents = documents.filter(task=filters.task)
    if filters.thread is not None:
        documents = documents.filter(thread_id=filters.thread)
    if filters.author is not None:
        documents = documents.filter(author_id=filters.author)
    since, until = filters.bounds()
    if since is not None:
        documents = documents.filter(created__gte=since)
    if until is not None:
        documents = documents.filter(created__lt=until)
    return documents


def readable_authors(user, scopes=None):
    """The ids of everyone whose writing the user may read (themselves included).

    A union of one query per key, not the authors of `readable_documents()`: each part is an
    index-only scan of (key, author), where the OR-ed form read every readable document's row
    (at a million entries, in PostgreSQL: 3.3 → 0.5 ms for a peer with three years of writing;
    the whole list, people included, 17 → 6 ms for a supervisor of 30 pairs)."""
    if not user.is_authenticated:
        return set()
    # order_by(): without it each part, and the union, would be sorted by Document's -created.
    parts = [
        Document.objects.filter(key).order_by().values_list("author_id", flat=True)
        for key in _reader_keys(user, scopes)
    ]
    return {user.pk, *parts[0].union(*parts[1:]).order_by()}


def _reader_keys(user, scopes):
    """The conditions by which the user reads documents (search.registry.Keys): their own
    journal, then each scope (threads, cohorts) they read anything in."""
    yield Q(owner_id=user.pk)
    for name, ids in (scopes if scopes is not None else scopes_for(user)).items():
        if ids:
            yield Q(**{f"{name}_id__in": ids})


def search(user, text, filters=Filters(), order=RELEVANCE, scopes=None):
    terms = parse(text or "")
    prepared = Search(user=user, text=(text or "").strip(), terms=terms)
    if not terms:
        prepared.documents = Document.objects.none()
        return prepared
    documents = backend().match(readable_documents(user, filters, scopes), terms)
    ordering = ["-rank", "-created", "-pk"] if order == RELEVANCE else ["-created", "-pk"]
    prepared.documents = documents.only("kind", "object_id", "created").order_by(*ordering)
    return prepared
