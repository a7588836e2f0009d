#!/usr/bin/env bash
# Builds Basin (release) and runs `basin serve` on the embedded store.
# Any arguments are passed to `basin serve`, e.g. scripts/run.sh --data /var/lib/basin --listen 127.0.0.1:8080
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product basin
exec "$(swift build -c release --show-bin-path)/basin" serve "$@"
