"""Indicators are classed by the profile's quality dimensions (qsg.QualityDimension rows).

The three fixed codes become the rows' codes: `safe` -> `safety`, `effective` -> `effectiveness`
(`experience` is the same code). The indicator and its history are renamed alike, so the history
still reads each indicator's dimension; no other code is touched (an unknown one stays as it was,
shown as its code). Backwards, the two codes go back; an indicator classed under a 2022-only
dimension keeps it.
"""

from django.db import migrations, models

RENAMED = {"safe": "safety", "effective": "effectiveness"}


def _rename(apps, mapping):
    for name in ("Indicator", "HistoricalIndicator"):
        model = apps.get_model("dashboard", name)
        for old, new in mapping.items():
            model.objects.filter(quality_dimension=old).update(quality_dimension=new)


def seed(apps, schema_editor):
    _rename(apps, RENAMED)


def unseed(apps, schema_editor):
    _rename(apps, {new: old for old, new in RENAMED.items()})


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0007_provider_context"),
        ("qsg", "0011_quality_dimensions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="historicalindicator",
            name="quality_dimension",
            field=models.CharField(max_length=20),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="quality_dimension",
            field=models.CharField(max_length=20),
        ),
        migrations.RunPython(seed, unseed),
    ]
