"""Forms of the dashboard pages. They validate input; services do the writing."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings

from qsg import dimensions
from qsg.forms import TokenForm
from qsg.forms_nhs import NHSDateField
from qsg.models import Provider

from .models import INDICATOR_EDITABLE, ColumnMapping, Indicator


class ImportForm(TokenForm):
    file = forms.FileField(
        label="Upload a file",
        help_text="A CSV file (UTF-8) or an Excel workbook (.xlsx): the first sheet is read, or the "
        "sheet of a published layout (KH03: NHS Trust by Sector).",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
        error_messages={
            "required": "Select a CSV or Excel file",
            "empty": "The selected file is empty",
        },
    )
    mapping = forms.ModelChoiceField(
        queryset=ColumnMapping.objects.none(),
        required=False,
        label="Columns",
        empty_label="Standard columns: provider, indicator, period, value, numerator, denominator",
        help_text="Choose a saved column mapping for files laid out differently.",
    )
    source = forms.CharField(
        max_length=120,
        required=False,
        label="Source of the data",
        help_text="For example, NHS England monthly A&E statistics, March 2019",
    )

    def __init__(self, *args, mappings=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mappings is not None:
            self.fields["mapping"].queryset = mappings

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.QSG_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"The selected file must be smaller than {limit // (1024 * 1024)} MB"
            )
        name = upload.name.lower()
        if not name.endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError("The selected file must be a CSV file or an .xlsx workbook")
        return upload


class DimensionChoiceField(forms.ChoiceField):
    """The profile's quality dimensions; an older code (`safe`, `effective`) a script may still
    post reads as the row's code, as the API's does."""

    def to_python(self, value):
        value = super().to_python(value)
        return dimensions.ALIASES.get(value, value)


class IndicatorForm(forms.ModelForm):
    quality_dimension = DimensionChoiceField(
        label="Quality dimension", error_messages={"required": "Choose the quality dimension"}
    )

    class Meta:
        model = Indicator
        fields = ["code", *INDICATOR_EDITABLE]
        labels = {
            "quality_dimension": "Quality dimension",
            "improvement_direction": "Improvement direction",
            "is_active": "In use",
        }
        widgets = {
            "improvement_direction": forms.RadioSelect,
            "frequency": forms.RadioSelect,
            "kind": forms.RadioSelect,
            "definition": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["code"]
        # Monthly unless said otherwise (an older form, or an API client, may not send it).
        self.fields["frequency"].required = False
        # The profile's quality dimensions; an indicator keeps one no longer offered.
        offered = list(dimensions.choices())
        kept = self.initial.get("quality_dimension") or self.instance.quality_dimension
        if kept and kept not in {code for code, _ in offered}:
            offered.append((kept, dimensions.label(kept)))
        self.fields["quality_dimension"].choices = offered

    def clean_frequency(self):
        return (
            self.cleaned_data.get("frequency")
            or self.initial.get("frequency")
            or Indicator.Frequency.MONTHLY
        )

    def validate_unique(self):  # the service reports a taken code on its field
        pass


class MappingForm(forms.ModelForm):
    class Meta:
        model = ColumnMapping
        fields = [
            "name",
            "description",
            "provider_column",
            "period_column",
            "indicator_column",
            "fixed_indicator",
            "value_column",
            "numerator_column",
            "denominator_column",
            "filter_column",
            "filter_value",
        ]
        labels = {
            "provider_column": "Column with the provider's ODS code",
            "period_column": "Column with the month",
            "indicator_column": "Column with the indicator code",
            "fixed_indicator": "Or: every row is for this indicator",
            "value_column": "Column with the value",
            "numerator_column": "Column with the numerator",
            "denominator_column": "Column with the denominator",
            "filter_column": "Only read rows where this column...",
            "filter_value": "...has this value",
        }
        help_texts = {
            "value_column": "Leave blank if the value is worked out from numerator and denominator.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fixed_indicator"].queryset = Indicator.objects.filter(is_active=True)
        self.fields["fixed_indicator"].empty_label = "None: the file has an indicator column"

    def clean(self):
        data = super().clean()
        if not data.get("indicator_column") and not data.get("fixed_indicator"):
            self.add_error("indicator_column", "Name the indicator column, or choose an indicator")
        if not data.get("value_column") and not (
            data.get("numerator_column") and data.get("denominator_column")
        ):
            self.add_error(
                "value_column", "Name the value column, or both numerator and denominator columns"
            )
        if bool(data.get("filter_column")) != bool(data.get("filter_value")):
            self.add_error("filter_value", "Give both the filter column and its value, or neither")
        return data

    def validate_constraints(self, exclude=None):  # clean() says it in plain English
        pass


def _sector_choices():
    return [("", "All sectors"), *Provider.Sector.choices]


def _domain_choices():
    return [("", "All domains"), *Indicator.Domain.choices]


class MatrixFilterForm(forms.Form):
    is_filter_form = True
    sector = forms.ChoiceField(required=False, label="Sector")
    domain = forms.ChoiceField(required=False, label="Outcomes Framework domain")
    sort = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    dir = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("asc", "asc"), ("desc", "desc")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector"].choices = _sector_choices()
        self.fields["domain"].choices = _domain_choices()


class SignalsForm(forms.Form):
    since = NHSDateField(label="Signals since", help_text="For example, 1 3 2019")

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > dt.date.today() + dt.timedelta(days=366):
            raise forms.ValidationError("The date must be in the past or this year")
        if since.year < 1990:
            raise forms.ValidationError("The date must be after 1990")
        return since


class ScopeForm(forms.Form):
    is_filter_form = True
    qsg = forms.ChoiceField(required=False, label="Providers")

    def __init__(self, *args, qsgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qsg"].choices = [("", "Every provider you can see")] + [
            (str(q.pk), q.name) for q in qsgs
        ]


class RebaseForm(forms.Form):
    period = forms.ChoiceField(label="Judge the series afresh from")
    reason = forms.CharField(
        max_length=300,
        label="Reason",
        help_text="The change in how care is given or measured, for example a new pathway.",
    )

    def __init__(self, *args, periods=(), frequency: str = "monthly", **kwargs):
        from .periods import label, noun

        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [("", f"Choose a {noun(frequency, 1)}")] + [
            (p.isoformat(), label(p, frequency, long=True)) for p in periods
        ]

    def clean_period(self):
        return dt.date.fromisoformat(self.cleaned_data["period"])

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Enter the reason for the rebase")
        return reason
