"""Documents learn who may read them (search.registry.Keys), so a search narrows by index.

The keys of the documents that exist already are filled in by SQL that both databases run (plain
correlated subqueries), following each kind's `keys()`; new writing gets them as it is saved."""

from django.conf import settings
from django.db import migrations, models

# The cohort whose trainers read entry E (E.id = {entry}), if it is shared with them.
TRAINERS = (
    "(SELECT d.cohort_id FROM training_trainingentry t JOIN training_cohortday d ON d.id = t.day_id"
    " WHERE t.entry_id = {entry} AND t.shared IS NOT NULL)"
)
# Of each kind: the entry the keys follow, given the document's object_id as `search_document.object_id`.
ENTRY = {
    "entry": "search_document.object_id",
    "annotation": "(SELECT a.entry_id FROM reflections_annotation a WHERE a.id = search_document.object_id)",
    "reply": (
        "(SELECT a.entry_id FROM reflections_reply r JOIN reflections_annotation a ON a.id = r.annotation_id"
        " WHERE r.id = search_document.object_id)"
    ),
}
NOTE_TASK = {
    "annotation": "(SELECT a.task FROM reflections_annotation a WHERE a.id = search_document.object_id)",
    "reply": (
        "(SELECT a.task FROM reflections_reply r JOIN reflections_annotation a ON a.id = r.annotation_id"
        " WHERE r.id = search_document.object_id)"
    ),
}
TRAINING_ENTRY = {
    "training_feedback": "(SELECT f.entry_id FROM training_feedback f WHERE f.id = search_document.object_id)",
    "training_feedback_reply": (
        "(SELECT f.entry_id FROM training_feedbackreply r JOIN training_feedback f ON f.id = r.feedback_id"
        " WHERE r.id = search_document.object_id)"
    ),
}


def _entry(column, entry):
    return f"(SELECT e.{column} FROM reflections_entry e WHERE e.id = {entry})"


def statements():
    entry = ENTRY["entry"]
    yield (
        f"UPDATE search_document SET owner_id = {_entry('author_id', entry)}, thread_id = {_entry('pair_id', entry)},"
        f" cohort_id = {TRAINERS.format(entry=entry)}, task = COALESCE({_entry('task', entry)}, '')"
        " WHERE kind = 'entry'"
    )
    for kind in ("annotation", "reply"):
        entry = ENTRY[kind]
        pair = _entry("pair_id", entry)
        yield (
            f"UPDATE search_document SET thread_id = {pair},"
            f" owner_id = CASE WHEN {pair} IS NULL THEN NULL ELSE {_entry('author_id', entry)} END,"
            f" cohort_id = CASE WHEN {pair} IS NULL THEN NULL ELSE {TRAINERS.format(entry=entry)} END,"
            f" task = COALESCE(NULLIF({NOTE_TASK[kind]}, ''), {_entry('task', entry)}, '')"
            f" WHERE kind = '{kind}'"
        )
    yield (
        "UPDATE search_document SET thread_id = (SELECT n.pair_id FROM supervision_reviewnote n"
        " WHERE n.id = search_document.object_id) WHERE kind = 'review_note'"
    )
    yield (
        "UPDATE search_document SET thread_id = (SELECT n.pair_id FROM supervision_reviewreply r"
        " JOIN supervision_reviewnote n ON n.id = r.note_id WHERE r.id = search_document.object_id)"
        " WHERE kind = 'review_reply'"
    )
    for kind, entry in TRAINING_ENTRY.items():
        cohort = TRAINERS.format(entry=entry)
        yield (
            f"UPDATE search_document SET cohort_id = {cohort},"
            f" owner_id = CASE WHEN {cohort} IS NULL THEN NULL ELSE {_entry('author_id', entry)} END,"
            f" task = COALESCE({_entry('task', entry)}, '') WHERE kind = '{kind}'"
        )


def fill_keys(apps, schema_editor):
    for sql in statements():
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_index_existing_writing'),
        ('reflections', '0001_initial'),
        ('supervision', '0001_initial'),
        # Feedback documents exist before their keys are filled in.
        ('training', '0003_index_feedback'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='cohort_id',
            field=models.BigIntegerField(blank=True, help_text='The training cohort whose trainers may read it.', null=True),
        ),
        migrations.AddField(
            model_name='document',
            name='owner_id',
            field=models.BigIntegerField(blank=True, help_text='Whose own journal it is.', null=True),
        ),
        migrations.AddField(
            model_name='document',
            name='task',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name='document',
            name='thread_id',
            field=models.BigIntegerField(blank=True, help_text='The co-reflection thread it is in.', null=True),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['owner_id'], name='search_document_owner'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['thread_id'], name='search_document_thread'),
        ),
        migrations.AddIndex(
            model_name='document',
            index=models.Index(fields=['cohort_id'], name='search_document_cohort'),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
    ]
