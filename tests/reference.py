"""Reference data the migrations seed (organisation types, indicators, conclusion categories,
quality dimensions, themes, annex A questions, ring-holder rules).

Transactional tests (a real worker, a live server) end by flushing every table, which takes the
migration-seeded rows with it; the tests that run after them on the same process would then
find no themes or categories. `ensure()` puts back whatever is missing by running the
migrations' own seed functions, so the data is exactly what a migrated database holds.
"""

from __future__ import annotations

import importlib

from django.apps import apps

# (model, migration module with a `seed(apps, schema_editor)` function), in dependency order.
SEEDED = [
    ("qsg.OrganisationType", "qsg.migrations.0002_organisation_types"),
    ("dashboard.Indicator", "dashboard.migrations.0002_seed_indicators"),
    ("dashboard.Indicator", "dashboard.migrations.0004_indicator_frequency"),
    ("dashboard.Indicator", "dashboard.migrations.0005_real_data"),
    ("dashboard.Indicator", "dashboard.migrations.0008_indicator_dimension_rows"),
    ("risksummits.RingHolderRule", "risksummits.migrations.0002_ring_holder_rules"),
    ("surveillance.ConclusionCategory", "surveillance.migrations.0002_meetings_reference_data"),
    ("surveillance.ConclusionCategory", "surveillance.migrations.0016_profile_vocabulary"),
    # Quality dimensions per profile, and the categories' profiles (2022 categories added).
    ("qsg.QualityDimension", "surveillance.migrations.0016_profile_vocabulary"),
    ("surveillance.Theme", "surveillance.migrations.0005_intelligence_themes_search"),
    ("surveillance.AssuranceQuestion", "surveillance.migrations.0007_assurance_questions"),
]


def ensure() -> None:
    """A model seeded by several migrations gets all of their seeds, in order, when empty."""
    empty: dict[str, bool] = {}
    for model_label, module_name in SEEDED:
        if model_label not in empty:
            empty[model_label] = not apps.get_model(model_label).objects.exists()
        if empty[model_label]:
            importlib.import_module(module_name).seed(apps, None)
