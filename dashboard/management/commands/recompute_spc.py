import json

from django.core.management.base import BaseCommand

from dashboard import recompute


class Command(BaseCommand):
    help = "Work out the SPC results now, in this process: changed series, or all with --full."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Recompute every series")

    def handle(self, *args, full, **options):
        counts = recompute.run(full=full)
        self.stdout.write(json.dumps(counts))
