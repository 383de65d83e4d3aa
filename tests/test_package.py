from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import translate

ROOT = Path(__file__).resolve().parent.parent


def test_import_name_resolves_to_this_project() -> None:
    # translate-toolkit uses the same import name; make sure ours is the one imported.
    assert Path(translate.__file__).resolve().parent == ROOT / "translate"


def test_python_dash_m_runs_the_cli() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "translate", "--version"], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == f"tarjama {translate.__version__}"


def test_help_does_not_import_torch() -> None:
    code = (
        "import sys; from typer.testing import CliRunner; from translate.cli import app; "
        "CliRunner().invoke(app, ['--help']); "
        "print(','.join(m for m in ('torch', 'transformers', 'sacrebleu') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
