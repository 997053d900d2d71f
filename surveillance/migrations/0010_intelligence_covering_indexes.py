# The visibility arms' indexes cover `id`, so that the intelligence list is counted as a UNION
# of index-only scans (qsg.pagination.UnionCountPaginator; docs/benchmarks-intelligence.md), and
# search's case-insensitive match on the reference and the list page's order have an index.
# Plain CREATE INDEX (works on SQLite for the demo, and inside the test transaction): on a large
# table it blocks writes to the items while it builds (5 to 11 s at 1,000,000 items on
# the shared development machine).

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

SUBMITTED_INDEX = "intel_item_submitted"


def create_submitted(apps, schema_editor):
    """The list page's order (selectors_intelligence.NEWEST_FIRST), so a page walks the index
    instead of sorting every visible item; drafts (no submitted_at) at the far end. PostgreSQL
    only: SQLite has no NULLS LAST in an index."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {SUBMITTED_INDEX} ON surveillance_intelligenceitem "
            "(submitted_at DESC NULLS LAST, id DESC)"
        )


def drop_submitted(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {SUBMITTED_INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("qsg", "0002_organisation_types"),
        ("surveillance", "0009_intelligence_org_status_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="intelligenceitem",
            index=models.Index(
                fields=["qsg", "distribution", "status"], include=("id",), name="intel_item_qsg_arm"
            ),
        ),
        migrations.AddIndex(
            model_name="intelligenceitem",
            index=models.Index(
                fields=["submitting_organisation", "status"],
                include=("id",),
                name="intel_item_org_arm",
            ),
        ),
        migrations.AddIndex(
            model_name="intelligenceitem",
            index=models.Index(
                fields=["submitted_by", "status"], include=("id",), name="intel_item_author_arm"
            ),
        ),
        migrations.AddIndex(
            model_name="intelligenceitem",
            index=models.Index(
                django.db.models.functions.text.Upper("reference"),
                name="intel_item_reference_upper",
            ),
        ),
        migrations.RunPython(create_submitted, drop_submitted),
        migrations.RemoveIndex(model_name="intelligenceitem", name="intel_item_qsg_dist"),
        migrations.RemoveIndex(model_name="intelligenceitem", name="intel_item_org_status"),
    ]
