from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from dashboard import context


class Command(BaseCommand):
    help = (
        "Load the context provider pages show beside their charts: CQC ratings (--cqc) from "
        "CQC's ratings spreadsheet (the trusts' own, its Providers sheet) or its spreadsheet of "
        "active locations; NHS Oversight Framework segments (--nof) from NHS England's NOF "
        "metrics CSV or a CSV of ods_code, segment, as_of. Each replaces what was loaded before."
    )

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="Username of the analyst loading it")
        parser.add_argument(
            "--cqc", default="", help="CQC's ratings or active locations file (CSV/.xlsx)"
        )
        parser.add_argument(
            "--nof", default="", help="NHS England's NOF metrics CSV, or ods_code, segment, as_of"
        )
        parser.add_argument("--source", default="", help="What the file is, for the page")

    def handle(self, *args, user, cqc, nof, source, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user called {user}")
        if not cqc and not nof:
            raise CommandError("Give --cqc, --nof or both")
        try:
            for path, load, default in (
                (cqc, context.load_cqc, "CQC ratings"),
                (nof, context.load_nof, "NHS Oversight Framework"),
            ):
                if path:
                    with open(path, "rb") as handle:
                        count = load(
                            actor=actor, source=handle.read(), file_name=path,
                            label=source or default,
                        )  # fmt: skip
                    self.stdout.write(f"{path}: {count} rows for this service's providers")
        except (PermissionDenied, ValidationError, OSError) as exc:
            raise CommandError(str(exc)) from None
