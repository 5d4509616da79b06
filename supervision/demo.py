"""Demo supervision: some weeks reviewed, a few review notes with replies, a review queue."""

import datetime as dt

from django.db import transaction

from reflections.models import PeerPair
from reflections.weeks import current_week

from .flows import record_reads
from .models import ReviewNote, ReviewReply, WeekReview

NOTES = [
    "I noticed how both of you wrote about the moment a conversation turned. What helped you stay "
    "curious there rather than moving to advice?",
    "Thank you for naming power so openly this week — the keys to the quiet room stayed with me. "
    "I wonder how we might do that as a whole team.",
    "It was moving to read how you sat with the discomfort instead of rushing past it.",
]


@transaction.atomic
def seed_supervision(team, people):
    rosa = people["rosa"]
    if ReviewNote.objects.filter(author=rosa).exists():
        return
    this_week = current_week(rosa)
    for pair_index, pair in enumerate(PeerPair.objects.filter(team=team, status=PeerPair.Status.ACTIVE)):
        # The older weeks are read; the last few wait in Rosa's review queue.
        for weeks_ago in range(8, 3 + pair_index, -1):
            week = this_week - dt.timedelta(weeks=weeks_ago)
            WeekReview.objects.get_or_create(pair=pair, week=week, supervisor=rosa)
            record_reads(rosa, pair, [week])
        for n, weeks_ago in enumerate([7, 5][: 2 - pair_index]):
            week = this_week - dt.timedelta(weeks=weeks_ago)
            note = ReviewNote.objects.create(
                pair=pair, week=week, author=rosa, body=NOTES[(n + pair_index) % len(NOTES)]
            )
            ReviewReply.objects.create(
                note=note,
                author=pair.inviter,
                body="Being listened to without an agenda — that helped. I'd like to talk about it at team co-reflection.",
            )
