#!/usr/bin/env bash
# Install the peer, mllint 0.12.2, from PyPI into bench/.mllint-venv (see ../shared/peers.md).
# Its only PyPI release is an sdist whose version string ("dev-snapshot") modern packaging rejects,
# so: download it with the legacy resolver, build it in place, and copy the package (which holds a
# static Go binary) into the venv by hand.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
venv=$here/.mllint-venv
if [ -x "$venv/bin/mllint" ] && "$venv/bin/mllint" version 2>/dev/null | grep -q 0.12.2; then
  echo "$venv/bin/mllint"; exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check "pip==23.2.1" "setuptools==65.5.0" wheel 2>&1 | grep -v "^WARNING: Location" || true
"$venv/bin/pip" download -q --disable-pip-version-check --no-deps --no-binary :all: --no-build-isolation \
  --use-deprecated=legacy-resolver mllint==0.12.2 -d "$work/dl" 2>&1 | grep -vE "^WARNING|^DEPRECATION|^  WARNING" || true
tar -xzf "$work"/dl/mllint-0.12.2.tar.gz -C "$work"
(cd "$work/mllint-0.12.2" && "$venv/bin/pip" wheel -q --no-build-isolation --no-deps . -w "$work/whl" >/dev/null 2>&1 || true)
built=$(ls -d "$work"/mllint-0.12.2/build/lib*/mllint)
site=$("$venv/bin/python" -c "import site; print(site.getsitepackages()[0])")
rm -rf "$site/mllint" && cp -r "$built" "$site/mllint"
printf '#!%s\nfrom mllint.cli import main\nmain()\n' "$venv/bin/python" > "$venv/bin/mllint"
chmod +x "$venv/bin/mllint"
"$venv/bin/mllint" version 2>&1 | head -1 >&2 || true  # head closing the pipe must not fail the install
echo "$venv/bin/mllint"
