"""Index the trainers' feedback and its replies written before they became searchable (later ones
are indexed as they are saved: training/search_kinds.py). As search.0002 does for the other kinds;
running it again changes nothing (existing documents are kept)."""

from django.db import migrations

from search.index import CONFIG, plain_text

# (kind, model)
KINDS = [
    ("training_feedback", "Feedback"),
    ("training_feedback_reply", "FeedbackReply"),
]


def index_existing(apps, schema_editor):
    Document = apps.get_model("search", "Document")
    for kind, model_name in KINDS:
        model = apps.get_model("training", model_name)
        batch = []
        for obj in model.objects.order_by("pk").iterator(chunk_size=500):
            batch.append(
                Document(
                    kind=kind,
                    object_id=obj.pk,
                    author_id=obj.author_id,
                    created=obj.created,
                    title="",
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
            "setweight(to_tsvector(%s::regconfig, coalesce(body, '')), 'B') "
            "WHERE kind IN ('training_feedback', 'training_feedback_reply')",
            [CONFIG, CONFIG],
        )


def unindex(apps, schema_editor):
    apps.get_model("search", "Document").objects.filter(kind__in=[kind for kind, _model in KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0002_default_outline"),
        ("search", "0002_index_existing_writing"),
    ]

    operations = [migrations.RunPython(index_existing, unindex)]
