from django.db import migrations

# Which kind of organisation is proposed to hold the ring, by provider sector (first type with a
# member in the QSG wins; otherwise NHS England's area team). Rows are data an administrator may
# change: e.g. NHS Improvement in place of the NHS TDA.
RULES = [
    ("acute", ["nhs-tda", "monitor-nhsi"], "NHS trusts: the NHS TDA (NQB report, chapter 5)."),
    ("mental_health", ["nhs-tda", "monitor-nhsi"], "NHS trusts: the NHS TDA."),
    ("community", ["nhs-tda", "monitor-nhsi"], "NHS trusts: the NHS TDA."),
    ("ambulance", ["nhs-tda", "monitor-nhsi"], "NHS trusts: the NHS TDA."),
    ("primary_care", ["nhse-area-team"], "Primary care: NHS England (NQB report, chapter 5)."),
    ("dental", ["nhse-area-team"], "Dental services are commissioned by NHS England."),
    ("care_home", ["local-authority"], "Care homes: the local authority that commissions them."),
    ("independent", ["icb-ccg"], "Independent providers: the lead commissioner."),
]


def seed(apps, schema_editor):
    Rule = apps.get_model("risksummits", "RingHolderRule")
    RuleType = apps.get_model("risksummits", "RingHolderRuleType")
    OrganisationType = apps.get_model("qsg", "OrganisationType")
    for sector, codes, note in RULES:
        rule, _ = Rule.objects.update_or_create(sector=sector, defaults={"note": note})
        for preference, code in enumerate(codes, start=1):
            org_type = OrganisationType.objects.filter(code=code).first()
            if org_type is not None:
                RuleType.objects.update_or_create(
                    rule=rule, organisation_type=org_type, defaults={"preference": preference}
                )


class Migration(migrations.Migration):
    dependencies = [("risksummits", "0001_initial"), ("qsg", "0002_organisation_types")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
