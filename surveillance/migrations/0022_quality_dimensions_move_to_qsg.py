"""The quality dimensions move down to `qsg` (reference data the dashboard reads too).

State only: the table and its rows stay; `qsg.0011_quality_dimensions` takes the model over and
renames the table.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveillance", "0021_local_report_escalation_section"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="QualityDimension")],
            database_operations=[],
        ),
    ]
