"""Two ways to match text behind one interface: PostgreSQL's full-text search, and a simple
fallback for SQLite (development, small installs). Both are given the documents a person may
read and only narrow, rank and highlight them; neither decides who may read what.

- `match(documents, query)`: the matching documents, annotated with `rank` (higher is better).
- `highlight(documents, query)`: {document pk: (title, fragment)} as safe HTML, for one page.
"""

import re
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, IntegerField, Q, Value, When
from django.db.models.functions import Coalesce

from .highlight import START, STOP, from_sentinels, mark, snippet
from .index import CONFIG

MAX_TERMS = 12
MAX_TERM_LENGTH = 60


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    phrase: bool = False
    prefix: bool = False  # the word being typed: "connec" finds "connection"

    @property
    def text(self):
        return " ".join(self.words)


def parse(query):
    """Words and "quoted phrases". Only word characters survive, so nothing typed can become
    query syntax. The last bare word matches as a prefix unless a space follows it."""
    terms = []
    for phrase, bare in re.findall(r'"([^"]*)"?|(\S+)', query[:500]):
        words = tuple(w[:MAX_TERM_LENGTH] for w in re.findall(r"\w+", phrase or bare))
        if not words:
            continue
        if phrase:
            terms.append(Term(words, phrase=True))
        else:
            terms.extend(Term((word,)) for word in words)
    terms = terms[:MAX_TERMS]
    if terms and not terms[-1].phrase and not query.endswith((" ", '"')):
        terms[-1] = Term(terms[-1].words, prefix=True)
    return terms


class PostgresBackend:
    name = "postgresql"

    def tsquery(self, terms):
        parts = []
        for term in terms:
            if term.phrase:
                parts.append("(" + " <-> ".join(term.words) + ")")
            else:
                parts.append(term.words[0] + (":*" if term.prefix else ""))
        return SearchQuery(" & ".join(parts), search_type="raw", config=CONFIG)

    def match(self, documents, terms):
        query = self.tsquery(terms)
        return documents.filter(vector=query).annotate(rank=SearchRank(F("vector"), query))

    def highlight(self, documents, terms):
        query = self.tsquery(terms)
        options = {"config": CONFIG, "start_sel": START, "stop_sel": STOP}
        rows = documents.annotate(
            title_html=SearchHeadline("title", query, highlight_all=True, **options),
            fragment=SearchHeadline(
                "body",
                query,
                max_words=40,
                min_words=18,
                short_word=0,
                max_fragments=2,
                fragment_delimiter=" … ",
                **options,
            ),
        ).values_list("pk", "title_html", "fragment")
        return {pk: (from_sentinels(title), from_sentinels(fragment)) for pk, title, fragment in rows}


class SimpleBackend:
    """Every term must appear (case-insensitively) in the title or the body; a match in the title
    ranks above one in the body."""

    name = "simple"

    def match(self, documents, terms):
        rank = Value(0, output_field=IntegerField())
        for term in terms:
            in_title, in_body = Q(title__icontains=term.text), Q(body__icontains=term.text)
            documents = documents.filter(in_title | in_body)
            rank = (
                rank
                + Case(When(in_title, then=Value(2)), default=Value(0))
                + Case(When(in_body, then=Value(1)), default=Value(0))
            )
        return documents.annotate(rank=Coalesce(rank, 0, output_field=FloatField()))

    def highlight(self, documents, terms):
        needles = [term.text for term in terms]
        return {
            pk: (mark(title, needles), snippet(body, needles))
            for pk, title, body in documents.values_list("pk", "title", "body")
        }


def backend():
    return PostgresBackend() if connection.vendor == "postgresql" else SimpleBackend()


@contextmanager
def planned_for_the_words():
    """Run the statements that match words without preparing them
    (ips_journal.settings.prepared_statements).

    How many documents the words match decides the best plan, and a prepared statement's generic
    plan cannot know the words: with it, search at a million entries took 2.3 times as long in
    PostgreSQL (129 against 56 ms a page). Only those statements: the search page's others (the
    threads and people to filter by, the results' writing fetched through its access query) keep
    their prepared plans, as every other page's do."""
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    psycopg_connection = connection.connection
    previous = psycopg_connection.prepare_threshold
    psycopg_connection.prepare_threshold = None
    try:
        yield
    finally:
        psycopg_connection.prepare_threshold = previous
