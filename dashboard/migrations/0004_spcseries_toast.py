"""Keep each series' packed points out of line (PostgreSQL TOAST), so that updating its summary
or peer columns does not copy the points: a national recompute updates 176,000 rows twice."""

from django.db import migrations


def toast_points(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE dashboard_spcseries SET (toast_tuple_target = 128)")
        schema_editor.execute("ALTER TABLE dashboard_spcseries ALTER COLUMN points SET STORAGE EXTERNAL")


def untoast(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE dashboard_spcseries RESET (toast_tuple_target)")
        schema_editor.execute("ALTER TABLE dashboard_spcseries ALTER COLUMN points SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0003_observation_bulk_keys")]

    operations = [migrations.RunPython(toast_points, untoast)]
