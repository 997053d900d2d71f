"""The annex A assurance pro forma (QSG establishment guidance, 2013), frozen as data.

Each row: (code, section, question, evidence asked for). The local and regional pro formas
differ in the core membership of 1b.
"""

from django.db import migrations

COMMON_TAIL = [
    ("2a", "Training and support", "QSG guidance received and circulated to core members", "Date circulated"),
    ("2b", "Training and support", "NQB dashboard training received by core members", "Dates of training"),
    ("3a", "QSG meeting set up", "Outline agenda agreed", "Draft agenda"),
    ("3b", "QSG meeting set up", "Information framework agreed with QSG members", "Summary of information to be supplied to the QSG by members"),
    ("3c", "QSG meeting set up", "Process in place for {team} to produce report of analysis of quality", "Name of responsible person or team"),
    ("3d", "QSG meeting set up", "Schedule of meeting dates agreed", "Meeting dates"),
    ("3e", "QSG meeting set up", "Annual business cycle agreed", "Business cycle"),
    ("3f", "QSG meeting set up", "Meeting governance (paper submission and circulation, minutes, reporting arrangements) agreed", "Outline governance arrangements"),
    ("4a", "Governance", "Existing quality assurance policies and procedures updated to take account of the role of QSGs", "Name of policies or procedures updated"),
]

LOCAL = [
    ("1a", "QSG membership", "QSG chair agreed", "Name of chair"),
    ("1b.i", "QSG membership", "Core membership agreed: NHS England area team (members and support)", "Names and roles"),
    ("1b.ii", "QSG membership", "Core membership agreed: CCG accountable officers", "Names"),
    ("1b.iii", "QSG membership", "Core membership agreed: local Healthwatch", "Names"),
    ("1b.iv", "QSG membership", "Core membership agreed: Care Quality Commission", "Name"),
    ("1b.v", "QSG membership", "Core membership agreed: Monitor", "Name"),
    ("1b.vi", "QSG membership", "Core membership agreed: NHS Trust Development Authority", "Name"),
    ("1b.vii", "QSG membership", "Core membership agreed: LETBs", "Name"),
    ("1b.viii", "QSG membership", "Local authority engagement or involvement discussed", "Date and outcome of discussion"),
] + [(c, s, q.format(team="area team"), e) for c, s, q, e in COMMON_TAIL]

REGIONAL = [
    ("1a", "QSG membership", "QSG chair agreed", "Name of chair"),
    ("1b.i", "QSG membership", "Core membership agreed: NHS England regional office (members and support)", "Names and roles"),
    ("1b.ii", "QSG membership", "Core membership agreed: area team QSG representation", "Names"),
    ("1b.iii", "QSG membership", "Core membership agreed: local Healthwatch representatives", "Names"),
    ("1b.iv", "QSG membership", "Core membership agreed: Care Quality Commission", "Name"),
    ("1b.v", "QSG membership", "Core membership agreed: Monitor", "Name"),
    ("1b.vi", "QSG membership", "Core membership agreed: NHS Trust Development Authority", "Name"),
    ("1b.vii", "QSG membership", "Core membership agreed: professional regulators (GMC, NMC)", "Names"),
    ("1b.viii", "QSG membership", "Core membership agreed: LETBs", "Names"),
    ("1b.ix", "QSG membership", "Core membership agreed: Health Service Ombudsman", "Name"),
    ("1b.x", "QSG membership", "Local authority engagement or involvement discussed", "Date and outcome of discussion"),
] + [(c, s, q.format(team="region"), e) for c, s, q, e in COMMON_TAIL]


def seed(apps, schema_editor):
    Question = apps.get_model("surveillance", "AssuranceQuestion")
    for applies_to, rows in (("local", LOCAL), ("regional", REGIONAL)):
        for position, (code, section, text, evidence) in enumerate(rows, start=1):
            Question.objects.update_or_create(
                applies_to=applies_to,
                code=code,
                defaults={
                    "section": section,
                    "text": text,
                    "evidence_hint": evidence,
                    "position": position,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("surveillance", "0006_regional")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
