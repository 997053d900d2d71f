import os

from django.core.management.base import BaseCommand

from qsg import demo


class Command(BaseCommand):
    help = "Load the demo: the 2013 QSG network, providers and an account for every role. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("QSG_DEMO_PASSWORD") or demo.DEFAULT_PASSWORD,
            help="Password for every demo account (default: $QSG_DEMO_PASSWORD or %(default)s)",
        )

    def handle(self, *args, password, **options):
        demo.seed(password=password, stdout=self.stdout)
        self.stdout.write(
            self.style.SUCCESS(f"Demo loaded: {len(demo.accounts_listing())} demo roles.")
        )
