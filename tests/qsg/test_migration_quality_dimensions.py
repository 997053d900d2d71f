"""The quality dimensions' move to qsg, and indicators classed by them (issue 16).

`exercise()` takes a database back to before the move (qsg 0010, surveillance 0021, dashboard
0007), writes what a deployment may hold there (a relabelled row, a retired row, a row of its own
with an administrators' permission on the rows, indicators and their history under the three old
codes, and a code no row has), migrates forward and checks that every row, id and word is kept
and the indicators' codes became the rows'; then back again and forward again. It runs on the
PostgreSQL test database here and on a fresh SQLite file (the demo's settings) in a subprocess;
the SQLite file is migrated from empty first.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.test_demo_path import _env as demo_env
from tests.test_demo_path import _manage as manage

BEFORE = [
    ("qsg", "0010_organisation_help_text"),
    ("surveillance", "0021_local_report_escalation_section"),
    ("dashboard", "0007_provider_context"),
]
AFTER = [
    ("qsg", "0011_quality_dimensions"),
    ("surveillance", "0022_quality_dimensions_move_to_qsg"),
    ("dashboard", "0008_indicator_dimension_rows"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _rows(Dimension) -> dict:
    return {
        (d.profile, d.code): (d.pk, d.label, d.is_active, d.sort_order)
        for d in Dimension.objects.all()
    }


def _codes(apps, model: str) -> dict[str, str]:
    return dict(
        apps.get_model("dashboard", model)
        .objects.filter(code__startswith="MIG_")
        .values_list("code", "quality_dimension")
    )


def _before(apps) -> dict:
    """Writes what a deployment may hold before the move; returns what must be found after."""
    Dimension = apps.get_model("surveillance", "QualityDimension")
    Indicator = apps.get_model("dashboard", "Indicator")
    History = apps.get_model("dashboard", "HistoricalIndicator")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    Dimension.objects.filter(profile="2013", code="experience").update(label="Experience of care")
    Dimension.objects.filter(profile="2022", code="equitable").update(is_active=False)
    Dimension.objects.create(profile="", code="workforce", label="Workforce", sort_order=99)
    rows = _rows(Dimension)
    assert len(rows) == 10

    ContentType.objects.filter(model="qualitydimension").delete()
    kind = ContentType.objects.create(app_label="surveillance", model="qualitydimension")
    permission = Permission.objects.create(
        content_type=kind, codename="change_qualitydimension", name="Can change quality dimension"
    )
    Group.objects.create(name="Dimension editors").permissions.add(permission)

    base = {
        "metric": "m",
        "domain": "5",
        "unit": "percent",
        "improvement_direction": "decrease",
        "frequency": "monthly",
        "kind": "measure",
        "multiplier": 1.0,
    }
    old = {"MIG_SAFE": "safe", "MIG_EFFECTIVE": "effective", "MIG_EXP": "experience"}
    for code, dimension in old.items():
        Indicator.objects.create(code=code, name=code, quality_dimension=dimension, **base)
        History.objects.create(
            id=Indicator.objects.get(code=code).pk,
            code=code,
            name=code,
            quality_dimension=dimension,
            history_date=timezone.now(),
            history_type="+",
            **base,
        )
    Indicator.objects.create(code="MIG_ODD", name="odd", quality_dimension="odd", **base)
    return {"rows": rows, "content_type": kind.pk, "permission": permission.pk}


def exercise() -> None:
    seeded = _before(_migrate(BEFORE))
    apps = _migrate(AFTER)
    Dimension = apps.get_model("qsg", "QualityDimension")
    Indicator = apps.get_model("dashboard", "Indicator")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")

    assert Dimension._meta.db_table == "qsg_qualitydimension"
    assert _rows(Dimension) == seeded["rows"]
    assert "qsg_qualitydimension" in connection.introspection.table_names()
    assert "surveillance_qualitydimension" not in connection.introspection.table_names()
    # The unique (profile, code) constraint came along.
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as c:
        c.execute(
            "INSERT INTO qsg_qualitydimension (code, profile, label, description, is_active, "
            "sort_order) VALUES ('safety', '2013', 'again', '', true, 1)"
        )

    kind = ContentType.objects.get(pk=seeded["content_type"])
    assert (kind.app_label, kind.model) == ("qsg", "qualitydimension")
    assert list(
        Group.objects.get(name="Dimension editors").permissions.values_list("pk", flat=True)
    ) == [seeded["permission"]]

    assert _codes(apps, "Indicator") == {
        "MIG_SAFE": "safety",
        "MIG_EFFECTIVE": "effectiveness",
        "MIG_EXP": "experience",
        "MIG_ODD": "odd",
    }
    assert _codes(apps, "HistoricalIndicator") == {
        "MIG_SAFE": "safety",
        "MIG_EFFECTIVE": "effectiveness",
        "MIG_EXP": "experience",
    }
    # No indicator is left under an old code.
    assert not Indicator.objects.filter(quality_dimension__in=["safe", "effective"]).exists()

    # Backwards: the rows and the old codes come back as they were; forwards again.
    apps = _migrate(BEFORE)
    assert _rows(apps.get_model("surveillance", "QualityDimension")) == seeded["rows"]
    assert _codes(apps, "Indicator") == {
        "MIG_SAFE": "safe",
        "MIG_EFFECTIVE": "effective",
        "MIG_EXP": "experience",
        "MIG_ODD": "odd",
    }
    apps = _migrate(AFTER)
    assert apps.get_model("qsg", "QualityDimension").objects.count() == 10


@pytest.mark.django_db(transaction=True)
def test_the_move_keeps_every_row_on_postgresql():
    try:
        exercise()
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_the_move_on_sqlite_from_empty_and_with_data(tmp_path):
    env = demo_env(tmp_path)
    manage(env, "migrate", "--noinput")
    out = manage(
        env,
        "shell",
        "-c",
        "from tests.qsg.test_migration_quality_dimensions import exercise; exercise(); "
        "print('exercised')",
    )
    assert "exercised" in out
