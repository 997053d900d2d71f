"""The analysts' commands: import a file from disk, recompute."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from dashboard.models import Observation, SpcSeries

from .helpers import HEADER, ae_rows, csv_bytes

pytestmark = pytest.mark.django_db


def test_import_command_loads_and_recompute_command_reports(cast, tmp_path, capsys):
    path = tmp_path / "returns.csv"
    path.write_bytes(csv_bytes(ae_rows("RAA", n=14)))
    call_command("import_observations", str(path), "--user", "member_b", "--source", "Returns")
    assert Observation.objects.count() == 14
    assert "Loaded: 14 new" in capsys.readouterr().out
    call_command("recompute_spc", "--full")
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert counts["series"] == 1 and SpcSeries.objects.get().is_current


def test_import_command_refuses_bad_files_and_non_analysts(cast, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "XXX,AE_4HR,2019-01,5,,\n")
    errors = tmp_path / "errors.csv"
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("import_observations", str(bad), "--user", "member_b", "--errors", str(errors))
    assert "No provider has the ODS code XXX" in errors.read_text()
    with pytest.raises(CommandError, match="analysts"):
        call_command("import_observations", str(bad), "--user", "chair_a")
    with pytest.raises(CommandError, match="No column mapping"):
        call_command("import_observations", str(bad), "--user", "member_b", "--mapping", "nope")
