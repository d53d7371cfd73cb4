"""Generated files are fresh and the layers point the right way."""

import shutil
import subprocess
import sys
from pathlib import Path

from mlops_maturity import schema

ROOT = Path(__file__).resolve().parents[1]


def test_published_result_schema_is_fresh():
    assert schema.path().read_text(encoding="utf-8") == schema.dumps(schema.generate()), (
        "src/mlops_maturity/schema/result.schema.json is stale: run python -m mlops_maturity.schema"
    )


def test_import_layers():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert exe, "import-linter is a test dependency"
    proc = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]


def test_help_does_not_import_heavy_modules():
    code = "import sys; from mlops_maturity.cli import main; print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in ('rich','pydantic','yaml','jsonschema'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout.strip()
    assert out == "", out


def test_cli_format_choices_match_the_reporter_registry():
    from mlops_maturity import reporters
    from mlops_maturity.cli import commands

    assert commands.FORMAT_NAMES == list(reporters.FORMATS)
