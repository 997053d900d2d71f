"""One open summit per provider, the reason for a late first meeting, documents versioned as
issued (1, 2, ...) rather than by the record's internal revision, and meetings numbered by date.

The summit-provider link becomes an explicit model on the same table (no data moves), with a
flag mirroring the summit's status so that a partial unique constraint keeps one open summit
per provider. Where two open summits already share a provider, the later one's link is left
out of the constraint (flag False) rather than failing the migration; the later summit keeps
its provider and the earliest open one is the provider's open summit.
"""

import django.db.models.deletion
from django.db import migrations, models


def mark_open_links(apps, schema_editor):
    Link = apps.get_model("risksummits", "SummitProvider")
    seen: set[int] = set()
    for link in Link.objects.select_related("risksummit").order_by(
        "risksummit__triggered_at", "risksummit_id"
    ):
        is_open = link.risksummit.status == "open" and link.provider_id not in seen
        if is_open:
            seen.add(link.provider_id)
        if link.summit_open != is_open:
            Link.objects.filter(pk=link.pk).update(summit_open=is_open)


def version_as_issued(apps, schema_editor):
    Document = apps.get_model("risksummits", "SummitDocument")
    rows = list(Document.objects.order_by("summit_id", "kind", "meeting_id", "created_at", "pk"))
    Document.objects.filter(pk__in=[r.pk for r in rows]).update(version=models.F("pk") + 1000000)
    count: dict[tuple, int] = {}
    for row in rows:
        key = (row.summit_id, row.kind, row.meeting_id)
        count[key] = count.get(key, 0) + 1
        Document.objects.filter(pk=row.pk).update(record_revision=row.version, version=count[key])


def number_meetings_by_date(apps, schema_editor):
    Meeting = apps.get_model("risksummits", "SummitMeeting")
    by_summit: dict[int, list] = {}
    for m in Meeting.objects.order_by("summit_id", "starts_at", "pk"):
        by_summit.setdefault(m.summit_id, []).append(m)
    for summit_id, meetings in by_summit.items():
        ordered = [m for m in meetings if m.status != "cancelled"] + [
            m for m in meetings if m.status == "cancelled"
        ]
        if [m.number for m in ordered] == list(range(1, len(ordered) + 1)):
            continue
        Meeting.objects.filter(summit_id=summit_id).update(number=models.F("number") + 10000)
        for number, m in enumerate(ordered, start=1):
            Meeting.objects.filter(pk=m.pk).update(number=number)


class Migration(migrations.Migration):
    dependencies = [("qsg", "0002_organisation_types"), ("risksummits", "0002_ring_holder_rules")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SummitProvider",
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
                        (
                            "risksummit",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="risksummits.risksummit",
                            ),
                        ),
                        (
                            "provider",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="qsg.provider",
                            ),
                        ),
                    ],
                    options={"db_table": "risksummits_risksummit_providers"},
                ),
                migrations.AlterField(
                    model_name="risksummit",
                    name="providers",
                    field=models.ManyToManyField(
                        related_name="risk_summits",
                        through="risksummits.SummitProvider",
                        to="qsg.provider",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="summitprovider",
                    constraint=models.UniqueConstraint(
                        fields=("risksummit", "provider"), name="summit_provider_once"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="summitprovider",
            name="summit_open",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(mark_open_links, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="summitprovider",
            constraint=models.UniqueConstraint(
                condition=models.Q(("summit_open", True)),
                fields=("provider",),
                name="one_open_summit_per_provider",
            ),
        ),
        migrations.AlterField(
            model_name="participant",
            name="basis",
            field=models.CharField(
                choices=[
                    ("triggered", "Triggered the summit"),
                    ("convenor", "NHS England team convening the QSG"),
                    ("core_member", "Core member of the QSG"),
                    ("commissioner", "Commissions the provider"),
                    ("regulator", "Regulator (CQC)"),
                    ("local_authority", "Local authority"),
                    ("ring_holder", "Proposed to hold the ring"),
                    ("member", "Other QSG member"),
                    ("invited", "Invited party"),
                    ("provider", "The provider"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="historicalparticipant",
            name="basis",
            field=models.CharField(
                choices=[
                    ("triggered", "Triggered the summit"),
                    ("convenor", "NHS England team convening the QSG"),
                    ("core_member", "Core member of the QSG"),
                    ("commissioner", "Commissions the provider"),
                    ("regulator", "Regulator (CQC)"),
                    ("local_authority", "Local authority"),
                    ("ring_holder", "Proposed to hold the ring"),
                    ("member", "Other QSG member"),
                    ("invited", "Invited party"),
                    ("provider", "The provider"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="summitmeeting",
            name="late_reason",
            field=models.CharField(
                blank=True,
                help_text="Why the first meeting is after the clock's deadline (required then).",
                max_length=500,
            ),
        ),
        migrations.AddField(
            model_name="historicalsummitmeeting",
            name="late_reason",
            field=models.CharField(
                blank=True,
                help_text="Why the first meeting is after the clock's deadline (required then).",
                max_length=500,
            ),
        ),
        migrations.RunPython(number_meetings_by_date, migrations.RunPython.noop),
        migrations.AddField(
            model_name="summitdocument",
            name="record_revision",
            field=models.PositiveIntegerField(
                default=0,
                help_text="The record's internal revision this version was printed from.",
            ),
        ),
        migrations.RunPython(version_as_issued, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="summitdocument",
            name="version",
            field=models.PositiveIntegerField(
                help_text="1 for the first issued version of this document, 2 for the next, ..."
            ),
        ),
        migrations.AddConstraint(
            model_name="summitdocument",
            constraint=models.UniqueConstraint(
                fields=("summit", "meeting", "kind", "record_revision"),
                name="summit_document_once_per_revision",
            ),
        ),
        migrations.AddConstraint(
            model_name="summitdocument",
            constraint=models.UniqueConstraint(
                condition=models.Q(("meeting__isnull", True)),
                fields=("summit", "kind", "record_revision"),
                name="summit_closure_document_once_per_revision",
            ),
        ),
    ]
