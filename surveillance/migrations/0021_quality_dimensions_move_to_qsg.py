"""The quality dimensions move down to `qsg` (reference data the dashboard reads too).

State only: the table and its rows stay; `qsg.0010_quality_dimensions` takes the model over and
renames the table.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("surveillance", "0020_profile_words"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="QualityDimension")],
            database_operations=[],
        ),
    ]
