from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, PEOPLE, seed_people
from notifications.demo import seed_notifications
from reflections.demo import seed_reflections
from search import registry
from search.index import rebuild
from supervision.demo import seed_supervision
from training.demo import seed_training


class Command(BaseCommand):
    help = "Load the demo team, its people and their co-reflection (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        team, people = seed_people()
        seed_reflections(team, people)
        seed_supervision(team, people)
        seed_training(team, people)
        seed_notifications(people)
        rebuild(registry.kinds())  # writing the demo made in bulk, if any, becomes searchable
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {team}."))
        self.stdout.write(f"Every demo account's password is: {DEMO_PASSWORD}")
        for email, name, role, _tz in PEOPLE:
            self.stdout.write(f"  {role.label:<14} {name:<18} {email}")
