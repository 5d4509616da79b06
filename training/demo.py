"""Demo training: a cohort in the middle of its five days. Tom trains Leah, Kwame and Inês;
today is Day 4; each trainee wrote on Days 1–3, shared some of it, and Tom has answered some."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from notifications.models import Notification
from reflections.models import Entry, Task
from reflections.weeks import user_today

from . import flows
from .models import Cohort, DayVisit, Feedback, FeedbackReply, TrainingEntry

COHORT_NAME = "Autumn core training"

# (trainee, day, task, title, body, shared)
ENTRIES = [
    (
        "leah",
        1,
        Task.CONNECTION,
        "What “help” used to mean",
        "Before today I thought helping meant having something useful to hand over: a leaflet, a "
        "number, a plan.\n\nIn the listening exercise my partner talked about her week and I noticed "
        "my mind racing ahead to *what I would suggest*. When I let that go and just asked what it was "
        "like, she talked for another ten minutes and I felt us click.\n\nWhat is shifting: maybe "
        "the most useful thing I have is curiosity.",
        True,
    ),
    (
        "leah",
        2,
        Task.WORLDVIEW,
        "Words I inherited",
        "I caught myself saying *non-compliant* about my cousin at lunch. I don't even like that "
        "word. It came with me from the ward I worked on.\n\nWhose worldview is that? Not hers.",
        False,
    ),
    (
        "leah",
        3,
        Task.MUTUALITY,
        "A pattern I know well",
        "The role play on relationship patterns hit home. When someone is upset I go quiet and "
        "practical. I thought that was kindness; today I wondered if it is also a way of keeping "
        "myself safe.\n\n- I step back when things get loud\n- I offer solutions when I feel helpless\n\n"
        "I'd like to try staying in the moment a bit longer.",
        True,
    ),
    (
        "kwame",
        1,
        Task.WORLDVIEW,
        "Learning, not helping",
        "The idea that both people learn in a peer relationship sounds simple but it unsettled me. "
        "In my last job I was paid to know the answers.\n\nI wrote down three things I learned from "
        "people I was supposed to be helping. It was not hard to find them.",
        True,
    ),
    (
        "kwame",
        2,
        Task.CONNECTION,
        "First contact",
        "We practised first conversations. My partner said the moment she relaxed was when I "
        "admitted I was nervous too.\n\n> Saying what is true for me opened the door.",
        True,
    ),
    (
        "kwame",
        3,
        Task.MOVING_TOWARDS,
        "Not ready to share this one",
        "Today brought up things from my own time in hospital. I want to write it down for myself first.",
        False,
    ),
    (
        "ines",
        1,
        Task.MUTUALITY,
        "Power in the room",
        "Even in a training room there is power: who speaks first, who has been doing this longest. "
        "I noticed I waited for the trainers to say what the right answer was.",
        False,
    ),
    (
        "ines",
        2,
        Task.WORLDVIEW,
        "The tip of the iceberg",
        "I assumed the quiet man in our group didn't want to take part. At the break he told me he "
        "was translating everything in his head. So much was under the water.\n\nI want to ask "
        "more before I decide what I see.",
        True,
    ),
    (
        "ines",
        3,
        Task.CONNECTION,
        "Naming a disconnect",
        "In the practice round I said out loud that I felt we had lost each other. It felt clumsy. "
        "My partner said it was the most honest moment of the day.",
        True,
    ),
]

# (trainee, day, feedback, reply from the trainee or None, seen by the trainee)
FEEDBACK = [
    (
        "leah",
        1,
        "I loved reading how you noticed your mind racing ahead. **Curiosity as the most useful "
        "thing you have** — hold on to that. What helped you let the suggestion go in the moment?",
        "I think it was her pausing. The silence made room for me to stop planning.",
        True,
    ),
    (
        "leah",
        3,
        "Thank you for sharing something this personal. Going quiet and practical can be care *and* "
        "protection at once. You might bring this pattern to your first co-reflection.",
        None,
        False,
    ),
    (
        "kwame",
        1,
        "Three things in one evening — that says a lot about what you were already doing. How might "
        "you tell people what you learned from them?",
        None,
        True,
    ),
    (
        "ines",
        3,
        "Clumsy and honest is exactly how naming a disconnect usually feels. Well done for staying with it.",
        "Thank you. I want to practise it again on Day 5.",
        True,
    ),
]


def _evening(day, hours):
    return timezone.make_aware(dt.datetime.combine(day.date, dt.time(18, 0)) + dt.timedelta(hours=hours))


@transaction.atomic
def seed_training(team, people):
    """Idempotent: does nothing if the demo cohort already exists."""
    tom = people["tom"]
    if Cohort.objects.filter(team=team, name=COHORT_NAME).exists():
        return None
    # Today is Day 4. On a weekday the days skip the weekend (as most trainings do), which shows
    # re-dated days; at the weekend they are simply consecutive.
    today = user_today(tom)
    skip_weekends = today.weekday() < 5
    start = today
    for _ in range(3):
        start -= dt.timedelta(days=1)
        while skip_weekends and start.weekday() >= 5:
            start -= dt.timedelta(days=1)
    cohort = flows.create_cohort(tom, team, name=COHORT_NAME, start=start, skip_weekends=skip_weekends)
    days = {day.number: day for day in cohort.days.all()}
    for name in ["leah", "kwame", "ines"]:
        flows.enrol(cohort, people[name])

    for index, (name, number, task, title, body, shared) in enumerate(ENTRIES):
        day = days[number]
        written = _evening(day, index % 3)
        entry = flows.write_entry(
            people[name], day, {"task": task, "title": title, "body": body}, share=shared
        )
        Entry.objects.filter(pk=entry.pk).update(created=written, updated=written)
        if shared:
            TrainingEntry.objects.filter(pk=entry.pk).update(shared=written)

    for name, number, body, answer, seen in FEEDBACK:
        training_entry = TrainingEntry.objects.filter(day=days[number], entry__author=people[name]).first()
        when = _evening(days[number], 15)
        feedback = flows.give_feedback(training_entry, tom, body)
        Feedback.objects.filter(pk=feedback.pk).update(created=when, updated=when)
        # The notifications the flows made happened when the writing did; feedback the trainee
        # has seen on the day page is read. (The search index catches up in seed_demo's rebuild.)
        Notification.objects.filter(target_kind="training_feedback", target_id=feedback.pk).update(
            created=when, read=when + dt.timedelta(hours=1) if seen else None
        )
        if answer:
            reply = flows.reply(feedback, people[name], answer)
            replied = when + dt.timedelta(hours=2)
            FeedbackReply.objects.filter(pk=reply.pk).update(created=replied)
            Notification.objects.filter(target_kind="training_feedback_reply", target_id=reply.pk).update(
                created=replied
            )
        if seen:
            DayVisit.objects.update_or_create(
                user=people[name], day=days[number], defaults={"seen": when + dt.timedelta(hours=1)}
            )
        flows.record_reads(tom, [training_entry])
    return cohort
