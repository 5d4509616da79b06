from django.core.management.base import BaseCommand

from search import registry
from search.index import rebuild


class Command(BaseCommand):
    help = (
        "Index all writing again and drop documents whose writing is gone. Needed only after "
        "loading data that skipped save() (bulk_create, loaddata, raw SQL); saves keep it current."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", action="append", help="Only these kinds of writing (repeatable).")

    def handle(self, *args, kind=None, **options):
        kinds = [k for k in registry.kinds() if not kind or k.key in kind]
        total = rebuild(kinds)
        if options["verbosity"]:
            self.stdout.write(f"Indexed {total} pieces of writing ({', '.join(k.key for k in kinds)}).")
