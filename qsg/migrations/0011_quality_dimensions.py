"""The quality dimensions become qsg's: the rows surveillance kept, in the same table (renamed).

The model is taken over in the state only (no copy: every row, its id and what administrators
edited stay); the table is then renamed `qsg_qualitydimension`. The admin's permissions on the
rows follow them (their content type is moved, not recreated). Nothing is seeded here: the rows
are there, as administrators left them (surveillance.0016 seeded them).
"""

from django.db import migrations, models

PROFILE_CHOICES = [("", "Every profile"), ("2013", "2013 guidance"), ("2022", "2022 guidance")]


def move_content_type(apps, schema_editor, *, source="surveillance", target="qsg"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if ContentType.objects.filter(app_label=target, model="qualitydimension").exists():
        return
    ContentType.objects.filter(app_label=source, model="qualitydimension").update(
        app_label=target
    )


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="qsg", target="surveillance")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("qsg", "0010_organisation_help_text"),
        ("surveillance", "0022_quality_dimensions_move_to_qsg"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="QualityDimension",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("code", models.SlugField(max_length=20)),
                        (
                            "profile",
                            models.CharField(
                                blank=True, choices=PROFILE_CHOICES, default="", max_length=4
                            ),
                        ),
                        ("label", models.CharField(max_length=80)),
                        ("description", models.CharField(blank=True, max_length=300)),
                        ("is_active", models.BooleanField(default=True)),
                        ("sort_order", models.PositiveSmallIntegerField(default=100)),
                    ],
                    options={
                        "db_table": "surveillance_qualitydimension",
                        "ordering": ["sort_order", "label"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("profile", "code"), name="quality_dimension_once"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="qualitydimension", table=None),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
