"""Conclusion categories and quality dimensions are data per profile (2013, 2022): each profile
offers its own rows in forms and the API, and no record loses or silently changes its value."""

from __future__ import annotations

import pytest
from django.test import override_settings

from qsg import dimensions, vocabulary
from qsg.models import QualityDimension
from surveillance.intelligence.api import IntelligenceSubmitSerializer
from surveillance.intelligence.forms import DetailsForm
from surveillance.intelligence.models import IntelligenceItem
from surveillance.meetings import selectors as meetings_selectors
from surveillance.meetings.forms import ConclusionForm
from surveillance.meetings.models import ConclusionCategory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh():
    vocabulary.forget()
    dimensions.forget()
    yield
    vocabulary.forget()
    dimensions.forget()


def _codes(form) -> set[str]:
    return set(form.fields["category"].queryset.values_list("code", flat=True))


def test_each_profile_offers_its_own_conclusion_categories():
    assert _codes(ConclusionForm()) == {
        "risk-summit",
        "regular-review",
        "further-information",
        "no-further-action",
    }
    with override_settings(QSG_PROFILE="2022"):
        assert _codes(ConclusionForm()) == {
            "rapid-quality-review",
            "enhanced-monitoring",
            "further-information",
            "routine-surveillance",
        }
        summit = ConclusionCategory.objects.get(code="rapid-quality-review")
        assert summit.triggers_risk_summit and summit.level == 3


@override_settings(QSG_PROFILE="2022")
def test_a_conclusion_keeps_a_category_the_profile_no_longer_offers():
    old = ConclusionCategory.objects.get(code="risk-summit")
    form = ConclusionForm(initial={"category": old.pk})
    assert "risk-summit" in _codes(form)
    assert "risk-summit" not in set(meetings_selectors.categories().values_list("code", flat=True))


def test_an_administrator_retires_a_category():
    ConclusionCategory.objects.filter(code="regular-review").update(is_active=False)
    assert "regular-review" not in _codes(ConclusionForm())


def test_each_profile_offers_its_own_quality_dimensions():
    assert [label for _, label in DetailsForm().fields["quality_dimension"].choices] == [
        "Safety",
        "Effectiveness",
        "Patient experience",
    ]
    assert "well_led" not in dict(
        IntelligenceSubmitSerializer(context={"request": None}).fields["quality_dimension"].choices
    )
    with override_settings(QSG_PROFILE="2022"):
        assert [c for c, _ in DetailsForm().fields["quality_dimension"].choices] == [
            "safety",
            "effectiveness",
            "experience",
            "well_led",
            "sustainable",
            "equitable",
        ]
        api = (
            IntelligenceSubmitSerializer(context={"request": None})
            .fields["quality_dimension"]
            .choices
        )
        assert api["well_led"] == "Well-led"


def test_an_item_keeps_its_code_and_reads_in_the_profiles_words():
    item = IntelligenceItem(quality_dimension="safety")
    assert item.get_quality_dimension_display() == "Safety"
    with override_settings(QSG_PROFILE="2022"):
        assert item.get_quality_dimension_display() == "Safe"
        # A 2022 dimension read under 2013 still shows its own words, not nothing.
    assert IntelligenceItem(quality_dimension="well_led").get_quality_dimension_display() == (
        "Well-led"
    )
    assert IntelligenceItem(quality_dimension="").get_quality_dimension_display() == ""


def test_an_administrators_relabel_is_what_pages_show():
    QualityDimension.objects.filter(profile="2013", code="experience").update(
        label="Experience of care"
    )
    dimensions.forget()
    assert IntelligenceItem(quality_dimension="experience").get_quality_dimension_display() == (
        "Experience of care"
    )
