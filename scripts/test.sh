#!/usr/bin/env bash
# The full test suite, with all of its own set-up on a fresh machine:
#   1. Python clients from PyPI (the vendors' real libraries) and pytest, in .venv-test;
#   2. swift build (debug) and the swift-testing suite (unit, golden, property, script,
#      conformance and in-process HTTP tests);
#   3. end-to-end tests: the real `basin` binary on a loopback port, driven by the real
#      datadogpy and datadog-api-client libraries, plus SIGKILL crash tests (one kill, and a
#      loop of kills at random moments under concurrent ingest).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
VENV=.venv-test
if [ ! -x "$VENV/bin/python" ]; then
    "$PY" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    'datadog==0.56.0' 'datadog-api-client==2.62.0' 'dynatrace-metric-utils==0.2.1' 'axiom-py==0.15.0' 'signalfx==1.1.16' 'pytest>=8' 'requests>=2.31' 'zstandard>=0.22'

echo "== swift build"
swift build --build-tests

echo "== swift test"
swift test --skip-build --parallel

echo "== end-to-end (real binary, real clients)"
BASIN_BINARY="$(swift build --show-bin-path)/basin" "$VENV/bin/python" -m pytest -q Tests/e2e
