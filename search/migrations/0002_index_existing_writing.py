"""Index the writing that existed before search did (later writing is indexed as it is saved)."""

from django.db import migrations

from search.index import CONFIG, plain_text

# (kind, app label, model, has a title)
KINDS = [
    ("entry", "reflections", "Entry", True),
    ("annotation", "reflections", "Annotation", False),
    ("reply", "reflections", "Reply", False),
    ("review_note", "supervision", "ReviewNote", False),
    ("review_reply", "supervision", "ReviewReply", False),
]


def index_existing(apps, schema_editor):
    Document = apps.get_model("search", "Document")
    for kind, app_label, model_name, has_title in KINDS:
        model = apps.get_model(app_label, model_name)
        batch = []
        for obj in model.objects.order_by("pk").iterator(chunk_size=500):
            batch.append(
                Document(
                    kind=kind,
                    object_id=obj.pk,
                    author_id=obj.author_id,
                    created=obj.created,
                    title=" ".join(obj.title.split()) if has_title else "",
                    body=plain_text(obj.body_html),
                )
            )
            if len(batch) == 500:
                Document.objects.bulk_create(batch, ignore_conflicts=True)
                batch = []
        Document.objects.bulk_create(batch, ignore_conflicts=True)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE search_document SET vector = "
            "setweight(to_tsvector(%s::regconfig, coalesce(title, '')), 'A') || "
            "setweight(to_tsvector(%s::regconfig, coalesce(body, '')), 'B')",
            [CONFIG, CONFIG],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("reflections", "0001_initial"),
        ("supervision", "0001_initial"),
    ]

    operations = [migrations.RunPython(index_existing, migrations.RunPython.noop)]
