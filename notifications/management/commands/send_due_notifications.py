from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.export import prune_expired_exports
from notifications.schedule import send_due


class Command(BaseCommand):
    help = (
        "Queue the email digests and weekly reminders that are due, each at the person's own hour, "
        "and delete expired data exports. Run it every few minutes (cron or a systemd timer); "
        "`manage.py db_worker` sends what it queues."
    )

    def handle(self, *args, **options):
        digests, reminders = send_due(timezone.now())
        pruned = prune_expired_exports()
        self.stdout.write(
            f"Queued {digests} digest(s) and {reminders} reminder(s); removed {pruned} expired export(s)."
        )
