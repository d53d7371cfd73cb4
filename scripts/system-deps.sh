#!/usr/bin/env bash
# System packages the test suite needs beyond Python: Debian's Chromium, for the test that renders
# the HTML report in a real headless browser. Idempotent and non-interactive; installs only what is
# missing (so a machine that has it makes no network request). Needs root to install.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: /usr/bin/chromium is missing and installing it needs root (apt-get install chromium)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: /usr/bin/chromium is missing and apt-get is not available; install Chromium by hand" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium
[ -x /usr/bin/chromium ] || { echo "system-deps: chromium installed but /usr/bin/chromium is missing" >&2; exit 1; }
