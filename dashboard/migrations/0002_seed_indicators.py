"""The National Quality Dashboard indicators (QSG guidance, annex B) and the A&E column mapping.

The rows are frozen here from shared/data/quality_dashboard_indicators.csv as it stood when this
migration was written, so that migrating never depends on a file outside the project. Units decide
the kind: percentages are proportions (x100), "per 1000 bed days" are rates (x1000), the rest
measures. "neither" in the CSV is the neutral direction. Analysts edit the catalogue afterwards.
"""

from django.db import migrations

# code, name, metric, domain, dimension, unit, kind, multiplier, direction, notes
INDICATORS = [
    ("SHMI", "SHMI", "Deaths within 30 days of elective admissions", "1", "effective", "ratio", "measure", 1.0, "decrease", "Summary Hospital-level Mortality Indicator"),
    ("AMENABLE_MORTALITY", "Amenable mortality", "Deaths in hospital from conditions amenable to healthcare intervention", "1", "effective", "rate", "measure", 1.0, "decrease", ""),
    ("CAT_A_AMBULANCE", "Cat A ambulance", "% of ambulance arrivals to Cat A calls after 8 mins", "3", "effective", "percent", "proportion", 100.0, "decrease", "Metric as worded in the guidance: arrivals after 8 minutes"),
    ("LTC_EMERGENCY_ADMISSIONS", "Emergency admissions for a long term condition (PHQ15)", "% of unplanned admissions to hospital for adults with chronic long term conditions", "2", "effective", "percent", "proportion", 100.0, "decrease", ""),
    ("PAED_EMERGENCY_ADMISSIONS", "Paediatric emergency admissions for epilepsy, diabetes, asthma (PHQ16)", "% of unplanned admissions for asthma, diabetes and epilepsy in under 19s", "2", "effective", "percent", "proportion", 100.0, "decrease", ""),
    ("ACUTE_NOT_USUALLY_ADMITTED", "Emergency admissions for acute conditions that should not usually require hospital admission", "% of emergency admissions for acute conditions that should not usually require hospital admission", "3", "effective", "percent", "proportion", 100.0, "decrease", ""),
    ("READMISSIONS_30D", "Emergency readmissions within 30 days", "% of emergency admissions that occur within 30 days of discharge from previous spell in hospital", "3", "effective", "percent", "proportion", 100.0, "decrease", ""),
    ("AE_4HR", "A&E experience", "% of patients not seen within 4 hours at Type 1 A&E units", "4", "experience", "percent", "proportion", 100.0, "decrease", "Derivable from ae_attendances.csv: breaches / attendances for type 1"),
    ("RTT_18WK", "Referral time to treatment >18 weeks", "% of patients not seen within 18 weeks with known clock start (admitted adjusted pathways)", "4", "experience", "percent", "proportion", 100.0, "decrease", ""),
    ("CANCER_2WK", "Cancer referrals", "% of patients not seen within 2 weeks", "4", "experience", "percent", "proportion", 100.0, "decrease", ""),
    ("NET_PROMOTER", "Net Promoter Score", "Net Promoter score (rolling 24 months) (NHS Choices)", "4", "experience", "score", "measure", 1.0, "increase", ""),
    ("INFECTION", "Infection (C.diff, MRSA, MSSA, E.coli)", "Rate of patients who become infected by either MRSA, C.diff, MSSA or E.coli per 1,000 bed days", "5", "safe", "per 1000 bed days", "rate", 1000.0, "decrease", ""),
    ("SERIOUS_INCIDENTS", "Serious incidents", "Rate of serious incidents reported per 1,000 bed days", "5", "safe", "per 1000 bed days", "rate", 1000.0, "neutral", "Higher reporting can reflect a healthy reporting culture"),
    ("NEVER_EVENTS", "Never events", "Rate of never events reported per 1,000 bed days", "5", "safe", "per 1000 bed days", "rate", 1000.0, "decrease", ""),
    ("MH_UNEXPECTED_DEATHS", "Unexpected deaths for those known to mental health services", "Rate of unexpected deaths reported per 1,000 bed days", "5", "safe", "per 1000 bed days", "rate", 1000.0, "decrease", ""),
    ("HARM_FREE_CARE", "Harm Free Care - NHS Safety Thermometer", "Percentage of patients who are recorded as having not suffered any of the four harms", "5", "safe", "percent", "proportion", 100.0, "increase", ""),
    ("BED_OCCUPANCY", "Bed occupancy", "Average daily percentage of beds in use", "context", "safe", "percent", "proportion", 100.0, "neutral", ""),
    ("NURSE_TO_BED", "Nurse to bed ratio", "Number of qualified nurses per bed", "context", "safe", "ratio", "measure", 1.0, "increase", ""),
    ("STAFF_SICKNESS", "Staff sickness", "Percentage sick leave", "context", "safe", "percent", "proportion", 100.0, "decrease", ""),
    ("DOCTOR_TO_PATIENT", "Doctor to patient ratio", "Ratio of qualified doctors to patients treated", "context", "safe", "ratio", "measure", 1.0, "increase", ""),
    ("CQC_COMPLIANCE_NOTICES", "CQC compliance notices", "Number of CQC compliance notices issued", "context", "safe", "count", "measure", 1.0, "decrease", ""),
    ("MONITOR_GOVERNANCE", "Monitor governance ratings", "Trust rating", "context", "safe", "rating", "measure", 1.0, "neutral", "Ordinal rating rather than a measured value"),
]

AE_DEFINITION = (
    "Attendances at type 1 (major, consultant-led, 24-hour) A&E departments where the patient "
    "spent more than 4 hours from arrival to admission, transfer or discharge (breaches), as a "
    "percentage of all type 1 attendances in the month. Source: NHS England monthly A&E "
    "attendances and emergency admissions (Open Government Licence v3.0)."
)

AE_MAPPING = "NHS England A&E attendances: type 1, 4-hour breaches"


def seed(apps, schema_editor):
    Indicator = apps.get_model("dashboard", "Indicator")
    ColumnMapping = apps.get_model("dashboard", "ColumnMapping")
    for code, name, metric, domain, dimension, unit, kind, mult, direction, notes in INDICATORS:
        Indicator.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "metric": metric,
                "domain": domain,
                "quality_dimension": dimension,
                "unit": unit,
                "kind": kind,
                "multiplier": mult,
                "improvement_direction": direction,
                "notes": notes,
            },
        )
    ae = Indicator.objects.get(code="AE_4HR")
    ae.definition = AE_DEFINITION
    ae.source = "NHS England A&E attendances and emergency admissions"
    ae.target = 5.0
    ae.target_note = "NHS standard: 95% of patients seen within 4 hours, so at most 5% not"
    ae.save()
    ColumnMapping.objects.update_or_create(
        name=AE_MAPPING,
        defaults={
            "description": "ae_attendances.csv as published: rows of type 1 give AE_4HR as "
            "breaches out of attendances.",
            "provider_column": "org_code",
            "period_column": "period",
            "indicator_column": "",
            "fixed_indicator": ae,
            "value_column": "",
            "numerator_column": "breaches",
            "denominator_column": "attendances",
            "filter_column": "type",
            "filter_value": "1",
        },
    )


class Migration(migrations.Migration):
    dependencies = [("dashboard", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
