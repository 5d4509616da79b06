"""Each reader key's index carries the author too, so the search page's list of people whose
writing a reader may read is read from the indexes alone (search.query.readable_authors). The new
indexes are built before the old ones go, so searches never run without one."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_document_reader_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["owner_id", "author"], name="search_document_owner_author"),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["thread_id", "author"], name="search_document_thread_author"),
        ),
        migrations.AddIndex(
            model_name="document",
            index=models.Index(fields=["cohort_id", "author"], name="search_document_cohort_author"),
        ),
        migrations.RemoveIndex(model_name="document", name="search_document_owner"),
        migrations.RemoveIndex(model_name="document", name="search_document_thread"),
        migrations.RemoveIndex(model_name="document", name="search_document_cohort"),
    ]
