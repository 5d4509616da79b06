from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models


class Document(models.Model):
    """The plain text of one piece of writing, as search reads it.

    Kept up to date whenever the writing is saved or deleted (see `search.registry`). Its keys
    (owner, thread, cohort) say who may read it, exactly as the kind's `readable()` does (tested
    for every kind and person), so a search narrows by index; each result is fetched through
    `readable()` once more before it is shown.

    On PostgreSQL `vector` holds the weighted tsvector (title A, body B), refreshed on each save.
    It has no index of its own: a search narrows by the reader keys, then matches within what the
    person may read, so its cost follows their writing, not the organisation's (migration 0005
    dropped the GIN index 0001 built). On SQLite it stays empty and the simple backend searches
    `title` and `body`.
    """

    kind = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    # Whose writing it is: deleting the person deletes their documents with them.
    author = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    created = models.DateTimeField(help_text="When the writing was first saved.")
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    vector = SearchVectorField(null=True, editable=False)
    # Who may read it (search.registry.Keys): kept with the text, so a search finds what the
    # person may read by index, however large the index grows. Plain ids, not foreign keys: the
    # writing's own app decides what they mean, and deleting the writing deletes the document.
    owner_id = models.BigIntegerField(null=True, blank=True, help_text="Whose own journal it is.")
    thread_id = models.BigIntegerField(null=True, blank=True, help_text="The co-reflection thread it is in.")
    cohort_id = models.BigIntegerField(
        null=True, blank=True, help_text="The training cohort whose trainers may read it."
    )
    task = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            # One document per piece of writing; also serves "this kind, these ids" in every search.
            models.UniqueConstraint(fields=["kind", "object_id"], name="search_document_unique"),
        ]
        # Each reader key with the author: a search narrows by the key, and the search page's
        # list of people whose writing the reader may read is an index-only scan of each.
        indexes = [
            models.Index(fields=["owner_id", "author"], name="search_document_owner_author"),
            models.Index(fields=["thread_id", "author"], name="search_document_thread_author"),
            models.Index(fields=["cohort_id", "author"], name="search_document_cohort_author"),
        ]

    def __str__(self):
        # Never the text: like entries, documents may hold private writing.
        return f"{self.kind} #{self.object_id}"
