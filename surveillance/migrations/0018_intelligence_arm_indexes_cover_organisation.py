# The visibility arms' indexes also cover the columns the list page's organisation filter reads
# (submitting organisation, QSG, do not attribute), so that its choices are a UNION of index-only
# scans instead of a read of every visible item (docs/benchmarks-intelligence.md). Plain CREATE
# INDEX: at 1,000,000 items the three rebuild in about 10 s, during which writes to the items wait.

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("qsg", "0006_vocabulary_terms"),
        ("surveillance", "0017_intelligence_reference_upper_unused"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="intelligenceitem",
            name="intel_item_qsg_arm",
        ),
        migrations.RemoveIndex(
            model_name="intelligenceitem",
            name="intel_item_org_arm",
        ),
        migrations.RemoveIndex(
            model_name="intelligenceitem",
            name="intel_item_author_arm",
        ),
        migrations.AddIndex(
            model_name="intelligenceitem",
            index=models.Index(
                fields=["qsg", "distribution", "status"],
                include=("id", "submitting_organisation", "do_not_attribute"),
                name="intel_item_qsg_arm",
            ),
        ),
        migrations.AddIndex(
            model_name="intelligenceitem",
            index=models.Index(
                fields=["submitting_organisation", "status"],
                include=("id", "qsg", "do_not_attribute"),
                name="intel_item_org_arm",
            ),
        ),
        migrations.AddIndex(
            model_name="intelligenceitem",
            index=models.Index(
                fields=["submitted_by", "status"],
                include=("id", "qsg", "submitting_organisation", "do_not_attribute"),
                name="intel_item_author_arm",
            ),
        ),
    ]
