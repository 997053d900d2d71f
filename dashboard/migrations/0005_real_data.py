"""Real data: provisional figures, standards redefined part-way, organisations that merged, and
the indicators and column mappings of the NHS England files in shared/data (RTT incomplete
pathways, Cancer Waiting Times, KH03 bed occupancy).

The successions are those the demo's data needs, dated as NHS England's returns show them (the
last return of the predecessor, the first of the successor); a deployment adds its own.
"""

import datetime as dt

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models



NETWORK_NOTE = (
    "2022-2026 data shown on the 2013 QSG network: no 2022 network profile is loaded, so each "
    "trust's figures sit with its 2013 local QSG (a trust that merged since appears under its "
    "successor's code, in its predecessor's QSG)."
)

# code, name, metric, unit, kind, multiplier, direction, target, target note, definition
INDICATORS = [
    ("RTT_WITHIN_18WK", "RTT: waiting under 18 weeks",
     "% of patients on incomplete referral-to-treatment pathways waiting under 18 weeks",
     "percent", "proportion", 100.0, "increase", 92.0,
     "NHS constitutional standard: 92% of incomplete pathways within 18 weeks",
     "Incomplete (waiting) referral-to-treatment pathways at the month end within 18 weeks of "
     "referral, as a percentage of all incomplete pathways. Today's measure: the guidance's "
     "RTT_18WK (not seen within 18 weeks, admitted adjusted) is the older one, and 100% minus "
     "this is its nearest current reading. Source: NHS England RTT waiting times."),
    ("RTT_OVER_52WK", "RTT: waiting over 52 weeks",
     "Number of incomplete referral-to-treatment pathways waiting more than 52 weeks",
     "count", "measure", 1.0, "decrease", None, "",
     "Incomplete referral-to-treatment pathways at the month end waiting more than 52 weeks "
     "since referral. Source: NHS England RTT waiting times."),
    ("CANCER_FDS28", "Cancer: 28-day faster diagnosis",
     "% of patients told they have cancer, or that it is ruled out, within 28 days of referral",
     "percent", "proportion", 100.0, "increase", 75.0,
     "Faster Diagnosis Standard: 75% within 28 days",
     "Patients referred urgently for suspected cancer, for breast symptoms or from screening, "
     "who were told their diagnosis, or that cancer was ruled out, within 28 days, as a "
     "percentage of all such patients told in the month. It replaced the two-week wait "
     "(CANCER_2WK). Source: NHS England Cancer Waiting Times."),
    ("CANCER_31D", "Cancer: 31-day treatment",
     "% of patients treated within 31 days of the decision to treat",
     "percent", "proportion", 100.0, "increase", 96.0,
     "31-day combined standard: 96%",
     "Patients starting a first or subsequent treatment for cancer within 31 days of the "
     "decision to treat, as a percentage of all treated in the month (the combined standard). "
     "Source: NHS England Cancer Waiting Times."),
    ("CANCER_62D", "Cancer: 62-day treatment",
     "% of patients treated within 62 days of an urgent referral, screening or upgrade",
     "percent", "proportion", 100.0, "increase", 85.0,
     "62-day combined standard: 85%",
     "Patients starting a first treatment for cancer within 62 days of an urgent suspected "
     "cancer referral, a screening referral or a consultant upgrade, as a percentage of all "
     "treated in the month (the combined standard). Source: NHS England Cancer Waiting Times."),
]

CANCER_CHANGE = (
    "In October 2023 NHS England replaced ten cancer standards with three: the 31-day standard "
    "now combines first and subsequent treatments, the 62-day standard urgent referral, "
    "screening and consultant upgrade. Figures before and after are not like for like."
)

# predecessor, successor, first day, note
SUCCESSIONS = [
    ("RQQ", "RGN", dt.date(2017, 4, 1), "Hinchingbrooke Health Care joined North West Anglia"),
    ("RM2", "R0A", dt.date(2017, 10, 1), "University Hospital of South Manchester and Central "
     "Manchester University Hospitals formed Manchester University"),
    ("RW3", "R0A", dt.date(2017, 10, 1), "Central Manchester University Hospitals and "
     "University Hospital of South Manchester formed Manchester University"),
    ("RR1", "RRK", dt.date(2018, 4, 1), "Heart of England joined University Hospitals "
     "Birmingham (its A&E returns continued under RR1 until June 2018)"),
    ("RGQ", "RDE", dt.date(2018, 7, 1), "Ipswich Hospital and Colchester Hospital formed East "
     "Suffolk and North Essex"),
    ("RJF", "RTG", dt.date(2018, 7, 1), "Burton Hospitals joined Derby Teaching Hospitals "
     "(University Hospitals of Derby and Burton)"),
    ("RE9", "R0B", dt.date(2019, 4, 1), "South Tyneside and City Hospitals Sunderland formed "
     "South Tyneside and Sunderland"),
    ("RLN", "R0B", dt.date(2019, 4, 1), "City Hospitals Sunderland and South Tyneside formed "
     "South Tyneside and Sunderland"),
    ("RNL", "RNN", dt.date(2019, 10, 1), "North Cumbria University Hospitals and Cumbria "
     "Partnership formed North Cumbria Integrated Care"),
    ("RQ6", "REM", dt.date(2019, 10, 1), "Royal Liverpool and Broadgreen joined Aintree "
     "(Liverpool University Hospitals)"),
    ("RA3", "RA7", dt.date(2020, 4, 1), "Weston Area Health joined University Hospitals "
     "Bristol (and Weston)"),
    ("RBA", "RH5", dt.date(2020, 4, 1), "Taunton and Somerset joined Somerset Partnership "
     "(Somerset NHS Foundation Trust)"),
    ("RC1", "RC9", dt.date(2020, 4, 1), "Bedford Hospital joined Luton and Dunstable "
     "(Bedfordshire Hospitals)"),
    ("RDD", "RAJ", dt.date(2020, 4, 1), "Basildon and Thurrock, Mid Essex and Southend formed "
     "Mid and South Essex"),
    ("RQ8", "RAJ", dt.date(2020, 4, 1), "Mid Essex, Basildon and Thurrock and Southend formed "
     "Mid and South Essex"),
    ("RD3", "R0D", dt.date(2020, 10, 1), "Poole Hospital and Royal Bournemouth and "
     "Christchurch formed University Hospitals Dorset"),
    ("RDZ", "R0D", dt.date(2020, 10, 1), "Royal Bournemouth and Christchurch and Poole "
     "Hospital formed University Hospitals Dorset"),
    ("RXH", "RYR", dt.date(2021, 4, 1), "Brighton and Sussex University Hospitals and "
     "Western Sussex formed University Hospitals Sussex"),
    ("RW6", "RM3", dt.date(2021, 10, 1), "Pennine Acute's hospitals joined Salford Royal "
     "(Northern Care Alliance); North Manchester General moved to R0A in April 2021"),
    ("RBZ", "RH8", dt.date(2022, 4, 1), "Northern Devon Healthcare joined Royal Devon and "
     "Exeter (Royal Devon University Healthcare)"),
]

# name, description, fixed indicator, provider, period, value, numerator, denominator,
# filter column, filter value, status column, provisional values
MAPPINGS = [
    ("KH03 overnight beds: general and acute occupancy",
     "kh03_overnight_beds.csv (quarterly): general and acute beds occupied out of available.",
     "BED_OCCUPANCY", "org_code", "period", "", "beds_occupied", "beds_available",
     "sector", "general_and_acute", "", ""),
    ("RTT incomplete pathways: within 18 weeks",
     "rtt_incomplete_pathways.csv: pathways within 18 weeks out of all incomplete pathways.",
     "RTT_WITHIN_18WK", "org_code", "period", "", "within_18_weeks", "incomplete_pathways",
     "", "", "data_status", "provisional"),
    ("RTT incomplete pathways: over 52 weeks",
     "rtt_incomplete_pathways.csv: the number of pathways waiting over 52 weeks.",
     "RTT_OVER_52WK", "org_code", "period", "over_52_weeks", "", "", "", "", "data_status",
     "provisional"),
    ("Cancer waiting times: 28-day faster diagnosis",
     "cancer_waiting_times.csv, standard FDS28: within the standard out of all.",
     "CANCER_FDS28", "org_code", "period", "", "within_standard", "total", "standard", "FDS28",
     "data_status", "provisional"),
    ("Cancer waiting times: 31-day combined",
     "cancer_waiting_times.csv, standard CMB31: within the standard out of all.",
     "CANCER_31D", "org_code", "period", "", "within_standard", "total", "standard", "CMB31",
     "data_status", "provisional"),
    ("Cancer waiting times: 62-day combined",
     "cancer_waiting_times.csv, standard CMB62: within the standard out of all.",
     "CANCER_62D", "org_code", "period", "", "within_standard", "total", "standard", "CMB62",
     "data_status", "provisional"),
]


def seed(apps, schema_editor):
    Indicator = apps.get_model("dashboard", "Indicator")
    ColumnMapping = apps.get_model("dashboard", "ColumnMapping")
    StandardChange = apps.get_model("dashboard", "StandardChange")
    ProviderSuccession = apps.get_model("dashboard", "ProviderSuccession")
    for code, name, metric, unit, kind, mult, direction, target, note, definition in INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name, "metric": metric, "domain": "4", "quality_dimension": "experience",
                "unit": unit, "kind": kind, "multiplier": mult, "improvement_direction": direction,
                "target": target, "target_note": note, "definition": definition,
                "notes": NETWORK_NOTE, "frequency": "monthly",
                "source": "NHS England " + ("Cancer Waiting Times" if code.startswith("CANCER")
                                            else "RTT waiting times"),
            },
        )  # fmt: skip
    beds = Indicator.objects.get(code="BED_OCCUPANCY")
    beds.definition = (
        "Average daily number of general and acute beds occupied overnight in the quarter, as a "
        "percentage of those available. Source: NHS England bed availability and occupancy "
        "(KH03), quarterly."
    )
    beds.source = "NHS England KH03 bed availability and occupancy"
    beds.save()
    for code in ("CANCER_31D", "CANCER_62D"):
        StandardChange.objects.get_or_create(
            indicator=Indicator.objects.get(code=code),
            period=dt.date(2023, 10, 1),
            defaults={"reason": CANCER_CHANGE},
        )
    for old, new, effective, note in SUCCESSIONS:
        ProviderSuccession.objects.update_or_create(
            predecessor=old, successor=new, defaults={"effective": effective, "note": note}
        )
    for (name, description, code, provider, period, value, num, den, fcol, fval, scol,
         svals) in MAPPINGS:  # fmt: skip
        ColumnMapping.objects.update_or_create(
            name=name,
            defaults={
                "description": description, "fixed_indicator": Indicator.objects.get(code=code),
                "provider_column": provider, "period_column": period, "indicator_column": "",
                "value_column": value, "numerator_column": num, "denominator_column": den,
                "filter_column": fcol, "filter_value": fval, "status_column": scol,
                "provisional_values": svals,
            },
        )  # fmt: skip


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0004_indicator_frequency'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='columnmapping',
            name='provisional_values',
            field=models.CharField(blank=True, help_text='Values of that column marking a provisional figure, separated by commas.', max_length=200),
        ),
        migrations.AddField(
            model_name='columnmapping',
            name='status_column',
            field=models.CharField(blank=True, help_text='Optional: the column saying whether a figure is final.', max_length=80),
        ),
        migrations.AddField(
            model_name='historicalcolumnmapping',
            name='provisional_values',
            field=models.CharField(blank=True, help_text='Values of that column marking a provisional figure, separated by commas.', max_length=200),
        ),
        migrations.AddField(
            model_name='historicalcolumnmapping',
            name='status_column',
            field=models.CharField(blank=True, help_text='Optional: the column saying whether a figure is final.', max_length=80),
        ),
        migrations.AddField(
            model_name='observation',
            name='provisional',
            field=models.BooleanField(default=False, help_text='Published as provisional: it may be revised.'),
        ),
        migrations.AddField(
            model_name='spcseries',
            name='latest_provisional',
            field=models.BooleanField(default=False),
        ),
        migrations.CreateModel(
            name='HistoricalProviderSuccession',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('predecessor', models.CharField(max_length=10, verbose_name="Predecessor's ODS code")),
                ('successor', models.CharField(max_length=10, verbose_name="Successor's ODS code")),
                ('effective', models.DateField(help_text='The first day the successor reports for both.')),
                ('note', models.CharField(blank=True, max_length=300)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'historical provider succession',
                'verbose_name_plural': 'historical provider successions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalStandardChange',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('period', models.DateField(help_text='The first period measured the new way.')),
                ('reason', models.CharField(max_length=300)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('indicator', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='dashboard.indicator')),
            ],
            options={
                'verbose_name': 'historical standard change',
                'verbose_name_plural': 'historical standard changes',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='ProviderSuccession',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('predecessor', models.CharField(max_length=10, verbose_name="Predecessor's ODS code")),
                ('successor', models.CharField(max_length=10, verbose_name="Successor's ODS code")),
                ('effective', models.DateField(help_text='The first day the successor reports for both.')),
                ('note', models.CharField(blank=True, max_length=300)),
            ],
            options={
                'ordering': ['effective', 'predecessor'],
                'constraints': [models.UniqueConstraint(fields=('predecessor', 'successor'), name='providersuccession_unique'), models.CheckConstraint(condition=models.Q(('predecessor', models.F('successor')), _negated=True), name='providersuccession_not_itself')],
            },
        ),
        migrations.CreateModel(
            name='StandardChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.DateField(help_text='The first period measured the new way.')),
                ('reason', models.CharField(max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('indicator', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='standard_changes', to='dashboard.indicator')),
            ],
            options={
                'ordering': ['indicator', 'period'],
                'constraints': [models.UniqueConstraint(fields=('indicator', 'period'), name='standardchange_unique')],
            },
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
