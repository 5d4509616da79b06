"""The default five-day outline (docs/ips-content.md, in our own words — no IPS text).

Data, not code: a new cohort copies these rows, and its trainers edit their copy. Staff can change
the defaults in the admin; this migration only loads them once.
"""

from django.db import migrations

DEFAULT_OUTLINE = [
    {
        "number": 1,
        "title": "Foundations",
        "topics": [
            "Where peer support comes from, and the values it grew out of",
            "Learning rather than helping",
            "From the individual to the relationship",
            "Connection and disconnection",
        ],
        "prompts": [
            "What did “help” mean to me before today? What is shifting?",
            "When did I last feel someone really “got it”? What were they doing — and not doing?",
            "Where did I notice the pull to reassure, advise or fix today?",
        ],
        "content_note": "",
    },
    {
        "number": 2,
        "title": "Worldview and language",
        "topics": [
            "First contact: how a relationship begins",
            "The power of language",
            "Listening differently: not-knowing, and the story not yet told",
            "Worldview: how each of us came to know what we “know”",
        ],
        "prompts": [
            "Which words did I catch myself using today, and what worldview do they carry?",
            "What did I assume from what I saw, and what did I learn when I asked?",
            "Where did I fill in someone else’s story with my own?",
        ],
        "content_note": "",
    },
    {
        "number": 3,
        "title": "Trauma and mutuality",
        "topics": [
            "“What happened?” instead of “What’s wrong?”",
            "Mutual responsibility",
            "Patterns in relationships",
        ],
        "prompts": [
            "What pattern in my own relationships did I notice today?",
            "Where did I slip into rescuing? What would believing in the other person’s own strength have looked like?",
            "What did I learn from someone today, and did I tell them?",
        ],
        "content_note": "",
    },
    {
        "number": 4,
        "title": "Moving towards",
        "topics": [
            "Shared risk",
            "Boundaries and limits",
            "Power and privilege",
        ],
        "prompts": [
            "Where do I hold power I rarely name? What would sharing it look like?",
            "What is the difference, for me, between a limit I name and a wall I put up?",
            "What would I like to move towards, rather than away from?",
        ],
        "content_note": "",
    },
    {
        "number": 5,
        "title": "Living it",
        "topics": [
            "Conflict",
            "Challenging conversations: suicide, self-harm, and when someone’s reality differs from mine",
            "Co-reflection as values in action",
            "Moving forward",
        ],
        "prompts": [
            "What one practice will I carry into my first co-reflection?",
            "What did I want to escape from in a hard conversation today, and what happened when I stayed?",
            "Where might I need to name a disconnect, and how could I say it?",
        ],
        "content_note": (
            "Today touches on suicide, self-harm and other painful conversations. Go gently: take a "
            "break whenever you need one, and write only what feels right. Nothing from this day needs "
            "to be shared — your entries stay private unless you choose otherwise."
        ),
    },
]


def load_outline(apps, schema_editor):
    OutlineDay = apps.get_model("training", "OutlineDay")
    for day in DEFAULT_OUTLINE:
        OutlineDay.objects.get_or_create(
            number=day["number"],
            defaults={
                "title": day["title"],
                "topics": "\n".join(day["topics"]),
                "prompts": "\n".join(day["prompts"]),
                "content_note": day["content_note"],
            },
        )


def unload_outline(apps, schema_editor):
    OutlineDay = apps.get_model("training", "OutlineDay")
    OutlineDay.objects.filter(number__in=[day["number"] for day in DEFAULT_OUTLINE]).delete()


class Migration(migrations.Migration):
    dependencies = [("training", "0001_initial")]

    operations = [migrations.RunPython(load_outline, unload_outline)]
