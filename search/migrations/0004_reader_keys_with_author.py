"""Each reader key's index carries the author too, so the search page's list of people whose
writing a reader may read is read from the indexes alone (search.query.readable_authors).

On PostgreSQL the indexes are built and dropped CONCURRENTLY: search documents are written with
every piece of writing, and a plain CREATE INDEX would hold those saves for as long as it takes
over millions of rows (about 10 s at a million entries on 2 cores). The new ones are built before
the old ones go, so searches never run without one. Other databases do it the plain way."""

from django.conf import settings
from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    NotInTransactionMixin,
    RemoveIndexConcurrently,
)
from django.db import migrations, models


class PlainOutsidePostgreSQL:
    """Mixed into a *Concurrently operation: that operation on PostgreSQL, the plain one (the
    class after NotInTransactionMixin in its MRO: AddIndex, RemoveIndex) elsewhere."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._operation(schema_editor).database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._operation(schema_editor).database_backwards(app_label, schema_editor, from_state, to_state)

    def _operation(self, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            return super()
        return super(NotInTransactionMixin, self)


class AddIndexWithoutBlockingWrites(PlainOutsidePostgreSQL, AddIndexConcurrently):
    pass


class RemoveIndexWithoutBlockingWrites(PlainOutsidePostgreSQL, RemoveIndexConcurrently):
    pass


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("search", "0003_document_reader_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexWithoutBlockingWrites(
            model_name="document",
            index=models.Index(fields=["owner_id", "author"], name="search_document_owner_author"),
        ),
        AddIndexWithoutBlockingWrites(
            model_name="document",
            index=models.Index(fields=["thread_id", "author"], name="search_document_thread_author"),
        ),
        AddIndexWithoutBlockingWrites(
            model_name="document",
            index=models.Index(fields=["cohort_id", "author"], name="search_document_cohort_author"),
        ),
        RemoveIndexWithoutBlockingWrites(model_name="document", name="search_document_owner"),
        RemoveIndexWithoutBlockingWrites(model_name="document", name="search_document_thread"),
        RemoveIndexWithoutBlockingWrites(model_name="document", name="search_document_cohort"),
    ]
