#!/usr/bin/env bash
# The main job: set up, then scan a bundled example repository and show the report.
# Extra arguments go to `mlops-maturity scan` (e.g. --verbose, --format json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/mlops-maturity scan examples/fraud-training "$@"
