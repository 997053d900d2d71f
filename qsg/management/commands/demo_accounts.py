import json

from django.core.management.base import BaseCommand

from qsg import demo


class Command(BaseCommand):
    help = "List the demo accounts with their organisation, QSG and role."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print a JSON list")

    def handle(self, *args, json: bool = False, **options):
        rows = demo.accounts_listing()
        if json:
            self.stdout.write(_dumps(rows))
            return
        width = max((len(r["username"]) for r in rows), default=10)
        for r in rows:
            self.stdout.write(
                f"{r['username']:<{width}}  {r['role']:<17}  {r['qsg']}  ({r['organisation']})"
            )


def _dumps(rows) -> str:
    return json.dumps(rows, indent=2)
