#!/usr/bin/env bash
# dialect_ingest.sh ROUNDS DURATION CONNECTIONS [FORMAT ...]
#
# End-to-end ingest of the same ../shared/bench samples through several of Basin's dialects:
# each round starts a fresh Basin (release build, embedded store, data on the journaled ext4
# loop filesystem of ../shared/bench/peers_fs.sh at /tmp/peers) per format, drives it with the
# shared wrk script (../shared/bench/run_load.sh) and records samples/s, server CPU-s per
# million samples, peak RSS and latency. Formats alternate within a round so drift on the shared
# machine hits each. Every dialect syncs the log before it answers. One JSON line per run goes to
# bench/results/<date>-dialects.jsonl.
#
# Formats and their paths: datadog (/api/v1/series), blueflood (/v2.0/t1/ingest), signalfx
# (/v2/datapoint, JSON); default all three.
# The wrk script sends the secret `bench` in each vendor's header; it is provisioned as a token
# of organisation `t1` (Blueflood's tenant in the path).
#
# Prerequisites (once): ../shared/bench/peers_fs.sh mount; apt-get install wrk; the bodies:
#   python3 ../shared/bench/gen_payloads.py --series 10000 --points-per-series 240 --batch 1000 \
#       --seed 42 --formats datadog,blueflood,signalfx --out /tmp/peers/bf --now $(date +%s)
# (Blueflood refuses samples older than 3 days: regenerate the bodies when they age.)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
ROUNDS=${1:-3} DURATION=${2:-30s} CONNS=${3:-4}
shift $(( $# < 3 ? $# : 3 ))
FORMATS=("$@")
[ ${#FORMATS[@]} -gt 0 ] || FORMATS=(datadog blueflood signalfx)
DATA=${DATA:-/tmp/peers/bf}
SCRATCH=${SCRATCH:-$ROOT/.build-release}
mkdir -p "$HERE/results"
OUT="$HERE/results/$(date -u +%Y-%m-%d)-dialects.jsonl"

(cd "$ROOT" && swift build -c release --product basin --scratch-path "$SCRATCH" >/dev/null)
BASIN="$SCRATCH/release/basin"

path_of() {
  case "$1" in
    datadog) echo /api/v1/series ;;
    blueflood) echo /v2.0/t1/ingest ;;
    signalfx) echo /v2/datapoint ;;
    *) echo "unknown format $1" >&2; exit 2 ;;
  esac
}

run_one() {
  local format=$1 round=$2 dir=/tmp/peers/basin-dialect
  rm -rf "$dir"; mkdir -p "$dir"
  "$BASIN" token create --data "$dir/data" --org t1 --scopes ingest,query --secret bench --name bench >/dev/null 2>&1
  "$BASIN" serve --data "$dir/data" --listen 127.0.0.1:8080 --log-level warning >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:8080/readyz >/dev/null && break; sleep 0.1; done
  RESULTS="$OUT" LABEL="basin $format round $round" SERVER_PID=$pid \
    bash "$SHARED/run_load.sh" "$format" "http://127.0.0.1:8080$(path_of "$format")" "$DATA/$format" "$DURATION" "$CONNS" | head -1
  kill -TERM $pid; wait $pid 2>/dev/null || true
}

for round in $(seq "$ROUNDS"); do
  for format in "${FORMATS[@]}"; do run_one "$format" "$round"; done
done
echo "results: $OUT"
