from django.db import migrations

# A frozen copy of qsg.organisation_types at the time of this migration.
TYPES = [
    ("nhse-region", "NHS England regional team", True, True, False, True, 10),
    ("nhse-area-team", "NHS England area team", True, True, False, True, 20),
    ("icb-ccg", "Integrated care board or clinical commissioning group", True, True, False, False, 30),
    ("local-authority", "Local authority", True, True, False, False, 40),
    ("cqc", "Care Quality Commission", True, False, True, False, 50),
    ("monitor-nhsi", "Monitor or NHS Improvement", True, False, True, False, 60),
    ("nhs-tda", "NHS Trust Development Authority", True, False, True, False, 70),
    ("local-healthwatch", "Local Healthwatch", True, False, False, False, 80),
    ("healthwatch-england", "Healthwatch England", True, False, False, False, 90),
    ("phe-ukhsa", "Public Health England or UK Health Security Agency", True, False, False, False, 100),
    ("hee-letb", "Health Education England or local education and training board", True, False, False, False, 110),
    ("gmc", "General Medical Council", True, False, True, False, 120),
    ("nmc", "Nursing and Midwifery Council", True, False, True, False, 130),
    ("ombudsman", "Parliamentary and Health Service Ombudsman", True, False, False, False, 140),
    ("other", "Other organisation", False, False, False, False, 200),
]


def seed(apps, schema_editor):
    OrganisationType = apps.get_model("qsg", "OrganisationType")
    for code, label, statutory, commissioner, regulator, nhse, order in TYPES:
        OrganisationType.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "is_statutory": statutory,
                "is_commissioner": commissioner,
                "is_regulator": regulator,
                "is_nhs_england": nhse,
                "sort_order": order,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("qsg", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
