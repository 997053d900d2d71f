"""Helpers shared by the SPC tests (no Django needed)."""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]


def shared_dir() -> Path:
    """The project's ``shared`` folder: ``$QSG_SHARED_DIR``, else ``shared`` beside the
    repository root."""
    env = os.environ.get("QSG_SHARED_DIR")
    return Path(env) if env else Path(__file__).resolve().parents[2].parent / "shared"


def examples_dir() -> Path:
    path = shared_dir() / "spc-examples"
    if not (path / "manifest.json").is_file():
        raise FileNotFoundError(
            f"SPC reference examples not found in {path}; set QSG_SHARED_DIR to the shared folder"
        )
    return path


def example_cases() -> list[dict]:
    return json.loads((examples_dir() / "manifest.json").read_text())["cases"]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def num(text: str) -> float:
    """A number as the reference (or our CLI) writes it; NA and NaN are missing."""
    return math.nan if text in ("NA", "NaN", "") else float(text)


def same_float(a: float, b: float) -> bool:
    """Bitwise equality of doubles, NaN equal to NaN (any NaN: R writes NA or NaN)."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return np.float64(a).view(np.int64) == np.float64(b).view(np.int64)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "dashboard.spc", *map(str, args)],
        cwd=cwd or REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
