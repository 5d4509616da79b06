"""Reviewing threads and making reads visible."""

from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from accounts.models import User

from .models import ReadRecord, ReviewNote, ReviewReply, WeekReview


def record_reads(reader, pair, weeks, entry=None):
    """Record that `reader` opened shared writing (an entry, or the thread's weeks on screen).

    Only reads of someone else's writing count; the caller passes weeks that hold it."""
    now = timezone.now()
    ReadRecord.objects.bulk_create(
        [ReadRecord(reader=reader, pair=pair, week=week, entry=entry, created=now) for week in weeks]
    )


def reads_of(entry):
    """Who (other than the author) opened this entry or its thread week: by reader, and whether
    they opened the entry itself or the thread's week."""
    records = ReadRecord.objects.filter(pair_id=entry.pair_id, week=entry.week).exclude(
        reader_id=entry.author_id
    )
    return by_reader(records, "entry_id")


def readers_of_my_writing(pair, user):
    """Who (other than me) opened the weeks of this thread that hold my writing: one line per
    reader with how many of those weeks, how often and when last."""
    from reflections.models import Entry

    my_weeks = Entry.objects.filter(pair=pair, author=user).values("week")
    records = ReadRecord.objects.filter(pair=pair, week__in=my_weeks).exclude(reader=user)
    return by_reader(records, weeks=Count("week", distinct=True))


def by_reader(records, *also, **aggregates):
    """Read records grouped by reader (and the fields in `also`): how often, when last, and any
    further `aggregates`, most recent first. Counted by the database, so a page showing them
    costs the same after years of reading."""
    rows = (
        records.values("reader_id", "reader__display_name", "reader__email", *also)
        .annotate(times=Count("pk"), last=Max("created"), **aggregates)
        .order_by("-last")
    )
    # The reader's User.name, without loading each reader.
    return [
        {**row, "name": User.name_from(row["reader__display_name"], row["reader__email"])} for row in rows
    ]


def toggle_week_reviewed(pair, week, supervisor):
    deleted, _ = WeekReview.objects.filter(pair=pair, week=week, supervisor=supervisor).delete()
    if not deleted:
        WeekReview.objects.create(pair=pair, week=week, supervisor=supervisor)
    return not deleted


def week_reviews(pair, weeks, user):
    """For the thread page: review notes (with replies) and reviewed-by per week on screen."""
    notes = (
        ReviewNote.objects.filter(pair=pair, week__in=weeks)
        .select_related("author")
        # Replies with their authors in one query (a plain "replies__author" prefetch takes two).
        .prefetch_related(Prefetch("replies", queryset=ReviewReply.objects.select_related("author")))
    )
    reviews = WeekReview.objects.filter(pair=pair, week__in=weeks).select_related("supervisor")
    by_week = {week: {"notes": [], "reviewed_by": [], "reviewed_by_me": False} for week in weeks}
    for note in notes:
        by_week[note.week]["notes"].append(note)
    for review in reviews:
        by_week[review.week]["reviewed_by"].append(review.supervisor)
        if review.supervisor_id == user.pk:
            by_week[review.week]["reviewed_by_me"] = True
    return by_week
