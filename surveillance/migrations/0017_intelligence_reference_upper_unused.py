# Search no longer matches a reference case-insensitively beside the search vector: a reference
# (or its start) is searched by prefix alone, through the unique column's varchar_pattern_ops
# index (surveillance.intelligence.selectors.search), so intel_item_reference_upper is unused.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0016_profile_vocabulary")]

    operations = [
        migrations.RemoveIndex(model_name="intelligenceitem", name="intel_item_reference_upper"),
    ]
