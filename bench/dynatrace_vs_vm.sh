#!/usr/bin/env bash
# dynatrace_vs_vm.sh ROUNDS DURATION CONNECTIONS
#
# Side-by-side ingest of the same ../shared/bench samples: Basin (release build, embedded store)
# on Dynatrace's `/api/v2/metrics/ingest` line protocol and VictoriaMetrics (Debian package) on
# its Influx line protocol `/write`, the same wrk driver (../shared/bench/run_load.sh), a fresh
# server per run, data on the journaled ext4 loop filesystem of ../shared/bench/peers_fs.sh at
# /tmp/peers. Rounds alternate Basin and VM so drift on the shared machine hits both. Basin
# syncs its log before every 202; VictoriaMetrics answers before its data reaches the disk.
# One JSON line per run goes to bench/results/<date>-dynatrace.jsonl.
#
# Dynatrace refuses points more than one hour old, and the generator spans the hour before its
# `--now`, so each round generates its bodies afresh (≈40 s, not measured), 8 minutes ahead
# (inside Dynatrace's 10-minute future window): both servers get the same bodies of that round.
#
# Prerequisites (once): ../shared/bench/peers_fs.sh mount; apt-get install victoria-metrics wrk.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared/bench}
ROUNDS=${1:-3} DURATION=${2:-30s} CONNS=${3:-4}
DATA=${DATA:-/tmp/peers/dt}
SCRATCH=${SCRATCH:-$ROOT/.build-release}
mkdir -p "$HERE/results"
OUT="$HERE/results/$(date -u +%Y-%m-%d)-dynatrace.jsonl"

(cd "$ROOT" && swift build -c release --product basin --scratch-path "$SCRATCH" >/dev/null)
BASIN="$SCRATCH/release/basin"

generate() {
  rm -rf "$DATA"
  python3 "$SHARED/gen_payloads.py" --series 10000 --points-per-series 240 --batch 1000 --seed 42 \
    --formats dynatrace,influx --out "$DATA" --now $(( $(date +%s) + 480 )) >/dev/null
}

run_basin() {
  local dir=/tmp/peers/basin-dynatrace
  rm -rf "$dir"; mkdir -p "$dir"
  # The shared wrk script sends `Authorization: Api-Token bench`; provision that secret.
  "$BASIN" token create --data "$dir/data" --scopes ingest,query --secret bench --name bench >/dev/null 2>&1
  "$BASIN" serve --data "$dir/data" --listen 127.0.0.1:8080 --log-level warning >"$dir/log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:8080/readyz >/dev/null && break; sleep 0.1; done
  RESULTS="$OUT" LABEL="basin dynatrace round $1" SERVER_PID=$pid \
    bash "$SHARED/run_load.sh" dynatrace http://127.0.0.1:8080/api/v2/metrics/ingest "$DATA/dynatrace" "$DURATION" "$CONNS" | head -1
  kill -TERM $pid; wait $pid 2>/dev/null || true
}

run_vm() {
  # The command line of ../shared/bench/setup_peers.sh (start_vm).
  local dir=/tmp/peers/vm
  rm -rf "$dir"; mkdir -p "$dir"
  victoria-metrics -storageDataPath="$dir/data" -httpListenAddr=127.0.0.1:8428 >>"$dir/vm.log" 2>&1 </dev/null &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:8428/health >/dev/null && break; sleep 0.1; done
  RESULTS="$OUT" LABEL="vm influx round $1" SERVER_PID=$pid \
    bash "$SHARED/run_load.sh" influx http://127.0.0.1:8428/write "$DATA/influx" "$DURATION" "$CONNS" | head -1
  bash "$SHARED/stop_peers.sh" "$pid" >/dev/null
}

for round in $(seq "$ROUNDS"); do
  generate
  run_basin "$round"
  run_vm "$round"
done
echo "results: $OUT"
