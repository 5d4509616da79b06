from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, PEOPLE, seed_people


class Command(BaseCommand):
    help = "Load the demo team and its people (safe to run again: nothing is duplicated)."

    @transaction.atomic
    def handle(self, *args, **options):
        team, _people = seed_people()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {team}."))
        self.stdout.write(f"Every demo account's password is: {DEMO_PASSWORD}")
        for email, name, role, _tz in PEOPLE:
            self.stdout.write(f"  {role.label:<14} {name:<18} {email}")
