"""Drop the GIN index on the words: a search matches row by row within what the reader may read.

Every search is narrowed by the reader's keys (search.query.readable_documents). With the GIN
index, PostgreSQL intersected a supervisor's keys with a word's posting list, which spans the
whole organisation: the cost of a search grew with everyone's writing, not with what the person
can read (at a million entries, a supervisor of 30 pairs counting "heard" took 65–171 ms; row by
row within their 24,000 documents, 12 ms). A peer's searches never used it. Without it, saving
writing no longer updates it either.

Dropped and (backwards) built CONCURRENTLY, so saving writing is not held; PostgreSQL only, as
migration 0001 created it there alone."""

from django.db import migrations


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    atomic = False  # DROP/CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("search", "0004_reader_keys_with_author")]

    operations = [
        migrations.RunPython(
            on_postgresql("DROP INDEX CONCURRENTLY IF EXISTS search_document_vector"),
            # An interrupted CONCURRENTLY build leaves an INVALID index that IF NOT EXISTS would
            # skip: drop it by hand before going backwards again.
            on_postgresql(
                "CREATE INDEX CONCURRENTLY IF NOT EXISTS search_document_vector ON search_document USING gin (vector)"
            ),
        ),
    ]
