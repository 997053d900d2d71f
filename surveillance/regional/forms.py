"""Forms of the regional pages. They validate input; services do the writing."""

from __future__ import annotations

from django import forms

from qsg.access import footprint
from qsg.forms import TokenForm
from qsg.forms_nhs import NHSDateField
from qsg.models import QSG, Provider
from qsg.vocabulary import say, say_lazy
from surveillance.regional.models import AssuranceAnswer, AssuranceQuestion


class LocalReportForm(TokenForm):
    period_start = NHSDateField(label="Start of the period", help_text="For example 1 10 2026")
    period_end = NHSDateField(label="End of the period", help_text="For example 31 12 2026")

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be after its start")
        return data


class SectionForm(forms.Form):
    text = forms.CharField(
        label="Text",
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=10000,
        required=False,
        help_text="Do not include patient-identifiable information. 10,000 characters at most.",
    )


class CommentForm(TokenForm):
    text = forms.CharField(
        label="Your comment",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        help_text=say_lazy(
            "The local QSG reads it with its report. No patient-identifiable information. "
            "3,000 characters at most."
        ),
        error_messages={"required": "Enter your comment"},
    )


class RecommendationForm(TokenForm):
    local_qsg = forms.ModelChoiceField(
        queryset=QSG.objects.none(),
        label=say_lazy("Local QSG"),
        empty_label=say_lazy("Choose a local QSG"),
    )
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(),
        label="Provider",
        required=False,
        empty_label="Not about one provider",
    )
    title = forms.CharField(max_length=200, label="Title")
    text = forms.CharField(
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Recommendation",
        help_text=say_lazy(
            "What the region asks the local QSG to consider. 3,000 characters at most."
        ),
    )

    def __init__(self, *args, region: QSG, local_qsg: QSG | None = None, **kwargs):
        """`local_qsg`: the local QSG chosen (from the page's address or the posted form);
        the providers offered are that QSG's footprint, none until one is chosen."""
        super().__init__(*args, **kwargs)
        locals_ = QSG.objects.filter(regional_qsg=region, is_active=True).order_by("name")
        self.fields["local_qsg"].queryset = locals_
        providers = Provider.objects.none()
        if local_qsg is not None and local_qsg.regional_qsg_id == region.pk:
            providers = footprint(local_qsg)  # led there or sitting there too
            self.fields["local_qsg"].widget = forms.HiddenInput()
            self.fields["provider"].help_text = f"A provider in {local_qsg.name}'s footprint"
        else:
            self.fields["provider"].help_text = say("Choose the local QSG first")
        self.fields["provider"].queryset = providers


RAG_CHOICES = [("", "Not rated"), *AssuranceAnswer.Rag.choices]


class AssuranceForm(TokenForm):
    """One RAG rating, comments and evidence per question of the pro forma."""

    def __init__(self, *args, questions: list[AssuranceQuestion], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[f"rag_{q.pk}"] = forms.ChoiceField(
                choices=RAG_CHOICES, required=False, label=f"{q.code}. {q.text}: RAG rating"
            )
            self.fields[f"comments_{q.pk}"] = forms.CharField(
                required=False,
                max_length=2000,
                label="Comments",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"evidence_{q.pk}"] = forms.CharField(
                required=False,
                max_length=2000,
                label="Evidence",
                help_text=q.evidence_hint,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self):
        for q in self.questions:
            yield q, self[f"rag_{q.pk}"], self[f"comments_{q.pk}"], self[f"evidence_{q.pk}"]

    def answers(self) -> dict[int, dict[str, str]]:
        return {
            q.pk: {
                "rag": self.cleaned_data.get(f"rag_{q.pk}", ""),
                "comments": self.cleaned_data.get(f"comments_{q.pk}", ""),
                "evidence": self.cleaned_data.get(f"evidence_{q.pk}", ""),
            }
            for q in self.questions
        }
