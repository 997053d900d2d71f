from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from dashboard import services
from dashboard.models import ColumnMapping, ImportBatch
from qsg import exports


class Command(BaseCommand):
    help = (
        "Load indicator data from a CSV or Excel file, all or nothing, as an analyst would "
        "upload it (no size limit). Changed series are recomputed afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV (UTF-8) or .xlsx file")
        parser.add_argument("--user", required=True, help="Username of the analyst loading it")
        parser.add_argument(
            "--mapping", default="", help="Name of a saved column mapping (default: standard)"
        )
        parser.add_argument("--source", default="", help="Where the data comes from")
        parser.add_argument("--errors", default="", help="Write the problems to this CSV file")

    def handle(self, *args, path, user, mapping, source, errors, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user called {user}")
        chosen = None
        if mapping:
            chosen = ColumnMapping.objects.filter(name=mapping).first()
            if chosen is None:
                names = ", ".join(ColumnMapping.objects.values_list("name", flat=True))
                raise CommandError(f"No column mapping called {mapping!r}. Saved: {names}")
        try:
            batch = services.import_file(actor=actor, path=path, mapping=chosen, source=source)
        except (PermissionDenied, ValidationError, OSError) as exc:
            raise CommandError(str(exc)) from None
        batch.refresh_from_db()
        job = batch.job
        job.refresh_from_db()
        self.stdout.write(f"{job.get_status_display()}: {job.message}")
        if batch.outcome == ImportBatch.Outcome.REJECTED:
            if errors:
                with open(errors, "w", newline="", encoding="utf-8") as fh:
                    exports.write_csv(
                        fh,
                        ["row", "column", "value", "problem"],
                        (
                            [e.row_number, e.column, e.value, e.message]
                            for e in batch.row_errors.all().iterator()
                        ),
                    )
            for e in batch.row_errors.all()[:20]:
                self.stderr.write(f"row {e.row_number} {e.column}: {e.message}")
            raise CommandError("Nothing was loaded")
        if batch.outcome != ImportBatch.Outcome.LOADED:
            raise CommandError("The import failed")
