from django.db import migrations

# Frozen copies of the labels at the time of this migration; the rows are data an
# administrator may relabel (2013 terms and current ones both fit).
CATEGORIES = [
    # code, label, description, level, triggers_risk_summit, keeps_on_agenda, order
    (
        "risk-summit",
        "Risk summit required",
        "Serious concern: the relevant members meet to agree a judgement and actions.",
        3,
        True,
        True,
        10,
    ),
    (
        "regular-review",
        "Keep under regular review",
        "Concern or uncertainty: the provider comes back to every meeting until it is lowered.",
        2,
        False,
        True,
        20,
    ),
    (
        "further-information",
        "Further information required",
        "The group cannot conclude yet; named members bring more information.",
        1,
        False,
        False,
        30,
    ),
    ("no-further-action", "No further action", "No concern needing the group's attention.", 0, False, False, 40),
]

EXEMPTIONS = [
    ("s40", "Section 40: personal information", 10),
    ("s41", "Section 41: information provided in confidence", 20),
    ("s43", "Section 43: commercial interests", 30),
    ("s31", "Section 31: law enforcement", 40),
    ("s36", "Section 36: prejudice to effective conduct of public affairs", 50),
    ("s22", "Section 22: intended for future publication", 60),
]


def seed(apps, schema_editor):
    Category = apps.get_model("surveillance", "ConclusionCategory")
    Exemption = apps.get_model("surveillance", "FOIExemption")
    for code, label, description, level, summit, keeps, order in CATEGORIES:
        Category.objects.update_or_create(
            code=code,
            defaults={
                "label": label,
                "description": description,
                "level": level,
                "triggers_risk_summit": summit,
                "keeps_on_agenda": keeps,
                "sort_order": order,
            },
        )
    for code, label, order in EXEMPTIONS:
        Exemption.objects.update_or_create(code=code, defaults={"label": label, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0001_meetings")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
