from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class Document(models.Model):
    """The plain text of one piece of writing, as search reads it.

    Kept up to date whenever the writing is saved or deleted (see `search.registry`). A document
    never decides who may read it: every search joins back to the `readable()` queryset of the
    writing's kind, so a document of a private entry can only ever be found by its author.

    On PostgreSQL `vector` holds the weighted tsvector (title A, body B), refreshed on each save,
    with a GIN index (created in migration 0001 on PostgreSQL only, as SQLite has no GIN). On
    SQLite it stays empty and the simple backend searches `title` and `body`.
    """

    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    # Whose writing it is: deleting the person deletes their documents with them.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created = models.DateTimeField(help_text="When the writing was first saved.")
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # One document per piece of writing; also serves "this kind, these ids" in every search.
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique"),
        ]

    def __str__(self):
        # Never the text: like entries, documents may hold private writing.
        return f"{self.kind} #{self.object_id}"
