from django.db import migrations

# Frozen copy of the themes at the time of this migration; the rows are data an administrator
# may relabel, retire or add to.
THEMES = [
    ("staffing", "Staffing and workforce", 10),
    ("safeguarding", "Safeguarding", 20),
    ("infection-control", "Infection prevention and control", 30),
    ("maternity", "Maternity", 40),
    ("governance", "Leadership and governance", 50),
    ("patient-safety", "Patient safety incidents", 60),
    ("access", "Access and waiting times", 70),
    ("medicines", "Medicines management", 80),
    ("environment", "Premises and equipment", 90),
    ("dignity", "Dignity, respect and compassion", 100),
    ("complaints", "Complaints handling", 110),
    ("mental-health", "Mental health care", 120),
    ("culture", "Culture and openness", 130),
    ("finance", "Financial pressure", 140),
    ("other", "Other", 900),
]


def seed(apps, schema_editor):
    Theme = apps.get_model("surveillance", "Theme")
    for code, label, order in THEMES:
        Theme.objects.get_or_create(code=code, defaults={"label": label, "sort_order": order})


def unseed(apps, schema_editor):
    apps.get_model("surveillance", "Theme").objects.filter(
        code__in=[code for code, _, _ in THEMES]
    ).delete()


# Full-text search: a GIN index over the stored tsvector, on PostgreSQL only. SQLite (the
# demo) keeps the column empty and searches with icontains instead.
GIN_INDEX = "intel_item_search_gin"


def create_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {GIN_INDEX} ON surveillance_intelligenceitem "
            "USING gin (search)"
        )


def drop_gin(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {GIN_INDEX}")


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0004_intelligence")]

    operations = [
        migrations.RunPython(seed, unseed),
        migrations.RunPython(create_gin, drop_gin),
    ]
