"""Demo preferences: Maya asked for a gentle reminder on Friday afternoons, Rosa reads a weekly
digest. (Demo notifications come from the demo's own sharing, notes and review notes.)"""

from django.utils import timezone

from .models import Preferences


def seed_notifications(people):
    now = timezone.now()
    Preferences.objects.update_or_create(
        user=people["maya"],
        defaults={"reminder": True, "reminder_day": 4, "reminder_hour": 16, "reminder_sent": now},
    )
    Preferences.objects.update_or_create(user=people["rosa"], defaults={"digest": Preferences.Digest.WEEKLY})
